/*
 * rw_parse: from address text to a (mailer, host, user) triple, and from an
 * address to the form a mailer is given: sendmail's parseaddr and
 * remotename over the engine.
 *
 * Owns nothing beyond tokens in the caller's arena.  Never passes an
 * address to anything but the rulesets.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "addr_header.h"
#include "pt_exit.h"
#include "pt_str.h"
#include "rw.h"

/* The rulesets with fixed numbers. */
enum { RS_PARSE = 0, RS_SENDER = 1, RS_RECIPIENT = 2, RS_CANONIFY = 3, RS_FINAL = 4,
	RS_LOCALADDR = 5 };

/* True if tok is a word: not an operator, a special or a quoted string. */
static bool
is_atom(const struct addr_toktab *t, const char *tok)
{
	unsigned char c = (unsigned char)tok[0];

	if (c == (unsigned char)ADDR_META || c == '"' || c == '\0')
		return false;
	return tok[1] != '\0' || t->type[c] != ADDR_CH_OPER;
}

void
rw_cataddr_tab(const struct addr_toktab *t, const struct addr_vec *v, int from, int to,
    int spacesub, struct pt_buf *out)
{
	for (int i = from; i < to && i < v->n; i++) {
		if (i > from && is_atom(t, v->tok[i - 1]) && is_atom(t, v->tok[i]))
			pt_buf_addc(out, spacesub);
		addr_tok_print(v->tok[i], out);
	}
}

void
rw_cataddr(const struct rw_ctx *c, const struct addr_vec *v, int from, int to, int spacesub,
    struct pt_buf *out)
{
	rw_cataddr_tab(&c->cfg->toktab_nocomment, v, from, to, spacesub, out);
}

/* The BlankSub character that joins words of an address (a space if unset). */
static int
blanksub(const struct rw_ctx *c)
{
	return c->cfg->opt.blank_sub ? c->cfg->opt.blank_sub : ' ';
}

void
rw_stripquotes(struct pt_buf *b)
{
	size_t i, k = 0;

	for (i = 0; i < b->len; i++) {
		if (b->s[i] == '\\' && i + 1 < b->len) {
			b->s[k++] = b->s[i++];
			b->s[k++] = b->s[i];
		} else if (b->s[i] != '"')
			b->s[k++] = b->s[i];
	}
	if (b->s != NULL)
		pt_buf_truncate(b, k);
}

/* Prints "text... message" to the context's message stream. */
static void
tell(struct rw_ctx *c, const char *text, const char *msg)
{
	if (c->msgs != NULL)
		fprintf(c->msgs, "%s... %s\n", text, msg);
}

/* Index of the first token of v at or after from that is operator op; v->n if none. */
static int
find_meta(const struct addr_vec *v, int from, int op)
{
	for (int i = from; i < v->n; i++)
		if (v->tok[i][0] == ADDR_META && v->tok[i][1] == op)
			return i;
	return v->n;
}

/* Copies tokens [from, to) of v joined into the arena. */
static const char *
joined(struct rw_ctx *c, const struct addr_vec *v, int from, int to)
{
	struct pt_buf b = PT_BUF_INIT;
	const char *s;

	rw_cataddr(c, v, from, to, blanksub(c), &b);
	s = pt_arena_memdup0(c->arena, pt_buf_str(&b), b.len);
	pt_buf_free(&b);
	return s;
}

/* Fills the error fields from an error mailer's host and user parts. */
static void
error_triple(struct rw_ctx *c, const char *text, struct rw_triple *t)
{
	struct pt_buf b = PT_BUF_INIT;
	char *msg;

	t->error = true;
	t->mailer_name = "*error*";
	t->error_status = t->host;
	pt_buf_adds(&b, t->user_raw);
	rw_stripquotes(&b);
	msg = pt_arena_memdup0(c->arena, pt_buf_str(&b), b.len);
	pt_buf_free(&b);
	t->error_code = 553;
	if (isdigit((unsigned char)msg[0]) && isdigit((unsigned char)msg[1]) &&
	    isdigit((unsigned char)msg[2]) && (msg[3] == ' ' || msg[3] == '-' || msg[3] == '\0')) {
		t->error_code = atoi(msg);
		msg += msg[3] ? 4 : 3;
	}
	t->error_text = msg;
	tell(c, text, msg);
}

