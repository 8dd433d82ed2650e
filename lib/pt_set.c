/*
 * pt_set: case-insensitive string sets by open addressing.
 *
 * Owns its slots and member copies.  Lookups never allocate.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "pt_set.h"
#include "pt_str.h"

/* Case-folded FNV-1a of len bytes. */
static size_t
hash_n(const char *s, size_t len)
{
	size_t h = 2166136261u;

	while (len--) {
		h ^= (unsigned char)pt_tolower((unsigned char)*s++);
		h *= 16777619u;
	}
	return h;
}

/* True if member m equals the len bytes at s, ignoring case. */
static bool
same(const char *m, const char *s, size_t len)
{
	return pt_strncasecmp(m, s, len) == 0 && m[len] == '\0';
}

/* Doubles the table and reinserts every member. */
static void
grow(struct pt_set *set)
{
	size_t cap = set->cap ? set->cap * 2 : 16, i;
	char **slot = pt_calloc(cap, sizeof(char *));

	for (i = 0; i < set->cap; i++) {
		char *m = set->slot[i];
		size_t h;

		if (m == NULL)
			continue;
		h = hash_n(m, strlen(m)) & (cap - 1);
		while (slot[h] != NULL)
			h = (h + 1) & (cap - 1);
		slot[h] = m;
	}
	free(set->slot);
	set->slot = slot;
	set->cap = cap;
}

bool
pt_set_has_n(const struct pt_set *set, const char *s, size_t len)
{
	size_t h;

	if (set->cap == 0)
		return false;
	for (h = hash_n(s, len) & (set->cap - 1); set->slot[h] != NULL; h = (h + 1) & (set->cap - 1))
		if (same(set->slot[h], s, len))
			return true;
	return false;
}

bool
pt_set_has(const struct pt_set *set, const char *s)
{
	return pt_set_has_n(set, s, strlen(s));
}

bool
pt_set_add(struct pt_set *set, const char *s)
{
	size_t len = strlen(s), h;

	if (pt_set_has_n(set, s, len))
		return false;
	if ((set->n + 1) * 2 > set->cap)
		grow(set);
	h = hash_n(s, len) & (set->cap - 1);
	while (set->slot[h] != NULL)
		h = (h + 1) & (set->cap - 1);
	set->slot[h] = pt_strdup(s);
	set->n++;
	if (len > set->maxlen)
		set->maxlen = len;
	return true;
}

void
pt_set_each(const struct pt_set *set, void (*fn)(const char *s, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		if (set->slot[i] != NULL)
			fn(set->slot[i], arg);
}

void
pt_set_free(struct pt_set *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	set->slot = NULL;
	set->cap = set->n = set->maxlen = 0;
}
