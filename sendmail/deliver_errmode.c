/*
 * deliver_errmode: the ErrorMode option (-oe<x>) for the process that read
 * a message from its command line and delivers it itself (sendmail -odi;
 * the checks before -odb forks; -odq's expansion): how the sender learns of
 * the failures that process finds, and what it exits with.
 *
 *   mode  failure found before a mailer ran   the sender's notice       exit
 *   p     "addr... reason" on stdout         ~/dead.letter, else mail  EX_NOUSER ...
 *   q     (nothing)                          none                      EX_NOUSER ...
 *   m     (nothing)                          mail                      EX_NOUSER ...
 *   w     (nothing)                          mail (*)                  EX_NOUSER ...
 *   e     (nothing)                          mail                      EX_OK
 *
 * With -t every mode prints the failures found before a mailer ran, as
 * upstream does for recipients read from the headers.  Failures that a
 * mailer reports (an SMTP server's 550, a program's exit status) are never
 * printed (-v's transcript shows them).  (*) w is "write to the sender's
 * terminal", but upstream 8.17 (Debian's) mails in every case tried, on a
 * pseudo-terminal writable by others with a login uid too
 * (tests/compat/errmode_tty.t), and so does Petrel.  A background delivery (the child of -odb, a queue run, the
 * daemon) has no ErrorMode: it mails.  A recipient that ruleset 0 refused
 * while the submission parsed it (printed then, submit_rcpt.c) is one more
 * failure of the submitting process's attempt, told likewise.
 *
 * ~/dead.letter is the home folder of the sender when the sender resolves
 * to a local mailer (F=l) that looks users up (F=w); it is written by a
 * child process with the real user's identity, created mode 0600, in the
 * *file* mailer's format, and only where upstream's file-safety rules let
 * that user create or append to it (a folder owned by someone else needs
 * its group or other write bit, even for root).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deliver.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_str.h"

void
dlv_errmode_refused(struct dlv *d)
{
	const struct sm_run *run = d->run;

	if (d->errmode == 0 || run->submitted_id == NULL || strcmp(run->submitted_id, d->e->id) != 0)
		return;
	for (int i = 0; i < run->nrefused; i++) {
		const struct sm_refused *r = &run->refused[i];
		struct dlv_target *t = dlv_add(&d->targets, NULL, "", r->user, r->addr, -1);

		dlv_set(t, DLV_FAILED, r->code, r->status, r->text);
		t->refused = true;
		t->diag = pt_strdup("");	/* upstream's notice gives no reason nor Diagnostic-Code */
	}
}

void
dlv_errmode_early(const struct dlv *d, const struct dlv_target *t)
{
	if (d->errmode == 0 || t->state != DLV_FAILED || d->run->verbose || t->refused)
		return;	/* a refused recipient was told while the submission parsed it */
	if (d->errmode != 'p' && !d->run->read_recipients)
		return;
	printf("%s... %s\n", t->addr, t->text ? t->text : "");
	fflush(stdout);
}

int
dlv_errmode_exit(const struct dlv_target *t)
{
	if (t->exitcode != 0)	/* a mailer program's own status */
		return t->exitcode;
	if (t->remote_rcpt)	/* a server's refusal of RCPT: 550, 551, 553 name an unknown user */
		return t->code == 550 || t->code == 551 || t->code == 553 ? EX_NOUSER :
		    EX_UNAVAILABLE;
	if (t->status != NULL && strcmp(t->status, "5.1.1") == 0)
		return EX_NOUSER;
	if (t->status != NULL && strcmp(t->status, "5.1.2") == 0)
		return EX_NOHOST;
	return EX_UNAVAILABLE;
}

