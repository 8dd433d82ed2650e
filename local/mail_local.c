/*
 * mail_local: Petrel's local delivery agent, mail.local(8).
 *
 * Upstream's command line (-7 -b -d -D mbdb -f/-r from -h file -l user...)
 * plus Petrel's -p spool folder.  Appends the message read from standard
 * input (or by LMTP with -l) to <spool>/<user> in mbox format, under a
 * dot-lock and an fcntl lock, creating a missing mailbox owned by the user
 * with mode 0600; a failed append is cut back and reported.  Exits with
 * sysexits codes: 0, 67 for an unknown user, 73 for an unsafe mailbox, 75
 * for a full disk, a lock timeout or an I/O error.
 *
 * Run as root by the delivery code; it opens and writes each mailbox with
 * the recipient's effective user and group ids (and only that group), and
 * goes back to root between recipients only to take and drop locks.  It
 * runs no program: envelope data never reaches a shell.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_local.h"
#include "mbox.h"
#include "pt_alloc.h"
#include "pt_exit.h"

#define USAGE "usage: mail.local [-7] [-b] [-d] [-D mbdb] [-l] [-f from|-r from] [-h filename] [-p spooldir] user ...\n"
#define MAX_GROUPS 256
#define ML_READ_BUF (64 * 1024)	/* stdin buffer in LMTP mode */

/* The identity to switch to for one recipient, and the one to come back to. */
struct ident {
	uid_t uid;
	gid_t gid;
	gid_t saved_gid;
	gid_t groups[MAX_GROUPS];
	int ngroups;
};

/* Takes the recipient's effective ids and only its group. */
static int
become_user(void *ctx)
{
	struct ident *id = ctx;

	id->saved_gid = getegid();
	id->ngroups = getgroups(MAX_GROUPS, id->groups);
	if (id->ngroups < 0)
		id->ngroups = 0;
	if (setgroups(1, &id->gid) < 0 || setegid(id->gid) < 0 || seteuid(id->uid) < 0)
		return errno;
	return 0;
}

/* Comes back to root with the original groups. */
static int
become_root(void *ctx)
{
	struct ident *id = ctx;

	if (seteuid(0) < 0 || setegid(id->saved_gid) < 0 || setgroups((size_t)id->ngroups, id->groups) < 0)
		return errno;
	return 0;
}

/* The mailbox path of user pw: <spool>/<user>, or <home>/<file> with -h. */
static void
mailbox_path(const struct ml_opts *o, const struct passwd *pw, struct pt_buf *out)
{
	if (o->homefile != NULL)
		pt_buf_printf(out, "%s/%s", pw->pw_dir, o->homefile);
	else
		pt_buf_printf(out, "%s/%s", o->spool, pw->pw_name);
}

/* Copies the message into the open mailbox. */
static int
copy_message(struct mbox *mb, struct ml_msg *m, struct pt_buf *err)
{
	char buf[65536];
	off_t off = 0;
	int rc = MBOX_OK;

	if (m->fd < 0)
		return mbox_write(mb, m->mem.s, m->mem.len, err);
	while (rc == MBOX_OK && off < m->len) {
		ssize_t n = pread(m->fd, buf, sizeof buf, off);

		if (n <= 0) {
			mbox_rollback(mb);
			pt_buf_printf(err, "temporary file read error: %s", n < 0 ? strerror(errno) : "short");
			return MBOX_TEMPFAIL;
		}
		rc = mbox_write(mb, buf, (size_t)n, err);
		off += n;
	}
	return rc;
}

/* True if user is a name mail.local may deliver to (no path tricks). */
static bool
sane_user(const char *user)
{
	return user[0] != '\0' && strchr(user, '/') == NULL && strcmp(user, ".") != 0 &&
	    strcmp(user, "..") != 0 && strlen(user) < 256;
}

