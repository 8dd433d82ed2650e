/*
 * dsn: delivery status notifications (RFC 3461, 3464): the bounce for
 * recipients that failed (or whose Timeout.queuereturn passed), the delay
 * warning once Timeout.queuewarn has passed (once per message: the F record
 * gets its w), the success notice for NOTIFY=SUCCESS, sent from the null
 * sender to the envelope sender (or, for a bounce of a bounce, to the
 * postmaster; a failed double bounce is logged and dropped; for the
 * members of a list with an owner- alias, to that owner), with the
 * original headers or message per RET, in upstream's layout.
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

#include "addr_header.h"
#include "daemon.h"
#include "deliver.h"
#include "headers.h"
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

/*
 * Writes a time interval as upstream words it: "1 second", "4 hours",
 * "1 day, 2 hours"; the units that are not zero, largest first.
 */
void
dsn_interval(long secs, struct pt_buf *out)
{
	static const struct { const char *unit; long size; } units[] = {
		{ "week", 604800 }, { "day", 86400 }, { "hour", 3600 }, { "minute", 60 },
		{ "second", 1 },
	};
	bool any = false;

	if (secs < 0)
		secs = 0;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		long n = secs / units[i].size;

		if (n == 0 && !(i == sizeof units / sizeof units[0] - 1 && !any))
			continue;
		secs -= n * units[i].size;
		pt_buf_printf(out, "%s%ld %s%s", any ? ", " : "", n, units[i].unit, n == 1 ? "" : "s");
		any = true;
	}
}

/*
 * True if target t's outcome should be reported in a notice of kind:
 * DLV_FAILED (a bounce), DLV_SENT (a success notice) or DLV_DEFERRED (a
 * delay warning), per the recipient's NOTIFY (failures and delays are
 * reported when NOTIFY was not given), and reported to the recipient of
 * the notice being built (d->notice_owner: the owner of the list the target
 * came through, NULL for the message's own error recipient).
 */
static bool
reportable(const struct dlv *d, const struct dlv_target *t, int kind)
{
	const struct queue_rcpt *r = t->rcpt >= 0 ? &d->e->rcpts[t->rcpt] : NULL;
	unsigned want = kind == DLV_FAILED ? QRF_NOTIFY_FAILURE : kind == DLV_SENT ?
	    QRF_NOTIFY_SUCCESS : QRF_NOTIFY_DELAY;

	if (t->state != kind || (kind == DLV_SENT && t->dsn_passed))
		return false;
	if (d->notice_owner == NULL ? t->list_owner != NULL : t->list_owner == NULL ||
	    pt_strcasecmp(t->list_owner, d->notice_owner) != 0)
		return false;	/* reported to another list's owner, or to the sender */
	if (r == NULL || !(r->flags & QRF_HAS_NOTIFY))
		return kind != DLV_SENT;
	return (r->flags & want) != 0;
}

/*
 * What a notice gives as t's reason and Diagnostic-Code, into out: a
 * server's reply as it came, "550 Host unknown" where upstream words it
 * apart from the log line, else the code, status and text; false when
 * upstream gives none (a refused DATA).
 */
static bool
diagnostic(const struct dlv_target *t, struct pt_buf *out)
{
	pt_buf_reset(out);
	if (t->diag != NULL)
		pt_buf_adds(out, t->diag);
	else if (t->remote)
		pt_buf_adds(out, t->text ? t->text : "");
	else
		pt_buf_printf(out, "%d %s %s", t->code, t->status ? t->status : "",
		    t->text ? t->text : "");
	return out->len > 0;
}

/* The Timeout.queuewarn or .queuereturn that applies to the message. */
static long
queue_timeout(const struct dlv *d, bool warn)
{
	const struct cf_timeouts *t = &d->cfg->opt.timeout;

	if (d->e->flags & QEF_RESPONSE)
		return warn ? t->queuewarn_dsn : t->queuereturn_dsn;
	return warn ? t->queuewarn_normal : t->queuereturn_normal;
}

