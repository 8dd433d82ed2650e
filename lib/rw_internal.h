/* rw_internal: what the engine's files share. */
#ifndef RW_INTERNAL_H
#define RW_INTERNAL_H

#include "rw.h"

#define RW_MAXBIND 10

/* A bound wildcard: tokens [from, to) of the input. */
struct rw_bind {
	int from, to;
};

/* The first bytes (folded) of a vector's tokens, as a 256-bit set. */
struct rw_firsts {
	unsigned long long bits[4];
};

/* Computes the first-byte set of the n tokens tok. */
void rw_firsts_of(char **tok, int n, struct rw_firsts *f);

/*
 * Matches rule r against the n tokens tok, whose first-byte set is f, with
 * macros for the $&x of the pattern.  On success fills b[1..9] (b[0]
 * unused) and returns true.  scratch is working space for class lookups.
 */
bool rw_match(const struct cf_config *cfg, const struct mac_table *macros, const struct cf_rule *r,
    char **tok, int n, const struct rw_firsts *f, struct rw_bind *b, struct pt_buf *scratch);

#endif
