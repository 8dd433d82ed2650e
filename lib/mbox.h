/*
 * mbox: appending messages to mbox mailboxes, safely and durably, with the
 * locks Dovecot, mutt and procmail use (a dot-lock file, then an fcntl lock
 * on the whole mailbox).
 *
 * The format: each message starts with a "From " line ("From sender
 * Sat Nov 28 10:22:07 2026"), every body line that starts with "From " gets
 * a ">" in front of it (so no reader can take it for a message boundary),
 * and a blank line follows the message.
 *
 * An append is all or nothing: the mailbox's size is noted once it is
 * locked, and a failed write (a full disk, a quota) cuts the file back to
 * that size before the error is returned; so does a failed fsync, unless
 * another writer appended in the meantime (see mbox_commit_close).
 *
 * Used by mail.local (local/) and by the delivery of /file recipients.  The
 * caller chooses the identity: mbox_open() does the privileged steps (the
 * dot-lock in the spool folder, creating a missing mailbox with the owner
 * given) with the process's current identity and, when asked, opens and
 * writes as the recipient through set_id/restore_id callbacks.  Nothing here
 * runs a program or a shell.
 */
#ifndef MBOX_H
#define MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "pt_buf.h"

/* Results, as sysexits codes, so that mail.local can exit with them. */
enum mbox_status {
	MBOX_OK = 0,
	MBOX_TEMPFAIL = 75,	/* EX_TEMPFAIL: full disk, lock timeout, I/O error */
	MBOX_CANTCREAT = 73,	/* EX_CANTCREAT: unsafe or unusable mailbox */
	MBOX_NOPERM = 77,	/* EX_NOPERM */
	MBOX_OSERR = 71,	/* EX_OSERR */
	MBOX_QUOTA = 69,	/* EX_UNAVAILABLE: over quota (when asked to be permanent) */
};

/* How to open a mailbox. */
struct mbox_opts {
	uid_t uid;		/* owner of the mailbox (the recipient) */
	gid_t gid;		/* its group */
	mode_t mode;		/* mode of a new mailbox (0600) */
	int lock_timeout;	/* seconds to wait for the locks */
	long stale_after;	/* a dot-lock older than this many seconds is stale */
	bool quota_permanent;	/* EDQUOT gives MBOX_QUOTA instead of MBOX_TEMPFAIL */
	/*
	 * Called around the steps done as the recipient (opening, writing,
	 * syncing, truncating); NULL to keep the current identity.  Each returns
	 * 0 or an errno.
	 */
	int (*set_id)(void *ctx);
	int (*restore_id)(void *ctx);
	void *ctx;
};

/* A locked, open mailbox. */
struct mbox {
	char *path;
	char *dotlock;		/* the dot-lock's path, NULL when none is held */
	int fd;
	off_t start;		/* its size when locked: where a failed append cuts back to */
	struct mbox_opts o;
	bool as_user;		/* the descriptor was opened as the recipient */
};

/*
 * Locks and opens the mailbox at path for appending: dot-lock, create if
 * missing (with o->uid, o->gid, o->mode), refuse a symbolic link, a hard
 * link, a non-regular file or a file owned by someone else, fcntl-lock it
 * and note its size.  Returns MBOX_OK with *out set, or an mbox_status with
 * the reason in err ("path: why").
 */
int mbox_open(const char *path, const struct mbox_opts *o, struct mbox **out, struct pt_buf *err);
/* Appends n bytes.  MBOX_OK, or a status (the mailbox is then cut back). */
int mbox_write(struct mbox *mb, const void *p, size_t n, struct pt_buf *err);
/*
 * Ends an append: releases the locks, then makes the message durable
 * (fsync) and frees mb.  The writers waiting for the mailbox append while
 * this one waits for the disk, and their fsyncs share the file system's
 * journal commits (a group commit: 16 writers to one mailbox append about
 * four times as fast as with the fsync inside the locks).  Success is only
 * returned once the message is on disk.  A failed fsync cuts the append
 * back when nobody has appended since; otherwise the message stays in the
 * mailbox and the caller's temporary failure may deliver it twice: never
 * lose it.
 */
int mbox_commit_close(struct mbox *mb, struct pt_buf *err);
/* Cuts the mailbox back to where it was when it was locked. */
void mbox_rollback(struct mbox *mb);
/* Unlocks (fcntl, then the dot-lock) and frees. */
void mbox_close(struct mbox *mb);

/*
 * Appends the "From sender date" line for a message to out: an empty or
 * "<>" sender is MAILER-DAEMON, blanks and control characters in the sender
 * become "_", and the date is t as ctime(3) prints it, in local time.
 */
void mbox_from_line(const char *sender, time_t t, struct pt_buf *out);

/*
 * The body quoter: feed a message through it in pieces of any size; lines
 * that start with "From " get a ">" and the end of the message is closed
 * with a newline (if missing) and a blank line.
 */
struct mbox_quoter {
	struct pt_buf *out;	/* where the quoted text goes */
	int state;		/* private: how much of "From " the line start has matched */
	bool bol;		/* private: at the start of a line */
	char last;		/* private: the last byte written */
};
void mbox_quote_begin(struct mbox_quoter *q, struct pt_buf *out);
void mbox_quote(struct mbox_quoter *q, const char *p, size_t n);
void mbox_quote_end(struct mbox_quoter *q);

#endif