/* The address target t was expanded from (an alias, a .forward's owner), or NULL. */
static const char *
expanded_from(const struct dlv *d, const struct dlv_target *t)
{
	const struct queue_rcpt *r = t->rcpt >= 0 ? &d->e->rcpts[t->rcpt] : NULL;

	if (r == NULL)
		return NULL;
	if (strcmp(r->addr, t->addr) != 0)
		return r->addr;
	if (r->ctl >= 0 && d->e->ctls[r->ctl].alias != NULL)	/* expanded on an earlier run */
		return d->e->ctls[r->ctl].alias;
	return NULL;
}

/* The transcript section: what happened to each reported target, and the timeouts. */
static void
transcript(struct dlv *d, int kind, struct pt_buf *b)
{
	struct pt_buf iv = PT_BUF_INIT;
	bool expired = false;

	pt_buf_adds(b, "\n   ----- Transcript of session follows -----\n");
	for (int i = 0; i < d->targets.n; i++) {
		const struct dlv_target *t = &d->targets.v[i];

		if (!reportable(d, t, kind))
			continue;
		expired |= t->expired;
		pt_buf_printf(b, "%s... %s%s\n", t->addr,
		    kind == DLV_DEFERRED || t->expired ? "Deferred: " : "", t->text ? t->text : "");
	}
	if (kind == DLV_DEFERRED) {
		dsn_interval(queue_timeout(d, true), &iv);
		pt_buf_printf(b, "Warning: message still undelivered after %s\n", iv.s);
		pt_buf_reset(&iv);
		dsn_interval(queue_timeout(d, false), &iv);
		pt_buf_printf(b, "Will keep trying until message is %s old\n", iv.s);
	} else if (expired) {
		dsn_interval(queue_timeout(d, false), &iv);
		pt_buf_printf(b, "Message could not be delivered for %s\n"
		    "Message will be deleted from queue\n", iv.s);
	}
	pt_buf_free(&iv);
}

/* The human-readable part; a notice to the postmaster names the message's queue id. */
static void
human_part(struct dlv *d, int kind, bool pm, struct pt_buf *b)
{
	struct pt_buf diag = PT_BUF_INIT;
	char date[64];

	if (kind == DLV_DEFERRED)
		pt_buf_adds(b, "    **********************************************\n"
		    "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
		    "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
		    "    **********************************************\n\n");
	rfc_date((time_t)d->e->ctime, date);
	pt_buf_printf(b, "The original message was received at %s\n", date);
	if (queue_env_macro(d->e, "_") != NULL)
		pt_buf_printf(b, "from %s\n", queue_env_macro(d->e, "_"));
	if (pm)
		pt_buf_printf(b, "with id %s\n", d->e->id);
	if (kind != DLV_DEFERRED)
		pt_buf_printf(b, "\n   ----- %s -----\n", kind == DLV_FAILED ?
		    "The following addresses had permanent fatal errors" :
		    "The following addresses had successful delivery notifications");
	for (int i = 0; kind != DLV_DEFERRED && i < d->targets.n; i++) {
		const struct dlv_target *t = &d->targets.v[i];

		if (!reportable(d, t, kind))
			continue;
		pt_buf_printf(b, "%s\n", t->addr);
		if (kind == DLV_FAILED && t->expired)
			pt_buf_adds(b, "    (reason: Deferred)\n");
		else if (kind == DLV_FAILED && diagnostic(t, &diag))
			pt_buf_printf(b, "    (reason: %s)\n", diag.s);
		if (expanded_from(d, t) != NULL)
			pt_buf_printf(b, "    (expanded from: %s)\n", expanded_from(d, t));
	}
	if (kind != DLV_SENT)
		transcript(d, kind, b);
	pt_buf_free(&diag);
}

