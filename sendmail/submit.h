/*
 * submit.h: what the parts of the submission mode share (submit.c: the
 * envelope, the queue and the delivery; submit_read.c: the message read from
 * standard input; submit_rcpt.c: the sender, the recipients and the
 * authentication warnings).
 */
#ifndef SUBMIT_H
#define SUBMIT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "queue.h"
#include "rw.h"
#include "sendmail.h"

/* One message being submitted from the command line. */
struct submit {
	struct sm_run *run;
	const struct cf_config *cfg;
	struct rw_ctx rw;		/* rw.macros: the message's macros */
	struct queue_env *e;		/* the envelope being built */
	struct queue_env *own;		/* the message's own headers, as read */
	/* who submits */
	uid_t uid;			/* the real user */
	char *login;			/* that user's login name (or the uid in digits) */
	char *home;			/* and home folder, or NULL */
	char *fullname;			/* $x: -F, $NAME or the passwd entry; NULL if none */
	bool trusted;			/* root, a T line or TrustedUser: may set the sender */
	/* what reading found */
	unsigned long long size;	/* header and body bytes, each line counted plus one */
	bool has_8bit;
	int hops;			/* Received: headers */
	bool resent;			/* a Resent- header */
	bool write_failed;		/* the df could not be written */
	/* recipients */
	int nbad;			/* recipients refused before queueing */
};

/* Where the body goes: write gets the bytes of each line and its LF, returns 0 or -1. */
struct submit_sink {
	int (*write)(void *ctx, const char *p, size_t n);
	void *ctx;
};

/*
 * Reads the message from fp: a leading "From " line is dropped, header
 * lines go to s->own (folded lines joined by LF), the body to body (the df),
 * LF line ends (a CR before LF is dropped).  Unless ignore_dots, a line
 * holding only "." ends the message.  Fills the counters of s; a failed
 * write sets s->write_failed and the rest of the body is read and dropped.
 */
void submit_read(struct submit *s, FILE *fp, bool ignore_dots, const struct submit_sink *body);

/* Sets the submitter's identity, sender, full name and trust (submit_rcpt.c). */
void submit_identity(struct submit *s);
/*
 * Adds the recipients: the command line's, and with -t those of the To, Cc
 * and Bcc headers (Resent-To, -Cc, -Bcc for a resent message).  Each is
 * parsed through rulesets 3 and 0 first; a refused one is reported as
 * "address... reason" on standard output in ErrorMode p or with -t (as the
 * failures of deliver_errmode.c) and counted in s->nbad.
 */
void submit_recipients(struct submit *s);
/* Appends the X-Authentication-Warning headers the submission calls for. */
void submit_auth_warnings(struct submit *s);

#endif
