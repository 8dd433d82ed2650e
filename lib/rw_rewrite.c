/*
 * rw_rewrite: applying rulesets: the rule loop, right-hand side
 * substitution, map and host lookups, subroutine calls and the -bt trace.
 *
 * Owns nothing beyond the tokens it allocates in the caller's arena.  Every
 * limit is upstream's (255 tokens, 100 passes, 50 levels) and every limit
 * hit is reported with upstream's message, never by truncating silently.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"
#include "rw_internal.h"

/* do_calls' result when it met an unknown ruleset name (not a sysexits code). */
#define RW_UNKNOWN_SET (-2)

/* True if t is the operator token with code c. */
static bool
is_meta(const char *t, int c)
{
	return t != NULL && t[0] == ADDR_META && t[1] == c;
}

/* Reports a message as upstream's -bt shows it, or logs it. */
static void __attribute__((format(printf, 2, 3)))
say(struct rw_ctx *c, const char *fmt, ...)
{
	struct pt_buf b = PT_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (c->msgs != NULL)
		fprintf(c->msgs, "%s\n", b.s);
	else
		pt_log(LOG_ERR, "%s", b.s);
	pt_buf_free(&b);
}

/* Prints one trace line: "name   input: tokens". */
static void
trace(struct rw_ctx *c, int set, const char *what, const struct addr_vec *v)
{
	struct pt_buf *b = &c->tbuf;
	const char *name;
	char num[16];
	size_t n, w;

	if (c->trace == NULL)
		return;
	pt_buf_reset(b);
	name = cf_ruleset_name(c->cfg, set, num);
	n = strlen(name);
	w = strlen(what);
	if (n > 16)
		n = 16;
	pt_buf_add(b, name, n);
	pt_buf_add(b, "                        ", 16 - n + 1 + (w < 7 ? 7 - w : 0));
	pt_buf_add(b, what, w);
	pt_buf_addc(b, ':');
	for (int i = 0; i < v->n; i++) {
		pt_buf_addc(b, ' ');
		addr_tok_print(v->tok[i], b);
	}
	pt_buf_addc(b, '\n');
	fwrite(b->s, 1, b->len, c->trace);
}

int
rw_tokenize(struct rw_ctx *c, const char *text, int delim, struct addr_vec *v,
    const char **endp, struct pt_buf *err)
{
	return addr_tokenize(&c->cfg->toktab_nocomment, text, delim, 0, c->arena, v, endp, err);
}

/* Appends the tokens of text (tokenized) to out; false if too many. */
static void
push_text(struct rw_ctx *c, const char *text, struct addr_vec *out)
{
	struct addr_vec t = { NULL, 0, 0, c->arena };
	struct pt_buf err = PT_BUF_INIT;

	if (rw_tokenize(c, text, 0, &t, NULL, &err) != ADDR_TOK_FAIL)
		for (int i = 0; i < t.n; i++)
			addr_vec_push(out, t.tok[i]);
	addr_vec_free(&t);
	pt_buf_free(&err);
}

/* Builds the substituted right-hand side of r into out. */
static void
substitute(struct rw_ctx *c, const struct cf_rule *r, char **tok, const struct rw_bind *b,
    struct addr_vec *out)
{
	int i = 0;

	addr_vec_clear(out);
	if (is_meta(r->rhs[0], '@') || is_meta(r->rhs[0], ':'))
		i = 1;
	for (; r->rhs[i] != NULL; i++) {
		char *t = r->rhs[i];

		if (t[0] == ADDR_META && t[1] >= '1' && t[1] <= '9') {
			const struct rw_bind *bb = &b[t[1] - '0'];

			for (int k = bb->from; k < bb->to; k++)
				addr_vec_push(out, tok[k]);
		} else if (t[0] == ADDR_META && t[1] == '&') {
			const char *p = t + 2;
			int id = mac_parse_name(c->cfg->names, &p);
			const char *v = mac_get(c->macros, id, NULL);

			if (v != NULL)
				push_text(c, v, out);
		} else
			addr_vec_push(out, t);
	}
}

