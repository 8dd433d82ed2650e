/*
 * submit: sendmail as a mail program (-bm, the default mode, and -t): the
 * message on standard input is queued with the headers the configuration
 * defines and delivered at once through the configuration's mailers.
 *
 * Run by a user, the program reads submit.cf (privs.c), so the message goes
 * into the client queue (/var/spool/clientmqueue) and the mailers relay it
 * over SMTP to the daemon on 127.0.0.1; run by root it reads sendmail.cf
 * and the message goes into the MTA's queue and is delivered directly.  The
 * message is committed to the queue (durably) before any delivery starts,
 * so a failure afterwards only leaves it queued for the next run.  The
 * delivery is the one every queued message gets (deliver.c), in the
 * foreground (DeliveryMode=i, or -v: with the transcript), in the
 * background after the recipients were looked up in the foreground (b),
 * only that look-up (q and d); ErrorMode says how the failures
 * this process finds are told (deliver_errmode.c) and they make its exit
 * status.
 *
 * Runs as the user who called it, with the smmsp group when installed
 * set-group-ID; never as root unless root called it.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "deliver.h"
#include "headers.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"
#include "submit.h"

/* Default ${daemon_flags} of a command-line submission (op.txt, DirectSubmissionModifiers). */
#define SUBMIT_FLAGS "c u"
#define SUBMIT_FLAGS_RELAY "CC f"	/* with -G */

const char *
sm_direct_flags(const struct sm_run *run)
{
	const char *flags = run->cfg->opt.direct_submission_modifiers;

	return flags != NULL ? flags : run->relay_submission ? SUBMIT_FLAGS_RELAY : SUBMIT_FLAGS;
}

/* Sets the macros of the submission ($_, $s, $r, $x, $u, ${daemon_flags}) and saves some. */
static void
submit_macros(struct submit *s)
{
	struct mac_table *m = s->rw.macros;
	const char *flags = sm_direct_flags(s->run);
	const char *one;
	struct pt_buf b = PT_BUF_INIT;

	pt_buf_printf(&b, "%s@localhost", s->login);
	mac_set(m, '_', b.s, 0);
	queue_env_set_macro(s->e, "_", b.s);
	mac_set_name(m, "{daemon_flags}", flags, 0);
	queue_env_set_macro(s->e, "{daemon_flags}", flags);
	if (s->run->protocol != NULL) {
		char *proto = pt_strdup(s->run->protocol), *host = strchr(proto, ':');

		if (host != NULL)
			*host++ = '\0';
		mac_set(m, 'r', proto, 0);
		queue_env_set_macro(s->e, "r", proto);
		if (host != NULL && *host) {
			mac_set(m, 's', host, 0);
			queue_env_set_macro(s->e, "s", host);
		}
		free(proto);
	}
	mac_set(m, 'f', s->e->sender, 0);
	mac_set(m, 'x', s->fullname, 0);
	/* $u (the Received header's "for"): the one recipient of the command line, not of
	 * -t's headers; one that was refused counts (upstream keeps it to bounce it) */
	if (s->run->read_recipients || s->e->nrcpts + (size_t)s->run->nrefused != 1)
		one = NULL;
	else
		one = s->e->nrcpts == 1 ? s->e->rcpts[0].addr : s->run->refused[0].addr;
	mac_set(m, 'u', one, 0);
	pt_buf_free(&b);
}

/* Builds the header list: the templates, the warnings, then the message's own. */
static void
build_headers(struct submit *s)
{
	hdr_date_macros(s->rw.macros, s->own, s->e->ctime, s->e->id);
	submit_macros(s);
	hdr_add_templates(s->cfg, s->rw.macros, s->e, s->own, s->resent);
	submit_auth_warnings(s);
	for (size_t i = 0; i < s->own->nhdrs; i++) {
		const struct queue_header *h = &s->own->hdrs[i];

		queue_env_add_header(s->e, h->cond, h->name, h->value);
	}
}

