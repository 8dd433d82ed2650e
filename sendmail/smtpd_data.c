/*
 * smtpd_data: DATA: the message read into the df while its header is
 * parsed, the configuration's header templates added (Received, Date,
 * Message-Id ...), the hop count checked, and the queue commit before 250.
 *
 * Runs in the session process.  The 250 reply is written only after
 * queue_msg_commit returned: the message is then on disk and survives a
 * crash.  A message that cannot be committed is never acknowledged.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "deliver.h"
#include "headers.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"
#include "smtpd.h"
#include "smtp_data.h"

/* The state of one message being read. */
struct collect {
	struct smtpd *s;
	struct queue_msg *m;
	struct pt_buf hdr;	/* the header line being assembled */
	bool have_hdr;
	bool hdr_more;		/* the last piece of the header line had more to come */
	bool failed;		/* a df write failed */
	int hops;		/* Received: headers seen */
	bool resent;		/* a Resent- header was seen */
};

/* Stores the assembled header in the envelope. */
static void
flush_header(struct collect *c)
{
	const char *h = pt_buf_str(&c->hdr), *colon;

	if (!c->have_hdr)
		return;
	colon = strchr(h, ':');
	if (colon != NULL && colon > h) {
		char *name = pt_strndup(h, (size_t)(colon - h));

		pt_str_trim(name);
		if (pt_strcasecmp(name, "Received") == 0)
			c->hops++;
		if (pt_str_iprefix(name, "Resent-"))
			c->resent = true;
		queue_env_add_header(c->s->env, "", name, colon + 1);
		free(name);
	}
	pt_buf_reset(&c->hdr);
	c->have_hdr = false;
}

/* The sink of smtp_data_read: headers to the envelope, body lines to the df. */
static int
sink_line(void *ctx, enum smtp_data_part part, const char *p, size_t len, bool more)
{
	struct collect *c = ctx;

	switch (part) {
	case SMTP_DATA_FROMLINE:
		return 0;
	case SMTP_DATA_HEADER:
		if (!c->hdr_more)
			flush_header(c);
		pt_buf_add(&c->hdr, p, len);
		c->have_hdr = true;
		c->hdr_more = more;
		return 0;
	case SMTP_DATA_CONT:
		if (!c->hdr_more)
			pt_buf_addc(&c->hdr, '\n');
		pt_buf_add(&c->hdr, p, len);
		c->hdr_more = more;
		return 0;
	case SMTP_DATA_EOH:
		flush_header(c);
		return 0;
	case SMTP_DATA_BODY:
		if (c->failed)
			return -1;
		if (queue_msg_write(c->m, p, len) != QUEUE_OK ||
		    (!more && queue_msg_write(c->m, "\n", 1) != QUEUE_OK)) {
			c->failed = true;
			return -1;
		}
		return 0;
	}
	return 0;
}

/* True if the envelope already has header name. */
static bool
has_header(const struct smtpd *s, const char *name)
{
	return queue_env_header(s->env, name) != NULL;
}

/* Upstream's warning header for a client that gave no HELO (PrivacyOptions authwarnings; logged at MAIL). */
static void
no_helo_warning(struct smtpd *s)
{
	struct pt_buf v = PT_BUF_INIT;

	if (s->helo != NULL || !smtpd_privacy(s, "authwarnings"))
		return;
	pt_buf_printf(&v, " %s: %s didn't use HELO protocol",
	    mac_get(s->cfg->macros, 'j', NULL), s->relay);
	queue_env_add_header(s->env, "", "X-Authentication-Warning", v.s);
	pt_buf_free(&v);
}

/* True if the envelope's sender is the null sender. */
static bool
null_sender(const struct queue_env *e)
{
	return e->sender == NULL || *e->sender == '\0' || strcmp(e->sender, "<>") == 0;
}