/* Joins tokens [from, to) as cataddr does (a blank between two words). */
static char *
join(struct rw_ctx *c, char **tok, int from, int to)
{
	struct pt_buf b = PT_BUF_INIT;
	struct addr_vec v = { tok, to, to, NULL };
	char *s;

	rw_cataddr(c, &v, from, to, ' ', &b);
	s = pt_arena_memdup0(c->arena, pt_buf_str(&b), b.len);
	pt_buf_free(&b);
	return s;
}

/*
 * Performs the lookup in tokens [start, end] ("$(" ... "$)" or "$[" ... "$]")
 * and appends the replacement to out.  Returns EX_OK or EX_TEMPFAIL.
 */
static int
lookup(struct rw_ctx *c, char **tok, int start, int end, struct addr_vec *out)
{
	bool host = is_meta(tok[start], '[');
	int i = start + 1, kfrom, kto, dfrom = -1, nargs = 0, st = EX_OK;
	const char *name = "host", *args[10];
	struct pt_buf val = PT_BUF_INIT;
	struct map *m;
	int rc;

	if (!host) {
		if (i >= end)
			return EX_OK;
		name = tok[i++];
	}
	kfrom = i;
	while (i < end && !is_meta(tok[i], '@') && !is_meta(tok[i], ':'))
		i++;
	kto = i;
	while (i < end && is_meta(tok[i], '@')) {
		int a = ++i;

		while (i < end && !is_meta(tok[i], '@') && !is_meta(tok[i], ':'))
			i++;
		if (nargs < 9)
			args[nargs++] = join(c, tok, a, i);
	}
	if (i < end && is_meta(tok[i], ':'))
		dfrom = i + 1;
	m = map_find(c->cfg->maps, name);
	if (m == NULL) {
		say(c, "rewrite: map %s not found", name);
		rc = MAP_NOTFOUND;
	} else
		rc = map_lookup(m, join(c, tok, kfrom, kto), args, nargs, &val, &c->menv);
	if (rc == MAP_TEMPFAIL || rc == MAP_UNAVAIL) {
		st = rc == MAP_TEMPFAIL ? EX_TEMPFAIL : EX_OK;
		if (rc == MAP_TEMPFAIL && m->tmpfail_app != NULL) {
			/* the map layer answered the key followed by the -T string */
			push_text(c, pt_buf_str(&val), out);
			pt_buf_free(&val);
			return st;
		}
	}
	if (rc == MAP_FOUND)
		push_text(c, pt_buf_str(&val), out);
	else if (dfrom >= 0)
		for (int k = dfrom; k < end; k++)
			addr_vec_push(out, tok[k]);
	else
		for (int k = kfrom; k < kto; k++)
			addr_vec_push(out, tok[k]);
	pt_buf_free(&val);
	return st;
}

/* Replaces every lookup in v, left to right.  Returns EX_OK or EX_TEMPFAIL. */
static int
do_lookups(struct rw_ctx *c, struct addr_vec *v)
{
	struct addr_vec out = { NULL, 0, 0, c->arena };
	int st = EX_OK, i, j;
	bool any = false;

	for (i = 0; i < v->n; i++)
		if (is_meta(v->tok[i], '(') || is_meta(v->tok[i], '['))
			any = true;
	if (!any)
		return EX_OK;
	for (i = 0; i < v->n; i++) {
		int close;

		if (!is_meta(v->tok[i], '(') && !is_meta(v->tok[i], '[')) {
			addr_vec_push(&out, v->tok[i]);
			continue;
		}
		close = is_meta(v->tok[i], '(') ? ')' : ']';
		for (j = i + 1; j < v->n && !is_meta(v->tok[j], close); j++)
			;
		if (lookup(c, v->tok, i, j, &out) == EX_TEMPFAIL)
			st = EX_TEMPFAIL;
		i = j;
	}
	addr_vec_clear(v);
	for (i = 0; i < out.n; i++)
		addr_vec_push(v, out.tok[i]);
	addr_vec_free(&out);
	return st;
}

