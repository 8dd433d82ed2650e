/*
 * mail_local.h: what the parts of Petrel's mail.local share.
 *
 * mail.local reads one message (from standard input, or by LMTP on standard
 * input and output), turns it into mbox text once, and appends that text to
 * each recipient's mailbox through lib/mbox.h, taking the recipient's
 * identity for the write.  It runs no program and no shell.
 */
#ifndef MAIL_LOCAL_H
#define MAIL_LOCAL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "pt_buf.h"

#define ML_SPOOL_DEFAULT "/var/mail"
#define ML_MEM_MAX (8L << 20)		/* larger messages go to a temporary file */
#define ML_LOCK_TIMEOUT 30		/* seconds to wait for a mailbox's locks */
#define ML_STALE_LOCK 300		/* seconds after which a dot-lock is stale */

/* The command line. */
struct ml_opts {
	const char *from;	/* -f / -r */
	const char *spool;	/* -p (Petrel): the mail spool folder */
	const char *homefile;	/* -h: a file in the recipient's home instead */
	bool lmtp;		/* -l */
	bool no8bit;		/* -7 */
	bool quota_permanent;	/* -b */
	int lock_timeout;
};

/* A message in mbox form: in memory, or in an unlinked temporary file. */
struct ml_msg {
	struct pt_buf mem;
	int fd;			/* the temporary file, or -1 */
	off_t len;		/* bytes in the temporary file */
	bool failed;		/* reading or spooling it failed */
};

/* The result of one delivery. */
struct ml_result {
	int status;		/* sysexits code, EX_OK when delivered */
	struct pt_buf text;	/* why it failed */
};

/* ml_msg.c: building the mbox text. */
void ml_msg_init(struct ml_msg *m);
void ml_msg_free(struct ml_msg *m);
/*
 * Reads a message: the From line for sender and now, then the body from fp,
 * up to end of file, or (lmtp) up to a line "." with CR LF line ends and
 * dot-stuffing undone.  Returns 0, or -1 when the input broke off (in LMTP
 * mode) or the message could not be spooled.
 */
int ml_msg_read(struct ml_msg *m, FILE *fp, const char *sender, bool lmtp);

/* mail_local.c: one delivery. */
void ml_deliver(const struct ml_opts *o, const char *user, struct ml_msg *m, struct ml_result *r);

/* ml_lmtp.c: the LMTP server on in/out; returns the exit status. */
int ml_lmtp(const struct ml_opts *o, FILE *in, FILE *out);

#endif
