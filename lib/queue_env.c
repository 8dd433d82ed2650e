/*
 * queue_env: the envelope of a queued message.
 *
 * Every string of an envelope is copied into the envelope's arena (pt_arena)
 * and freed with it; the arrays grow by doubling.  Also parses the value of
 * a C record, which the parser and the listing share.  Owns no global state;
 * runs in any process.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "pt_arena.h"
#include "pt_str.h"
#include "queue.h"
#include "queue_int.h"

struct queue_env *
queue_env_new(void)
{
	struct queue_env *e = pt_calloc(1, sizeof *e);

	e->version = QUEUE_QF_VERSION;
	e->flags_other = "";
	return e;
}

void
queue_env_free(struct queue_env *e)
{
	if (e == NULL)
		return;
	free(e->macros);
	free(e->ctls);
	free(e->rcpts);
	free(e->hdrs);
	pt_arena_free(&e->arena);
	free(e);
}

const char *
queue_env_strn(struct queue_env *e, const char *s, size_t n)
{
	if (s == NULL)
		return NULL;
	return pt_arena_memdup0(&e->arena, s, n);
}

const char *
queue_env_str(struct queue_env *e, const char *s)
{
	if (s == NULL)
		return NULL;
	return pt_arena_strdup(&e->arena, s);
}

/* Makes room for one more element in an array of elements of size sz. */
static void *
grow(void *arr, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 8;
	return pt_reallocarray(arr, *cap, sz);
}

struct queue_rcpt *
queue_env_add_rcpt(struct queue_env *e, const char *addr)
{
	struct queue_rcpt *r;

	e->rcpts = grow(e->rcpts, e->nrcpts, &e->cap_rcpts, sizeof *e->rcpts);
	r = &e->rcpts[e->nrcpts++];
	memset(r, 0, sizeof *r);
	r->addr = queue_env_str(e, addr != NULL ? addr : "");
	r->flags_other = "";
	r->ctl = -1;
	return r;
}

struct queue_header *
queue_env_add_header(struct queue_env *e, const char *cond, const char *name, const char *value)
{
	struct queue_header *h;

	e->hdrs = grow(e->hdrs, e->nhdrs, &e->cap_hdrs, sizeof *e->hdrs);
	h = &e->hdrs[e->nhdrs++];
	h->cond = queue_env_str(e, cond);
	h->name = queue_env_str(e, name != NULL ? name : "");
	h->value = queue_env_str(e, value != NULL ? value : "");
	return h;
}

void
queue_env_set_macro(struct queue_env *e, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < e->nmacros; i++) {
		if (strcmp(e->macros[i].name, name) == 0) {
			e->macros[i].value = queue_env_str(e, value != NULL ? value : "");
			return;
		}
	}
	e->macros = grow(e->macros, e->nmacros, &e->cap_macros, sizeof *e->macros);
	e->macros[e->nmacros].name = queue_env_str(e, name);
	e->macros[e->nmacros].value = queue_env_str(e, value != NULL ? value : "");
	e->nmacros++;
}

const char *
queue_env_macro(const struct queue_env *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nmacros; i++)
		if (strcmp(e->macros[i].name, name) == 0)
			return e->macros[i].value;
	return NULL;
}

int
queue_env_add_ctl(struct queue_env *e, const char *user, long uid, long gid, const char *alias)
{
	struct queue_ctl *c;

	e->ctls = grow(e->ctls, e->nctls, &e->cap_ctls, sizeof *e->ctls);
	c = &e->ctls[e->nctls];
	c->user = queue_env_str(e, user);
	c->uid = uid;
	c->gid = gid;
	c->alias = queue_env_str(e, alias);
	return (int)e->nctls++;
}

const struct queue_header *
queue_env_header(const struct queue_env *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nhdrs; i++)
		if (pt_strcasecmp(e->hdrs[i].name, name) == 0)
			return &e->hdrs[i];
	return NULL;
}

size_t
queue_env_open_rcpts(const struct queue_env *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->nrcpts; i++)
		if (e->rcpts[i].state == QRS_PENDING || e->rcpts[i].state == QRS_DEFERRED)
			n++;
	return n;
}

/* Splits off the field of v[0..n) up to the next colon; returns its length. */
static size_t
field(const char *v, size_t n, bool *more)
{
	const char *c = memchr(v, ':', n);

	*more = c != NULL;
	return c != NULL ? (size_t)(c - v) : n;
}

int
queue_ctl_parse(struct queue_env *e, const char *v, size_t n, struct queue_ctl *c)
{
	long long uid, gid;
	size_t len;
	bool more;

	memset(c, 0, sizeof *c);
	c->uid = c->gid = -1;
	if (n == 0)
		return 0;
	if (v[0] == ':') {
		c->alias = queue_env_strn(e, v + 1, n - 1);
		return 0;
	}
	len = field(v, n, &more);
	c->user = queue_env_strn(e, v, len);
	if (!more)
		return 0;
	v += len + 1;
	n -= len + 1;
	len = field(v, n, &more);
	if (!more || !queue_parse_ll(v, len, &uid) || uid < -1 || uid > 0x7fffffffLL)
		return -1;
	v += len + 1;
	n -= len + 1;
	len = field(v, n, &more);
	if (!queue_parse_ll(v, len, &gid) || gid < -1 || gid > 0x7fffffffLL)
		return -1;
	c->uid = (long)uid;
	c->gid = (long)gid;
	if (more)
		c->alias = queue_env_strn(e, v + len + 1, n - len - 1);
	return 0;
}