/* Rewrites the user part through 2, the mailer's recipient ruleset and 4. */
static int
rewrite_user(struct rw_ctx *c, struct addr_vec *u, const struct cf_mailer *m, unsigned flags)
{
	int st = EX_OK, rc;

	if (c->cfg->version >= 10 || !(flags & (RW_SENDER | RW_HEADER))) {
		rc = rw_run(c, RS_RECIPIENT, u);
		if (rc != EX_OK)
			st = rc;
		if (m->r_env > 0) {
			rc = rw_run(c, m->r_env, u);
			if (rc != EX_OK)
				st = rc;
		}
	}
	rc = rw_run(c, RS_FINAL, u);
	return rc != EX_OK ? rc : st;
}

/*
 * A local address that is a program ("|cmd") or a file ("/path"), quoted or
 * not, goes to the prog or *file* mailer (the delivery drops the quotes and
 * the "|").  Returns true if t's mailer was changed.
 */
static bool
prog_or_file(struct rw_ctx *c, struct rw_triple *t)
{
	struct pt_buf b = PT_BUF_INIT;
	const struct cf_mailer *alt = NULL;
	const char *u;

	pt_buf_adds(&b, t->user_raw);
	rw_stripquotes(&b);
	u = pt_buf_str(&b);
	if (u[0] == '|')
		alt = cf_mailer_find(c->cfg, "prog");
	else if (u[0] == '/')
		alt = cf_mailer_find(c->cfg, "*file*");
	if (alt != NULL) {
		t->mailer = alt;
		t->mailer_name = alt->name;
	}
	pt_buf_free(&b);
	return alt != NULL;
}

/* Interprets the result of ruleset 0 in v. */
static int
build(struct rw_ctx *c, const char *text, struct addr_vec *v, unsigned flags, struct rw_triple *t)
{
	int at, colon, i, st;
	struct addr_vec u = { NULL, 0, 0, NULL };

	if (v->n < 2 || v->tok[0][0] != ADDR_META || v->tok[0][1] != '#') {
		tell(c, text, "554 5.3.5 buildaddr: no mailer in parsed address");
		return EX_DATAERR;
	}
	at = find_meta(v, 2, '@');
	colon = find_meta(v, 2, ':');
	if (at > colon)
		at = colon;
	t->mailer_name = joined(c, v, 1, 2);
	t->host = at < colon ? joined(c, v, at + 1, colon) : "";
	t->user_raw = colon < v->n ? joined(c, v, colon + 1, v->n) : "";
	if (pt_strcasecmp(t->mailer_name, "error") == 0) {
		struct pt_buf b = PT_BUF_INIT;

		/* an error text keeps its blanks */
		rw_cataddr(c, v, colon + 1, v->n, ' ', &b);
		if (b.len > RW_ERRTEXT_MAX)
			pt_buf_truncate(&b, RW_ERRTEXT_MAX);
		t->user_raw = pt_arena_memdup0(c->arena, pt_buf_str(&b), b.len);
		pt_buf_free(&b);
		error_triple(c, text, t);
		return EX_OK;
	}
	t->mailer = cf_mailer_find(c->cfg, t->mailer_name);
	if (t->mailer == NULL) {
		tell(c, text, "554 5.3.5 buildaddr: unknown mailer");
		return EX_DATAERR;
	}
	if (strcmp(t->mailer->name, "local") == 0 && !(flags & RW_SENDER) &&
	    strcmp(t->mailer->path, "[IPC]") != 0)
		prog_or_file(c, t);
	t->mailer_name = t->mailer->name;
	if (!cf_mflag(&t->mailer->flags, 'h')) {
		char *h = pt_arena_strdup(c->arena, t->host);

		pt_str_lower(h);
		t->host = h;
	}
	mac_set(c->macros, 'h', t->host, 0);
	for (i = colon + 1; i < v->n; i++)
		addr_vec_push(&u, v->tok[i]);
	st = rewrite_user(c, &u, t->mailer, flags);
	t->user = joined(c, &u, 0, u.n);
	addr_vec_free(&u);
	if (!cf_mflag(&t->mailer->flags, 'u')) {
		char *lu = pt_arena_strdup(c->arena, t->user);

		pt_str_lower(lu);
		t->user = lu;
	}
	return st;
}

/* Prints the tokenizer's messages, one "text... message" line each. */
static void
tell_lines(struct rw_ctx *c, const char *text, const struct pt_buf *err)
{
	char *copy = strdup(pt_buf_str(err)), *p = copy, *line;

	while (copy != NULL && (line = strsep(&p, "\n")) != NULL)
		if (*line)
			tell(c, text, line);
	free(copy);
}

int
rw_parse(struct rw_ctx *c, const char *text, unsigned flags, int delim, const char **endp,
    struct rw_triple *t)
{
	struct addr_vec v = { NULL, 0, 0, NULL };
	struct pt_buf err = PT_BUF_INIT;
	int rc, st = EX_OK;