/* The envelope's settings from the command line and what reading found. */
static void
envelope_settings(struct submit *s)
{
	struct queue_env *e = s->e;

	if (s->has_8bit)
		e->flags |= QEF_8BIT;
	if (s->run->ret != 0)
		e->flags |= QEF_RET_PARAM | (s->run->ret == 'h' ? QEF_NO_BODY_RETURN : 0);
	if (s->run->envid != NULL)
		e->envid = queue_env_str(e, s->run->envid);
	if (s->run->bodytype != NULL)
		e->bodytype = queue_env_str(e, s->run->bodytype);
	e->priority = (long)s->size - (long)hdr_class(s->cfg, e) * s->cfg->opt.class_factor +
	    (long)e->nrcpts * s->cfg->opt.recipient_factor;
}

/* The body sink of submit_read: the df of the new message. */
static int
write_df(void *ctx, const char *p, size_t n)
{
	return queue_msg_write(ctx, p, n) == QUEUE_OK ? 0 : -1;
}

/*
 * True if the recipients the submission refused are to be bounced (all
 * ErrorModes but q): the message is then queued even when no recipient is
 * left, as upstream queues it to return it.
 */
static bool
bounce_refused(const struct submit *s)
{
	char errmode = s->cfg->opt.error_mode ? s->cfg->opt.error_mode : 'p';

	return s->run->nrefused > 0 && errmode != 'q';
}

/*
 * The message's from= line, for its delivery attempt to log after the
 * failures of the expansion (sm_run.from_line).
 */
static void
from_line(struct submit *s)
{
	const struct queue_header *mid = queue_env_header(s->e, "Message-Id");
	char *msgid = mid != NULL ? pt_strdup(mid->value) : NULL;
	const char *v = msgid != NULL ? pt_str_trim(msgid) : "";
	struct pt_buf b = PT_BUF_INIT;

	pt_buf_printf(&b, "from=%s, size=%llu, class=%d, nrcpts=%zu, %s%s%srelay=%s",
	    s->e->sender, s->size, hdr_class(s->cfg, s->e), s->e->nrcpts, *v ? "msgid=" : "", v,
	    *v ? ", " : "", queue_env_macro(s->e, "_"));
	free(s->run->from_line);
	s->run->from_line = pt_buf_steal(&b);
	free(msgid);
}

/* Reads the message and queues it; the message id goes to id.  An exit status. */
static int
queue_message(struct submit *s, struct queue_dir *qd, char id[QUEUE_ID_MAX])
{
	struct queue_idgen g;
	struct queue_msg *m;
	struct pt_buf err = PT_BUF_INIT;
	int rc = EX_OK;

	queue_idgen_init(&g, (long)getpid(), (unsigned)time(NULL));
	s->e->ctime = (long long)time(NULL);
	if (queue_msg_create(qd, &g, (time_t)s->e->ctime, &m, &err) != QUEUE_OK) {
		fprintf(stderr, "%s: cannot create a queue file: %s\n", s->run->progname,
		    pt_buf_str(&err));
		pt_buf_free(&err);
		return EX_CANTCREAT;
	}
	pt_strlcpy(s->e->id, queue_msg_id(m), sizeof s->e->id);
	struct submit_sink df = { write_df, m };

	submit_read(s, stdin, s->run->ignore_dots || s->cfg->opt.ignore_dots, &df);
	submit_recipients(s);
	if ((s->e->nrcpts == 0 && !bounce_refused(s)) || s->write_failed) {
		queue_msg_abort(m);
		if (s->write_failed)
			fprintf(stderr, "%s: cannot write the queue file\n", s->run->progname);
		else if (s->nbad == 0)
			fprintf(stderr, "No recipient addresses found in header\n");
		return s->write_failed ? EX_IOERR : s->nbad > 0 ? EX_USAGE : EX_OK;
	}
	envelope_settings(s);
	build_headers(s);
	s->e->flags |= hdr_new_message_flags(s->e);
	dsn_final_rcpts(s->cfg, s->e);
	if (queue_msg_commit(m, s->e, &err) != QUEUE_OK) {
		fprintf(stderr, "%s: cannot queue the message: %s\n", s->run->progname,
		    pt_buf_str(&err));
		queue_msg_abort(m);
		rc = EX_TEMPFAIL;
	} else {
		from_line(s);
		pt_strlcpy(id, s->e->id, QUEUE_ID_MAX);
		queue_msg_close(m);
	}
	pt_buf_free(&err);
	return rc;
}

