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
#include "sendmail.h"

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
/*
 * True if queued recipient i (asking for success notices) became several
 * targets: an alias list.  Upstream then reports the list itself as
 * "expanded to multiple addresses" in the transcript of a return receipt,
 * and none of its members (they do not inherit NOTIFY=SUCCESS).
 */
static bool
expanded_list(const struct dlv *d, int i)
{
	const struct queue_rcpt *r = i >= 0 ? &d->e->rcpts[i] : NULL;
	int n = 0;

	if (r == NULL || (r->flags & (QRF_HAS_NOTIFY | QRF_NOTIFY_SUCCESS)) !=
	    (QRF_HAS_NOTIFY | QRF_NOTIFY_SUCCESS))
		return false;
	for (int k = 0; k < d->targets.n && n < 2; k++)
		n += d->targets.v[k].rcpt == i && !d->targets.v[k].refused && !d->targets.v[k].failed_early;
	return n > 1;
}

static bool
reportable(const struct dlv *d, const struct dlv_target *t, int kind)
{
	const struct queue_rcpt *r = t->rcpt >= 0 ? &d->e->rcpts[t->rcpt] : NULL;
	unsigned want = kind == DLV_FAILED ? QRF_NOTIFY_FAILURE : kind == DLV_SENT ?
	    QRF_NOTIFY_SUCCESS : QRF_NOTIFY_DELAY;

	if (t->state != kind || (kind == DLV_SENT && t->dsn_passed && !t->by_relayed))
		return false;
	if (d->notice_owner == NULL ? t->list_owner != NULL : t->list_owner == NULL ||
	    pt_strcasecmp(t->list_owner, d->notice_owner) != 0)
		return false;	/* reported to another list's owner, or to the sender */
	if (kind == DLV_SENT && t->by_relayed)
		return true;	/* Deliver By's notice, whatever NOTIFY says */
	if (kind == DLV_SENT && expanded_list(d, t->rcpt))
		return false;	/* the list is reported, not its members */
	if (r == NULL || !(r->flags & QRF_HAS_NOTIFY))
		return kind != DLV_SENT;
	return (r->flags & want) != 0;
}

/*
 * The kind under which t appears in the notice of kind being built, or 0:
 * a failure notice also reports the successes (d->notice_sent_too).
 */