/* The machine-readable part (message/delivery-status). */
static void
status_part(struct dlv *d, int kind, struct pt_buf *b)
{
	struct pt_buf diag = PT_BUF_INIT;
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
		pt_buf_printf(b, "Action: %s\n", kind == DLV_FAILED ? "failed" :
		    kind == DLV_DEFERRED ? "delayed" : t->mailer != NULL &&
		    strcmp(t->mailer->path, "[IPC]") == 0 ? "relayed" : "delivered");
		pt_buf_printf(b, "Status: %s\n", kind == DLV_FAILED && t->dsn_status ? t->dsn_status :
		    t->status && *t->status ? t->status :
		    kind == DLV_FAILED ? "5.0.0" : kind == DLV_DEFERRED ? "4.0.0" : "2.0.0");
		if (kind == DLV_FAILED && t->mta != NULL)
			pt_buf_printf(b, "Remote-MTA: DNS; %s\n", t->mta);
		if (kind != DLV_SENT && t->text != NULL && diagnostic(t, &diag))
			pt_buf_printf(b, "Diagnostic-Code: %s; %s\n",
			    t->mailer && strcmp(t->mailer->path, "[IPC]") == 0 ? "SMTP" : "X-Unix",
			    diag.s);
		rfc_date(d->now, date);
		pt_buf_printf(b, "Last-Attempt-Date: %s\n", date);
		if (kind == DLV_DEFERRED) {
			rfc_date((time_t)d->e->ctime + queue_timeout(d, false), date);
			pt_buf_printf(b, "Will-Retry-Until: %s\n", date);
		}
	}
	pt_buf_free(&diag);
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

/*
 * Builds the whole notification (headers and body) into out.  pm: a
 * failure notice for the postmaster rather than the sender (the bounce of
 * a message from the null sender, or the PostmasterCopy), titled
 * "Postmaster notify" and naming the queue id; hdrs: return the message's
 * headers only (RET=HDRS, and always in the PostmasterCopy).
 */
static void
build(struct dlv *d, int kind, const char *to, bool pm, bool hdrs, struct pt_buf *out)
{
	const char *j = mac_get(d->cfg->macros, 'j', NULL);
	struct pt_buf one = PT_BUF_INIT;
	char date[64], boundary[96];

	rfc_date(d->now, date);
	snprintf(boundary, sizeof boundary, "%s.%ld/%s", d->e->id, (long)d->now, j);
	pt_buf_printf(out, "From: Mail Delivery Subsystem <MAILER-DAEMON@%s>\n", j);
	for (const char *next = to; addr_list_next(&next, &one);)	/* one To: line each */
		pt_buf_printf(out, "To: %s\n", one.s);
	pt_buf_free(&one);
	if (kind == DLV_DEFERRED) {
		struct pt_buf iv = PT_BUF_INIT;

		dsn_interval(queue_timeout(d, true), &iv);
		pt_buf_printf(out, "Subject: Warning: could not send message for past %s\n", iv.s);
		pt_buf_free(&iv);
	} else
		pt_buf_printf(out, "Subject: %s\n", pm ? "Postmaster notify: see transcript for details" :
		    kind == DLV_FAILED ? "Returned mail: see transcript for details" :
		    "Successful Mail Delivery Report");
	pt_buf_printf(out, "Date: %s\nAuto-Submitted: auto-generated (%s)\nMIME-Version: 1.0\n",
	    date, pm ? "postmaster-notification" : kind == DLV_FAILED ? "failure" :
	    kind == DLV_DEFERRED ? "warning-timeout" : "delivery");
	pt_buf_printf(out, "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"%s\"\n\nThis is a MIME-encapsulated message\n\n--%s\n\n", boundary,
	    boundary);
	human_part(d, kind, pm, out);
	pt_buf_printf(out, "\n--%s\nContent-Type: message/delivery-status\n\n", boundary);
	status_part(d, kind, out);
	pt_buf_printf(out, "\n--%s\nContent-Type: %s\n\n", boundary,
	    hdrs ? "text/rfc822-headers" : "message/rfc822");
	original_part(d, hdrs, out);
	pt_buf_printf(out, "\n--%s--\n", boundary);
}

/*
 * Queues text (headers, blank line, body) from <> to rcpts (a list of
 * addresses, as in a header), and delivers it.
 */
