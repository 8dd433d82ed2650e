/*
 * smtpd_cmds: the verbs outside a mail transaction: HELO, EHLO, RSET, NOOP,
 * QUIT, VRFY, EXPN, HELP, ETRN, VERB, with upstream's replies and the
 * PrivacyOptions that restrict them.
 *
 * Runs in the session process.  VRFY and EXPN answer (smtpd_vrfy.c) only
 * what the privacy options allow.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_log.h"
#include "pt_str.h"
#include "smtpd.h"

/* $j, the host's name for replies. */
static const char *
myname(const struct smtpd *s)
{
	const char *j = mac_get(s->cfg->macros, 'j', NULL);

	return j != NULL ? j : "localhost";
}

/*
 * True when the client has sent more before it heard the reply: what was
 * read with the command or the transport holds; for -bs also a readable
 * standard input (more data, or its end, as upstream sees it).  Over a
 * connection only what came with the command counts: bytes that arrive
 * while the command is served may answer a reply already sent (the
 * greeting of an early talker), and whether they are there yet is a race.
 */
static bool
traffic_waiting(struct smtpd *s)
{
	struct pollfd p = { smtp_io_rfd(s->io), POLLIN, 0 };

	if (smtp_io_pending(s->io) > 0)
		return true;
	return s->daemon == NULL && poll(&p, 1, 0) > 0 &&
	    (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

/*
 * As upstream: from the SMTPD_MAXHELOS-th HELO or EHLO of a session on,
 * each waits twice as long as the one before (1 s, 2 s, ...); the first
 * such is logged.
 */
static void
helo_attack(struct smtpd *s)
{
	int shift;

	if (++s->helos < SMTPD_MAXHELOS)
		return;
	shift = s->helos - SMTPD_MAXHELOS;
	if (shift == 0 && s->cfg->opt.log_level > 5)
		smtpd_log(s, LOG_INFO, "%s: possible SMTP attack: command=HELO/EHLO, count=%d",
		    s->relay, s->helos);
	sleep(1u << (shift < 6 ? shift : 6));
}

/*
 * Common part of HELO and EHLO: the client must wait for the reply (no
 * pipelining is offered yet), then the argument is checked and the
 * transaction reset.  A client that does not wait is refused as upstream
 * refuses it: 554 5.5.0, logged, and from then on every transaction
 * command gets "550 5.0.0 Command rejected" (the session's nullserver).
 */
static bool
hello(struct smtpd *s, const struct smtp_cmd *c, bool esmtp)
{
	struct smtp_reply err = SMTP_REPLY_INIT;

	helo_attack(s);
	if (traffic_waiting(s)) {
		/* upstream names the client by its host name and address, "localhost [0]" for -bs */
		if (s->daemon == NULL)
			smtpd_log(s, LOG_INFO, "rejecting server %s from localhost [0] due to "
			    "traffic before response", esmtp ? "EHLO" : "HELO");
		else {
			size_t n = strcspn(s->relay, " ");

			smtpd_log(s, LOG_INFO, "rejecting server %s from %.*s [%s] due to traffic "
			    "before response", esmtp ? "EHLO" : "HELO", (int)n, s->relay,
			    s->client_addr);
		}
		smtpd_say(s, 554, "5.5.0", "SMTP protocol error");
		s->reject_all = true;
		if (!smtp_reply_is_set(&s->nullserver))
			smtp_reply_set(&s->nullserver, 550, "5.0.0", "Command rejected");
		return false;
	}
	if (!smtp_cmd_check_helo(c, &err)) {
		smtpd_send(s, &err);
		smtp_reply_free(&err);
		return false;
	}
	smtpd_reset(s);	/* first: a transaction it ends is logged as it was */
	free(s->helo);
	s->helo = pt_strndup(c->arg.p, c->arg.len);
	s->esmtp = esmtp;
	smtpd_macro(s, "s", s->helo);
	smtpd_macro(s, "r", smtpd_proto(s));
	smtpd_milter_helo(s);
	return true;
}

/* "client [addr]" (and "(may be forged)") as the Hello reply names the client. */
static void
hello_who(const struct smtpd *s, struct pt_buf *out)
{
	if (s->daemon == NULL)
		pt_buf_adds(out, s->client_name);
	else
		pt_buf_printf(out, "%s", s->relay);	/* with "(may be forged)" when it is */
}

void
smtpd_helo(struct smtpd *s, const struct smtp_cmd *c)
{
	struct pt_buf who = PT_BUF_INIT;

	if (!hello(s, c, false))
		return;
	hello_who(s, &who);
	smtpd_say(s, 250, NULL, "%s Hello %s, pleased to meet you", myname(s), who.s);
	pt_buf_free(&who);
}

void
smtpd_ehlo(struct smtpd *s, const struct smtp_cmd *c)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf who = PT_BUF_INIT;
	long max = s->cfg->opt.max_message_size;

	if (!hello(s, c, true))
		return;
	hello_who(s, &who);
	smtp_reply_set(&r, 250, NULL, "%s Hello %s, pleased to meet you", myname(s), who.s);
	smtp_reply_add(&r, "ENHANCEDSTATUSCODES");
	if (s->reject_all && s->tls == NULL) {
		/* a refused client hears of nothing else, as upstream's nullserver */
		smtpd_send(s, &r);
		smtp_reply_free(&r);
		pt_buf_free(&who);
		return;
	}
	smtp_reply_add(&r, "PIPELINING");
	if (!smtpd_privacy(s, "noexpn"))
		smtp_reply_add(&r, "EXPN");
	if (!smtpd_privacy(s, "noverb") && !smtpd_privacy(s, "novrfy"))
		smtp_reply_add(&r, "VERB");	/* upstream hides VERB under novrfy too */
	smtp_reply_add(&r, "8BITMIME");
	if (max > 0)
		smtp_reply_add(&r, "SIZE %ld", max);
	else
		smtp_reply_add(&r, "SIZE");
	if (!smtpd_privacy(s, "noreceipts"))
		smtp_reply_add(&r, "DSN");
	if (!smtpd_privacy(s, "noetrn") && !(s->daemon && cf_daemon_has(s->daemon, 'E')))
		smtp_reply_add(&r, "ETRN");
	smtpd_auth_ehlo(s, &r);
	if (smtpd_tls_offered(s))
		smtp_reply_add(&r, "STARTTLS");
	if (s->cfg->opt.deliver_by_min > 0)
		smtp_reply_add(&r, "DELIVERBY %ld", s->cfg->opt.deliver_by_min);
	else if (s->cfg->opt.deliver_by_min == 0)
		smtp_reply_add(&r, "DELIVERBY");
	smtp_reply_add(&r, "HELP");
	smtpd_milter_ehlo_trim(s, &r);
	smtpd_send(s, &r);
	smtp_reply_free(&r);
	pt_buf_free(&who);
}

void
smtpd_rset(struct smtpd *s, const struct smtp_cmd *c)
{
	(void)c;
	smtpd_reset(s);
	smtpd_say(s, 250, "2.0.0", "Reset state");
}

void
smtpd_noop(struct smtpd *s, const struct smtp_cmd *c)
{
	long max = s->cfg->opt.max_noop_commands;

	(void)c;
	/* as upstream: from the max-th on, each NOOP waits twice as long (1 s, 2 s, ...) */
	if (max > 0 && ++s->noops >= max) {
		int shift = s->noops - (int)max;

		if (shift == 0)
			pt_log(LOG_NOTICE, "%s: possible SMTP attack: command=NOOP, count=%d",
			    s->relay, s->noops);
		sleep(1u << (shift < 6 ? shift : 6));
	}
	smtpd_say(s, 250, "2.0.0", "OK");
}

void
smtpd_quit(struct smtpd *s, const struct smtp_cmd *c)
{
	(void)c;
	smtpd_say(s, 221, "2.0.0", "%s closing connection", myname(s));
	s->quit = true;
}

/* VRFY and EXPN: the argument and HELO checks, then the answer (smtpd_vrfy.c). */
static void
verify(struct smtpd *s, const struct smtp_cmd *c, const char *verb)
{
	char *arg;

	if (c->arg.len == 0) {
		smtpd_say(s, 501, "5.5.2", "Argument required");
		return;
	}
	if (s->helo == NULL && smtpd_privacy(s, strcmp(verb, "VRFY") == 0 ? "needvrfyhelo" :
	    "needexpnhelo")) {
		smtpd_say(s, 503, "5.0.0", "I demand that you introduce yourself first");
		return;
	}
	arg = pt_strndup(c->arg.p, c->arg.len);
	if (s->cfg->opt.log_level > 5)	/* as upstream: the command as the client wrote it */
		smtpd_log(s, LOG_INFO, "%s: %.*s", s->relay, (int)c->line.len, c->line.p);
	smtpd_vrfy_answer(s, arg, strcmp(verb, "EXPN") == 0);
	free(arg);
}

void
smtpd_vrfy(struct smtpd *s, const struct smtp_cmd *c)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	char *arg = pt_strndup(c->arg.p, c->arg.len);

	if (smtpd_check(s, "check_vrfy", arg, NULL, NULL, &r) == SMTPD_CHECK_REJECT)
		smtpd_send(s, &r);
	else if (smtpd_privacy(s, "novrfy")) {
		smtpd_log(s, LOG_INFO, "%s: vrfy %s [denied]", s->relay, arg);
		smtpd_say(s, 252, "2.5.2", "Cannot VRFY user; try RCPT to attempt delivery "
		    "(or try finger)");
	} else
		verify(s, c, "VRFY");
	smtp_reply_free(&r);
	free(arg);
}