/* The configuration's headers: added in front of the message's own. */
static void
add_template_headers(struct smtpd *s, bool resent)
{
	struct queue_env *e = s->env;
	size_t own = e->nhdrs;
	struct pt_buf v = PT_BUF_INIT, cond = PT_BUF_INIT;

	for (int i = 0; i < s->cfg->nheaders; i++) {
		const struct cf_header *h = &s->cfg->headers[i];
		bool trace = pt_strcasecmp(h->name, "Received") == 0;

		if (h->macro >= 0 && mac_get(s->rw.macros, h->macro, NULL) == NULL)
			continue;
		if (!trace && has_header(s, h->name))
			continue;
		/* mail from the null sender gets no From: (upstream's, with its MAILER-DAEMON $g) */
		if (pt_strcasecmp(h->name, "From") == 0 && null_sender(e))
			continue;
		if (pt_str_iprefix(h->name, "Resent-") && !resent)
			continue;
		pt_buf_reset(&v);
		hdr_expand_template(s->rw.macros, h->name, h->value, e->sender, &v);
		if (pt_str_trim(v.s ? v.s : (char *)"")[0] == '\0')
			continue;
		pt_buf_reset(&cond);
		for (int ch = 1; ch < 128; ch++)
			if (h->has_mflags && cf_mflag(&h->mflags, ch))
				pt_buf_addc(&cond, ch);
		{
			struct pt_buf val = PT_BUF_INIT;

			pt_buf_addc(&val, ' ');
			pt_buf_adds(&val, v.s);
			queue_env_add_header(e, pt_buf_str(&cond), h->name, val.s);
			pt_buf_free(&val);
		}
	}
	no_helo_warning(s);
	/* move the templates in front of the message's own headers */
	if (own > 0 && e->nhdrs > own) {
		size_t add = e->nhdrs - own;
		struct queue_header *tmp = pt_calloc(e->nhdrs, sizeof *tmp);

		memcpy(tmp, e->hdrs + own, add * sizeof *tmp);
		memcpy(tmp + add, e->hdrs, own * sizeof *tmp);
		memcpy(e->hdrs, tmp, e->nhdrs * sizeof *tmp);
		free(tmp);
	}
	pt_buf_free(&v);
	pt_buf_free(&cond);
}

/* Sets the macros the header templates use for this message. */
static void
message_macros(struct smtpd *s, const char *id)
{
	struct queue_env *e = s->env;
	const struct queue_header *date = queue_env_header(e, "Date");
	char buf[64];
	time_t now = (time_t)e->ctime;
	struct tm tm;

	smtpd_macro(s, "i", id);
	pt_str_date(now, buf);
	smtpd_macro(s, "b", buf);
	smtpd_macro(s, "a", date != NULL ? pt_str_trim((char *)date->value) : buf);
	localtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y%m%d%H%M", &tm);
	smtpd_macro(s, "t", buf);
	smtpd_macro(s, "_", s->relay);
	smtpd_macro(s, "u", s->nrcpts == 1 ? e->rcpts[0].addr : NULL);
}

void
smtpd_log_from(struct smtpd *s, unsigned long long size)
{
	const struct queue_header *mid;
	char *copy;
	const char *msgid;

	if (s->from_logged)
		return;
	s->from_logged = true;
	mid = queue_env_header(s->env, "Message-Id");
	copy = mid ? pt_strdup(mid->value) : NULL;
	msgid = copy ? pt_str_trim(copy) : NULL;
	pt_log_id_lv(5, LOG_INFO, smtpd_log_id(s), "from=%s, size=%llu, class=%d, nrcpts=%d, "
	    "%s%s%sproto=%s, %s%s%srelay=%s", s->env->sender, size,
	    hdr_class(s->cfg, s->env), s->nrcpts, msgid ? "msgid=" : "", msgid ? msgid : "",
	    msgid ? ", " : "", smtpd_proto(s), s->daemon ? "daemon=" : "",
	    s->daemon ? s->daemon->name : "", s->daemon ? ", " : "", s->relay);	/* none for -bs */
	free(copy);
}

/* AlwaysBcc (FEATURE(always_bcc)): the copy's address joins the envelope, not the headers. */
static void
add_always_bcc(struct smtpd *s)
{
	const char *bcc = s->cfg->opt.always_bcc;
	struct queue_rcpt *q;

	if (bcc == NULL || *bcc == '\0')
		return;
	for (size_t i = 0; i < s->env->nrcpts; i++)
		if (pt_strcasecmp(s->env->rcpts[i].addr, bcc) == 0)
			return;
	q = queue_env_add_rcpt(s->env, bcc);
	q->flags |= QRF_PRIMARY | QRF_NOTIFY_DEFAULT;
}

