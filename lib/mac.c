/*
 * mac: macro name interning, value tables and expansion.
 *
 * Owns the intern table of long names and each table's values.  Expansion
 * never recurses without bound (MAC_MAXDEPTH) and never fails: an undefined
 * macro expands to nothing.  Used by every process.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mac.h"
#include "pt_alloc.h"
#include "pt_str.h"

#define MAC_MAXDEPTH 20

struct mac_names {
	char **name;		/* long names, index i has id 256 + i */
	size_t n, cap;
	int *hash;		/* open addressing: index+1 into name, 0 empty */
	size_t hcap;
};

struct mac_val {
	char *s;
	unsigned flags;
	unsigned char state;	/* 0 unset here, 1 set, 2 hidden */
};

struct mac_table {
	struct mac_names *names;
	const struct mac_table *parent;
	struct mac_val *v;
	size_t cap;
};

struct mac_names *
mac_names_new(void)
{
	return pt_calloc(1, sizeof(struct mac_names));
}

void
mac_names_free(struct mac_names *names)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < names->n; i++)
		free(names->name[i]);
	free(names->name);
	free(names->hash);
	free(names);
}

/* Hash of a length-counted name. */
static size_t
name_hash(const char *s, size_t len)
{
	size_t h = 5381;

	while (len--)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* Rebuilds the hash index at twice the size. */
static void
rehash(struct mac_names *nm)
{
	size_t i, cap = nm->hcap ? nm->hcap * 2 : 64;

	free(nm->hash);
	nm->hash = pt_calloc(cap, sizeof(int));
	nm->hcap = cap;
	for (i = 0; i < nm->n; i++) {
		size_t h = name_hash(nm->name[i], strlen(nm->name[i])) & (cap - 1);

		while (nm->hash[h] != 0)
			h = (h + 1) & (cap - 1);
		nm->hash[h] = (int)i + 1;
	}
}

int
mac_id(struct mac_names *nm, const char *name, size_t len, bool create)
{
	size_t h;

	if (len >= 2 && name[0] == '{' && name[len - 1] == '}') {
		name++;
		len -= 2;
	}
	if (len == 0 || len > MAC_MAXNAME)
		return MAC_NONE;
	if (len == 1)
		return (unsigned char)name[0];
	if (nm->hcap != 0) {
		h = name_hash(name, len) & (nm->hcap - 1);
		while (nm->hash[h] != 0) {
			const char *s = nm->name[nm->hash[h] - 1];

			if (strncmp(s, name, len) == 0 && s[len] == '\0')
				return 256 + nm->hash[h] - 1;
			h = (h + 1) & (nm->hcap - 1);
		}
	}
	if (!create)
		return MAC_NONE;
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? nm->cap * 2 : 32;
		nm->name = pt_reallocarray(nm->name, nm->cap, sizeof(char *));
	}
	nm->name[nm->n++] = pt_strndup(name, len);
	if (nm->n * 2 > nm->hcap)
		rehash(nm);
	else {
		h = name_hash(name, len) & (nm->hcap - 1);
		while (nm->hash[h] != 0)
			h = (h + 1) & (nm->hcap - 1);
		nm->hash[h] = (int)nm->n;
	}
	return 256 + (int)nm->n - 1;
}

int
mac_parse_name(struct mac_names *nm, const char **pp)
{
	const char *p = *pp, *end;

	if (*p == '\0')
		return MAC_NONE;
	if (*p != '{') {
		*pp = p + 1;
		return (unsigned char)*p;
	}
	end = strchr(p, '}');
	if (end == NULL) {
		*pp = p + strlen(p);
		return MAC_NONE;
	}
	*pp = end + 1;
	return mac_id(nm, p + 1, (size_t)(end - p - 1), true);
}

void
mac_name(const struct mac_names *nm, int id, struct pt_buf *out)
{
	if (id >= 0 && id < 256)
		pt_buf_addc(out, id);
	else if (id >= 256 && (size_t)(id - 256) < nm->n)
		pt_buf_printf(out, "{%s}", nm->name[id - 256]);
	else
		pt_buf_adds(out, "{?}");
}

struct mac_table *
mac_table_new(struct mac_names *names, const struct mac_table *parent)
{
	struct mac_table *t = pt_calloc(1, sizeof *t);

	t->names = names;
	t->parent = parent;
	return t;
}

void
mac_table_free(struct mac_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->cap; i++)
		free(t->v[i].s);
	free(t->v);
	free(t);
}

