/*
 * bt_cmds: the slash commands of address test mode and its shared helpers.
 *
 * Owns nothing beyond the test session.  Output follows upstream's text.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr_header.h"
#include "bt.h"
#include "mx.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_str.h"

void
bt_init(struct bt *bt, struct cf_config *cfg)
{
	memset(bt, 0, sizeof *bt);
	bt->cfg = cfg;
	rw_ctx_init(&bt->rw, cfg);
	bt->rw.trace = stdout;
	bt->rw.msgs = stdout;
}

void
bt_done(struct bt *bt)
{
	rw_ctx_done(&bt->rw);
}

int
bt_tokenize(struct bt *bt, const char *text, int delim, struct addr_vec *v, const char **endp)
{
	struct pt_buf err = PT_BUF_INIT;
	int rc = rw_tokenize(&bt->rw, text, delim, v, endp, &err);

	if (rc == ADDR_TOK_FAIL)
		fputs(pt_buf_str(&err), stdout);
	else if (rc == ADDR_TOK_MENDED) {
		char *p = err.s, *line;

		while ((line = strsep(&p, "\n")) != NULL)
			if (*line)
				printf("%s... %s\n", text, line);
	}
	pt_buf_free(&err);
	return rc == ADDR_TOK_FAIL ? -1 : 0;
}

int
bt_ruleset(struct bt *bt, const char *name)
{
	long n;

	if (isdigit((unsigned char)*name))
		return pt_str_to_long(name, &n) && n >= 0 && n < CF_MAXRWSETS ? (int)n : -1;
	return cf_ruleset_find(bt->cfg, name);
}

void
bt_tryflags_macro(struct bt *bt)
{
	mac_set_name(bt->rw.macros, "{addr_type}",
	    (bt->tryflags & RW_HEADER) ? ((bt->tryflags & RW_SENDER) ? "h s" : "h r") :
	    ((bt->tryflags & RW_SENDER) ? "e s" : "e r"), 0);
}

void
bt_cmd_tryflags(struct bt *bt, char *arg)
{
	if (*arg == '\0') {
		printf("Usage: /tryflags [Hh|Ee][Ss|Rr]\n");
		return;
	}
	/* each letter changes its flag; the others stay as they were */
	for (; *arg; arg++) {
		switch (*arg) {
		case 'H': case 'h': bt->tryflags |= RW_HEADER; break;
		case 'E': case 'e': bt->tryflags &= ~RW_HEADER; break;
		case 'S': case 's': bt->tryflags |= RW_SENDER; break;
		case 'R': case 'r': bt->tryflags &= ~RW_SENDER; break;
		default: break;
		}
	}
	bt_tryflags_macro(bt);
}

/* "envelope recipient" and the like, for the tryflags. */
static void
describe(unsigned flags, const char **kind, const char **role)
{
	*kind = (flags & RW_HEADER) ? "header" : "envelope";
	*role = (flags & RW_SENDER) ? "sender" : "recipient";
}

void
bt_cmd_try(struct bt *bt, char *arg)
{
	const struct cf_mailer *m;
	struct pt_buf out = PT_BUF_INIT;
	const char *kind, *role;
	char *addr = arg + strcspn(arg, " \t");
	int st;

	if (*arg == '\0' || *addr == '\0') {
		printf("Usage: /try mailer address\n");
		return;
	}
	*addr++ = '\0';
	while (isspace((unsigned char)*addr))
		addr++;
	if (*addr == '\0') {
		printf("Usage: /try mailer address\n");
		return;
	}
	m = cf_mailer_find(bt->cfg, arg);
	if (m == NULL) {
		printf("Unknown mailer %s\n", arg);
		return;
	}
	describe(bt->tryflags, &kind, &role);
	printf("Trying %s %s address %s for mailer %s\n", kind, role, addr, m->name);
	st = rw_remotename(&bt->rw, addr, m, bt->tryflags, &out);
	printf("Rcode = %d, addr = %s\n", st, pt_buf_str(&out));
	pt_buf_free(&out);
}

