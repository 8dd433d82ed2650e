/*
 * smtpd_vrfy: the answers of VRFY and EXPN once the privacy options let
 * them through, as upstream gives them: a local user by its full name and
 * address ("250 2.1.5 Full Name <user@host>"), an unknown one refused
 * ("550 5.1.1 name... User unknown"), a remote address "252" for VRFY;
 * VRFY names an alias without opening it, EXPN expands it (nested lists,
 * programs and files shown as "<|prog>" and "</file>", each address once, in
 * upstream's order: the last one found first), and an entry that fails
 * (unknown user, "error:" entry) is the whole answer.
 *
 * Runs in the session process; reads the alias maps and the password file,
 * never a .forward or :include: file (upstream does not show those either).
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_header.h"
#include "alias.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_str.h"
#include "smtpd.h"

/* The lines found so far: each address once, and the first failure. */
struct vx {
	struct smtpd *s;
	char **lines;
	int n;
	char *bad;		/* "name... User unknown" and the like, or NULL */
	int bad_code;
	const char *bad_status;
};

static void vx_element(struct vx *x, const char *text, int depth);

/* $j, the host's name for replies. */
static const char *
myname(const struct smtpd *s)
{
	const char *j = mac_get(s->cfg->macros, 'j', NULL);

	return j != NULL ? j : "localhost";
}

/* Adds a line unless it is there already. */
static void
vx_add(struct vx *x, const char *line)
{
	for (int i = 0; i < x->n; i++)
		if (strcmp(x->lines[i], line) == 0)
			return;
	x->lines = pt_reallocarray(x->lines, (size_t)x->n + 1, sizeof *x->lines);
	x->lines[x->n++] = pt_strdup(line);
}

/* Records the first failure. */
static void
vx_fail(struct vx *x, int code, const char *status, const char *fmt, const char *arg)
{
	struct pt_buf b = PT_BUF_INIT;

	if (x->bad != NULL)
		return;
	pt_buf_printf(&b, fmt, arg);
	x->bad = pt_buf_steal(&b);
	x->bad_code = code;
	x->bad_status = status;
}

/* A local user: "Full Name <user@host>", or a failure when there is none. */
static void
vx_user(struct vx *x, const struct rw_triple *t, const char *echo)
{
	struct passwd *pw = getpwnam(t->user);
	struct pt_buf b = PT_BUF_INIT;
	size_t n;

	if (pw == NULL) {
		if (cf_mflag(&t->mailer->flags, 'w'))
			vx_fail(x, 550, "5.1.1", "%s... User unknown", echo);
		else
			pt_buf_printf(&b, "<%s@%s>", t->user, myname(x->s));
	} else {
		n = pw->pw_gecos != NULL ? strcspn(pw->pw_gecos, ",") : 0;
		if (n > 0)
			pt_buf_printf(&b, "%.*s ", (int)n, pw->pw_gecos);
		pt_buf_printf(&b, "<%s@%s>", pw->pw_name, myname(x->s));
	}
	if (b.len > 0)
		vx_add(x, b.s);
	pt_buf_free(&b);
}

/* A list being expanded at one depth. */
struct vx_at {
	struct vx *x;
	int depth;
};

/* Expands one element of a list. */
static void
vx_list_element(char *elem, void *arg)
{
	struct vx_at *at = arg;

	vx_element(at->x, elem, at->depth);
}

/* Expands each element of an alias value. */
static void
vx_list(struct vx *x, const char *list, int depth)
{
	struct vx_at at = { x, depth };

	addr_alias_split(list, vx_list_element, &at);
}

/* Expands one element of a list (or the argument, at depth 0). */
static void
vx_element(struct vx *x, const char *text, int depth)
{
	struct smtpd *s = x->s;
	struct pt_buf val = PT_BUF_INIT, b = PT_BUF_INIT;
	char *bare = pt_strdup(text);
	struct rw_triple t;
	size_t n = strlen(bare);
	int st;

	if (n >= 2 && bare[0] == '"' && bare[n - 1] == '"') {	/* "|prog" in an alias */
		memmove(bare, bare + 1, n - 2);
		bare[n - 2] = '\0';
	}
	if (depth > 0 && (bare[0] == '|' || bare[0] == '/')) {
		pt_buf_printf(&b, "<%s>", bare);
		vx_add(x, b.s);
		goto out;
	}
	if (depth > 0 && pt_strncasecmp(bare, "error:", 6) == 0) {
		vx_fail(x, 550, "5.1.1", "%s... User unknown", bare);
		goto out;
	}
	s->rw.msgs = NULL;
	st = rw_parse(&s->rw, bare, 0, 0, NULL, &t);
	if (st != EX_OK && st != EX_TEMPFAIL)
		vx_fail(x, 553, "5.1.3", "%s... Address could not be parsed", bare);
	else if (t.error)
		vx_fail(x, t.error_code, "5.0.0", "%s... User unknown", bare);
	else if (t.mailer == NULL || !cf_mflag(&t.mailer->flags, 'l') ||
	    strcmp(t.mailer->name, "local") != 0) {
		pt_buf_printf(&b, "<%s>", t.host[0] != '\0' && strchr(t.user, '@') == NULL ?
		    bare : t.user);
		vx_add(x, b.s);
	} else if (cf_mflag(&t.mailer->flags, 'A') &&
	    depth < s->cfg->opt.max_alias_recursion &&
	    alias_lookup(s->cfg->maps, t.user, &val) == MAP_FOUND) {
		char *list = pt_strdup(pt_buf_str(&val));

		vx_list(x, list, depth + 1);
		free(list);
	} else
		vx_user(x, &t, bare);
out:
	free(bare);
	pt_buf_free(&val);
	pt_buf_free(&b);
}

