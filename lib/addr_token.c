/*
 * addr_token: the tokenizer every address, rule and header address passes
 * through.
 *
 * Owns no state beyond the token tables callers keep.  Must never read past
 * its input or produce more than ADDR_MAXTOK tokens, whatever the input.
 * Runs in every process.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "addr_token.h"
#include "pt_alloc.h"

void
addr_toktab_init(struct addr_toktab *t, const char *operators, bool comments)
{
	int c;

	for (c = 0; c < 256; c++) {
		if (c == ' ' || (c >= '\t' && c <= '\r'))
			t->type[c] = ADDR_CH_SPACE;
		else if (c < ' ' || c == 0x7f)
			t->type[c] = ADDR_CH_DROP;
		else
			t->type[c] = ADDR_CH_ATOM;
	}
	if (operators == NULL)
		operators = ".:@[]";
	for (; *operators; operators++)
		if (t->type[(unsigned char)*operators] == ADDR_CH_ATOM)
			t->type[(unsigned char)*operators] = ADDR_CH_OPER;
	for (operators = "()<>,;"; *operators; operators++)
		t->type[(unsigned char)*operators] = ADDR_CH_OPER;
	t->type['"'] = ADDR_CH_ATOM;	/* quotes are handled before the table */
	t->type['\\'] = ADDR_CH_ATOM;
	t->comments = comments;
}

void
addr_vec_reserve(struct addr_vec *v, int n)
{
	if (n + 1 <= v->cap)
		return;
	int cap = v->cap ? v->cap : 16;

	while (cap < n + 1)
		cap *= 2;
	if (v->a != NULL) {
		char **t = pt_arena_alloc(v->a, (size_t)cap * sizeof(char *));

		if (v->n > 0)
			memcpy(t, v->tok, (size_t)v->n * sizeof(char *));
		v->tok = t;
	} else
		v->tok = pt_reallocarray(v->tok, (size_t)cap, sizeof(char *));
	v->cap = cap;
}


void
addr_vec_clear(struct addr_vec *v)
{
	v->n = 0;
	if (v->tok != NULL)
		v->tok[0] = NULL;
}

void
addr_vec_free(struct addr_vec *v)
{
	if (v->a == NULL)
		free(v->tok);
	v->tok = NULL;
	v->n = v->cap = 0;
}

int
addr_meta_len(const char *p)
{
	const char *e;

	switch (p[1]) {
	case '=':
	case '~':
	case '&':
		if (p[2] == '{') {
			e = strchr(p + 2, '}');
			return e != NULL ? (int)(e - p) + 1 : (int)strlen(p);
		}
		return p[2] != '\0' ? 3 : 2;
	case '\0':
		return 1;
	default:
		return 2;
	}
}

/* The tokenizer's working state for one call. */
struct scan {
	const struct addr_toktab *t;
	struct pt_arena *a;
	struct addr_vec *out;
	struct pt_buf cur;	/* the token being built */
	bool open;		/* cur holds a token in progress */
	bool atom;		/* ... and it is an atom that may grow */
	bool overflow;
};

/* Ends the token in progress, if any. */
static void
flush(struct scan *s)
{
	if (!s->open)
		return;
	if (s->out->n >= ADDR_MAXTOK)
		s->overflow = true;
	else
		addr_vec_push(s->out, pt_arena_memdup0(s->a, s->cur.s, s->cur.len));
	pt_buf_reset(&s->cur);
	s->open = s->atom = false;
}

/* Emits a whole token of n bytes at p. */
static void
emit(struct scan *s, const char *p, size_t n)
{
	flush(s);
	pt_buf_add(&s->cur, p, n);
	s->open = true;
	flush(s);
}

/* Adds bytes to the atom in progress, starting one if needed. */
static void
atom_add(struct scan *s, const char *p, size_t n)
{
	if (!s->atom)
		flush(s);
	pt_buf_add(&s->cur, p, n);
	s->open = s->atom = true;
}

/* Scans a quoted string starting at p (on the opening quote); returns the end. */
static const char *
scan_quoted(struct scan *s, const char *p, struct pt_buf *err)
{
	flush(s);
	pt_buf_addc(&s->cur, '"');
	s->open = true;
	for (p++; *p; p++) {
		if (*p == '\\' && p[1] != '\0') {
			pt_buf_add(&s->cur, p, 2);
			p++;
			continue;
		}
		if (*p == '"') {
			pt_buf_addc(&s->cur, '"');
			flush(s);
			return p + 1;
		}
		if (s->t->type[(unsigned char)*p] == ADDR_CH_DROP || *p == '\\')
			continue;
		pt_buf_addc(&s->cur, *p);
	}
	pt_buf_adds(err, "Unbalanced '\"'\n");
	pt_buf_addc(&s->cur, '"');
	flush(s);
	return p;
}

