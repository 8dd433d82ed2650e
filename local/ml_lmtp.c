/*
 * ml_lmtp: mail.local's LMTP server (RFC 2033) on standard input and output.
 *
 * The replies are upstream mail.local's, word for word: a greeting, LHLO
 * with 8BITMIME (unless -7), ENHANCEDSTATUSCODES and PIPELINING, MAIL, RCPT
 * (the domain of an address is dropped: <user@host> is user, who must
 * exist), DATA with one
 * reply per accepted recipient after the final ".", RSET, NOOP, VRFY and
 * QUIT.  Commands are dispatched through a table.  Runs as root; each
 * delivery takes the recipient's identity (mail_local.c).
 */
#include "config.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_local.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_str.h"

#define MAX_RCPTS 1000
#define MAX_LINE 4096

/* One LMTP session. */
struct session {
	const struct ml_opts *o;
	FILE *in, *out;
	char host[256];
	char *sender;		/* MAIL's address, NULL before MAIL */
	char **rcpts;		/* accepted recipients (local parts) */
	size_t nrcpts;
	bool quit;
};

/* Writes one reply line. */
static void
reply(struct session *s, const char *text)
{
	fprintf(s->out, "%s\r\n", text);
	fflush(s->out);
}

/* Forgets the transaction. */
static void
reset(struct session *s)
{
	size_t i;

	free(s->sender);
	s->sender = NULL;
	for (i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	free(s->rcpts);
	s->rcpts = NULL;
	s->nrcpts = 0;
}

/* The address between < and > of arg (after "FROM:" or "TO:"), or NULL. */
static char *
path_of(const char *arg)
{
	const char *lt = strchr(arg, '<'), *gt;

	if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
		return NULL;
	return pt_strndup(lt + 1, (size_t)(gt - lt - 1));
}

/* LHLO host. */
static void
cmd_lhlo(struct session *s, const char *arg)
{
	char line[300];

	if (*arg == '\0') {
		reply(s, "500 5.5.2 Syntax error");
		return;
	}
	snprintf(line, sizeof line, "250-%s", s->host);
	reply(s, line);
	if (!s->o->no8bit)
		reply(s, "250-8BITMIME");
	reply(s, "250-ENHANCEDSTATUSCODES");
	reply(s, "250 PIPELINING");
}

/* MAIL FROM:<address> [parameters]. */
static void
cmd_mail(struct session *s, const char *arg)
{
	if (s->sender != NULL) {
		reply(s, "503 5.5.1 Nested MAIL command");
		return;
	}
	if (!pt_str_iprefix(arg, "from:") || (s->sender = path_of(arg + 5)) == NULL) {
		reply(s, "500 5.5.2 Syntax error");
		return;
	}
	reply(s, "250 2.5.0 Ok");
}

/* RCPT TO:<user[@domain]>. */
static void
cmd_rcpt(struct session *s, const char *arg)
{
	char *user, *at;

	if (s->sender == NULL) {
		reply(s, "503 5.5.1 Need MAIL command");
		return;
	}
	if (!pt_str_iprefix(arg, "to:") || (user = path_of(arg + 3)) == NULL) {
		reply(s, "501 5.5.4 Syntax error in parameters");
		return;
	}
	if ((at = strrchr(user, '@')) != NULL)
		*at = '\0';
	if (user[0] == '\0' || strchr(user, '/') != NULL || s->nrcpts >= MAX_RCPTS ||
	    getpwnam(user) == NULL) {
		free(user);
		reply(s, "550 5.1.1 User unknown");
		return;
	}
	s->rcpts = pt_reallocarray(s->rcpts, s->nrcpts + 1, sizeof *s->rcpts);
	s->rcpts[s->nrcpts++] = user;
	reply(s, "250 2.1.5 Ok");
}

/* The reply for one recipient after DATA. */
static void
rcpt_reply(struct session *s, const char *user, const struct ml_result *r)
{
	struct pt_buf line = PT_BUF_INIT;

	if (r->status == EX_OK)
		pt_buf_printf(&line, "250 2.1.5 %s Ok", user);
	else if (r->status == EX_NOUSER)
		pt_buf_printf(&line, "550 5.1.1 %s User unknown", user);
	else if (r->status == EX_TEMPFAIL || r->status == EX_OSERR)
		pt_buf_printf(&line, "451 4.3.0 %s", pt_buf_str(&r->text));
	else if (r->status == EX_UNAVAILABLE)
		pt_buf_printf(&line, "552 5.2.2 %s", pt_buf_str(&r->text));
	else
		pt_buf_printf(&line, "550 5.3.0 %s", pt_buf_str(&r->text));
	reply(s, line.s);
	pt_buf_free(&line);
}

/* DATA: reads the message and delivers it to each recipient. */
static void
cmd_data(struct session *s, const char *arg)
{
	struct ml_msg m;
	struct ml_result r = { 0, PT_BUF_INIT };
	size_t i;

	(void)arg;
	if (s->nrcpts == 0) {
		reply(s, s->sender == NULL ? "503 5.5.1 Need MAIL command" : "503 5.5.1 No recipients");
		return;
	}
	reply(s, "354 Go ahead");
	ml_msg_init(&m);
	if (ml_msg_read(&m, s->in, s->sender, true) < 0) {
		for (i = 0; i < s->nrcpts && !feof(s->in); i++)
			reply(s, "451 4.3.0 Temporary file write error");
		s->quit = feof(s->in);
	} else {
		for (i = 0; i < s->nrcpts; i++) {
			ml_deliver(s->o, s->rcpts[i], &m, &r);
			rcpt_reply(s, s->rcpts[i], &r);
		}
	}
	ml_msg_free(&m);
	pt_buf_free(&r.text);
	reset(s);
}

/* RSET, NOOP, VRFY, QUIT. */
static void
cmd_rset(struct session *s, const char *arg)
{
	(void)arg;
	reset(s);
	reply(s, "250 2.0.0 Ok");
}

static void
cmd_noop(struct session *s, const char *arg)
{
	(void)arg;
	reply(s, "250 2.0.0 Ok");
}

static void
cmd_vrfy(struct session *s, const char *arg)
{
	(void)arg;
	reply(s, "252 2.3.3 Try RCPT to attempt delivery");
}

static void
cmd_quit(struct session *s, const char *arg)
{
	(void)arg;
	reply(s, "221 2.0.0 Bye");
	s->quit = true;
}

/* The commands. */
static const struct {
	const char *verb;
	void (*fn)(struct session *s, const char *arg);
} commands[] = {
	{ "LHLO", cmd_lhlo }, { "MAIL", cmd_mail }, { "RCPT", cmd_rcpt }, { "DATA", cmd_data },
	{ "RSET", cmd_rset }, { "NOOP", cmd_noop }, { "VRFY", cmd_vrfy }, { "QUIT", cmd_quit },
};

/* Runs one command line. */
static void
dispatch(struct session *s, char *line)
{
	size_t i, n = strcspn(line, " \t");
	char *arg = line + n;

	while (*arg == ' ' || *arg == '\t')
		arg++;
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (n == 4 && pt_strncasecmp(line, commands[i].verb, 4) == 0) {
			commands[i].fn(s, arg);
			return;
		}
	}
	reply(s, "500 5.5.2 Syntax error");
}

int
ml_lmtp(const struct ml_opts *o, FILE *in, FILE *out)
{
	struct session s;
	struct pt_buf line = PT_BUF_INIT;
	char greeting[300];
	int c;

	memset(&s, 0, sizeof s);
	s.o = o;
	s.in = in;
	s.out = out;
	if (gethostname(s.host, sizeof s.host - 1) < 0)
		strcpy(s.host, "localhost");
	snprintf(greeting, sizeof greeting, "220 %s LMTP ready", s.host);
	reply(&s, greeting);
	while (!s.quit) {
		pt_buf_reset(&line);
		while ((c = getc(in)) != EOF && c != '\n')
			if (line.len < MAX_LINE)
				pt_buf_addc(&line, c);	/* the rest of an overlong line is dropped */
		if (c == EOF && line.len == 0)
			break;
		if (line.len > 0 && line.s[line.len - 1] == '\r')
			pt_buf_truncate(&line, line.len - 1);
		dispatch(&s, line.s != NULL ? line.s : (char *)"");
	}
	reset(&s);
	pt_buf_free(&line);
	return EX_OK;
}
