/*
 * cf_rule: S and R lines: rulesets by number and name, and rules compiled
 * into token vectors.
 *
 * Owns the rulesets of a configuration and the translation of configuration
 * text (macros expanded at load time, "$" operators turned into ADDR_META
 * tokens).  Refuses a rule that could not run: too many wildcards, a
 * replacement beyond them, a map lookup left open or nested.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"
#include "cf_internal.h"
#include "pt_alloc.h"
#include "pt_str.h"

#define MAXDEPTH 20

/* State of one translation: conditional nesting and skipping. */
struct xlate {
	const struct cf_config *cfg;
	struct pt_buf *out;
	int level, skip;
};

static void xlate_text(struct xlate *x, const char *s, int depth);

/* Copies a class or macro name at *pp (one char or {name}) in canonical form. */
static void
copy_name(const char **pp, struct pt_buf *out)
{
	const char *p = *pp, *e;

	if (*p != '{') {
		if (*p != '\0') {
			pt_buf_addc(out, *p);
			p++;
		}
		*pp = p;
		return;
	}
	e = strchr(p, '}');
	if (e == NULL)
		e = p + strlen(p) - 1;
	if (e - p == 2)
		pt_buf_addc(out, p[1]);		/* {x} is x */
	else
		pt_buf_add(out, p, (size_t)(e - p + 1));
	*pp = e + 1;
}

/* Handles "$" followed by *pp; advances *pp. */
static void
xlate_dollar(struct xlate *x, const char **pp, int depth)
{
	const char *p = *pp;
	int id;

	if (*p == '$') {
		if (x->skip == 0)
			pt_buf_addc(x->out, '$');
		*pp = p + 1;
		return;
	}
	if (*p == '?') {
		p++;
		id = mac_parse_name(x->cfg->names, &p);
		x->level++;
		if (x->skip > 0 || mac_get(x->cfg->macros, id, NULL) == NULL)
			x->skip++;
		*pp = p;
		return;
	}
	if (*p == '|' && x->level > 0) {
		if (x->skip == 1)
			x->skip = 0;
		else if (x->skip == 0)
			x->skip = 1;
		*pp = p + 1;
		return;
	}
	if (*p == '.' && x->level > 0) {
		x->level--;
		if (x->skip > 0)
			x->skip--;
		*pp = p + 1;
		return;
	}
	if (*p == '=' || *p == '~' || *p == '&') {
		size_t mark = x->out->len;

		pt_buf_addc(x->out, ADDR_META);
		pt_buf_addc(x->out, *p++);
		copy_name(&p, x->out);
		if (x->skip > 0)
			pt_buf_truncate(x->out, mark);
		*pp = p;
		return;
	}
	if (*p != '\0' && strchr("*+-@:#>[]()|.0123456789", *p) != NULL) {
		if (x->skip == 0) {
			pt_buf_addc(x->out, ADDR_META);
			pt_buf_addc(x->out, *p);
		}
		*pp = p + 1;
		return;
	}
	id = mac_parse_name(x->cfg->names, &p);
	*pp = p;
	if (x->skip == 0 && id != MAC_NONE) {
		unsigned flags = 0;
		const char *v = mac_get(x->cfg->macros, id, &flags);

		if (v != NULL && (flags & MACF_CF) && depth < MAXDEPTH)
			xlate_text(x, v, depth + 1);
		else if (v != NULL)
			pt_buf_adds(x->out, v);
	}
}

/* Translates a whole text. */
static void
xlate_text(struct xlate *x, const char *s, int depth)
{
	while (*s && x->out->len < MAC_MAXEXPAND) {
		if (*s == '$' && s[1] != '\0') {
			s++;
			xlate_dollar(x, &s, depth);
			continue;
		}
		if (x->skip == 0)
			pt_buf_addc(x->out, *s);
		s++;
	}
}

void
cf_translate(const struct cf_config *cfg, const char *text, struct pt_buf *out)
{
	struct xlate x = { cfg, out, 0, 0 };

	xlate_text(&x, text, 0);
}

/* Returns the ruleset with this name, or NULL. */
static struct cf_ruleset *
find_named(const struct cf_config *cfg, const char *name)
{
	for (int i = 0; i < CF_MAXRWSETS; i++) {
		struct cf_ruleset *rs = cfg->rulesets[i];

		if (rs != NULL && rs->name != NULL && strcmp(rs->name, name) == 0)
			return rs;
	}
	return NULL;
}

