/*
 * map_misc: the small computing classes that read no file: macro (sets or
 * clears a macro), arith (integer arithmetic and comparisons), dequote
 * (strips double quotes when the result still parses), syslog (logs the
 * key) and arpa (the reverse-lookup name of an IP address).
 *
 * Owns no state; macro reaches the caller's macros only through struct
 * map_env.  Runs in any process that rewrites addresses.
 */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "map.h"
#include "map_impl.h"
#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"

/* macro: the key names the macro, argument 1 is its new value; no argument clears it. */
static int
macro_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	(void)m;
	(void)keylen;
	(void)value;
	if (env != NULL && env->mac_set != NULL)
		env->mac_set(env->ctx, key, ac > 1 ? av[1] : NULL);
	return MAP_FOUND;
}

/* Reads an operand as upstream does (leading digits, else 0). */
static long
operand(const char *s)
{
	return strtol(s, NULL, 10);
}

/* One operator of the arith map: computes into *r, or returns false. */
static bool
arith_op(int op, long a, long b, long *r, bool *boolean)
{
	unsigned long ua = (unsigned long)a, ub = (unsigned long)b;

	*boolean = false;
	switch (op) {
	case '+': *r = (long)(ua + ub); return true;
	case '-': *r = (long)(ua - ub); return true;
	case '*': *r = (long)(ua * ub); return true;
	case '|': *r = a | b; return true;
	case '&': *r = a & b; return true;
	case '/': case '%':
		if (b == 0 || (a == LONG_MIN && b == -1))
			return false;
		*r = op == '/' ? a / b : a % b;
		return true;
	case 'l': *boolean = true; *r = a < b; return true;
	case '=': *boolean = true; *r = a == b; return true;
	case 'r':
		if (a > b)
			return false;
		*r = a + (long)(((unsigned long)random()) % (ub - ua + 1 == 0 ? ULONG_MAX : ub - ua + 1));
		return true;
	default: return false;
	}
}

/* arith: key is the operator (+ - * / % | & l = r), arguments 1 and 2 the operands. */
static int
arith_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	bool boolean;
	long r;

	(void)m;
	(void)env;
	if (keylen != 1 || ac < 3 || av[1] == NULL || av[2] == NULL)
		return MAP_NOTFOUND;
	if (!arith_op(pt_tolower((unsigned char)key[0]), operand(av[1]), operand(av[2]), &r,
	    &boolean))
		return MAP_NOTFOUND;
	if (boolean)
		pt_buf_adds(value, r ? "TRUE" : "FALSE");
	else
		pt_buf_printf(value, "%ld", r);
	return MAP_FOUND;
}

/* Tracks <> and () nesting outside quotes; returns false when it goes negative. */
static bool
nest(int c, int *angle, int *paren)
{
	if (c == '<')
		++*angle;
	else if (c == '>')
		--*angle;
	else if (c == '(')
		++*paren;
	else if (c == ')')
		--*paren;
	return *angle >= 0 && *paren >= 0;
}

/* dequote: removes unescaped double quotes if the result is still one balanced token string. */
static int
dequote_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	char sub = m->spacesub != '\0' ? m->spacesub : ' ';
	int angle = 0, paren = 0;
	bool quoted = false, any = false;
	size_t i;

	(void)av;
	(void)ac;
	(void)env;
	for (i = 0; i < keylen; i++) {
		char c = key[i];

		if (c == '\\' && i + 1 < keylen) {
			pt_buf_addc(value, c);
			pt_buf_addc(value, key[++i]);
		} else if (c == '"') {
			quoted = !quoted;
			any = true;
		} else if (c == ' ' && sub != ' ') {
			pt_buf_addc(value, sub);
		} else if (c == ' ' || c == '\t' || c == '\n' || !nest(c, &angle, &paren)) {
			return MAP_NOTFOUND;
		} else {
			pt_buf_addc(value, c);
		}
	}
	if (!any || quoted || angle != 0 || paren != 0)
		return MAP_NOTFOUND;
	return MAP_FOUND;
}

/* The syslog levels by name, with or without LOG_. */
static int
level_of(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{ "EMERG", LOG_EMERG }, { "ALERT", LOG_ALERT }, { "CRIT", LOG_CRIT },
		{ "ERR", LOG_ERR }, { "WARNING", LOG_WARNING }, { "NOTICE", LOG_NOTICE },
		{ "INFO", LOG_INFO }, { "DEBUG", LOG_DEBUG },
	};
	long n;
	size_t i;

	if (pt_str_to_long(s, &n))
		return n >= 0 && n <= LOG_DEBUG ? (int)n : -1;
	if (pt_str_iprefix(s, "LOG_"))
		s += 4;
	for (i = 0; i < sizeof levels / sizeof levels[0]; i++)
		if (pt_strcasecmp(s, levels[i].name) == 0)
			return levels[i].level;
	return -1;
}

/* syslog: -L sets the level (the level is kept in m->defval). */
static int
syslog_flag(struct map *m, int flag, const char *value, struct pt_buf *err)
{
	if (flag != 'L')
		return 1;
	if (level_of(value) < 0) {
		pt_buf_printf(err, "syslog map \"%s\": unknown level %s", m->name, value);
		return -1;
	}
	free(m->defval);
	m->defval = pt_strdup(value);
	return 0;
}

/* syslog: logs the key (with -S characters turned back into spaces); answers "". */
static int
syslog_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	char *text = pt_memdup0(key, keylen), *p;

	(void)av;
	(void)ac;
	(void)env;
	(void)value;
	if (m->spacesub != '\0' && m->spacesub != ' ')
		for (p = text; *p != '\0'; p++)
			if (*p == m->spacesub)
				*p = ' ';
	pt_log(m->defval != NULL ? level_of(m->defval) : LOG_NOTICE, "%s", text);
	free(text);
	return MAP_FOUND;
}

/* arpa: "1.2.3.4" gives "4.3.2.1"; an IPv6 address (with or without "IPv6:") its nibbles reversed. */
static int
arpa_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	unsigned char a[16];
	int i;

	(void)m;
	(void)keylen;
	(void)av;
	(void)ac;
	(void)env;
	if (inet_pton(AF_INET, key, a) == 1) {
		pt_buf_printf(value, "%u.%u.%u.%u", a[3], a[2], a[1], a[0]);
		return MAP_FOUND;
	}
	if (pt_str_iprefix(key, "IPv6:"))
		key += 5;
	if (inet_pton(AF_INET6, key, a) != 1)
		return MAP_NOTFOUND;
	for (i = 15; i >= 0; i--)
		pt_buf_printf(value, "%x.%x%s", a[i] & 0xf, a[i] >> 4, i > 0 ? "." : "");
	return MAP_FOUND;
}

const struct map_class map_class_macro = {
	.name = "macro", .cflags = MAPC_NOFLAGS, .lookup = macro_lookup,
};
const struct map_class map_class_arith = {
	.name = "arith", .cflags = MAPC_NOFLAGS, .lookup = arith_lookup,
};
const struct map_class map_class_dequote = {
	.name = "dequote", .defflags = MAPF_KEEPQUOTES, .lookup = dequote_lookup,
};
const struct map_class map_class_syslog = {
	.name = "syslog", .parse_flag = syslog_flag, .lookup = syslog_lookup,
};
const struct map_class map_class_arpa = {
	.name = "arpa", .cflags = MAPC_REWRITE, .lookup = arpa_lookup,
};