void
bt_cmd_parse(struct bt *bt, char *arg)
{
	struct pt_buf cracked = PT_BUF_INIT;
	struct rw_triple t;
	const char *kind, *role;
	int st;

	if (*arg == '\0') {
		printf("Usage: /parse address\n");
		return;
	}
	addr_crack(arg, &cracked);
	printf("Cracked address = %s\n", pt_buf_str(&cracked));
	pt_buf_free(&cracked);
	describe(bt->tryflags, &kind, &role);
	printf("Parsing %s %s address\n", kind, role);
	st = rw_parse(&bt->rw, arg, bt->tryflags, 0, NULL, &t);
	if (st != EX_OK && st != EX_TEMPFAIL) {
		printf("Cannot parse\n");
		return;
	}
	if (t.error)
		printf("mailer %s, host %s, user %s\n", t.mailer_name, t.host, t.user_raw);
	else if (t.host[0] != '\0')
		printf("mailer %s, host %s, user %s\n", t.mailer_name, t.host, t.user);
	else
		printf("mailer %s, user %s\n", t.mailer_name, t.user);
}

void
bt_cmd_canon(struct bt *bt, char *arg)
{
	struct map *m = map_find(bt->cfg->maps, "host");
	struct pt_buf val = PT_BUF_INIT;
	int rc;

	if (*arg == '\0') {
		printf("Usage: /canon address\n");
		return;
	}
	rc = m != NULL ? map_lookup(m, arg, NULL, 0, &val, &bt->rw.menv) : MAP_NOTFOUND;
	if (rc == MAP_FOUND && val.len > 0 && val.s[val.len - 1] == '.')
		pt_buf_truncate(&val, val.len - 1);
	printf("getcanonname(%s) returns %s\n", arg, rc == MAP_FOUND ? val.s : arg);
	pt_buf_free(&val);
}

void
bt_cmd_map(struct bt *bt, char *arg)
{
	char *key = arg + strcspn(arg, " \t");
	struct pt_buf val = PT_BUF_INIT;
	struct map *m;
	int rc;

	if (*arg == '\0') {
		printf("Usage: /map mapname key\n");
		return;
	}
	if (*key)
		*key++ = '\0';
	while (isspace((unsigned char)*key))
		key++;
	if (*key == '\0') {
		printf("No key specified\n");
		return;
	}
	m = map_find(bt->cfg->maps, arg);
	if (m == NULL) {
		printf("Map named \"%s\" not found\n", arg);
		return;
	}
	if (map_open(m) == MAP_NOTFOUND) {
		printf("Map named \"%s\" not open\n", arg);
		return;
	}
	rc = map_lookup(m, key, NULL, 0, &val, &bt->rw.menv);
	if (rc == MAP_FOUND)
		printf("map_lookup: %s (%s) returns %s (%d)\n", arg, key, pt_buf_str(&val), 0);
	else
		printf("map_lookup: %s (%s) no match (%d)\n", arg, key,
		    rc == MAP_NOTFOUND ? 0 : rc == MAP_TEMPFAIL ? EX_TEMPFAIL : EX_UNAVAILABLE);
	pt_buf_free(&val);
}

void
bt_cmd_mx(struct bt *bt, char *arg)
{
	struct mx_list l;
	size_t n = strlen(arg);
	bool literal = false;
	unsigned char ab[16];

	/* "[address]" is printed as given, "[name]" as a name */
	if (n >= 2 && arg[0] == '[' && arg[n - 1] == ']') {
		char *in = pt_strndup(arg + 1, n - 2);

		literal = inet_pton(AF_INET, in, ab) == 1 ||
		    (strncasecmp(in, "IPv6:", 5) == 0 && inet_pton(AF_INET6, in + 5, ab) == 1);
		free(in);
	}

	if (*arg == '\0') {
		printf("Usage: /mx address\n");
		return;
	}
	if (mx_lookup(arg, bt->cfg->opt.fallback_mx_host, &l) != MX_OK)
		mx_list_free(&l);
	printf("getmxrr(%s) returns %d value(s):\n", arg, l.n);
	for (int i = 0; i < l.n; i++) {
		const char *h = l.host[i];
		size_t hl = strlen(h);

		if (literal && i == 0)
			printf("\t%s\n", arg);
		else
			printf("\t%s%s\n", h, hl > 0 && h[hl - 1] == '.' ? "" : ".");
	}
	mx_list_free(&l);
}