/* The sender's home folder when the sender is a local user with a passwd entry (malloc'd), or NULL. */
static char *
sender_home(struct dlv *d)
{
	const char *sender = d->e->sender;
	struct rw_triple t;
	struct passwd *pw;
	char *home = NULL;

	if (sender == NULL || *sender == '\0' || strcmp(sender, "<>") == 0)
		return NULL;
	if (rw_parse(&d->rw, sender, 0, 0, NULL, &t) == EX_OK && !t.error && t.mailer != NULL &&
	    cf_mflag(&t.mailer->flags, 'l') && cf_mflag(&t.mailer->flags, 'w') &&
	    (pw = getpwnam(t.user)) != NULL && pw->pw_dir != NULL && *pw->pw_dir)
		home = pt_strdup(pw->pw_dir);
	pt_arena_reset(d->rw.arena);
	return home;
}

/* True if uid (of group gid) may write into what st describes, by its owner, group or other bits. */
static bool
writable_by(const struct stat *st, uid_t uid, gid_t gid)
{
	mode_t need = S_IWUSR;

	if (st->st_uid != uid)
		need = st->st_gid == gid ? S_IWGRP : S_IWOTH;
	return (st->st_mode & need) == need;
}

/* The child: becomes the real user, checks the folder and file as upstream would, appends msg. */
static void __attribute__((noreturn))
save_child(const char *home, const char *path, const struct pt_buf *msg, uid_t uid, gid_t gid)
{
	struct stat st;
	int fd;

	if (setgroups(0, NULL) < 0 && uid == 0)
		_exit(EX_OSERR);
	if (setgid(gid) < 0 || setuid(uid) < 0)
		_exit(EX_OSERR);
	if (stat(home, &st) < 0 || !S_ISDIR(st.st_mode))
		_exit(EX_CANTCREAT);
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode) || !writable_by(&st, uid, gid))
			_exit(EX_NOPERM);
	} else if (stat(home, &st) < 0 || !writable_by(&st, uid, gid))
		_exit(EX_NOPERM);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		_exit(EX_CANTCREAT);
	for (size_t off = 0; off < msg->len;) {
		ssize_t n = write(fd, msg->s + off, msg->len - off);

		if (n <= 0)
			_exit(EX_IOERR);
		off += (size_t)n;
	}
	_exit(fsync(fd) < 0 || close(fd) < 0 ? EX_IOERR : EX_OK);
}

/* The message as dead.letter holds it: a From line, the *file* mailer's headers, the body, an empty line. */
static int
dead_letter_text(struct dlv *d, struct pt_buf *msg)
{
	const struct cf_mailer *file = cf_mailer_find(d->cfg, "*file*");
	char date[64];
	time_t t = (time_t)d->e->ctime;
	struct tm tm;

	if (file == NULL)
		return -1;
	localtime_r(&t, &tm);
	strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
	pt_buf_printf(msg, "From %s %s\n", d->e->sender, date);
	if (dlv_message_eol(d, file, false, "\n", msg) < 0)
		return -1;
	pt_buf_addc(msg, '\n');
	return 0;
}

/* Saves the message in the sender's ~/dead.letter; true once saved ("Saved message in" printed). */
static bool
save_dead_letter(struct dlv *d)
{
	struct pt_buf path = PT_BUF_INIT, msg = PT_BUF_INIT;
	char *home = sender_home(d);
	bool saved = false;
	pid_t pid;
	int st;

	if (home == NULL)
		return false;
	pt_buf_printf(&path, "%s/dead.letter", home);
	if (dead_letter_text(d, &msg) == 0) {
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			save_child(home, path.s, &msg, d->run->real_uid, getgid());
		while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		saved = pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == EX_OK;
	}
	if (saved) {
		printf("%s... Saved message in %s\n", path.s, path.s);
		fflush(stdout);
	}
	free(home);
	pt_buf_free(&path);
	pt_buf_free(&msg);
	return saved;
}

bool
dlv_errmode_return(struct dlv *d)
{
	switch (d->errmode) {
	case 'q':
		return true;
	case 'p':
		return save_dead_letter(d);
	default:	/* m, w, e, or not the submitting process: mail */
		return false;
	}
}