void
ml_deliver(const struct ml_opts *o, const char *user, struct ml_msg *m, struct ml_result *r)
{
	struct passwd *pw = sane_user(user) ? getpwnam(user) : NULL;
	struct pt_buf path = PT_BUF_INIT;
	struct ident id;
	struct mbox_opts mo;
	struct mbox *mb = NULL;

	pt_buf_reset(&r->text);
	if (pw == NULL) {
		r->status = EX_NOUSER;
		pt_buf_printf(&r->text, "%s: User unknown", user);
		return;
	}
	memset(&id, 0, sizeof id);
	id.uid = pw->pw_uid;
	id.gid = pw->pw_gid;
	memset(&mo, 0, sizeof mo);
	mo.uid = pw->pw_uid;
	mo.gid = pw->pw_gid;
	mo.mode = 0600;
	mo.lock_timeout = o->lock_timeout;
	mo.stale_after = ML_STALE_LOCK;
	mo.quota_permanent = o->quota_permanent;
	if (geteuid() == 0) {
		mo.set_id = become_user;
		mo.restore_id = become_root;
		mo.ctx = &id;
	}
	mailbox_path(o, pw, &path);
	r->status = mbox_open(path.s, &mo, &mb, &r->text);
	if (r->status == MBOX_OK)
		r->status = copy_message(mb, m, &r->text);
	if (r->status == MBOX_OK)
		r->status = mbox_commit_close(mb, &r->text);
	else
		mbox_close(mb);
	pt_buf_free(&path);
}

/* Parses the command line into o; returns the index of the first user, or -1. */
static int
parse_args(int argc, char **argv, struct ml_opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "7bdD:f:h:lp:r:")) != -1) {
		switch (c) {
		case '7': o->no8bit = true; break;
		case 'b': o->quota_permanent = true; break;
		case 'd': break;
		case 'D':
			if (strcmp(optarg, "pw") != 0) {
				fprintf(stderr, "mail.local: Can not open mailbox database %s: only \"pw\" is known\n", optarg);
				return -1;
			}
			break;
		case 'f': case 'r':
			if (o->from != NULL) {
				fprintf(stderr, "mail.local: Multiple -f options\n");
				return -1;
			}
			o->from = optarg;
			break;
		case 'h': o->homefile = optarg; break;
		case 'l': o->lmtp = true; break;
		case 'p': o->spool = optarg; break;
		default:
			fputs("mail.local: " USAGE, stderr);
			return -1;
		}
	}
	if (!o->lmtp && optind >= argc) {
		fputs("mail.local: " USAGE, stderr);
		return -1;
	}
	return optind;
}

/* The sender when -f is not given: the invoking user. */
static const char *
default_sender(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw != NULL ? pw->pw_name : "MAILER-DAEMON";
}

int
main(int argc, char **argv)
{
	struct ml_opts o;
	struct ml_msg m;
	struct ml_result r = { 0, PT_BUF_INIT };
	const char *t = getenv("MAIL_LOCAL_LOCK_TIMEOUT");
	int first, i, status = EX_OK;

	memset(&o, 0, sizeof o);
	o.spool = ML_SPOOL_DEFAULT;
	o.lock_timeout = t != NULL && atoi(t) > 0 && atoi(t) <= 3600 ? atoi(t) : ML_LOCK_TIMEOUT;
	umask(077);
	if ((first = parse_args(argc, argv, &o)) < 0)
		return EX_UNAVAILABLE;
	if (o.lmtp) {
		/* a message's lines in a few reads of the pipe, not one per 4 KB */
		(void)setvbuf(stdin, NULL, _IOFBF, ML_READ_BUF);
		return ml_lmtp(&o, stdin, stdout);
	}
	ml_msg_init(&m);
	if (ml_msg_read(&m, stdin, o.from != NULL ? o.from : default_sender(), false) < 0) {
		fprintf(stderr, "mail.local: cannot spool the message: %s\n", strerror(errno));
		return EX_TEMPFAIL;
	}
	for (i = first; i < argc; i++) {
		ml_deliver(&o, argv[i], &m, &r);
		if (r.status != EX_OK) {
			fprintf(stderr, "mail.local: %s\n", pt_buf_str(&r.text));
			if (status == EX_OK || r.status == EX_TEMPFAIL)
				status = r.status;
		}
	}
	ml_msg_free(&m);
	pt_buf_free(&r.text);
	return status;
}
