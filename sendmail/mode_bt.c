/*
 * mode_bt: address test mode (-bt), line by line as upstream: rulesets
 * applied to addresses with a trace, and the commands =S =M $x $=c .D .C
 * /tryflags /try /parse /canon /map /quit.
 *
 * Owns the test session's macros and flags.  Reads standard input, writes
 * standard output; never delivers, never queues.  The output matches
 * upstream's text so that the same input gives the same transcript.
 */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bt.h"
#include "daemon.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_file.h"
#include "pt_str.h"
#include "queue.h"
#include "sendmail.h"

/* =S: dumps a ruleset as R lines. */
static void
cmd_dump_ruleset(struct bt *bt, char *arg)
{
	const struct cf_ruleset *rs;
	int n;

	arg = pt_str_trim(arg);
	if (*arg == '\0') {
		printf("invalid ruleset name: \"\"\n");
		printf("Undefined ruleset \n");
		return;
	}
	n = cf_ruleset_find(bt->cfg, arg);
	if (n < 0) {
		printf("Undefined ruleset %s\n", arg);
		return;
	}
	rs = bt->cfg->rulesets[n];
	for (int i = 0; rs != NULL && i < rs->nrules; i++) {
		struct pt_buf b = PT_BUF_INIT;
		const struct cf_rule *r = &rs->rules[i];

		pt_buf_addc(&b, 'R');
		for (int k = 0; k < r->nlhs; k++) {
			addr_tok_print(r->lhs[k], &b);
			pt_buf_addc(&b, ' ');
		}
		pt_buf_adds(&b, "\t\t");
		for (int k = 0; k < r->nrhs; k++) {
			addr_tok_print(r->rhs[k], &b);
			pt_buf_addc(&b, ' ');
		}
		printf("%s\n", b.s);
		pt_buf_free(&b);
	}
}

/* =M: the mailers. */
static void
cmd_dump_mailers(struct bt *bt)
{
	for (int i = 0; i < bt->cfg->nmailers; i++) {
		struct pt_buf b = PT_BUF_INIT;

		cf_mailer_format(bt->cfg, bt->cfg->mailers[i], &b);
		printf("%s\n", b.s);
		pt_buf_free(&b);
	}
}

/* Lines starting with '=': =S and =M. */
static void
cmd_equals(struct bt *bt, char *line)
{
	if (line[1] == 'S')
		cmd_dump_ruleset(bt, line + 2);
	else if (line[1] == 'M')
		cmd_dump_mailers(bt);
	else
		printf("Unknown \"=\" command %s\n", line);
}

/* Prints one class word. */
static void
print_word(const char *w, void *arg)
{
	(void)arg;
	printf("%s\n", w);
}

/* Lines starting with '$': a macro's value or a class's words. */
static void
cmd_dollar(struct bt *bt, char *line)
{
	const char *p = line + 1;
	bool cls = *p == '=';
	int id;

	if (cls)
		p++;
	if (*p == '\0') {
		printf("Name required for macro/class\n");
		return;
	}
	id = mac_parse_name(bt->cfg->names, &p);
	if (cls)
		cf_class_each(bt->cfg, id, print_word, NULL);
	else {
		const char *v = mac_get(bt->rw.macros, id, NULL);

		printf("%s\n", v != NULL ? v : "Undefined");
	}
}

/* Lines starting with '.': .Dxvalue and .Ccword. */
static void
cmd_dot(struct bt *bt, char *line)
{
	const char *p = line + 2;
	int id;

	if (line[1] != 'D' && line[1] != 'C') {
		printf("Unknown \".\" command %s\n", line);
		return;
	}
	if (*p == '\0') {
		printf("Name required for macro/class\n");
		return;
	}
	id = mac_parse_name(bt->cfg->names, &p);
	if (line[1] == 'D')
		mac_set(bt->rw.macros, id, p, 0);
	else {
		char *copy = pt_strdup(p), *q = copy, *w;

		while ((w = strsep(&q, " \t")) != NULL)
			if (*w)
				cf_class_add(bt->cfg, id, w);
		free(copy);
	}
}

/* Runs the comma-separated ruleset list over each address of text. */
static void
cmd_rulesets(struct bt *bt, char *line)
{
	char *names = line, *addr, *p;
	const char *rest;

	for (p = line; *p && !isspace((unsigned char)*p); p++)
		;
	addr = p;
	if (*p)
		*addr++ = '\0';
	while (isspace((unsigned char)*addr))
		addr++;
	if (*addr == '\0') {
		printf("No address!\n");
		return;
	}
	rest = addr;
	while (*rest != '\0') {
		struct addr_vec v = { NULL, 0, 0, NULL };
		const char *here = rest;
		char *list = pt_strdup(names), *cur = list, *name;

		if (bt_tokenize(bt, here, ',', &v, &rest) >= 0) {
			const char *tail = names;	/* the list from the current name on */

			while ((name = strsep(&cur, ",")) != NULL && *name != '\0') {
				int set = bt_ruleset(bt, name);
				int st;

				if (set < 0) {
					printf("Undefined ruleset %s\n", name);
					break;
				}
				st = rw_run(&bt->rw, set, &v);
				if (st != EX_OK)
					printf("== Ruleset %s (%d) status %d\n", tail, set, st);
				tail += strlen(name) + 1;
			}
		}
		free(list);
		addr_vec_free(&v);
		pt_arena_reset(bt->rw.arena);
	}
}