/* Makes (or returns) ruleset n. */
static struct cf_ruleset *
ruleset_at(struct cf_config *cfg, int n)
{
	if (cfg->rulesets[n] == NULL) {
		cfg->rulesets[n] = pt_calloc(1, sizeof(struct cf_ruleset));
		cfg->rulesets[n]->number = n;
	}
	return cfg->rulesets[n];
}

int
cf_ruleset_find(const struct cf_config *cfg, const char *name)
{
	struct cf_ruleset *rs;
	long n;
	int lo = 0, hi = cfg->nrsindex - 1;

	if (isdigit((unsigned char)*name)) {
		if (!pt_str_to_long(name, &n) || n < 0 || n >= CF_MAXRWSETS)
			return -1;
		return cfg->rulesets[n] != NULL ? (int)n : -1;
	}
	if (cfg->rsindex == NULL) {	/* still loading */
		rs = find_named(cfg, name);
		return rs != NULL ? rs->number : -1;
	}
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(name, cfg->rsindex[mid].name);

		if (c == 0)
			return cfg->rsindex[mid].number;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Orders index entries by name. */
static int
rsname_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cf_rsname *)a)->name, ((const struct cf_rsname *)b)->name);
}

/* Builds the sorted name index once the file is read. */
static void
build_index(struct cf_config *cfg)
{
	int n = 0;

	cfg->rsindex = pt_calloc(CF_MAXRWSETS, sizeof *cfg->rsindex);
	for (int i = 0; i < CF_MAXRWSETS; i++)
		if (cfg->rulesets[i] != NULL && cfg->rulesets[i]->name != NULL) {
			cfg->rsindex[n].name = cfg->rulesets[i]->name;
			cfg->rsindex[n].number = i;
			n++;
		}
	qsort(cfg->rsindex, (size_t)n, sizeof *cfg->rsindex, rsname_cmp);
	cfg->nrsindex = n;
}

const char *
cf_ruleset_name(const struct cf_config *cfg, int n, char buf[16])
{
	if (n >= 0 && n < CF_MAXRWSETS && cfg->rulesets[n] != NULL && cfg->rulesets[n]->name)
		return cfg->rulesets[n]->name;
	snprintf(buf, 16, "%d", n);
	return buf;
}

int
cf_ruleset_intern(struct cf_config *cfg, const char *name, struct pt_buf *err)
{
	struct cf_ruleset *rs;
	long n;
	int i;

	if (isdigit((unsigned char)*name)) {
		if (!pt_str_to_long(name, &n) || n < 0 || n >= CF_MAXRWSETS) {
			pt_buf_printf(err, "bad ruleset number %s (%d max)", name, CF_MAXRWSETS - 1);
			return -1;
		}
		return ruleset_at(cfg, (int)n)->number;
	}
	rs = find_named(cfg, name);
	if (rs != NULL)
		return rs->number;
	for (i = CF_MAXRWSETS - 1; i > 0 && cfg->rulesets[i] != NULL; i--)
		;
	if (i == 0) {
		pt_buf_printf(err, "%s: too many named rulesets (%d max)", name, CF_MAXRWSETS);
		return -1;
	}
	rs = ruleset_at(cfg, i);
	rs->name = pt_strdup(name);
	return i;
}