/* Skips a comment starting at p (on the '('); returns the end. */
static const char *
skip_comment(const char *p, struct pt_buf *err)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	pt_buf_adds(err, "Unbalanced '('\n");
	return p;
}

int
addr_tokenize(const struct addr_toktab *t, const char *text, int delim, unsigned flags,
    struct pt_arena *a, struct addr_vec *out, const char **endp, struct pt_buf *err)
{
	struct scan s = { t, a, out, PT_BUF_INIT, false, false, false };
	const char *p = text;
	int angles = 0;
	bool route = false;	/* inside <@a,@b:...>, whose commas are the route's */
	size_t errlen = err->len;

	addr_vec_clear(out);
	if (strlen(text) > ADDR_MAXLEN) {
		pt_buf_printf(err, "Address \"%.*s\" too long (%d bytes max)\n", ADDR_MAXLEN, text,
		    ADDR_MAXLEN);
		if (endp != NULL)
			*endp = text + strlen(text);
		return ADDR_TOK_FAIL;
	}
	while (*p) {
		unsigned char c = (unsigned char)*p;

		if (c == (unsigned char)ADDR_META && (flags & ADDR_TOK_META)) {
			int n = addr_meta_len(p);

			emit(&s, p, (size_t)n);
			p += n;
			continue;
		}
		if (delim != 0 && c == delim && !route) {
			p++;
			break;
		}
		if (c == '"') {
			p = scan_quoted(&s, p, err);
			continue;
		}
		if (c == '\\') {
			if (p[1] == '\0') {
				p++;
				continue;
			}
			atom_add(&s, p, 2);
			p += 2;
			continue;
		}
		if (c == '(' && t->comments) {
			flush(&s);
			p = skip_comment(p, err);
			continue;
		}
		if (c == ')' && t->comments) {
			pt_buf_adds(err, "Unbalanced ')'\n");
			p++;
			continue;
		}
		switch (t->type[c]) {
		case ADDR_CH_SPACE:
			flush(&s);
			break;
		case ADDR_CH_DROP:
			break;
		case ADDR_CH_OPER:
			if (c == '<') {
				angles++;
				route = p[1] == '@';
			} else if (c == '>') {
				if (angles == 0) {
					pt_buf_adds(err, "Unbalanced '>'\n");
					break;
				}
				angles--;
				route = false;
			}
			emit(&s, p, 1);
			break;
		default:
			atom_add(&s, p, 1);
			break;
		}
		p++;
	}
	flush(&s);
	if (angles > 0) {
		pt_buf_adds(err, "Unbalanced '<'\n");
		while (angles-- > 0)
			emit(&s, ">", 1);
	}
	pt_buf_free(&s.cur);
	if (endp != NULL)
		*endp = p;
	if (s.overflow) {
		pt_buf_adds(err, "Too many tokens\n");
		return ADDR_TOK_FAIL;
	}
	return err->len > errlen ? ADDR_TOK_MENDED : ADDR_TOK_OK;
}

size_t
addr_token_maxlen(const struct addr_toktab *t, const char *text, size_t len)
{
	size_t i = 0, cur = 0, max = 0;
	int depth = 0;
	bool quoted = false;

	for (; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\\' && i + 1 < len) {
			if (depth == 0)
				cur += 2;
			i++;
		} else if (quoted) {
			if (t->type[c] != ADDR_CH_DROP)
				cur++;
			if (c == '"') {		/* the closing quote ends the token */
				quoted = false;
				max = cur > max ? cur : max;
				cur = 0;
			}
		} else if (depth > 0 || (c == '(' && t->comments)) {
			depth += c == '(' ? 1 : c == ')' ? -1 : 0;
			continue;
		} else if (c == '"') {
			quoted = true;
			cur = 1;
		} else if (t->type[c] == ADDR_CH_ATOM) {
			cur++;
		} else if (t->type[c] != ADDR_CH_DROP) {
			cur = t->type[c] == ADDR_CH_OPER ? 1 : 0;
			max = cur > max ? cur : max;
			cur = 0;
		}
		max = cur > max ? cur : max;
	}
	return max;
}

void
addr_tok_print(const char *tok, struct pt_buf *out)
{
	if (tok[0] == ADDR_META) {
		pt_buf_addc(out, '$');
		pt_buf_adds(out, tok + 1);
	} else
		pt_buf_adds(out, tok);
}

void
addr_vec_join(const struct addr_vec *v, int from, int to, const char *sep, struct pt_buf *out)
{
	int i;

	for (i = from; i < to && i < v->n; i++) {
		if (i > from && sep != NULL)
			pt_buf_adds(out, sep);
		addr_tok_print(v->tok[i], out);
	}
}
