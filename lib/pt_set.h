/*
 * pt_set: a set of strings with ASCII case-insensitive membership, as
 * sendmail's word classes need.  The set owns copies of its strings.
 */
#ifndef PT_SET_H
#define PT_SET_H

#include <stdbool.h>
#include <stddef.h>

struct pt_set {
	char **slot;	/* open addressing; NULL is empty */
	size_t cap;	/* a power of two, or 0 */
	size_t n;
	size_t maxlen;	/* the longest member's length */
};

#define PT_SET_INIT { NULL, 0, 0, 0 }

/* Adds s (copied); returns false if it was already there. */
bool pt_set_add(struct pt_set *set, const char *s);
/* True if s is in the set, ignoring ASCII case. */
bool pt_set_has(const struct pt_set *set, const char *s);
/* True if the len bytes at s are in the set, ignoring ASCII case. */
bool pt_set_has_n(const struct pt_set *set, const char *s, size_t len);
/* Calls fn for each member. */
void pt_set_each(const struct pt_set *set, void (*fn)(const char *s, void *arg), void *arg);
void pt_set_free(struct pt_set *set);

#endif