	memset(t, 0, sizeof *t);
	rc = addr_tokenize(&c->cfg->toktab, text, delim, 0, c->arena, &v, endp, &err);
	if (rc != ADDR_TOK_OK) {
		if (rc == ADDR_TOK_FAIL && c->msgs != NULL)
			fprintf(c->msgs, "%s", pt_buf_str(&err));
		else
			tell_lines(c, text, &err);
	}
	pt_buf_free(&err);
	if (rc == ADDR_TOK_FAIL) {
		addr_vec_free(&v);
		return EX_USAGE;
	}
	rc = rw_run(c, RS_CANONIFY, &v);
	if (rc == EX_OK || rc == EX_TEMPFAIL) {
		st = rc;
		rc = rw_run(c, RS_PARSE, &v);
	}
	if (rc != EX_OK && rc != EX_TEMPFAIL) {
		addr_vec_free(&v);
		return rc;
	}
	if (rc == EX_TEMPFAIL)
		st = rc;
	rc = build(c, text, &v, flags, t);
	addr_vec_free(&v);
	if (rc == EX_DATAERR)
		return rc;
	if (st == EX_TEMPFAIL || rc == EX_TEMPFAIL) {
		tell(c, text, "Transient parse error -- message queued for future delivery");
		return EX_TEMPFAIL;
	}
	return EX_OK;
}

int
rw_remotename(struct rw_ctx *c, const char *addr, const struct cf_mailer *m, unsigned flags,
    struct pt_buf *out)
{
	struct addr_vec v = { NULL, 0, 0, NULL };
	struct pt_buf tmpl = PT_BUF_INIT, err = PT_BUF_INIT, joined_addr = PT_BUF_INIT;
	int st = EX_OK, rc, set;

	addr_crack(addr, &tmpl);
	rc = addr_tokenize(&c->cfg->toktab, addr, 0, 0, c->arena, &v, NULL, &err);
	pt_buf_reset(&err);
	if (rc == ADDR_TOK_FAIL) {
		pt_buf_adds(out, addr);
		pt_buf_free(&tmpl);
		addr_vec_free(&v);
		return EX_USAGE;
	}
	const int sets[3] = {
		RS_CANONIFY,
		(flags & RW_SENDER) ? RS_SENDER : RS_RECIPIENT,
		(flags & RW_SENDER) ? ((flags & RW_HEADER) ? m->s_hdr : m->s_env)
				    : ((flags & RW_HEADER) ? m->r_hdr : m->r_env),
	};
	for (int i = 0; i < 3; i++) {
		set = sets[i];
		if (i == 2 && set <= 0)
			continue;
		rc = rw_run(c, set, &v);
		if (rc != EX_OK)
			st = rc;
	}
	rc = rw_run(c, RS_FINAL, &v);
	if (rc != EX_OK)
		st = rc;
	rw_cataddr(c, &v, 0, v.n, blanksub(c), &joined_addr);
	if (flags & RW_CANONICAL)
		pt_buf_add(out, joined_addr.s, joined_addr.len);
	else {
		addr_uncrack(pt_buf_str(&tmpl), pt_buf_str(&joined_addr), &err);
		pt_buf_add(out, err.s, err.len);
	}
	pt_buf_free(&tmpl);
	pt_buf_free(&joined_addr);
	pt_buf_free(&err);
	addr_vec_free(&v);
	return st;
}

bool
rw_localaddr(struct rw_ctx *c, const struct rw_triple *t, struct rw_triple *out)
{
	const struct cf_ruleset *rs = c->cfg->rulesets[RS_LOCALADDR];
	struct addr_vec v = { NULL, 0, 0, NULL };
	struct pt_buf err = PT_BUF_INIT;
	bool made = false;
	int rc;

	memset(out, 0, sizeof *out);
	if (rs == NULL || !rs->defined || t->mailer == NULL)
		return false;
	rc = addr_tokenize(&c->cfg->toktab, t->user, 0, 0, c->arena, &v, NULL, &err);
	pt_buf_free(&err);
	mac_set(c->macros, 'h', t->host, 0);
	if (rc != ADDR_TOK_FAIL && v.n > 0 && rw_run(c, RS_LOCALADDR, &v) == EX_OK &&
	    v.n >= 2 && v.tok[0][0] == ADDR_META && v.tok[0][1] == '#')
		made = build(c, t->user, &v, 0, out) == EX_OK;
	addr_vec_free(&v);
	return made;
}