/* The slash commands. */
static const struct {
	const char *name;
	void (*fn)(struct bt *bt, char *arg);
} slash_cmds[] = {
	{ "tryflags", bt_cmd_tryflags },
	{ "try", bt_cmd_try },
	{ "parse", bt_cmd_parse },
	{ "canon", bt_cmd_canon },
	{ "map", bt_cmd_map },
	{ "mx", bt_cmd_mx },
};

/* Lines starting with '/'. */
static bool
cmd_slash(struct bt *bt, char *line)
{
	char *word = line + 1, *arg;
	size_t i;

	arg = word + strcspn(word, " \t");
	if (*arg)
		*arg++ = '\0';
	while (isspace((unsigned char)*arg))
		arg++;
	if (strcmp(word, "quit") == 0)
		return false;
	for (i = 0; i < sizeof slash_cmds / sizeof slash_cmds[0]; i++) {
		if (strcmp(word, slash_cmds[i].name) == 0) {
			slash_cmds[i].fn(bt, arg);
			pt_arena_reset(bt->rw.arena);
			return true;
		}
	}
	printf("Unknown \"/\" command %s\n", line);
	return true;
}

/* Handles one input line; false ends the session. */
static bool
test_line(struct bt *bt, char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	switch (line[0]) {
	case '\0':
	case '#':
		return true;
	case '?':
		printf("%s -- test mode: <ruleset>[,<ruleset>...] <address>, =S<ruleset>, =M, "
		    "$<macro>, $=<class>, .D<macro><value>, .C<class><word>, -d<flags>, "
		    "/tryflags, /try, /parse, /canon, /map, /quit\n", PACKAGE_NAME);
		return true;
	case '=':
		cmd_equals(bt, line);
		return true;
	case '$':
		cmd_dollar(bt, line);
		return true;
	case '.':
		cmd_dot(bt, line);
		return true;
	case '-':
		return true;	/* debug flags: accepted; traces do not change */
	case '/':
		return cmd_slash(bt, line);
	default:
		cmd_rulesets(bt, line);
		return true;
	}
}

/* The DeliveryMode a -o/-O option of the command line sets, or 0. */
static int
cmdline_delivery_mode(const struct sm_run *run)
{
	int mode = 0;

	for (int i = 0; i < run->noptions; i++) {
		const char *o = run->options[i], *eq = strchr(o, '=');
		size_t n = eq != NULL ? (size_t)(eq - o) : strlen(o);

		if ((n == 1 && o[0] == 'd') || (n == 12 && strncasecmp(o, "DeliveryMode", n) == 0))
			mode = run->cfg->opt.delivery_mode;
	}
	return mode;
}

/*
 * The macros upstream's -bt defines before the first line: $b (now), $i (a
 * queue id of this process), $_ (the user at localhost), ${deliveryMode}
 * (interactive unless the command line says otherwise), ${load_avg},
 * ${quarantine} (empty) and ${addr_type} (of the tryflags).  $d and $t stay
 * undefined, as there.
 */
static void
bt_predefine(struct bt *bt, const struct sm_run *run)
{
	struct mac_table *m = bt->rw.macros;
	struct queue_idgen gen;
	struct passwd *pw = getpwuid(getuid());
	char buf[PT_DATE_MAX > QUEUE_ID_MAX ? PT_DATE_MAX : QUEUE_ID_MAX];
	int mode = cmdline_delivery_mode(run);
	time_t now = time(NULL);
	struct pt_buf b = PT_BUF_INIT;

	pt_str_date(now, buf);
	mac_set(m, 'b', buf, 0);
	queue_idgen_init(&gen, (long)getpid(), (unsigned)now);
	queue_id_make(&gen, now, buf);
	mac_set(m, 'i', buf, 0);
	if (pw != NULL)
		pt_buf_printf(&b, "%s@localhost", pw->pw_name);
	else
		pt_buf_printf(&b, "%lu@localhost", (unsigned long)getuid());
	mac_set(m, '_', b.s, 0);
	pt_buf_reset(&b);
	pt_buf_addc(&b, (char)(mode != 0 ? mode : 'i'));
	mac_set_name(m, "{deliveryMode}", b.s, 0);
	pt_buf_reset(&b);
	pt_buf_printf(&b, "%d", sm_load_average());
	mac_set_name(m, "{load_avg}", b.s, 0);
	mac_set_name(m, "{quarantine}", "", 0);
	pt_buf_free(&b);
	bt_tryflags_macro(bt);
}

int
mode_test(struct sm_run *run)
{
	struct bt bt;
	struct pt_buf line = PT_BUF_INIT;

	bt_init(&bt, run->cfg);
	bt_predefine(&bt, run);
	printf("ADDRESS TEST MODE (ruleset 3 NOT automatically invoked)\n");
	printf("Enter <ruleset> <address>\n");
	for (;;) {
		printf("> ");
		fflush(stdout);
		if (!pt_file_getline(stdin, &line))
			break;
		if (line.len > 0 && line.s[line.len - 1] == '\r')
			pt_buf_truncate(&line, line.len - 1);
		if (!test_line(&bt, line.s != NULL ? line.s : (char *)""))
			break;
		/* the answer leaves with the next prompt: one write per line */
	}
	fflush(stdout);
	pt_buf_free(&line);
	bt_done(&bt);
	return EX_OK;
}