static int
in_notice(const struct dlv *d, const struct dlv_target *t, int kind)
{
	if (reportable(d, t, kind))
		return kind;
	if (kind == DLV_FAILED && d->notice_sent_too && reportable(d, t, DLV_SENT))
		return DLV_SENT;
	return 0;
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

/* True if t went to a mailer that speaks SMTP to another host ([IPC]). */
static bool
relayed(const struct dlv_target *t)
{
	return t->mailer != NULL && strcmp(t->mailer->path, "[IPC]") == 0;
}

/*
 * What upstream keeps as t's outcome for a notice (its q_rstatus), into
 * out; false for none: a server's reply, "550 Host unknown" and the like
 * where upstream words it apart from the log line (t->diag, "" for none),
 * a program's exit status as a number, the reply that accepted a relayed
 * recipient, else the code, status and words of a local failure.
 */
static bool
outcome(const struct dlv_target *t, struct pt_buf *out)
{
	pt_buf_reset(out);
	if (t->diag != NULL)
		pt_buf_adds(out, t->diag);
	else if (t->state == DLV_SENT)
		pt_buf_adds(out, t->rcpt_reply && relayed(t) ? t->rcpt_reply : "");
	else if (t->remote)
		pt_buf_adds(out, t->text ? t->text : "");
	else if (t->exit_code != 0)
		pt_buf_printf(out, "%d", t->exit_code);
	else
		pt_buf_printf(out, "%d %s %s", t->code, t->status ? t->status : "",
		    t->text ? t->text : "");
	return out->len > 0;
}

/* The reason a bounce gives for an outcome: an exit status in words ("User unknown"). */
static const char *
reason(const char *outcome)
{
	char *end;
	long st = strtol(outcome, &end, 10);

	return *end == '\0' && pt_exit_words((int)st) != NULL ? pt_exit_words((int)st) : outcome;
}

/* True if a successful t was delivered here (local mailer), not relayed onwards. */
static bool
delivered_here(const struct dlv_target *t)
{
	return !relayed(t);
}

/*
 * Appends what upstream's transcript holds of t's outcome: a program's
 * output, the exchange with a server that refused, then the error line
 * ("550 5.1.1 user... User unknown"; a refusal of the message rather than
 * of a recipient names none), the deferral, or the delivery a success
 * notice reports.
 */
static void
transcript_of(const struct dlv_target *t, int kind, struct pt_buf *b)
{
	if (t->by_expired)	/* the transcript's end says it */
		return;
	if (t->output != NULL)
		pt_buf_printf(b, "%s\n", t->output);
	if (t->xscript != NULL)
		pt_buf_adds(b, t->xscript);
	if (kind == DLV_SENT && t->by_relayed)
		pt_buf_printf(b, "%s... %s\n", t->addr, t->by_relayed == 'T' ?
		    "Deliver-By trace: relayed" : "Deliver-by notify: relayed");
	else if (kind == DLV_SENT)
		pt_buf_printf(b, "%s... %s\n", t->addr, delivered_here(t) ? "Successfully delivered" :
		    "relayed; expect no further notifications");
	else if (kind == DLV_DEFERRED || t->expired)
		pt_buf_printf(b, "%s... Deferred%s%s\n", t->addr, t->text && *t->text ? ": " : "",
		    t->text ? t->text : "");
	else if (t->by_failed)	/* after the refusal's line (xscript): no address */
		pt_buf_printf(b, "%d %s %s\n", t->code, t->status, t->text);
	else if (t->remote) {
		const char *words = dlv_refusal_stat(t);
		int st = strcmp(words, "User unknown") == 0 ? EX_NOUSER : EX_UNAVAILABLE;

		pt_buf_printf(b, "%d %.5s %s%s%s\n", pt_exit_code(st), pt_exit_status(st),
		    t->remote_rcpt ? t->addr : "", t->remote_rcpt ? "... " : "", words);
	} else
		pt_buf_printf(b, "%d %s %s... %s\n", t->code, t->status ? t->status : "", t->addr,
		    t->text ? t->text : "");
	if (t->xscript_after != NULL)
		pt_buf_adds(b, t->xscript_after);
}

/* True if target i is the first of its queued recipient's. */
static bool
first_target(const struct dlv *d, int i)
{
	for (int k = 0; k < i; k++)
		if (d->targets.v[k].rcpt == d->targets.v[i].rcpt)
			return false;
	return true;
}

/*
 * The transcript section: what happened to each reported target (in a
 * return receipt also each list expanded and what its members got), and the
 * timeouts.
 */
static void
transcript(struct dlv *d, int kind, struct pt_buf *b)
{
	struct pt_buf lines = PT_BUF_INIT, iv = PT_BUF_INIT;
	bool expired = false, by_expired = false;

	/* in the order of the events: the failures found while expanding came first */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < d->targets.n; i++) {
			const struct dlv_target *t = &d->targets.v[i];
			int as;

			if (t->failed_early != (pass == 0))
				continue;
			if (kind == DLV_SENT && d->notice_owner == NULL && expanded_list(d, t->rcpt)) {
				if (first_target(d, i))
					pt_buf_printf(&lines, "%s... expanded to multiple addresses\n",
					    d->e->rcpts[t->rcpt].addr);
				if (t->state == DLV_SENT)
					transcript_of(t, kind, &lines);
				continue;
			}
			if ((as = in_notice(d, t, kind)) == 0)
				continue;
			expired |= t->expired;
			by_expired |= t->by_expired;
			transcript_of(t, as, &lines);
		}
	if (kind == DLV_DEFERRED && d->by_warning) {
		pt_buf_printf(&lines, "Warning: Delivery time (%lds) exceeded\n", d->e->deliverby);
		dsn_interval(queue_timeout(d, false), &iv);
		pt_buf_printf(&lines, "Will keep trying until message is %s old\n", iv.s);
	} else if (kind == DLV_DEFERRED) {
		dsn_interval(queue_timeout(d, true), &iv);
		pt_buf_printf(&lines, "Warning: message still undelivered after %s\n", iv.s);
		pt_buf_reset(&iv);
		dsn_interval(queue_timeout(d, false), &iv);
		pt_buf_printf(&lines, "Will keep trying until message is %s old\n", iv.s);
	} else if (expired) {
		dsn_interval(queue_timeout(d, false), &iv);
		pt_buf_printf(&lines, "Message could not be delivered for %s\n"
		    "Message will be deleted from queue\n", iv.s);
	} else if (by_expired)
		pt_buf_printf(&lines, "Delivery time (%lds) expired\n"
		    "Message will be deleted from queue\n", d->e->deliverby);
	if (lines.len > 0)
		pt_buf_printf(b, "   ----- Transcript of session follows -----\n%s", lines.s);
	pt_buf_free(&lines);
	pt_buf_free(&iv);
}

