/*
 * map_tab: a growable hash table of byte-string pairs kept in insertion
 * order.
 *
 * Owns the copies of every key and value stored.  Pure memory: no I/O.
 * Used by map classes in any process.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "map_tab.h"
#include "pt_alloc.h"
#include "pt_buf.h"

/* One pair. */
struct entry {
	char *k, *v;
	size_t kl, vl;
	unsigned long hash;
	size_t next;		/* index + 1 of the next entry in the bucket, 0 for none */
};

struct map_tab {
	struct entry *e;
	size_t n, cap;
	size_t *bucket;		/* index + 1 of the first entry, 0 for none */
	size_t nbucket;
};

/* FNV-1a over bytes. */
static unsigned long
hash_bytes(const char *p, size_t n)
{
	unsigned long h = 2166136261UL;

	while (n-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 16777619UL;
	}
	return h;
}

struct map_tab *
map_tab_new(void)
{
	return pt_calloc(1, sizeof(struct map_tab));
}

void
map_tab_free(struct map_tab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->e[i].k);
		free(t->e[i].v);
	}
	free(t->e);
	free(t->bucket);
	free(t);
}

/* Rebuilds the buckets for twice as many. */
static void
rehash(struct map_tab *t)
{
	size_t i, b;

	free(t->bucket);
	t->nbucket = t->nbucket ? t->nbucket * 2 : 64;
	t->bucket = pt_calloc(t->nbucket, sizeof *t->bucket);
	for (i = 0; i < t->n; i++) {
		b = t->e[i].hash % t->nbucket;
		t->e[i].next = t->bucket[b];
		t->bucket[b] = i + 1;
	}
}

/* The index + 1 of key k, or 0. */
static size_t
find(const struct map_tab *t, const char *k, size_t kl, unsigned long h)
{
	size_t i;

	if (t->nbucket == 0)
		return 0;
	for (i = t->bucket[h % t->nbucket]; i != 0; i = t->e[i - 1].next) {
		const struct entry *e = &t->e[i - 1];

		if (e->hash == h && e->kl == kl && memcmp(e->k, k, kl) == 0)
			return i;
	}
	return 0;
}

/* Changes the value of an existing entry as how says. */
static void
update(struct entry *e, const char *v, size_t vl, enum map_tab_how how)
{
	struct pt_buf b = PT_BUF_INIT;

	if (how == MAP_TAB_KEEP)
		return;
	pt_buf_add(&b, v, vl);
	if (how == MAP_TAB_APPEND) {
		pt_buf_addc(&b, ',');
		pt_buf_add(&b, e->v, e->vl);
	}
	free(e->v);
	e->vl = b.len;
	e->v = pt_buf_steal(&b);
}

bool
map_tab_put(struct map_tab *t, const char *k, size_t kl, const char *v, size_t vl,
    enum map_tab_how how)
{
	unsigned long h = hash_bytes(k, kl);
	size_t i = find(t, k, kl, h), b;
	struct entry *e;

	if (i != 0) {
		update(&t->e[i - 1], v, vl, how);
		return false;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->e = pt_reallocarray(t->e, t->cap, sizeof *t->e);
	}
	e = &t->e[t->n++];
	e->k = pt_memdup0(k, kl);
	e->kl = kl;
	e->v = pt_memdup0(v, vl);
	e->vl = vl;
	e->hash = h;
	if (t->n > t->nbucket)
		rehash(t);
	else {
		b = h % t->nbucket;
		e->next = t->bucket[b];
		t->bucket[b] = t->n;
	}
	return true;
}

const char *
map_tab_get(const struct map_tab *t, const char *k, size_t kl, size_t *vl)
{
	size_t i = find(t, k, kl, hash_bytes(k, kl));

	if (i == 0)
		return NULL;
	if (vl != NULL)
		*vl = t->e[i - 1].vl;
	return t->e[i - 1].v;
}

size_t
map_tab_count(const struct map_tab *t)
{
	return t->n;
}

void
map_tab_each(const struct map_tab *t,
    void (*fn)(void *ctx, const char *k, size_t kl, const char *v, size_t vl), void *ctx)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		fn(ctx, t->e[i].k, t->e[i].kl, t->e[i].v, t->e[i].vl);
}
