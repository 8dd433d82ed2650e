/*
 * rw: the ruleset engine: sendmail's address rewriting.
 *
 * rw_run() applies a ruleset of a loaded configuration to a token vector,
 * with upstream's semantics: rules tried in order, each repeated while its
 * left-hand side matches ($* $+ $- $=x $~x $@ and literal tokens, case
 * ignored), right-hand sides substituted ($n, $&x), then map and host
 * lookups ($( ... $) and $[ ... $]) left to right, then subroutine calls
 * ($>set) right to left, then $@ / $: / $# decide what happens next.  The
 * limits are upstream's: 255 tokens, 100 passes of one rule, 50 nested calls.
 *
 * The engine is a pure function of the configuration, the macro table and
 * the maps; it writes nothing but the optional trace (what -bt prints).
 */
#ifndef RW_H
#define RW_H

#include <stdio.h>

#include "addr_token.h"
#include "cf.h"
#include "mac.h"
#include "map.h"
#include "pt_arena.h"

#define RW_MAXLOOP 100		/* passes of one rule before "Infinite loop" */
#define RW_MAXDEPTH 50		/* nested ruleset calls */
#define RW_ERRTEXT_MAX 255	/* an $#error's $: text is cut there, as upstream's buffer does */

/* What one rewriting needs around it. */
struct rw_ctx {
	const struct cf_config *cfg;
	struct mac_table *macros;	/* the caller's macros over cfg->macros */
	struct map_env menv;		/* how maps reach the macros */
	FILE *trace;			/* -bt: "name input: ..." lines go here; NULL: none */
	FILE *msgs;			/* where lookup messages go (-bt: stdout); NULL: log */
	struct pt_arena *arena;		/* token storage; reset by the caller */
	struct pt_buf tbuf;		/* the trace line being written (reused) */
};

/*
 * Initialises ctx for cfg with a macro table over the configuration's, and
 * an arena.  The maps keep a pointer to ctx: it must not be moved or copied
 * afterwards.  rw_ctx_done frees what rw_ctx_init made.
 */
void rw_ctx_init(struct rw_ctx *ctx, const struct cf_config *cfg);
void rw_ctx_done(struct rw_ctx *ctx);

/*
 * Rewrites v with ruleset number set.  Returns EX_OK, or EX_TEMPFAIL (a
 * lookup failed temporarily; v holds the best result), EX_DATAERR (the
 * result would be too long; v unchanged), EX_CONFIG (recursion too deep or
 * an undefined ruleset).  Token strings come from ctx->arena.
 */
int rw_run(struct rw_ctx *ctx, int set, struct addr_vec *v);

/* Tokenizes text for rewriting with the configuration's token table (no comments). */
int rw_tokenize(struct rw_ctx *ctx, const char *text, int delim, struct addr_vec *v,
    const char **endp, struct pt_buf *err);


/* Flags for rw_parse and rw_remotename. */
enum rw_addrflag {
	RW_SENDER = 1u << 0,	/* a sender address (else a recipient) */
	RW_HEADER = 1u << 1,	/* a header address (else envelope) */
	RW_CANONICAL = 1u << 2,	/* the bare address, without phrase, comments or <> */
};

/* An address resolved by rulesets 3 and 0. */
struct rw_triple {
	const struct cf_mailer *mailer;	/* NULL for error and discard */
	const char *mailer_name;	/* "*error*" and "discard" for those */
	const char *host;		/* "" when none */
	const char *user;		/* after the recipient rewriting */
	const char *user_raw;		/* the $: part as ruleset 0 left it */
	bool error;			/* $#error */
	const char *error_text;		/* its message without the reply code */
	int error_code;			/* its reply code (553 if none given) */
	const char *error_status;	/* its enhanced status code, or "" */
};

/*
 * Parses one address of text (up to delim) into t, as sendmail's parseaddr:
 * tokenized with comments removed, rewritten by rulesets 3 and 0, the triple
 * interpreted, the user part rewritten by 2, the mailer's recipient ruleset
 * and 4.  Messages ("Unbalanced '<'", "Transient parse error ...", an
 * error mailer's text) go to ctx->msgs as "address... text".  Strings live
 * in ctx->arena.  Returns EX_OK, EX_TEMPFAIL, or EX_DATAERR/EX_USAGE when
 * the address could not be parsed (t is then not filled).
 */
int rw_parse(struct rw_ctx *ctx, const char *text, unsigned flags, int delim, const char **endp,
    struct rw_triple *t);

/*
 * Passes the user part of local recipient t through ruleset 5 (localaddr)
 * with $h set to t's host, as sendmail does for a mailer with F=5 when no
 * alias matched.  True when the ruleset resolved it to a mailer ($#...):
 * out then holds the new triple, interpreted as rw_parse does (strings in
 * ctx->arena).  False when it left an address, or there is no ruleset 5.
 */
bool rw_localaddr(struct rw_ctx *ctx, const struct rw_triple *t, struct rw_triple *out);

/*
 * Rewrites an address for mailer m as it would be presented to it
 * (rulesets 3, 1 or 2, the mailer's S= or R= envelope or header ruleset, 4),
 * putting the result back into the address's phrase and comments.  The
 * result goes to out; returns the rewriting status.
 */
int rw_remotename(struct rw_ctx *ctx, const char *addr, const struct cf_mailer *m,
    unsigned flags, struct pt_buf *out);

/*
 * Joins tokens [from, to) as sendmail's cataddr does: spacesub only between
 * two words (not operators, specials or quoted strings), operators as $x.
 */
void rw_cataddr(const struct rw_ctx *c, const struct addr_vec *v, int from, int to,
    int spacesub, struct pt_buf *out);
/* Removes the unescaped double quotes of b (sendmail's stripquotes). */
void rw_stripquotes(struct pt_buf *b);

/* The same with an explicit token table. */
void rw_cataddr_tab(const struct addr_toktab *t, const struct addr_vec *v, int from, int to,
    int spacesub, struct pt_buf *out);

#endif