static void section(struct dlv *d, int kind, struct pt_buf *b);

/*
 * The human-readable part; a notice to the postmaster names the message's
 * queue id.  A failure notice lists the successes that asked for a notice
 * after the failures.
 */
static void
human_part(struct dlv *d, int kind, bool pm, struct pt_buf *b)
{
	const char *from = queue_env_macro(d->e, "_");
	char date[PT_DATE_MAX];

	if (kind == DLV_DEFERRED)
		pt_buf_adds(b, "    **********************************************\n"
		    "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
		    "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
		    "    **********************************************\n\n");
	pt_str_date((time_t)d->e->ctime, date);
	pt_buf_printf(b, "The original message was received at %s\nfrom %s\n", date,
	    from ? from : "");
	if (pm)
		pt_buf_printf(b, "with id %s\n", d->e->id);
	pt_buf_addc(b, '\n');
	/* a warning lists its addresses only for Deliver-By, as upstream's */
	if (kind != DLV_DEFERRED || d->by_warning)
		section(d, kind, b);
	if (kind == DLV_FAILED && d->notice_sent_too) {
		d->notice_sent_too = false;
		section(d, DLV_SENT, b);
		d->notice_sent_too = true;
	}
	transcript(d, kind, b);
}

/* One section of the human-readable part: the targets a notice of kind reports. */
static void
section(struct dlv *d, int kind, struct pt_buf *b)
{
	struct pt_buf why = PT_BUF_INIT;
	bool head = true;

	for (int i = 0; i < d->targets.n; i++) {
		const struct dlv_target *t = &d->targets.v[i];

		if (!reportable(d, t, kind))
			continue;
		if (head)
			pt_buf_printf(b, "   ----- %s -----\n", kind == DLV_FAILED ?
			    "The following addresses had permanent fatal errors" :
			    kind == DLV_DEFERRED ?
			    "The following addresses had transient non-fatal errors" :
			    "The following addresses had successful delivery notifications");
		head = false;
		if (kind == DLV_DEFERRED)
			pt_buf_printf(b, "%s\n", t->addr);
		else if (kind == DLV_SENT && t->by_relayed)
			pt_buf_printf(b, "%s  (Deliver-By %s: relayed)\n", t->addr,
			    t->by_relayed == 'T' ? "trace" : "notify");
		else if (kind == DLV_SENT)
			pt_buf_printf(b, "%s  (%s)\n", t->addr, delivered_here(t) ?
			    "successfully delivered to mailbox" : "relayed to non-DSN-aware mailer");
		else {
			pt_buf_printf(b, "%s\n", t->addr);
			if (outcome(t, &why))
				pt_buf_printf(b, "    (reason: %s)\n", reason(why.s));
		}
		if (expanded_from(d, t) != NULL)
			pt_buf_printf(b, "    (expanded from: %s)\n", expanded_from(d, t));
	}
	if (!head)
		pt_buf_addc(b, '\n');
	pt_buf_free(&why);
}

