/*
 * map_tab: an in-memory table of key/value byte strings, for the classes
 * that read a whole file into memory when they open (text, stab, implicit
 * alias files without a database).
 */
#ifndef MAP_TAB_H
#define MAP_TAB_H

#include <stdbool.h>
#include <stddef.h>

struct map_tab;

/* Makes an empty table. */
struct map_tab *map_tab_new(void);
/* Frees a table and its strings. */
void map_tab_free(struct map_tab *t);

/* How map_tab_put treats a key that is already there. */
enum map_tab_how {
	MAP_TAB_KEEP,		/* keep the first value (returns false) */
	MAP_TAB_REPLACE,	/* replace it */
	MAP_TAB_APPEND,		/* new value, ",", old value (aliases with -A, as upstream) */
};

/* Stores a copy of the pair; returns false if the key was there (whatever how says). */
bool map_tab_put(struct map_tab *t, const char *k, size_t kl, const char *v, size_t vl,
    enum map_tab_how how);
/* Finds a key; returns the value (NUL-terminated, borrowed until the table changes) or NULL. */
const char *map_tab_get(const struct map_tab *t, const char *k, size_t kl, size_t *vl);
/* The number of keys. */
size_t map_tab_count(const struct map_tab *t);
/* Calls fn for each pair in insertion order. */
void map_tab_each(const struct map_tab *t,
    void (*fn)(void *ctx, const char *k, size_t kl, const char *v, size_t vl), void *ctx);

#endif
