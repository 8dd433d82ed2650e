/*
 * deliver_by: Deliver By (RFC 2852) in delivery.  A message received with
 * BY=<seconds>;<R|N>[T] keeps it in the queue file's ! record (the time from
 * its arrival, the mode and trace flags); delivery honours it as upstream
 * does:
 *
 *   what                                      R (return)                       N (notify)
 *   the deadline passed before an attempt     every undelivered target fails   a delay warning, once
 *                                             untried (5.4.7, "Delivery time    ("Warning: Delivery time
 *                                             (Ns) expired"), no to= line      (Ns) exceeded")
 *   a server without DELIVERBY                its targets fail before MAIL      the message goes without BY=
 *                                             (554 5.4.7 Server does not
 *                                             support Deliver By)
 *   a server whose DELIVERBY minimum (0 if    they fail before MAIL (554 5.4.7  BY= as below
 *   none) is above the time left              Message can't be delivered in
 *                                             time; left < min)
 *   a server with DELIVERBY                   MAIL ... BY=<time left>;R[T]      MAIL ... BY=<time left>;N[T]
 *   delivered                                 with T, to a server with DELIVERBY: a success notice ("Deliver-By
 *                                             trace: relayed"); in N mode, where Deliver By ends (a server
 *                                             without it, a local mailer): one too ("Deliver-by notify: relayed")
 *
 * The time left is the BY= time less the time since arrival, which may be
 * negative in N mode.  Runs in the delivery process; no state of its own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deliver.h"
#include "pt_alloc.h"
#include "pt_buf.h"

/* True when the message asked for Deliver-By's R (return) mode. */
static bool
by_return(const struct queue_env *e)
{
	return e->has_deliverby && (e->deliverby_flags & QUEUE_DLVR_RETURN);
}

long
dlv_by_left(const struct dlv *d)
{
	return d->e->deliverby - (long)(time(NULL) - (time_t)d->e->ctime);
}

void
dlv_by_param(const struct dlv *d, unsigned ext, long min, struct pt_buf *p)
{
	long left;

	if (!d->e->has_deliverby || !(ext & SMTP_EXT_DELIVERBY))
		return;
	left = dlv_by_left(d);
	if (left <= 0 && by_return(d->e))	/* R mode never asks for less than a second */
		left = min > 0 ? min : 1;
	pt_buf_printf(p, " BY=%ld;%c%s", left, by_return(d->e) ? 'R' : 'N',
	    (d->e->deliverby_flags & QUEUE_DLVR_TRACE) ? "T" : "");
}

bool
dlv_by_refuse(struct dlv *d, unsigned ext, long min, const int *idx, int n)
{
	struct pt_buf why = PT_BUF_INIT;
	long left;

	if (!by_return(d->e))
		return false;
	left = dlv_by_left(d);
	if (!(ext & SMTP_EXT_DELIVERBY))
		pt_buf_adds(&why, "554 5.4.7 Server does not support Deliver By\n");
	else if (left < min)	/* also a bare DELIVERBY (0) once the deadline passed */
		pt_buf_printf(&why, "554 5.4.7 Message can't be delivered in time; %ld < %ld\n",
		    left, min);
	else
		return false;
	for (int i = 0; i < n; i++) {
		struct dlv_target *t = &d->targets.v[idx[i]];

		if (t->state != DLV_PENDING)
			continue;
		/* upstream: the refusal in its transcript, then EX_UNAVAILABLE's words */
		dlv_set(t, DLV_FAILED, 554, "5.0.0", "Service unavailable");
		t->dsn_status = pt_strdup("5.4.7");
		t->diag = pt_strdup("");
		t->xscript = pt_strdup(why.s);
		t->by_failed = true;
	}
	pt_buf_free(&why);
	return true;
}

void
dlv_by_expire(struct dlv *d)
{
	struct pt_buf text = PT_BUF_INIT;

	if (!by_return(d->e) || d->e->deliverby <= 0 ||
	    d->now <= (time_t)d->e->ctime + d->e->deliverby)
		return;
	pt_buf_printf(&text, "delivery time expired %lds", d->e->deliverby);
	for (int k = 0; k < d->targets.n; k++) {
		struct dlv_target *t = &d->targets.v[k];

		if (t->state != DLV_PENDING || t->refused)
			continue;
		dlv_set(t, DLV_FAILED, 554, "5.4.7", text.s);
		t->diag = pt_strdup("");
		t->by_expired = true;
	}
	pt_buf_free(&text);
}

bool
dlv_by_warn_due(const struct dlv *d)
{
	const struct queue_env *e = d->e;

	return e->has_deliverby && (e->deliverby_flags & QUEUE_DLVR_NOTIFY) && e->deliverby > 0 &&
	    d->now > (time_t)e->ctime + e->deliverby;
}

void
dlv_by_delivered(const struct dlv *d, struct dlv_target *t)
{
	const struct queue_env *e = d->e;

	if (t->state != DLV_SENT || !e->has_deliverby)
		return;
	if ((e->deliverby_flags & QUEUE_DLVR_TRACE) && t->by_hop)
		t->by_relayed = 'T';
	else if ((e->deliverby_flags & QUEUE_DLVR_NOTIFY) && !t->by_hop)
		t->by_relayed = 'N';
}