/* True when arg names an alias of the local mailer (VRFY shows it unopened). */
static bool
is_alias(struct smtpd *s, const struct rw_triple *t)
{
	struct pt_buf val = PT_BUF_INIT;
	bool found;

	found = t->mailer != NULL && cf_mflag(&t->mailer->flags, 'A') &&
	    strcmp(t->mailer->name, "local") == 0 &&
	    alias_lookup(s->cfg->maps, t->user, &val) == MAP_FOUND;
	pt_buf_free(&val);
	return found;
}

/* VRFY of one parsed local or remote address. */
static void
vrfy_one(struct smtpd *s, struct vx *x, const char *arg, const struct rw_triple *t)
{
	struct pt_buf b = PT_BUF_INIT;

	if (t->mailer == NULL || strcmp(t->mailer->name, "local") != 0) {
		pt_buf_printf(&b, "<%s>", t->user);
		smtpd_say(s, 252, "2.1.5", "%s", b.s);
	} else if (is_alias(s, t)) {
		pt_buf_printf(&b, "<%s@%s>", t->user, myname(s));
		vx_add(x, b.s);
	} else
		vx_user(x, t, arg);
	pt_buf_free(&b);
}

/* Sends what x found: the failure alone, or the lines, the last found first. */
static void
vx_reply(struct smtpd *s, struct vx *x)
{
	struct smtp_reply r = SMTP_REPLY_INIT;

	if (x->bad != NULL)
		smtpd_say(s, x->bad_code, x->bad_status, "%s", x->bad);
	else if (x->n > 0) {
		for (int i = x->n - 1; i >= 0; i--) {
			if (i == x->n - 1)
				smtp_reply_set(&r, 250, "2.1.5", "%s", x->lines[i]);
			else
				smtp_reply_add(&r, "%s", x->lines[i]);
		}
		smtpd_send(s, &r);
	}
	smtp_reply_free(&r);
}

/*
 * Parses the argument; an address the tokenizer had to mend (an unbalanced
 * bracket, quote or parenthesis) sets *unbalanced to its message
 * ("<root... Unbalanced '<'"), which upstream refuses with.
 */
static int
parse_arg(struct smtpd *s, const char *arg, struct rw_triple *t, char **unbalanced)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int st;

	s->rw.msgs = m;
	st = rw_parse(&s->rw, arg, 0, 0, NULL, t);
	s->rw.msgs = NULL;
	if (m != NULL)
		fclose(m);
	if (text != NULL && strstr(text, "... Unbalanced ") != NULL) {
		text[strcspn(text, "\n")] = '\0';
		*unbalanced = text;
	} else
		free(text);
	return st;
}

void
smtpd_vrfy_answer(struct smtpd *s, const char *arg, bool expand)
{
	struct vx x = { s, NULL, 0, NULL, 0, NULL };
	struct rw_triple t;
	char *unbalanced = NULL;
	int st;

	st = strcmp(arg, "<>") == 0 ? EX_NOUSER : parse_arg(s, arg, &t, &unbalanced);
	if (unbalanced != NULL)
		smtpd_say(s, 553, "5.0.0", "%s", unbalanced);
	else if (st == EX_NOUSER)
		smtpd_say(s, 550, "5.1.1", "%s... User unknown", arg);
	else if (st != EX_OK && st != EX_TEMPFAIL)
		smtpd_say(s, 553, "5.1.3", "%s... Address could not be parsed", arg);
	else if (t.error)
		smtpd_say(s, t.error_code, t.error_status[0] ? t.error_status : NULL, "%s... %s",
		    arg, t.error_text);
	else if (t.mailer != NULL && strcmp(t.mailer->name, "prog") == 0)
		smtpd_say(s, 550, "5.7.1", "%s... Cannot mail directly to programs", arg);
	else if (t.mailer != NULL && strcmp(t.mailer->name, "*file*") == 0)
		smtpd_say(s, 550, "5.7.1", "%s... Cannot mail directly to files", arg);
	else {
		if (expand)
			vx_element(&x, arg, 0);
		else
			vrfy_one(s, &x, arg, &t);
		vx_reply(s, &x);
	}
	for (int i = 0; i < x.n; i++)
		free(x.lines[i]);
	free(x.lines);
	free(x.bad);
	free(unbalanced);
	pt_arena_reset(s->rw.arena);
}