/* True for the characters of a ruleset name. */
static bool
name_char(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

int
cf_line_ruleset(struct cf_config *cfg, char *line, int *cur, struct pt_buf *err)
{
	char *p = pt_str_trim(line + 1), *eq, *name;
	long n;
	int num;

	if (*p == '\0' || !name_char((unsigned char)*p)) {
		pt_buf_printf(err, "invalid ruleset name: \"%s\"", p);
		return -1;
	}
	eq = strchr(p, '=');
	if (eq != NULL)
		*eq++ = '\0';
	name = pt_str_trim(p);
	for (p = name; *p; p++)
		if (!name_char((unsigned char)*p)) {
			pt_buf_printf(err, "invalid ruleset name: \"%s\"", name);
			return -1;
		}
	if (eq == NULL || isdigit((unsigned char)*name)) {
		num = cf_ruleset_intern(cfg, name, err);
		if (num < 0)
			return -1;
	} else {
		struct cf_ruleset *old = find_named(cfg, name);

		if (!pt_str_to_long(eq, &n) || n < 0 || n >= CF_MAXRWSETS) {
			pt_buf_printf(err, "bad ruleset definition \"%s\" (number required after `=')", name);
			return -1;
		}
		num = (int)n;
		if (old != NULL && old->number != num) {
			/* a forward reference gave it another number: move it */
			if (old->nrules == 0 && cfg->rulesets[num] == NULL) {
				cfg->rulesets[old->number] = NULL;
				old->number = num;
				cfg->rulesets[num] = old;
			} else {
				pt_buf_printf(err, "%s: ruleset changed value (old %d, new %d)", name,
				    old->number, num);
				return -1;
			}
		}
		ruleset_at(cfg, num);
		if (cfg->rulesets[num]->name == NULL)
			cfg->rulesets[num]->name = pt_strdup(name);
	}
	cfg->rulesets[num]->defined = true;
	*cur = num;
	return 0;
}

/* Tokenizes one side of a rule into a NULL-terminated vector. */
static char **
side_tokens(struct cf_config *cfg, const char *text, int *count, struct pt_buf *err)
{
	struct pt_buf x = PT_BUF_INIT, e = PT_BUF_INIT;
	struct pt_arena a = PT_ARENA_INIT;
	struct addr_vec v = { NULL, 0, 0, NULL };
	const struct addr_toktab *tab = cfg->version >= 9 ? &cfg->toktab_nocomment : &cfg->toktab;
	char **out = NULL;
	int rc, i;

	cf_translate(cfg, text, &x);
	rc = addr_tokenize(tab, pt_buf_str(&x), 0, ADDR_TOK_META, &a, &v, NULL, &e);
	if (rc == ADDR_TOK_FAIL)
		pt_buf_printf(err, "%s", pt_str_trim(e.s));
	else {
		out = pt_calloc((size_t)v.n + 1, sizeof(char *));
		for (i = 0; i < v.n; i++)
			out[i] = pt_strdup(v.tok[i]);
		*count = v.n;
	}
	addr_vec_free(&v);
	pt_arena_free(&a);
	pt_buf_free(&x);
	pt_buf_free(&e);
	return out;
}

/* Counts the LHS wildcards that bind $1..$9. */
static int
count_wildcards(char **lhs)
{
	int n = 0;

	for (; *lhs; lhs++)
		if ((*lhs)[0] == ADDR_META && strchr("*+-=~", (*lhs)[1]) != NULL)
			n++;
	return n;
}

/* Checks and resolves a compiled RHS against its LHS. */
static int
check_rhs(struct cf_config *cfg, char **rhs, int nwild, struct pt_buf *err)
{
	bool in_map = false;

	for (; *rhs; rhs++) {
		const char *t = *rhs;

		if (t[0] != ADDR_META)
			continue;
		if (t[1] >= '0' && t[1] <= '9' && t[1] - '0' > nwild) {
			pt_buf_printf(err, "replacement $%c out of bounds", t[1]);
			return -1;
		}
		if (t[1] == '(') {
			if (in_map) {
				pt_buf_adds(err, "cannot nest map lookups");
				return -1;
			}
			in_map = true;
		} else if (t[1] == ')') {
			in_map = false;
		} else if (t[1] == '>') {
			if (rhs[1] == NULL ||
			    (rhs[1][0] == ADDR_META && !isdigit((unsigned char)rhs[1][1]))) {
				pt_buf_adds(err, "$> without a ruleset name");
				return -1;
			}
			/* "$>$2" names the ruleset at run time; $>"name" is resolved at the end */
			if (rhs[1][0] != ADDR_META && rhs[1][0] != '"' &&
			    cf_ruleset_intern(cfg, rhs[1], err) < 0)
				return -1;
		}
	}
	if (in_map) {
		pt_buf_adds(err, "missing map closing token");
		return -1;
	}
	return 0;
}

int
cf_line_rule(struct cf_config *cfg, char *line, int cur, struct pt_buf *err)
{
	char *lhs = line + 1, *rhs, *end;
	struct cf_ruleset *rs;
	struct cf_rule r;

	memset(&r, 0, sizeof r);
	if (cur < 0) {
		cur = 0;	/* rules before any S line go to ruleset 0 */
	}
	rhs = strchr(lhs, '\t');
	if (rhs == NULL) {
		pt_buf_printf(err, "invalid rewrite line \"%s\" (tab expected)", line);
		return -1;
	}
	*rhs++ = '\0';
	while (*rhs == '\t')
		rhs++;
	end = strchr(rhs, '\t');
	if (end != NULL)
		*end = '\0';
	r.lhs = side_tokens(cfg, lhs, &r.nlhs, err);
	if (r.lhs == NULL)
		return -1;
	if (r.nlhs == 0) {
		pt_buf_adds(err, "R line: null LHS");
		goto bad;
	}
	if (count_wildcards(r.lhs) > 9) {
		pt_buf_adds(err, "R line: too many wildcards");
		goto bad;
	}
	r.lhsclass = pt_calloc((size_t)r.nlhs, sizeof(int));
	r.lhsop = pt_calloc((size_t)r.nlhs + 1, 1);
	for (int i = 0; i < r.nlhs; i++) {
		const char *t = r.lhs[i];

		r.lhsclass[i] = -1;
		if (t[0] == ADDR_META && t[1] != '\0' && strchr("*+-=~@&", t[1]) != NULL)
			r.lhsop[i] = (unsigned char)t[1];
		/* $=x and $~x: the class; $&x: the macro matched at run time */
		if (t[0] == ADDR_META && (t[1] == '=' || t[1] == '~' || t[1] == '&'))
			r.lhsclass[i] = mac_id(cfg->names, t + 2, strlen(t + 2), true);
	}
	for (int i = 0; i < r.nlhs; i++) {
		const char *t = r.lhs[i];
		unsigned char c;

		if (t[0] == ADDR_META && strchr("*+-=~@&", t[1]) != NULL)
			continue;
		c = (unsigned char)pt_tolower((unsigned char)t[0]);
		r.need[c >> 6] |= 1ULL << (c & 63);
	}
	r.rhs = side_tokens(cfg, rhs, &r.nrhs, err);
	if (r.rhs == NULL || check_rhs(cfg, r.rhs, count_wildcards(r.lhs), err) < 0)
		goto bad;
	for (int i = 0; i < r.nrhs; i++) {
		if (r.rhs[i][0] == ADDR_META && (r.rhs[i][1] == '(' || r.rhs[i][1] == '['))
			r.rhs_lookup = true;
		if (r.rhs[i][0] == ADDR_META && r.rhs[i][1] == '>')
			r.rhs_call = true;
	}
	r.line = cf_pos(cfg)->line;
	r.file = cfg->path;
	rs = ruleset_at(cfg, cur);
	if (rs->nrules == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->rules = pt_reallocarray(rs->rules, (size_t)rs->cap, sizeof(struct cf_rule));
	}
	rs->rules[rs->nrules++] = r;
	return 0;
bad:
	for (int i = 0; r.lhs && r.lhs[i]; i++)
		free(r.lhs[i]);
	for (int i = 0; r.rhs && r.rhs[i]; i++)
		free(r.rhs[i]);
	free(r.lhs);
	free(r.rhs);
	free(r.lhsclass);
	free(r.lhsop);
	return -1;
}

/* Unquotes the $>"name" calls of one rule. */
static void
unquote_calls(struct cf_rule *r)
{
	for (int i = 0; i + 1 < r->nrhs; i++) {
		char *name = r->rhs[i + 1];
		size_t n = strlen(name);

		if (r->rhs[i][0] == ADDR_META && r->rhs[i][1] == '>' && name[0] == '"' && n >= 2 &&
		    name[n - 1] == '"') {
			memmove(name, name + 1, n - 2);
			name[n - 2] = '\0';
		}
	}
}

void
cf_rules_finish(struct cf_config *cfg)
{
	for (int i = 0; i < CF_MAXRWSETS; i++) {
		struct cf_ruleset *rs = cfg->rulesets[i];

		for (int j = 0; rs != NULL && j < rs->nrules; j++)
			unquote_calls(&rs->rules[j]);
	}
	build_index(cfg);
}

void
cf_rulesets_free(struct cf_config *cfg)
{
	free(cfg->rsindex);
	cfg->rsindex = NULL;
	for (int i = 0; i < CF_MAXRWSETS; i++) {
		struct cf_ruleset *rs = cfg->rulesets[i];

		if (rs == NULL)
			continue;
		for (int j = 0; j < rs->nrules; j++) {
			for (int k = 0; k < rs->rules[j].nlhs; k++)
				free(rs->rules[j].lhs[k]);
			for (int k = 0; k < rs->rules[j].nrhs; k++)
				free(rs->rules[j].rhs[k]);
			free(rs->rules[j].lhs);
			free(rs->rules[j].rhs);
			free(rs->rules[j].lhsclass);
			free(rs->rules[j].lhsop);
		}
		free(rs->rules);
		free(rs->name);
		free(rs);
		cfg->rulesets[i] = NULL;
	}
}