static void
queue_notice(struct dlv *d, const char *rcpts, const struct pt_buf *text)
{
	struct pt_buf one = PT_BUF_INIT;
	const char *next = rcpts;
	struct queue_env *e = queue_env_new();
	struct queue_msg *m;
	struct pt_buf err = PT_BUF_INIT;
	const char *body = strstr(pt_buf_str(text), "\n\n");
	char *hdrs;

	if (!d->have_idgen) {	/* one generator per process: two notices never share an id */
		queue_idgen_init(&d->idgen, (long)getpid(), (unsigned)d->now ^ 0x5a5a);
		d->have_idgen = true;
	}
	e->ctime = (long long)d->now;
	e->sender = queue_env_str(e, "<>");
	e->flags |= QEF_RESPONSE;
	while (addr_list_next(&next, &one))
		queue_env_add_rcpt(e, one.s)->flags |= QRF_PRIMARY;
	pt_buf_free(&one);
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
	if (queue_msg_create(d->qd, &d->idgen, d->now, &m, &err) == QUEUE_OK) {
		if (body != NULL)
			queue_msg_write(m, body + 2, strlen(body + 2));
		if (queue_msg_commit(m, e, &err) == QUEUE_OK) {
			char id[QUEUE_ID_MAX];

			pt_strlcpy(id, queue_msg_id(m), sizeof id);
			pt_log_id_lv(6, LOG_INFO, d->e->id, "%s: DSN: %s", id, rcpts);
			queue_msg_close(m);
			if (fork() == 0) {
				/*
				 * The child must not keep the original's files open: its
				 * copy of the qf descriptor would hold the lock after this
				 * process finished the message and gave the inode to the
				 * spare pool, and the next message taking it could not lock
				 * its tf ("cannot queue a DSN: ...: Resource temporarily
				 * unavailable": a notice lost).  Closing does not unlock.
				 */
				queue_msg_close(d->m);
				d->m = NULL;
				_exit(dlv_message_id(d->run, d->qd, id, NULL));
			}
		} else
			queue_msg_abort(m);
	}
	if (err.len)
		pt_log_id(LOG_ERR, d->e->id, "cannot queue a DSN: %s", err.s);
	queue_env_free(e);
	pt_buf_free(&err);
}

/*
 * True if the failures to report are those of a double bounce: a notice
 * (from the null sender) whose every failed recipient is the double-bounce
 * address itself.  Bouncing it again would loop.
 */
static bool
double_bounce_failed(const struct dlv *d, const char *to)
{
	if (!(d->e->flags & QEF_RESPONSE))
		return false;
	for (int i = 0; i < d->targets.n; i++) {
		const struct dlv_target *t = &d->targets.v[i];

		if (reportable(d, t, DLV_FAILED) &&
		    (t->rcpt < 0 || pt_strcasecmp(d->e->rcpts[t->rcpt].addr, to) != 0))
			return false;
	}
	return true;
}

/*
 * With UseErrorsTo, the addresses of the message's Errors-To: headers and
 * then the sender (to be freed), when this process read the message from
 * its command line: upstream keeps Errors-To only in the envelope in memory,
 * so failures found by the submission's own delivery (-odi, -odb) go there
 * too, and those of mail received over SMTP or of a later queue run do not
 * (tests/e2e/dsn_errors_to.t, tests/e2e/local_aliases.t compare).  NULL
 * when it does not apply.
 */
static char *
errors_to(struct dlv *d, const char *sender)
{
	struct pt_buf to = PT_BUF_INIT, one = PT_BUF_INIT;

	if (!d->cfg->opt.use_errors_to || d->run->submitted_id == NULL ||
	    strcmp(d->run->submitted_id, d->e->id) != 0)
		return NULL;
	for (size_t i = 0; i < d->e->nhdrs; i++) {
		if (pt_strcasecmp(d->e->hdrs[i].name, "Errors-To") != 0)
			continue;
		for (const char *next = d->e->hdrs[i].value; addr_list_next(&next, &one);)
			pt_buf_printf(&to, "%s, ", one.s);
	}
	pt_buf_free(&one);
	if (to.len == 0)
		return NULL;
	pt_buf_adds(&to, sender);
	return pt_buf_steal(&to);
}

/*
 * Who gets the notice of the targets without a list owner: the envelope
 * sender (with the Errors-To: addresses that errors_to gives, in *owned
 * then, to be freed); for a message from the null sender, the
 * double-bounce address (failures only; NULL when there is nobody to tell).
 */