/* An address without its angle brackets. */
static void
bare(const char *addr, struct pt_buf *out)
{
	size_t n = strlen(addr);

	if (n >= 2 && addr[0] == '<' && addr[n - 1] == '>')
		pt_buf_add(out, addr + 1, n - 2);
	else
		pt_buf_adds(out, addr);
}


void
dsn_final_rcpt(const struct cf_config *cfg, const struct queue_rcpt *r, struct pt_buf *out)
{
	size_t at;

	if (r->final_rcpt != NULL) {
		pt_buf_adds(out, r->final_rcpt);
		return;
	}
	pt_buf_adds(out, "RFC822; ");
	at = out->len;
	bare(r->addr, out);
	if (strchr(out->s + at, '@') == NULL)
		pt_buf_printf(out, "@%s", mac_get(cfg->macros, 'j', NULL));
}

void
dsn_final_rcpts(const struct cf_config *cfg, struct queue_env *e)
{
	struct pt_buf b = PT_BUF_INIT;

	for (size_t i = 0; i < e->nrcpts; i++) {
		struct queue_rcpt *r = &e->rcpts[i];

		if (!(r->flags & QRF_PRIMARY) || r->final_rcpt != NULL)
			continue;
		pt_buf_reset(&b);
		dsn_final_rcpt(cfg, r, &b);
		r->final_rcpt = queue_env_str(e, b.s);
	}
	pt_buf_free(&b);
}

/*
 * X-Actual-Recipient: the address the mailer was given ($u), typed by the
 * mailer's T= ("rfc822; user@host", qualified with $j; "X-Unix; |program");
 * upstream writes it unless PrivacyOptions has noactualrecipient (or it
 * reads exactly as Final-Recipient).
 */
static void
actual_recipient(const struct dlv *d, const struct dlv_target *t, const char *final,
    struct pt_buf *b)
{
	const char *type = t->mailer && t->mailer->addrtype ? t->mailer->addrtype : "rfc822";
	struct pt_buf a = PT_BUF_INIT;
	bool rfc822 = pt_strcasecmp(type, "rfc822") == 0;

	if (t->user == NULL || *t->user == '\0' || sm_privacy(d->cfg, "noactualrecipient"))
		return;
	pt_buf_printf(&a, "%s; %s", rfc822 ? "rfc822" : type, t->user);
	if (rfc822 && strchr(t->user, '@') == NULL)
		pt_buf_printf(&a, "@%s", mac_get(d->cfg->macros, 'j', NULL));
	if (strcmp(a.s, final) != 0)
		pt_buf_printf(b, "X-Actual-Recipient: %s\n", a.s);
	pt_buf_free(&a);
}

/* The part of a client's $_ ("host [addr]") that upstream names as Received-From-MTA. */
static void
client_name(const char *relay, struct pt_buf *out)
{
	pt_buf_add(out, relay, strcspn(relay, " "));
}

/* Action: what became of t. */
static const char *
action(const struct dlv_target *t, int kind)
{
	if (kind == DLV_FAILED)
		return "failed";
	if (kind == DLV_DEFERRED)
		return "delayed";
	if (t->by_relayed)
		return t->by_relayed == 'T' ? "relayed (Deliver-By trace mode)" :
		    "relayed (Deliver-By notify mode)";
	return delivered_here(t) ? "delivered (to mailbox)" : "relayed (to non-DSN-aware mailer)";
}

/*
 * The status a notice gives a mailer program's exit status: upstream's own
 * table for it, apart from the one its log line shows (EX_TEMPFAIL: 4.2.0
 * in the delay warning, dsn=4.0.0 in the log).
 */