/*
 * -bs: the delivery of message qid, just committed, by this process (as
 * upstream's -bs delivers, no daemon's delivery processes being there).
 * Its standard output is the SMTP channel: -v's transcript is not written
 * there.
 */
static void
bs_deliver(struct smtpd *s, const char *qid, int origin)
{
	bool verbose = s->run->verbose;

	fflush(stdout);
	s->run->verbose = false;
	(void)dlv_message_id(s->run, s->qd, qid, NULL, origin);
	s->run->verbose = verbose;
	pt_log_set_qid(NULL);
}

/* Reads the message and answers; the transaction ends either way. */
static void
receive(struct smtpd *s, struct queue_msg *m)
{
	struct collect c = { s, m, PT_BUF_INIT, false, false, false, 0, false };
	struct smtp_data_opts o = { 0 };
	struct smtp_data_sink sink = { sink_line, &c };
	struct smtp_data_result res = { 0 };
	struct pt_buf err = PT_BUF_INIT;
	const char *id = queue_msg_id(m);

	o.reject_nul = s->cfg->opt.reject_nul;
	o.max_size = s->cfg->opt.max_message_size > 0 ?
	    (unsigned long long)s->cfg->opt.max_message_size : 0;
	o.max_headers = s->cfg->opt.max_headers_length > 0 ?
	    (size_t)s->cfg->opt.max_headers_length : 0;
	res.reply = (struct smtp_reply)SMTP_REPLY_INIT;
	smtp_io_set_deadline(s->io, 3600000);
	smtp_data_read(s->io, &o, &sink, &res);
	smtp_io_clear_deadline(s->io);
	flush_header(&c);
	if (res.status == SMTP_DATA_IO && res.io == SMTP_IO_EOF) {
		/* upstream's three lines: the loss, who and from whom, and the from= line */
		pt_log_id(LOG_NOTICE, id, "collect: premature EOM: unexpected close");
		pt_log_id(LOG_NOTICE, id, "collect: relay=%s, from=%s, info=unexpected close",
		    s->client_name, s->env->sender);
		smtpd_log_from(s, res.msg_bytes);
		queue_msg_abort(m);
		s->quit = true;
	} else if (res.status == SMTP_DATA_IO) {
		pt_log_id(LOG_NOTICE, id, "collect: I/O error on connection from %s", s->relay);
		queue_msg_abort(m);
		s->quit = true;
	} else if (res.status == SMTP_DATA_ABORT || res.status == SMTP_DATA_REJECT) {
		smtpd_send(s, &res.reply);
		queue_msg_abort(m);
		s->quit = res.status == SMTP_DATA_ABORT;
	} else if (res.status == SMTP_DATA_SINK) {
		smtpd_say(s, 452, "4.3.1", "Insufficient disk space; try again later");
		queue_msg_abort(m);
	} else if (c.hops > s->cfg->opt.max_hop_count) {
		smtpd_say(s, 554, "5.4.6", "Too many hops %d (%ld max): from %s via %s, to %s",
		    c.hops, s->cfg->opt.max_hop_count, s->env->sender,
		    mac_get(s->cfg->macros, 'j', NULL), s->env->rcpts[0].addr);
		queue_msg_abort(m);
	} else {
		size_t own = s->env->nhdrs;

		message_macros(s, id);
		add_template_headers(s, c.resent);
		s->env->flags |= hdr_new_message_flags(s->env);
		s->env->priority = (long)res.msg_bytes -
		    (long)hdr_class(s->cfg, s->env) * s->cfg->opt.class_factor +
		    (long)s->nrcpts * s->cfg->opt.recipient_factor;
		if (res.has_8bit && s->env->bodytype == NULL)
			s->env->flags |= QEF_8BIT;
		add_always_bcc(s);
		dsn_final_rcpts(s->cfg, s->env);
		if (!smtpd_milter_message(s, m, s->env->nhdrs - own)) {
			queue_msg_abort(m);
		} else if (s->discard) {
			char qid[QUEUE_ID_MAX];

			/* the id lives in m, which the abort frees */
			pt_strlcpy(qid, id, sizeof qid);
			pt_log_id(LOG_NOTICE, qid, "discarded");
			queue_msg_abort(m);
			smtpd_say(s, 250, "2.0.0", "%s Message accepted for delivery", qid);
		} else if (queue_msg_commit(m, s->env, &err) != QUEUE_OK) {
			pt_log_id(LOG_ERR, id, "queueup: %s", pt_buf_str(&err));
			queue_msg_abort(m);
			smtpd_say(s, 451, "4.3.0", "Error writing the queue file; try again later");
		} else {
			char qid[QUEUE_ID_MAX];
			int mode = s->cfg->opt.delivery_mode ? s->cfg->opt.delivery_mode : 'b';
			bool now = mode != 'q' && mode != 'd' && s->env->quarantine == NULL &&
			    !sm_la_queue(&s->cfg->opt, s->env->priority);

			smtpd_log_from(s, res.msg_bytes);
			/* the lock goes before a delivery takes it */
			pt_strlcpy(qid, id, sizeof qid);
			if (s->daemon == NULL && now && mode == 'i') {
				queue_msg_close(m);
				/* -bs -odi: delivered before the reply, as queued (pri= as the P record) */
				bs_deliver(s, qid, DLV_ORIGIN_NEW);
				smtpd_say(s, 250, "2.0.0", "%s Message accepted for delivery", qid);
			} else {
				smtpd_say(s, 250, "2.0.0", "%s Message accepted for delivery", id);
				queue_msg_close(m);
				if (s->reqfd >= 0 && now)
					send(s->reqfd, qid, strlen(qid), MSG_DONTWAIT);
				else if (s->daemon == NULL && now && fork() == 0) {
					setsid();	/* -bs -odb: in the background, read back */
					bs_deliver(s, qid, DLV_ORIGIN_SMTP);
					_exit(EX_OK);
				}
			}
		}
	}
	smtp_reply_free(&res.reply);
	pt_buf_free(&c.hdr);
	pt_buf_free(&err);
	s->from_logged = true;	/* whatever became of the message, its DATA was answered */
	smtpd_reset(s);
}

