/*
 * rw_match: the left-hand side matcher.
 *
 * Owns nothing.  Backtracking search, shortest binding first, exactly as
 * upstream: $* takes as few tokens as it can, $+ at least one, $- exactly
 * one, $=x the shortest run of tokens whose concatenation is in class x,
 * $~x one token not in class x, $@ nothing, $&x the run-time value of macro
 * x as successive whole tokens (nothing when x is unset; no $n binding);
 * literal tokens compare without case.  Pure function of its arguments.
 */
#include "config.h"

#include <string.h>

#include "pt_str.h"
#include "rw_internal.h"

struct mstate {
	const struct cf_config *cfg;
	const struct mac_table *macros;
	const struct cf_rule *r;
	char **tok;
	int n;
	struct rw_bind *b;
	struct pt_buf *scratch;
};

/* True if tokens [from, to) joined are in class id. */
static bool
in_class(struct mstate *m, int id, int from, int to)
{
	if (to - from == 1)
		return cf_class_has(m->cfg, id, m->tok[from]);
	pt_buf_reset(m->scratch);
	for (int i = from; i < to; i++)
		pt_buf_adds(m->scratch, m->tok[i]);
	return cf_class_has(m->cfg, id, pt_buf_str(m->scratch));
}

/* How many tokens from i spell macro id's value exactly (without case); -1 if none do. */
static int
macro_tokens(struct mstate *m, int id, int i)
{
	const char *v = mac_get(m->macros, id, NULL);
	int k = 0;

	if (v == NULL)
		return 0;
	while (*v != '\0') {
		size_t len;

		if (i + k >= m->n)
			return -1;
		len = strlen(m->tok[i + k]);
		if (len == 0 || pt_strncasecmp(v, m->tok[i + k], len) != 0)
			return -1;
		v += len;
		k++;
	}
	return k;
}

/* Matches pattern token p (binding nb) onwards against input token i onwards. */
static bool
match_at(struct mstate *m, int p, int i, int nb)
{
	const char *pt = m->r->lhs[p];
	int len, max, op;

	if (pt == NULL)
		return i == m->n;
	op = m->r->lhsop[p];
	if (op == 0) {
		if (i >= m->n || pt_tolower((unsigned char)pt[0]) !=
		    pt_tolower((unsigned char)m->tok[i][0]) || pt_strcasecmp(pt, m->tok[i]) != 0)
			return false;
		return match_at(m, p + 1, i + 1, nb);
	}
	max = m->n - i;
	switch (op) {
	case '@':
		return match_at(m, p + 1, i, nb);
	case '&':
		len = macro_tokens(m, m->r->lhsclass[p], i);
		return len >= 0 && match_at(m, p + 1, i + len, nb);
	case '-':
		if (max < 1)
			return false;
		m->b[nb + 1] = (struct rw_bind){ i, i + 1 };
		return match_at(m, p + 1, i + 1, nb + 1);
	case '~':
		if (max < 1 || cf_class_has(m->cfg, m->r->lhsclass[p], m->tok[i]))
			return false;
		m->b[nb + 1] = (struct rw_bind){ i, i + 1 };
		return match_at(m, p + 1, i + 1, nb + 1);
	case '*':
	case '+':
		len = op == '*' ? 0 : 1;
		if (m->r->lhs[p + 1] == NULL) {
			if (max < len)
				return false;
			m->b[nb + 1] = (struct rw_bind){ i, m->n };
			return true;
		}
		if (m->r->lhsop[p + 1] == 0) {
			/* a literal follows: only try where it stands */
			const char *lit = m->r->lhs[p + 1];
			int c0 = pt_tolower((unsigned char)lit[0]);

			for (; len < max; len++) {
				const char *t = m->tok[i + len];

				if (pt_tolower((unsigned char)t[0]) != c0 || pt_strcasecmp(lit, t) != 0)
					continue;
				m->b[nb + 1] = (struct rw_bind){ i, i + len };
				if (match_at(m, p + 2, i + len + 1, nb + 1))
					return true;
			}
			return false;
		}
		for (; len <= max; len++) {
			m->b[nb + 1] = (struct rw_bind){ i, i + len };
			if (match_at(m, p + 1, i + len, nb + 1))
				return true;
		}
		return false;
	default:	/* '=' */
		{
			size_t longest = cf_class_maxlen(m->cfg, m->r->lhsclass[p]), joined = 0;

			for (len = 1; len <= max; len++) {
				joined += strlen(m->tok[i + len - 1]);
				if (joined > longest)
					break;	/* no word of the class is that long */
				if (!in_class(m, m->r->lhsclass[p], i, i + len))
					continue;
				m->b[nb + 1] = (struct rw_bind){ i, i + len };
				if (match_at(m, p + 1, i + len, nb + 1))
					return true;
			}
		}
		return false;
	}
}

void
rw_firsts_of(char **tok, int n, struct rw_firsts *f)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pt_tolower((unsigned char)tok[i][0]);

		f->bits[c >> 6] |= 1ULL << (c & 63);
	}
}

bool
rw_match(const struct cf_config *cfg, const struct mac_table *macros, const struct cf_rule *r,
    char **tok, int n, const struct rw_firsts *f, struct rw_bind *b, struct pt_buf *scratch)
{
	struct mstate m = { cfg, macros, r, tok, n, b, scratch };

	/* a literal of the pattern whose first byte no input token starts with cannot match */
	if ((r->need[0] & ~f->bits[0]) | (r->need[1] & ~f->bits[1]) |
	    (r->need[2] & ~f->bits[2]) | (r->need[3] & ~f->bits[3]))
		return false;
	return match_at(&m, 0, 0, 0);
}
