/*
 * dsn: delivery status notifications (RFC 3461, 3464): the bounce for
 * recipients that failed, the success notice for NOTIFY=SUCCESS, sent from
 * the null sender to the envelope sender (or, for a bounce of a bounce, to
 * the postmaster), with the original headers or message per RET.
 *
 * Runs in the delivery process.  A notification is itself queued as a new
 * message (so it is as durable as any other) and handed to a delivery
 * process of its own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "deliver.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"

/* An RFC 5322 date for time t. */
static void
rfc_date(time_t t, char out[64])
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 64, "%a, %d %b %Y %H:%M:%S %z", &tm);
}

/* True if target t's outcome should be reported for kind (DLV_FAILED or DLV_SENT). */
static bool
reportable(const struct dlv *d, const struct dlv_target *t, int kind)
{
	const struct queue_rcpt *r = t->rcpt >= 0 ? &d->e->rcpts[t->rcpt] : NULL;

	if (t->state != kind)
		return false;
	if (r == NULL || !(r->flags & QRF_HAS_NOTIFY))
		return kind == DLV_FAILED;
	return kind == DLV_FAILED ? (r->flags & QRF_NOTIFY_FAILURE) != 0 :
	    (r->flags & QRF_NOTIFY_SUCCESS) != 0;
}

/* The human-readable part. */
static void
human_part(struct dlv *d, int kind, struct pt_buf *b)
{
	char date[64];

	rfc_date((time_t)d->e->ctime, date);
	pt_buf_printf(b, "The original message was received at %s\n", date);
	if (queue_env_macro(d->e, "_") != NULL)
		pt_buf_printf(b, "from %s\n", queue_env_macro(d->e, "_"));
	pt_buf_printf(b, "\n   ----- %s -----\n", kind == DLV_FAILED ?
	    "The following addresses had permanent fatal errors" :
	    "The following addresses had successful delivery notifications");
	for (int i = 0; i < d->targets.n; i++) {
		const struct dlv_target *t = &d->targets.v[i];

		if (!reportable(d, t, kind))
			continue;
		pt_buf_printf(b, "%s\n", t->addr);
		if (kind == DLV_FAILED)
			pt_buf_printf(b, "    (reason: %d %s %s)\n", t->code, t->status, t->text);
	}
}

/* The machine-readable part (message/delivery-status). */
static void
status_part(struct dlv *d, int kind, struct pt_buf *b)
{
	char date[64];

	pt_buf_printf(b, "Reporting-MTA: dns; %s\n", mac_get(d->cfg->macros, 'j', NULL));
	if (d->e->envid != NULL)
		pt_buf_printf(b, "Original-Envelope-Id: %s\n", d->e->envid);
	rfc_date((time_t)d->e->ctime, date);
	pt_buf_printf(b, "Arrival-Date: %s\n", date);
	for (int i = 0; i < d->targets.n; i++) {
		const struct dlv_target *t = &d->targets.v[i];
		const struct queue_rcpt *r = &d->e->rcpts[t->rcpt];

		if (!reportable(d, t, kind))
			continue;
		pt_buf_addc(b, '\n');
		if (r->orcpt != NULL)
			pt_buf_printf(b, "Original-Recipient: %s\n", r->orcpt);
		pt_buf_printf(b, "Final-Recipient: RFC822; %s\n", t->addr);
		pt_buf_printf(b, "Action: %s\n", kind == DLV_FAILED ? "failed" : "delivered");
		pt_buf_printf(b, "Status: %s\n", t->status && *t->status ? t->status :
		    kind == DLV_FAILED ? "5.0.0" : "2.0.0");
		if (kind == DLV_FAILED && t->text != NULL)
			pt_buf_printf(b, "Diagnostic-Code: %s; %d %s\n",
			    t->mailer && strcmp(t->mailer->path, "[IPC]") == 0 ? "SMTP" : "X-Unix",
			    t->code, t->text);
		rfc_date(d->now, date);
		pt_buf_printf(b, "Last-Attempt-Date: %s\n", date);
	}
}

/* The original message, or its headers, as the third part. */
static void
original_part(struct dlv *d, bool headers_only, struct pt_buf *b)
{
	const struct cf_mailer *local = cf_mailer_find(d->cfg, "local");
	struct pt_buf msg = PT_BUF_INIT;
	char *end;

	if (local == NULL || dlv_message(d, local, false, &msg) < 0) {
		pt_buf_free(&msg);
		return;
	}
	if (headers_only && (end = strstr(pt_buf_str(&msg), "\n\n")) != NULL)
		pt_buf_truncate(&msg, (size_t)(end - msg.s) + 1);
	for (size_t i = 0; i < msg.len; i++)
		if (msg.s[i] != '\r')
			pt_buf_addc(b, msg.s[i]);
	pt_buf_free(&msg);
}