static int run(struct rw_ctx *c, int set, struct addr_vec *v, int depth);

/* Removes tokens [from, from + n) of v. */
static void
vec_cut(struct addr_vec *v, int from, int n)
{
	for (int i = from; i + n <= v->n; i++)
		v->tok[i] = v->tok[i + n];
	v->n -= n;
}

/*
 * Performs the $> calls of v, right to left.  A call of a ruleset that has
 * no rules disappears; a call of an unknown name is reported, left in place
 * and makes the status EX_CONFIG, as upstream.  Returns a status.
 */
static int
do_calls(struct rw_ctx *c, struct addr_vec *v, int depth)
{
	int st = EX_OK;

	for (int k = v->n - 1; k >= 0; k--) {
		struct addr_vec arg = { NULL, 0, 0, c->arena };
		const char *name;
		int set, rc;

		if (!is_meta(v->tok[k], '>') || k + 1 >= v->n)
			continue;
		name = v->tok[k + 1];
		set = cf_ruleset_find(c->cfg, name);
		if (set < 0 && !(name[0] >= '0' && name[0] <= '9')) {
			say(c, "Unknown ruleset %s", name);
			say(c, "Unknown ruleset %s", name);
			st = RW_UNKNOWN_SET;
			continue;
		}
		if (set < 0 || c->cfg->rulesets[set]->nrules == 0) {
			vec_cut(v, k, 2);
			continue;
		}
		for (int i = k + 2; i < v->n; i++)
			addr_vec_push(&arg, v->tok[i]);
		rc = run(c, set, &arg, depth + 1);
		if (rc != EX_OK && rc != EX_TEMPFAIL) {
			addr_vec_free(&arg);
			return rc;
		}
		if (rc == EX_TEMPFAIL && st == EX_OK)
			st = EX_TEMPFAIL;
		v->n = k;
		v->tok[k] = NULL;
		for (int i = 0; i < arg.n; i++)
			addr_vec_push(v, arg.tok[i]);
		addr_vec_free(&arg);
	}
	return st;
}

/* Copies src over dst. */
static void
vec_copy(struct addr_vec *dst, const struct addr_vec *src)
{
	addr_vec_reserve(dst, src->n);
	if (src->n > 0)
		memcpy(dst->tok, src->tok, (size_t)src->n * sizeof(char *));
	dst->n = src->n;
	dst->tok[dst->n] = NULL;
}

/* Applies one rule while it matches; sets *stop when the ruleset must return. */
static int
apply_rule(struct rw_ctx *c, int set, int ruleno, struct addr_vec *v, int depth, bool *stop,
    struct rw_firsts *f)
{
	const struct cf_rule *r = &c->cfg->rulesets[set]->rules[ruleno];
	struct rw_bind b[RW_MAXBIND];
	struct addr_vec nv = { NULL, 0, 0, c->arena };
	struct pt_buf scratch = PT_BUF_INIT;
	int loops = 0, st = EX_OK, rc;
	bool meta_in;
	char num[16];