static const char *
error_recipient(struct dlv *d, int kind, char **owned)
{
	const char *sender = d->e->sender;
	const char *to;

	*owned = NULL;
	if (sender != NULL && strcmp(sender, "<>") != 0 && *sender != '\0')
		return kind == DLV_FAILED && (*owned = errors_to(d, sender)) != NULL ?
		    *owned : sender;
	if (kind != DLV_FAILED)
		return NULL;
	to = d->cfg->opt.double_bounce_address ? d->cfg->opt.double_bounce_address : "postmaster";
	if (double_bounce_failed(d, to)) {
		pt_log_id(LOG_ALERT, d->e->id, "a bounce to %s could not be delivered: "
		    "dropped, not bounced again", to);
		return NULL;
	}
	return to;
}

/*
 * Sends the notice of kind for the targets of d->notice_owner, if any calls
 * for it.  A failure notice also goes to PostmasterCopy, as a postmaster
 * notice with the message's headers only, unless the message is itself a
 * notice or of a negative class (Precedence: bulk, junk, list); the
 * sender's bounce of such a message returns its headers only.
 */
static void
notify_group(struct dlv *d, int kind)
{
	struct pt_buf text = PT_BUF_INIT;
	const char *to, *sender = d->e->sender;
	char *owned = NULL;
	bool any = false, pm;

	for (int i = 0; i < d->targets.n; i++)
		if (reportable(d, &d->targets.v[i], kind))
			any = true;
	if (!any)
		return;
	/* the sender of a message being submitted learns of failures as ErrorMode says */
	if (kind == DLV_FAILED && d->notice_owner == NULL && d->errmode != 0 &&
	    dlv_errmode_return(d))
		return;
	to = d->notice_owner != NULL ? d->notice_owner : error_recipient(d, kind, &owned);
	if (to == NULL)
		return;
	pm = d->notice_owner == NULL &&
	    (sender == NULL || *sender == '\0' || strcmp(sender, "<>") == 0);
	/* RET=HDRS, or negative precedence: the headers only */
	build(d, kind, to, pm, (d->e->flags & QEF_NO_BODY_RETURN) != 0 ||
	    hdr_class(d->cfg, d->e) < 0, &text);
	queue_notice(d, to, &text);
	if (kind == DLV_FAILED && d->cfg->opt.postmaster_copy != NULL &&
	    *d->cfg->opt.postmaster_copy != '\0' && !(d->e->flags & QEF_RESPONSE) &&
	    hdr_class(d->cfg, d->e) >= 0) {
		pt_buf_reset(&text);
		build(d, kind, d->cfg->opt.postmaster_copy, true, true, &text);
		queue_notice(d, d->cfg->opt.postmaster_copy, &text);
	}
	pt_buf_free(&text);
	free(owned);
}

/*
 * Sends one kind of notification: one to the message's error recipient and
 * one to the owner of each list whose targets call for it (an owner- list's
 * errors go to its owner, not to the sender).
 */
static void
notify(struct dlv *d, int kind)
{
	d->notice_owner = NULL;
	notify_group(d, kind);
	for (int i = 0; i < d->targets.n; i++) {
		const struct dlv_target *t = &d->targets.v[i];
		bool seen = false;

		if (t->list_owner == NULL)
			continue;
		for (int k = 0; k < i && !seen; k++)
			seen = d->targets.v[k].list_owner != NULL &&
			    pt_strcasecmp(d->targets.v[k].list_owner, t->list_owner) == 0;
		if (seen)
			continue;
		d->notice_owner = t->list_owner;
		notify_group(d, kind);
	}
	d->notice_owner = NULL;
}

void
dsn_send(struct dlv *d)
{
	long warn = queue_timeout(d, true);
	bool deferred = false;

	for (int i = 0; i < d->targets.n; i++)
		deferred |= d->targets.v[i].state == DLV_DEFERRED;
	if (deferred && warn > 0 && !(d->e->flags & QEF_WARNED) &&
	    d->now - (time_t)d->e->ctime >= warn) {
		notify(d, DLV_DEFERRED);
		d->e->flags |= QEF_WARNED;	/* once per message, written back with the queue file */
	}
	notify(d, DLV_FAILED);
	notify(d, DLV_SENT);
}