static const char *
exit_dsn_status(int st)
{
	switch (st) {
	case EX_USAGE:
		return "5.5.4";
	case EX_DATAERR:
		return "5.5.2";
	case EX_NOUSER:
		return "5.1.1";
	case EX_NOHOST:
		return "5.1.2";
	case EX_NOINPUT:
	case EX_CANTCREAT:
	case EX_NOPERM:
		return "5.3.0";
	case EX_OSERR:
	case EX_IOERR:
		return "4.5.0";
	case EX_TEMPFAIL:
		return "4.2.0";
	default:
		return "5.5.0";
	}
}

/* Status: the enhanced status of t's outcome. */
static const char *
dsn_status(const struct dlv_target *t, int kind)
{
	if (kind == DLV_SENT && t->by_relayed)
		return "2.0.0";	/* Deliver By's "relayed", also for a local delivery */
	if (kind == DLV_SENT && delivered_here(t))
		return "2.1.5";	/* upstream's for a local delivery reported to the sender */
	if (kind == DLV_FAILED && t->dsn_status)
		return t->dsn_status;
	if (t->exit_code != 0 && !t->expired)
		return exit_dsn_status(t->exit_code);
	if (t->status && *t->status)
		return t->status;
	return kind == DLV_FAILED ? "5.0.0" : kind == DLV_DEFERRED ? "4.0.0" : "2.0.0";
}