	while (rw_match(c->cfg, c->macros, r, v->tok, v->n, f, b, &scratch)) {
		if (++loops > RW_MAXLOOP) {
			say(c, "Infinite loop in ruleset %s, rule %d",
			    cf_ruleset_name(c->cfg, set, num), ruleno + 1);
			*stop = true;
			break;
		}
		substitute(c, r, v->tok, b, &nv);
		if (nv.n > ADDR_MAXTOK) {
			say(c, "rewrite: expansion too long");
			st = EX_DATAERR;
			*stop = true;
			break;
		}
		/* operators can only come from the RHS or from operator tokens in the input */
		meta_in = (f->bits[0] & (1ULL << (unsigned char)ADDR_META)) != 0;
		if ((r->rhs_lookup || meta_in) && do_lookups(c, &nv) == EX_TEMPFAIL)
			st = EX_TEMPFAIL;
		rc = r->rhs_call || meta_in ? do_calls(c, &nv, depth) : EX_OK;
		if (rc == RW_UNKNOWN_SET) {
			st = EX_CONFIG;	/* reported; the call stays and the ruleset goes on */
		} else if (rc != EX_OK && rc != EX_TEMPFAIL) {
			st = rc;
			*stop = true;
			break;
		} else if (rc == EX_TEMPFAIL)
			st = EX_TEMPFAIL;
		vec_copy(v, &nv);
		rw_firsts_of(v->tok, v->n, f);
		if (is_meta(r->rhs[0], '@') || (v->n > 0 && is_meta(v->tok[0], '#'))) {
			*stop = true;
			break;
		}
		if (is_meta(r->rhs[0], ':'))
			break;
	}
	addr_vec_free(&nv);
	pt_buf_free(&scratch);
	return st;
}

/* The ruleset loop with tracing and the recursion limit. */
static int
run(struct rw_ctx *c, int set, struct addr_vec *v, int depth)
{
	const struct cf_ruleset *rs;
	struct rw_firsts f;
	int st = EX_OK, rc;
	bool stop = false;
	char num[16];

	if (set < 0 || set >= CF_MAXRWSETS)
		return EX_CONFIG;
	trace(c, set, "input", v);
	if (depth > RW_MAXDEPTH) {
		say(c, "rewrite: excessive recursion (max %d), ruleset %s", RW_MAXDEPTH,
		    cf_ruleset_name(c->cfg, set, num));
		return EX_CONFIG;
	}
	rs = c->cfg->rulesets[set];
	rw_firsts_of(v->tok, v->n, &f);
	for (int i = 0; rs != NULL && i < rs->nrules && !stop; i++) {
		const unsigned long long *need = rs->rules[i].need;

		/* the quick refusal of rw_match, without the call */
		if ((need[0] & ~f.bits[0]) | (need[1] & ~f.bits[1]) | (need[2] & ~f.bits[2]) |
		    (need[3] & ~f.bits[3]))
			continue;
		rc = apply_rule(c, set, i, v, depth, &stop, &f);
		if (rc == EX_DATAERR)
			return rc;
		if (rc != EX_OK)
			st = rc;
	}
	trace(c, set, "returns", v);
	return st;
}

int
rw_run(struct rw_ctx *c, int set, struct addr_vec *v)
{
	return run(c, set, v, 0);
}

/* The macro map's view of the caller's macros (ctx is the rw_ctx). */
static const char *
env_get(void *ctx, const char *name)
{
	return mac_get_name(((struct rw_ctx *)ctx)->macros, name);
}

static void
env_set(void *ctx, const char *name, const char *value)
{
	mac_set_name(((struct rw_ctx *)ctx)->macros, name, value, 0);
}

/* True if name is ours: in class w (for the host map's own addresses). */
static bool
env_local(void *ctx, const char *name)
{
	return cf_class_has(((struct rw_ctx *)ctx)->cfg, 'w', name);
}

void
rw_ctx_init(struct rw_ctx *c, const struct cf_config *cfg)
{
	memset(c, 0, sizeof *c);
	c->cfg = cfg;
	c->macros = mac_table_new(cfg->names, cfg->macros);
	c->menv.mac_get = env_get;
	c->menv.mac_set = env_set;
	c->menv.is_local_host = env_local;
	c->menv.ctx = c;	/* the context must not move after this */
	c->arena = pt_calloc(1, sizeof *c->arena);
}

void
rw_ctx_done(struct rw_ctx *c)
{
	mac_table_free(c->macros);
	pt_buf_free(&c->tbuf);
	pt_arena_free(c->arena);
	free(c->arena);
	c->macros = NULL;
	c->arena = NULL;
}