void
smtpd_expn(struct smtpd *s, const struct smtp_cmd *c)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	char *arg = pt_strndup(c->arg.p, c->arg.len);

	if (smtpd_check(s, "check_expn", arg, NULL, NULL, &r) == SMTPD_CHECK_REJECT)
		smtpd_send(s, &r);
	else if (smtpd_privacy(s, "noexpn")) {
		smtpd_log(s, LOG_INFO, "%s: expn %s [denied]", s->relay, arg);
		smtpd_say(s, 502, "5.7.0", "Sorry, we do not allow this operation");
	} else
		verify(s, c, "EXPN");
	smtp_reply_free(&r);
	free(arg);
}

/* Adds the lines of the help file for topic (lines "topic<TAB>text"). */
static int
help_lines(struct smtpd *s, const char *topic, struct smtp_reply *r)
{
	const char *path = s->cfg->opt.help_file;
	FILE *fp = path != NULL ? fopen(path, "r") : NULL;
	struct pt_buf line = PT_BUF_INIT, exp = PT_BUF_INIT;
	size_t tl = strlen(topic);
	int n = 0;

	if (fp == NULL)
		return -1;
	while (pt_file_getline(fp, &line)) {
		if (line.s == NULL || line.s[0] == '#' || pt_strncasecmp(line.s, topic, tl) != 0 ||
		    line.s[tl] != '\t')
			continue;
		pt_buf_reset(&exp);
		mac_expand(s->rw.macros, line.s + tl + 1, &exp);
		if (n++ == 0)
			smtp_reply_set(r, 214, "2.0.0", "%s", pt_buf_str(&exp));
		else
			smtp_reply_add(r, "%s", pt_buf_str(&exp));
	}
	fclose(fp);
	pt_buf_free(&line);
	pt_buf_free(&exp);
	return n;
}