/*
 * Delivers the queued message as DeliveryMode (or -v) says, and tells the
 * failures as ErrorMode says (deliver_errmode.c): i delivers in the
 * foreground; b expands aliases and looks local users up first, then a
 * child delivers what is left in the background and mails the notice of
 * every failure (deliver.c); q and d only expand (what fails fails now,
 * the rest, expanded, waits for a queue run), as upstream does for both.
 * Returns the status the program exits with.
 */
static int
deliver_now(struct sm_run *run, struct queue_dir *qd, const char *id)
{
	int mode = run->cfg->opt.delivery_mode ? run->cfg->opt.delivery_mode : 'b';
	char errmode = run->cfg->opt.error_mode ? run->cfg->opt.error_mode : 'p';

	if (run->verbose)
		mode = 'i';
	run->submitted_id = id;
	if (mode == 'i')
		return dlv_submitted(run, qd, id, DLV_PASS_DELIVER, errmode, NULL);
	/* d as q: upstream expands the aliases before it defers too */
	return dlv_submitted(run, qd, id, mode == 'b' ? DLV_PASS_FORK : DLV_PASS_QUEUE, errmode,
	    NULL);
}

int
mode_submit(struct sm_run *run)
{
	struct submit s;
	struct queue_dir *qd;
	char id[QUEUE_ID_MAX] = "";
	int rc;

	if (!run->read_recipients && run->nrcpts == 0) {
		fprintf(stderr, "Recipient names must be specified\n");
		return EX_USAGE;
	}
	pt_log_open(run->log_tag ? run->log_tag : "sendmail", PT_LOG_SYSLOG);
	signal(SIGPIPE, SIG_IGN);
	memset(&s, 0, sizeof s);
	s.run = run;
	s.cfg = run->cfg;
	s.uid = run->real_uid;
	s.e = queue_env_new();
	s.own = queue_env_new();
	rw_ctx_init(&s.rw, run->cfg);
	submit_identity(&s);
	if (dlv_open_queue(run, &qd) != QUEUE_OK) {
		fprintf(stderr, "%s: cannot open the queue %s\n", run->progname,
		    run->cfg->opt.queue_directory ? run->cfg->opt.queue_directory : "");
		rc = EX_TEMPFAIL;
	} else {
		rc = queue_message(&s, qd, id);
		if (id[0] != '\0') {
			int st = deliver_now(run, qd, id);

			if (rc == EX_OK)
				rc = st;
		}
		if (run->from_line != NULL) {	/* no attempt took it */
			pt_log_id(LOG_INFO, id, "%s", run->from_line);
			free(run->from_line);
			run->from_line = NULL;
		}
		queue_dir_close(qd);
	}
	/* ErrorMode e: the refused recipients are mailed back and the program succeeds */
	if (rc == EX_OK && s.nbad > 0 && run->cfg->opt.error_mode != 'e')
		rc = EX_USAGE;
	for (int i = 0; i < run->nrefused; i++) {
		free(run->refused[i].addr);
		free(run->refused[i].user);
		free(run->refused[i].status);
		free(run->refused[i].text);
	}
	free(run->refused);
	run->refused = NULL;
	run->nrefused = 0;
	rw_ctx_done(&s.rw);
	queue_env_free(s.e);
	queue_env_free(s.own);
	free(s.login);
	free(s.home);
	free(s.fullname);
	return rc;
}