void
smtpd_data(struct smtpd *s, const struct smtp_cmd *c)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf err = PT_BUF_INIT;
	struct queue_msg *m;
	char n[16];

	(void)c;
	if (s->env == NULL) {
		smtpd_say(s, 503, "5.0.0", "Need MAIL command");
		return;
	}
	if (s->nrcpts == 0) {
		smtpd_say(s, 503, "5.0.0", "Need RCPT (recipient)");
		return;
	}
	snprintf(n, sizeof n, "%d", s->nrcpts);
	if (smtpd_check(s, "check_data", n, NULL, NULL, &r) == SMTPD_CHECK_REJECT) {
		smtpd_send(s, &r);
		smtp_reply_free(&r);
		return;
	}
	/* the message takes the session's envelope id (made from the same counter) */
	if (s->sid[0] != '\0')
		s->idgen->seq = s->sid_seq;
	s->sid_used = true;
	if (queue_msg_create(s->qd, s->idgen, s->sid[0] != '\0' ? (time_t)s->sid_time :
	    (time_t)s->env->ctime, &m, &err) != QUEUE_OK) {
		pt_log(LOG_ERR, "%s", pt_buf_str(&err));
		smtpd_say(s, 451, "4.3.0", "Temporary queue problem; try again later");
		pt_buf_free(&err);
		return;
	}
	pt_log_set_qid(queue_msg_id(m));
	if (!smtpd_milter_data(s, queue_msg_id(m))) {
		queue_msg_abort(m);
		pt_log_set_qid(NULL);
		smtp_reply_free(&r);
		return;
	}
	smtpd_say(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
	receive(s, m);
	pt_log_set_qid(NULL);
	smtp_reply_free(&r);
	pt_buf_free(&err);
}
