/*
 * map_regex: the regex class: the key matches a POSIX regular expression
 * (the rest of the K line after the flags).
 *
 * Flags of its own: -n (answer when the key does not match), -f (case
 * matters; without it the match ignores case), -b (basic rather than
 * extended syntax), -s[N,N,...] (answer the matched subexpressions,
 * all of them or those listed, joined by the -d string, "$|" by default),
 * -d (the delimiter: the rest of its word, possibly empty); -m and -a are
 * the generic ones.  Without -s the answer is empty (plus -a).  The pattern
 * is compiled when the map is declared, so a bad one is a load error.
 */
#include "config.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "map_impl.h"
#include "pt_alloc.h"
#include "pt_str.h"

/* Most subexpressions -s may name. */
#define REGEX_MAXSUB 10

/* The declaration: the compiled pattern and the -s choices. */
struct regex_decl {
	regex_t re;
	bool compiled;
	bool negate, basic, substrings;
	int pick[REGEX_MAXSUB];		/* -s1,3: the subexpressions to answer */
	int npick;			/* 0: all of them */
	char *delim;			/* -d, or NULL for the $| operator */
};

/* The declaration of m, made on first use. */
static struct regex_decl *
decl(struct map *m)
{
	if (m->cdata == NULL)
		m->cdata = pt_calloc(1, sizeof(struct regex_decl));
	return m->cdata;
}

/* Reads -s's list of subexpression numbers. */
static int
parse_picks(struct map *m, struct regex_decl *d, const char *v, struct pt_buf *err)
{
	char *copy = pt_strdup(v), *save = NULL, *w;
	long n;

	d->npick = 0;
	for (w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		if (!pt_str_to_long(w, &n) || n < 0 || n >= REGEX_MAXSUB || d->npick >= REGEX_MAXSUB) {
			pt_buf_printf(err, "regex map %s: bad substring number %s", m->name, w);
			free(copy);
			return -1;
		}
		d->pick[d->npick++] = (int)n;
	}
	free(copy);
	return 0;
}

/* The class's own flags. */
static int
regex_flag(struct map *m, int flag, const char *value, struct pt_buf *err)
{
	struct regex_decl *d = decl(m);

	switch (flag) {
	case 'n': d->negate = true; return 0;
	case 'b': d->basic = true; return 0;
	case 's': d->substrings = true; return parse_picks(m, d, value, err);
	case 'd':
		free(d->delim);
		d->delim = pt_strdup(value);
		return 0;
	default: return 1;
	}
}

/* Compiles the pattern. */
static int
regex_check(struct map *m, struct pt_buf *err)
{
	struct regex_decl *d = decl(m);
	int cf = (d->basic ? 0 : REG_EXTENDED) | ((m->flags & MAPF_NOFOLDCASE) ? 0 : REG_ICASE);
	char msg[256];
	int rc;

	if (m->file == NULL) {
		pt_buf_printf(err, "regex map %s: no regular expression", m->name);
		return -1;
	}
	if (!d->substrings)
		cf |= REG_NOSUB;
	rc = regcomp(&d->re, m->file, cf);
	if (rc != 0) {
		regerror(rc, &d->re, msg, sizeof msg);
		pt_buf_printf(err, "pattern-compile-error: %s", msg);
		return -1;
	}
	d->compiled = true;
	return 0;
}

/* Appends the chosen subexpressions of a match. */
static void
add_substrings(const struct regex_decl *d, const char *key, const regmatch_t *pm,
    struct pt_buf *value)
{
	int i, n = d->npick ? d->npick : (int)d->re.re_nsub + 1, s;

	for (i = 0; i < n; i++) {
		s = d->npick ? d->pick[i] : i;
		if (i > 0)
			pt_buf_adds(value, d->delim != NULL ? d->delim : MAP_CONDELSE);
		if (s <= (int)d->re.re_nsub && pm[s].rm_so >= 0)
			pt_buf_add(value, key + pm[s].rm_so, (size_t)(pm[s].rm_eo - pm[s].rm_so));
	}
}

/* Matches the key; the generic step adds -m and -a. */
static int
regex_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct regex_decl *d = m->cdata;
	regmatch_t pm[REGEX_MAXSUB];
	bool hit;

	(void)keylen;
	(void)av;
	(void)ac;
	(void)env;
	hit = regexec(&d->re, key, REGEX_MAXSUB, d->substrings ? pm : NULL, 0) == 0;
	if (hit == d->negate)
		return MAP_NOTFOUND;
	if (hit && d->substrings)
		add_substrings(d, key, pm, value);
	return MAP_FOUND;
}

/* Frees the compiled pattern. */
static void
regex_free(struct map *m)
{
	struct regex_decl *d = m->cdata;

	if (d == NULL)
		return;
	if (d->compiled)
		regfree(&d->re);
	free(d->delim);
	free(d);
}

const struct map_class map_class_regex = {
	.name = "regex",
	.cflags = MAPC_REWRITE | MAPC_RESTLINE,
	.parse_flag = regex_flag,
	.check = regex_check,
	.lookup = regex_lookup,
	.free = regex_free,
};