struct mac_names *
mac_table_names(const struct mac_table *t)
{
	return t->names;
}

/* Makes room for id in t. */
static void
grow(struct mac_table *t, int id)
{
	size_t cap = t->cap ? t->cap : 512;

	while ((size_t)id >= cap)
		cap *= 2;
	if (cap != t->cap) {
		t->v = pt_reallocarray(t->v, cap, sizeof *t->v);
		memset(t->v + t->cap, 0, (cap - t->cap) * sizeof *t->v);
		t->cap = cap;
	}
}

void
mac_set(struct mac_table *t, int id, const char *value, unsigned flags)
{
	struct mac_val *v;

	if (id < 0)
		return;
	grow(t, id);
	v = &t->v[id];
	free(v->s);
	v->s = value != NULL ? pt_strdup(value) : NULL;
	v->flags = flags;
	v->state = value != NULL ? 1 : 2;
}

void
mac_unset(struct mac_table *t, int id)
{
	if (id < 0 || (size_t)id >= t->cap)
		return;
	free(t->v[id].s);
	memset(&t->v[id], 0, sizeof t->v[id]);
}

const char *
mac_get(const struct mac_table *t, int id, unsigned *flags)
{
	for (; t != NULL; t = t->parent) {
		if (id < 0 || (size_t)id >= t->cap || t->v[id].state == 0)
			continue;
		if (t->v[id].state == 2)
			return NULL;
		if (flags != NULL)
			*flags = t->v[id].flags;
		return t->v[id].s;
	}
	return NULL;
}

void
mac_set_name(struct mac_table *t, const char *name, const char *value, unsigned flags)
{
	mac_set(t, mac_id(t->names, name, strlen(name), true), value, flags);
}

const char *
mac_get_name(const struct mac_table *t, const char *name)
{
	int id = mac_id(t->names, name, strlen(name), false);

	return id == MAC_NONE ? NULL : mac_get(t, id, NULL);
}

static void expand(const struct mac_table *t, const char *s, struct pt_buf *out, int depth);

/* Appends the value of id, expanded when it is configuration text. */
static void
expand_value(const struct mac_table *t, int id, struct pt_buf *out, int depth)
{
	unsigned flags = 0;
	const char *v = mac_get(t, id, &flags);

	if (v == NULL)
		return;
	if ((flags & MACF_CF) && depth < MAC_MAXDEPTH)
		expand(t, v, out, depth + 1);
	else
		pt_buf_adds(out, v);
}

/* The expander: see mac_expand. */
static void
expand(const struct mac_table *t, const char *s, struct pt_buf *out, int depth)
{
	int skip = 0, level = 0;	/* skipping inside level-th conditional */
	int id;

	while (*s && out->len < MAC_MAXEXPAND) {
		if (*s != '$' || s[1] == '\0') {
			if (skip == 0)
				pt_buf_addc(out, *s);
			s++;
			continue;
		}
		s++;
		switch (*s) {
		case '$':
			if (skip == 0)
				pt_buf_addc(out, '$');
			s++;
			break;
		case '?':
			s++;
			id = mac_parse_name(t->names, &s);
			level++;
			if (skip > 0 || mac_get(t, id, NULL) == NULL)
				skip++;
			break;
		case '|':
			s++;
			if (level == 0) {
				if (skip == 0)
					pt_buf_adds(out, "$|");
			} else if (skip == 1)
				skip = 0;
			else if (skip == 0)
				skip = 1;
			break;
		case '.':
			s++;
			if (level > 0) {
				level--;
				if (skip > 0)
					skip--;
			} else if (skip == 0)
				pt_buf_adds(out, "$.");
			break;
		case '&':
			s++;
			id = mac_parse_name(t->names, &s);
			if (skip == 0) {
				const char *v = mac_get(t, id, NULL);

				if (v != NULL)
					pt_buf_adds(out, v);
			}
			break;
		default:
			if (strchr("*+-=~@:#>[]()0123456789", *s) != NULL) {
				if (skip == 0) {
					pt_buf_addc(out, '$');
					pt_buf_addc(out, *s);
				}
				s++;
				break;
			}
			id = mac_parse_name(t->names, &s);
			if (skip == 0)
				expand_value(t, id, out, depth);
			break;
		}
	}
}

void
mac_expand(const struct mac_table *t, const char *text, struct pt_buf *out)
{
	expand(t, text, out, 0);
}

void
mac_expand_id(const struct mac_table *t, int id, struct pt_buf *out)
{
	expand_value(t, id, out, 0);
}