/* Builds the whole notification (headers and body) into out. */
static void
build(struct dlv *d, int kind, const char *to, struct pt_buf *out)
{
	const char *j = mac_get(d->cfg->macros, 'j', NULL);
	bool hdrs = (d->e->flags & QEF_NO_BODY_RETURN) != 0;
	char date[64], boundary[96];

	rfc_date(d->now, date);
	snprintf(boundary, sizeof boundary, "%s.%ld/%s", d->e->id, (long)d->now, j);
	pt_buf_printf(out, "From: Mail Delivery Subsystem <MAILER-DAEMON@%s>\n", j);
	pt_buf_printf(out, "To: %s\n", to);
	pt_buf_printf(out, "Subject: %s\n", kind == DLV_FAILED ?
	    "Returned mail: see transcript for details" : "Successful Mail Delivery Report");
	pt_buf_printf(out, "Date: %s\nAuto-Submitted: auto-generated (%s)\nMIME-Version: 1.0\n",
	    date, kind == DLV_FAILED ? "failure" : "delivery");
	pt_buf_printf(out, "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"%s\"\n\nThis is a MIME-encapsulated message\n\n--%s\n\n", boundary,
	    boundary);
	human_part(d, kind, out);
	pt_buf_printf(out, "\n--%s\nContent-Type: message/delivery-status\n\n", boundary);
	status_part(d, kind, out);
	pt_buf_printf(out, "\n--%s\nContent-Type: %s\n\n", boundary,
	    hdrs ? "text/rfc822-headers" : "message/rfc822");
	original_part(d, hdrs, out);
	pt_buf_printf(out, "\n--%s--\n", boundary);
}

/* Queues text (headers, blank line, body) from <> to rcpt, and delivers it. */
static void
queue_notice(struct dlv *d, const char *rcpt, const struct pt_buf *text)
{
	struct queue_env *e = queue_env_new();
	struct queue_idgen g;
	struct queue_msg *m;
	struct pt_buf err = PT_BUF_INIT;
	const char *body = strstr(pt_buf_str(text), "\n\n");
	char *hdrs;

	queue_idgen_init(&g, (long)getpid(), (unsigned)d->now ^ 0x5a5a);
	e->ctime = (long long)d->now;
	e->sender = queue_env_str(e, "<>");
	e->flags |= QEF_RESPONSE;
	queue_env_add_rcpt(e, rcpt)->flags |= QRF_PRIMARY;
	hdrs = pt_strndup(text->s, body ? (size_t)(body - text->s) : text->len);
	for (char *p = hdrs, *line; (line = strsep(&p, "\n")) != NULL;) {
		char *colon = strchr(line, ':');

		if (line[0] == '\t' && e->nhdrs > 0) {
			struct pt_buf v = PT_BUF_INIT;

			pt_buf_printf(&v, "%s\n%s", e->hdrs[e->nhdrs - 1].value, line);
			e->hdrs[e->nhdrs - 1].value = queue_env_str(e, v.s);
			pt_buf_free(&v);
		} else if (colon != NULL) {
			*colon = '\0';
			queue_env_add_header(e, "", line, colon + 1);
		}
	}
	free(hdrs);
	if (queue_msg_create(d->qd, &g, d->now, &m, &err) == QUEUE_OK) {
		if (body != NULL)
			queue_msg_write(m, body + 2, strlen(body + 2));
		if (queue_msg_commit(m, e, &err) == QUEUE_OK) {
			char id[QUEUE_ID_MAX];

			pt_strlcpy(id, queue_msg_id(m), sizeof id);
			pt_log_id(LOG_INFO, d->e->id, "%s: DSN: %s", id, rcpt);
			queue_msg_close(m);
			if (fork() == 0)
				_exit(dlv_message_id(d->run, d->qd, id));
		} else
			queue_msg_abort(m);
	}
	if (err.len)
		pt_log_id(LOG_ERR, d->e->id, "cannot queue a DSN: %s", err.s);
	queue_env_free(e);
	pt_buf_free(&err);
}

/* Sends one kind of notification if any target calls for it. */
static void
notify(struct dlv *d, int kind)
{
	struct pt_buf text = PT_BUF_INIT;
	const char *sender = d->e->sender;
	const char *to;
	bool any = false;

	for (int i = 0; i < d->targets.n; i++)
		if (reportable(d, &d->targets.v[i], kind))
			any = true;
	if (!any)
		return;
	if (sender == NULL || strcmp(sender, "<>") == 0 || *sender == '\0') {
		if (kind != DLV_FAILED)
			return;
		to = d->cfg->opt.double_bounce_address ? d->cfg->opt.double_bounce_address :
		    "postmaster";
	} else
		to = sender;
	build(d, kind, to, &text);
	queue_notice(d, to, &text);
	if (kind == DLV_FAILED && d->cfg->opt.postmaster_copy != NULL)
		queue_notice(d, d->cfg->opt.postmaster_copy, &text);
	pt_buf_free(&text);
}

void
dsn_send(struct dlv *d)
{
	notify(d, DLV_FAILED);
	notify(d, DLV_SENT);
}