void
smtpd_help(struct smtpd *s, const struct smtp_cmd *c)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	/* as upstream: a topic is at most its first ten characters */
	char *topic = c->arg.len ? pt_strndup(c->arg.p, c->arg.len < 10 ? c->arg.len : 10) :
	    pt_strdup("smtp");
	int n;

	pt_str_trim(topic);	/* in place: a cut topic loses its trailing blanks */
	pt_str_lower(topic);
	n = help_lines(s, topic, &r);
	if (n < 0)
		smtpd_say(s, 502, "5.3.0", "%s %s -- HELP not implemented", PACKAGE_NAME,
		    PACKAGE_VERSION);
	else if (n == 0)
		smtpd_say(s, 504, "5.3.0", "HELP topic \"%s\" unknown", topic);
	else {
		smtp_reply_add(&r, "End of HELP info");
		smtpd_send(s, &r);
	}
	smtp_reply_free(&r);
	free(topic);
}

void
smtpd_etrn(struct smtpd *s, const struct smtp_cmd *c)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf req = PT_BUF_INIT;
	char *arg;

	if (c->arg.len == 0) {
		smtpd_say(s, 500, "5.5.2", "Parameter required");
		return;
	}
	if (smtpd_privacy(s, "noetrn") || (s->daemon && cf_daemon_has(s->daemon, 'E'))) {
		smtpd_say(s, 502, "5.7.0", "Sorry, we do not allow this operation");
		return;
	}
	arg = pt_strndup(c->arg.p, c->arg.len);
	if (smtpd_check(s, "check_etrn", arg, NULL, NULL, &r) == SMTPD_CHECK_REJECT)
		smtpd_send(s, &r);
	else if (arg[0] == '#' && pt_strcasecmp(arg + 1, "mqueue") != 0)
		smtpd_say(s, 459, "4.5.4", "Queue %s unknown", arg + 1);
	else {
		smtpd_log(s, LOG_INFO, "%s: ETRN %s", s->relay, arg);
		if (s->reqfd >= 0) {
			pt_buf_printf(&req, "ETRN %s", arg[0] == '#' ? "" : arg);
			send(s->reqfd, req.s, req.len, MSG_DONTWAIT);
		}
		if (arg[0] == '#')
			smtpd_say(s, 250, "2.0.0", "Queuing for queue group %s started", arg + 1);
		else
			smtpd_say(s, 250, "2.0.0", "Queuing for node %s started", arg);
	}
	smtp_reply_free(&r);
	pt_buf_free(&req);
	free(arg);
}

void
smtpd_verb(struct smtpd *s, const struct smtp_cmd *c)
{
	(void)c;
	if (smtpd_privacy(s, "noverb")) {
		smtpd_say(s, 502, "5.7.0", "Verbose unavailable");
		return;
	}
	s->verbose = true;
	smtpd_say(s, 250, "2.0.0", "Verbose mode");
}