/* The machine-readable part (message/delivery-status). */
static void
status_part(struct dlv *d, int kind, struct pt_buf *b)
{
	struct pt_buf v = PT_BUF_INIT, final = PT_BUF_INIT;
	const char *from = queue_env_macro(d->e, "_");
	char date[PT_DATE_MAX];

	if (d->e->envid != NULL)
		pt_buf_printf(b, "Original-Envelope-Id: %s\n", d->e->envid);
	pt_buf_printf(b, "Reporting-MTA: dns; %s\n", mac_get(d->cfg->macros, 'j', NULL));
	if (d->run->fresh_smtp && from != NULL && *from) {
		client_name(from, &v);
		pt_buf_printf(b, "Received-From-MTA: DNS; %s\n", v.s);
	}
	pt_str_date((time_t)d->e->ctime, date);
	pt_buf_printf(b, "Arrival-Date: %s\n", date);
	if (d->e->has_deliverby) {
		pt_str_date((time_t)(d->e->ctime + d->e->deliverby), date);
		pt_buf_printf(b, "Deliver-By-Date: %s\n", date);
	}
	for (int i = 0; i < d->targets.n; i++) {
		const struct dlv_target *t = &d->targets.v[i];
		/* a recipient the submission refused is no queued one: its address as given */
		const struct queue_rcpt refused = { .addr = t->addr, .ctl = -1 };
		const struct queue_rcpt *r = t->rcpt >= 0 ? &d->e->rcpts[t->rcpt] : &refused;
		int as = in_notice(d, t, kind);

		if (as == 0)
			continue;
		pt_buf_addc(b, '\n');
		if (r->orcpt != NULL)
			pt_buf_printf(b, "Original-Recipient: %s\n", r->orcpt);
		pt_buf_reset(&final);
		dsn_final_rcpt(d->cfg, r, &final);
		pt_buf_printf(b, "Final-Recipient: %s\n", final.s);
		actual_recipient(d, t, final.s, b);
		pt_buf_printf(b, "Action: %s\nStatus: %s\n", action(t, as), dsn_status(t, as));
		if (t->mta != NULL)
			pt_buf_printf(b, "Remote-MTA: %s; %s\n", t->mailer && t->mailer->mtatype ?
			    t->mailer->mtatype : "dns", t->mta);
		if (outcome(t, &v))
			pt_buf_printf(b, "Diagnostic-Code: %s; %s\n", t->mailer && t->mailer->diagtype ?
			    t->mailer->diagtype : "smtp", v.s);
		pt_str_date(d->now, date);
		pt_buf_printf(b, "Last-Attempt-Date: %s\n", date);
		if (kind == DLV_DEFERRED && !t->remote) {	/* upstream's queued, not retried, state */
			pt_str_date((time_t)d->e->ctime + queue_timeout(d, false), date);
			pt_buf_printf(b, "Will-Retry-Until: %s\n", date);
		}
	}
	pt_buf_free(&v);
	pt_buf_free(&final);
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

/* One notice being made: what it reports, to whom, and how. */
struct notice {
	int kind;		/* DLV_FAILED, DLV_DEFERRED or DLV_SENT */
	const char *to;		/* its recipients, a list as in a header */
	bool pm;		/* a postmaster notice (the bounce of a message from <>, the
				 * PostmasterCopy): "Postmaster notify", naming the queue id */
	bool hdrs;		/* return the message's headers only */
};

/*
 * The notice's body: the MIME preamble, the human-readable part, the
 * delivery status and the message (or its headers), between boundaries.
 */
static void
notice_body(struct dlv *d, const struct notice *n, const char *boundary, struct pt_buf *out)
{
	pt_buf_printf(out, "This is a MIME-encapsulated message\n\n--%s\n\n", boundary);
	human_part(d, n->kind, n->pm, out);
	pt_buf_printf(out, "\n--%s\nContent-Type: message/delivery-status\n\n", boundary);
	status_part(d, n->kind, out);
	pt_buf_printf(out, "\n--%s\nContent-Type: %s\n\n", boundary,
	    n->hdrs ? "text/rfc822-headers" : "message/rfc822");
	original_part(d, n->hdrs, out);
	pt_buf_printf(out, "\n--%s--\n\n", boundary);
}

/* The notice's Subject. */
static void
subject(struct dlv *d, const struct notice *n, struct pt_buf *out)
{
	if (n->kind == DLV_DEFERRED && d->by_warning)
		pt_buf_printf(out, "Warning: Delivery time (%lds) exceeded", d->e->deliverby);
	else if (n->kind == DLV_DEFERRED) {
		pt_buf_adds(out, "Warning: could not send message for past ");
		dsn_interval(queue_timeout(d, true), out);
	} else
		pt_buf_adds(out, n->pm ? "Postmaster notify: see transcript for details" :
		    n->kind == DLV_FAILED ? "Returned mail: see transcript for details" :
		    "Return receipt");
}

/*
 * The headers the notice brings itself, in upstream's order: a To: line
 * per recipient, MIME-Version, Content-Type, Subject, Auto-Submitted.  The
 * cf's H lines (Received, Date, From, Message-Id ...) come on top.
 */
static void
own_headers(struct dlv *d, const struct notice *n, const char *boundary, struct queue_env *own)
{
	struct pt_buf v = PT_BUF_INIT, one = PT_BUF_INIT;

	for (const char *next = n->to; addr_list_next(&next, &one);) {
		pt_buf_reset(&v);
		pt_buf_printf(&v, " %s", one.s);
		queue_env_add_header(own, "", "To", v.s);
	}
	queue_env_add_header(own, "", "MIME-Version", " 1.0");
	pt_buf_reset(&v);
	pt_buf_printf(&v, " multipart/report; report-type=delivery-status;\n\tboundary=\"%s\"",
	    boundary);
	queue_env_add_header(own, "", "Content-Type", v.s);
	pt_buf_reset(&v);
	pt_buf_addc(&v, ' ');
	subject(d, n, &v);
	queue_env_add_header(own, "", "Subject", v.s);
	pt_buf_reset(&v);
	pt_buf_printf(&v, " auto-generated (%s)", n->pm ? "postmaster-notification" :
	    n->kind == DLV_FAILED ? "failure" : n->kind == DLV_DEFERRED ? "warning-timeout" :
	    "return-receipt");
	queue_env_add_header(own, "", "Auto-Submitted", v.s);
	pt_buf_free(&v);
	pt_buf_free(&one);
}

/*
 * The envelope's headers: the cf's templates filled with the macros of a
 * message that upstream makes itself (from localhost, the full name "Mail
 * Delivery Subsystem" beside MAILER-DAEMON, which $g becomes for the null
 * sender), then the notice's own.
 */
static void
notice_headers(struct dlv *d, struct queue_env *e, const struct queue_env *own, const char *id)
{
	struct mac_table *m = mac_table_new(mac_table_names(d->cfg->macros), d->cfg->macros);

	hdr_date_macros(m, own, e->ctime, id);
	mac_set(m, 's', "localhost", 0);
	mac_set(m, '_', "localhost", 0);
	mac_set(m, 'x', "Mail Delivery Subsystem", 0);
	hdr_add_templates(d->cfg, m, e, own, false);
	for (size_t i = 0; i < own->nhdrs; i++)
		queue_env_add_header(e, own->hdrs[i].cond, own->hdrs[i].name, own->hdrs[i].value);
	mac_table_free(m);
}

/*
 * What the log line of a notice says (upstream's words): the kind of
 * notice, then what it reports: the first failure's words, the timeout,
 * the warning's subject, "Return receipt".
 */
static void
log_notice(struct dlv *d, const struct notice *n, const char *id)
{
	struct pt_buf what = PT_BUF_INIT;
	const char *kind = (d->e->flags & QEF_RESPONSE) ? "return to sender" :
	    (d->e->flags & QEF_WARNED) ? "sender notify" : n->pm && n->hdrs ? "postmaster notify" :
	    "DSN";

	if (n->kind != DLV_FAILED)
		subject(d, n, &what);
	for (int i = 0; n->kind == DLV_FAILED && i < d->targets.n && what.len == 0; i++) {
		const struct dlv_target *t = &d->targets.v[i];

		if (!reportable(d, t, DLV_FAILED))
			continue;
		if (t->expired) {
			pt_buf_adds(&what, "Cannot send message for ");
			dsn_interval(queue_timeout(d, false), &what);
		} else if (t->refused)	/* "x@... Hostname required", as the submission told it */
			pt_buf_printf(&what, "%s... %s", t->addr, t->text);
		else
			pt_buf_adds(&what, t->remote ? dlv_refusal_stat(t) : t->text ? t->text : "");
	}
	pt_log_id_lv(6, LOG_INFO, d->e->id, "%s: %s: %s", id, kind, pt_buf_str(&what));
	pt_buf_free(&what);
}

/*
 * The size of the message the notice returns: as the attempt counted it
 * when it read the message back from the queue (d->msgsize), else as it was
 * received, as the from= line gave it: what its priority holds besides the
 * class and the recipients.
 */
long
dsn_message_size(const struct dlv *d)
{
	const struct cf_config *c = d->cfg;
	long primary = 0, size;

	if (d->msgsize >= 0)
		return d->msgsize;
	for (size_t i = 0; i < d->e->nrcpts; i++)
		primary += (d->e->rcpts[i].flags & QRF_PRIMARY) != 0;
	size = d->e->priority + (long)hdr_class(c, d->e) * c->opt.class_factor -
	    primary * c->opt.recipient_factor;
	return size > 0 ? size : 0;
}

/*
 * Queues notice n as a message from <> and delivers it.  Its priority is
 * upstream's: a base of 1024 bytes and the returned message's size when its
 * body goes back (a return receipt has neither), a recipient factor per
 * recipient.
 */
static void
queue_notice(struct dlv *d, const struct notice *n)
{
	struct pt_buf one = PT_BUF_INIT, body = PT_BUF_INIT, err = PT_BUF_INIT;
	const char *next = n->to;
	struct queue_env *e = queue_env_new(), *own = queue_env_new();
	struct queue_msg *m;
	char boundary[128];

	e->ctime = (long long)d->now;
	e->sender = queue_env_str(e, "<>");
	e->flags |= QEF_RESPONSE;
	while (addr_list_next(&next, &one))
		queue_env_add_rcpt(e, one.s)->flags |= QRF_PRIMARY | QRF_NOTIFY_DEFAULT;
	pt_buf_free(&one);
	e->priority = (long)e->nrcpts * d->cfg->opt.recipient_factor;
	if (n->kind != DLV_SENT)
		e->priority += 1024 + (n->hdrs ? 0 : dsn_message_size(d));
	if (queue_msg_create(d->qd, dlv_idgen(d->now), d->now, &m, &err) == QUEUE_OK) {
		char id[QUEUE_ID_MAX];

		pt_strlcpy(id, queue_msg_id(m), sizeof id);
		snprintf(boundary, sizeof boundary, "%s.%ld/%s", id, (long)d->now,
		    mac_get(d->cfg->macros, 'j', NULL));
		own_headers(d, n, boundary, own);
		notice_headers(d, e, own, id);
		notice_body(d, n, boundary, &body);
		queue_msg_write(m, body.s, body.len);
		if (queue_msg_commit(m, e, &err) == QUEUE_OK) {
			log_notice(d, n, id);
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
				int rc;

				queue_msg_close(d->m);
				d->m = NULL;
				rc = dlv_message_id(d->run, d->qd, id, NULL, DLV_ORIGIN_NEW);
				dlv_wait_notices();	/* a double bounce's delivery */
				_exit(rc);
			}
		} else
			queue_msg_abort(m);
	}
	if (err.len)
		pt_log_id(LOG_ERR, d->e->id, "cannot queue a DSN: %s", err.s);
	queue_env_free(e);
	queue_env_free(own);
	pt_buf_free(&body);
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
	struct notice n = { .kind = kind };
	const char *to, *sender = d->e->sender;
	char *owned = NULL;
	bool any = false, failed = false, sent = false;

	for (int i = 0; i < d->targets.n; i++) {
		const struct dlv_target *t = &d->targets.v[i];

		failed |= reportable(d, t, DLV_FAILED);
		sent |= reportable(d, t, DLV_SENT);
		if (reportable(d, t, kind) || (kind == DLV_SENT && d->notice_owner == NULL &&
		    expanded_list(d, t->rcpt)))
			any = true;
	}
	if (!any || (kind == DLV_SENT && failed))
		return;	/* nothing to say, or the failure notice said it */
	/* the sender of a message being submitted learns of failures as ErrorMode says */
	if (kind == DLV_FAILED && d->notice_owner == NULL && d->errmode != 0 &&
	    dlv_errmode_return(d))
		return;
	to = d->notice_owner != NULL ? d->notice_owner : error_recipient(d, kind, &owned);
	if (to == NULL)
		return;
	n.to = to;
	n.pm = d->notice_owner == NULL &&
	    (sender == NULL || *sender == '\0' || strcmp(sender, "<>") == 0);
	/* RET=HDRS, negative precedence, or a return receipt: the headers only */
	n.hdrs = (d->e->flags & QEF_NO_BODY_RETURN) != 0 || hdr_class(d->cfg, d->e) < 0 ||
	    kind == DLV_SENT;
	d->notice_sent_too = kind == DLV_FAILED && sent;
	queue_notice(d, &n);
	if (kind == DLV_FAILED && d->cfg->opt.postmaster_copy != NULL &&
	    *d->cfg->opt.postmaster_copy != '\0' && !(d->e->flags & QEF_RESPONSE) &&
	    hdr_class(d->cfg, d->e) >= 0) {
		n.to = d->cfg->opt.postmaster_copy;
		n.pm = n.hdrs = true;
		queue_notice(d, &n);
	}
	d->notice_sent_too = false;
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
		d->e->flags |= QEF_WARNED;	/* once per message, written back with the queue file */
		notify(d, DLV_DEFERRED);
	} else if (deferred && !(d->e->flags & QEF_WARNED) && dlv_by_warn_due(d)) {
		struct pt_buf m = PT_BUF_INIT;

		d->e->flags |= QEF_WARNED;	/* Deliver-By's N mode: once too */
		d->by_warning = true;
		notify(d, DLV_DEFERRED);
		subject(d, &(struct notice){ .kind = DLV_DEFERRED }, &m);
		d->e->message = queue_env_str(d->e, m.s);	/* what mailq shows, as upstream's */
		pt_buf_free(&m);
	}
	notify(d, DLV_FAILED);
	notify(d, DLV_SENT);
}
