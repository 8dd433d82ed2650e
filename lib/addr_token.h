/*
 * addr_token: sendmail's address tokenizer ("prescan").
 *
 * Splits text into the tokens the ruleset engine matches: atoms, quoted
 * strings and single operator characters, as the token table says (the
 * operator characters of the OperatorChars option plus the fixed specials).
 * Control characters are dropped, white space separates, "\" escapes, quotes
 * and angle brackets must balance (an imbalance is reported and mended, as
 * upstream does), and comments in parentheses are removed when the table
 * asks for it.
 *
 * Tokens are C strings.  A token that starts with ADDR_META is a rule
 * operator ($*, $=w, $#, ...), never data: input text cannot produce one,
 * because control characters never survive tokenizing.
 */
#ifndef ADDR_TOKEN_H
#define ADDR_TOKEN_H

#include <stdbool.h>

#include "pt_arena.h"
#include "pt_buf.h"

#define ADDR_META '\001'	/* first byte of an operator token */
#define ADDR_MAXLEN 255		/* longest address text accepted */
#define ADDR_MAXTOK 255		/* most tokens in one vector */
#define ADDR_MAXTOKLEN 256	/* longest token upstream's prescan accepts */

/* What a character is to the tokenizer. */
enum addr_chtype {
	ADDR_CH_ATOM = 0,	/* part of an atom */
	ADDR_CH_OPER,		/* a token by itself */
	ADDR_CH_SPACE,		/* separates tokens */
	ADDR_CH_DROP,		/* dropped (control characters) */
};

/* A token table: one type per byte, and whether ( ) delimit comments. */
struct addr_toktab {
	unsigned char type[256];
	bool comments;
};

/*
 * Fills t for the given operator characters (NULL: upstream's default
 * ".:@[]"); the specials ( ) < > , ; are always operators.  With comments,
 * text in parentheses is a comment and removed.
 */
void addr_toktab_init(struct addr_toktab *t, const char *operators, bool comments);

/*
 * A vector of tokens; the strings live in an arena.  When a is set, the
 * vector's own storage comes from that arena too (nothing to free); else
 * from the heap (addr_vec_free frees it).
 */
struct addr_vec {
	char **tok;	/* NULL-terminated */
	int n;
	int cap;
	struct pt_arena *a;
};

/* Makes room for n tokens (and the NULL) in v. */
void addr_vec_reserve(struct addr_vec *v, int n);
/* Appends a token (not copied) to v, growing it. */
static inline void
addr_vec_push(struct addr_vec *v, char *tok)
{
	if (v->n + 2 > v->cap)
		addr_vec_reserve(v, v->n + 1);
	v->tok[v->n++] = tok;
	v->tok[v->n] = NULL;
}
/* Empties v, keeping its storage. */
void addr_vec_clear(struct addr_vec *v);
void addr_vec_free(struct addr_vec *v);

/* Flags for addr_tokenize. */
enum addr_tokflag {
	ADDR_TOK_META = 1u << 0,	/* ADDR_META sequences in the text are operators */
};

/* Results of addr_tokenize. */
enum addr_tokresult {
	ADDR_TOK_OK = 0,	/* clean */
	ADDR_TOK_MENDED = 1,	/* imbalances reported in err, tokens mended */
	ADDR_TOK_FAIL = -1,	/* refused (too long, too many tokens); err says why */
};

/*
 * Tokenizes text up to the first unquoted delim (0: to the end) into out
 * (which is cleared first), allocating token strings from a.  *endp (if not
 * NULL) is set just past the delimiter, or to the terminating NUL.  Error
 * texts go to err, one per line, without the "address... " prefix.
 */
int addr_tokenize(const struct addr_toktab *t, const char *text, int delim, unsigned flags,
    struct pt_arena *a, struct addr_vec *out, const char **endp, struct pt_buf *err);

/*
 * The length of the longest token of text[0..len) as upstream's prescan
 * counts it (a quoted string with its quotes, a backslash pair as two bytes,
 * control characters dropped, comments skipped when t says so), so that a
 * caller can refuse one over ADDR_MAXTOKLEN before anything else.
 */
size_t addr_token_maxlen(const struct addr_toktab *t, const char *text, size_t len);

/* Length of the operator token that starts at p (p[0] == ADDR_META). */
int addr_meta_len(const char *p);

/*
 * Appends the tokens of v to out: with sep between tokens (NULL: nothing),
 * operators written in sendmail's $ notation.
 */
void addr_vec_join(const struct addr_vec *v, int from, int to, const char *sep, struct pt_buf *out);
/* Appends one token in $ notation. */
void addr_tok_print(const char *tok, struct pt_buf *out);

#endif
