/*
 * deliver_prog: the mailers that are programs on a pipe (local, prog,
 * procmail ...) and the *file* mailer.
 *
 * Runs in the delivery process (root) and forks the mailer: it takes the
 * identity the delivery calls for (the alias or .forward owner for
 * programs and files, DefaultUser otherwise; mailers with F=S keep root,
 * as mail.local needs) before exec, with the environment of the E lines
 * only.  The address reaches the program as argv words, never through a
 * shell, except for the prog mailer whose whole purpose is "sh -c".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deliver.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"

#define MAX_OUTPUT 4096	/* bytes of a mailer's output kept for the log */

/*
 * The result of a mailer's exit status st, as upstream reports it: the
 * status's words (stat=User unknown) for a failure, with what a program
 * wrote (output, its first line the reason of a deferral) kept for the
 * bounce's transcript and the status in its Diagnostic-Code; a file
 * delivery gives its own words (why).
 */
static void
exit_status(struct dlv_target *t, int st, const char *output, const char *why)
{
	const struct cf_mailer *m = t->mailer;
	struct pt_buf b = PT_BUF_INIT;
	bool prog = why == NULL;

	if (st == EX_OK) {
		dlv_set(t, DLV_SENT, 250, "2.0.0", "Sent");
		return;
	}
	if (st == EX_TEMPFAIL || pt_exit_reply(st) == NULL || pt_exit_code(st) < 500) {
		if (why == NULL && output != NULL && *output)
			pt_buf_printf(&b, "%.*s", (int)strcspn(output, "\n"), output);
		else if (why == NULL && st == EX_TEMPFAIL)
			pt_buf_printf(&b, "%s mailer (%s) exited with EX_TEMPFAIL", m->name, m->path);
		else
			pt_buf_adds(&b, why ? why : pt_exit_words(st) ? pt_exit_words(st) :
			    "local mailer temporary failure");
		dlv_set(t, DLV_DEFERRED, 451, "4.0.0", b.s);
	} else {
		char status[8];

		snprintf(status, sizeof status, "%.5s", pt_exit_status(st));
		dlv_set(t, DLV_FAILED, pt_exit_code(st), status, why ? why : pt_exit_words(st));
		t->exitcode = st;	/* what a submitting program exits with (deliver_errmode.c) */
	}
	if (prog) {
		t->exit_code = pt_exit_reply(st) != NULL ? st : 0;
		if (output != NULL && *output)
			t->output = pt_strdup(output);
	}
	pt_buf_free(&b);
}

/* Takes the identity a delivery runs with; -1 on failure. */
static int
become(struct dlv *d, const struct cf_mailer *m, const struct dlv_target *t)
{
	uid_t uid = t->uid != (uid_t)-1 ? t->uid : d->default_uid;
	gid_t gid = t->gid != (gid_t)-1 ? t->gid : d->default_gid;

	if (cf_mflag(&m->flags, 'S'))
		return 0;	/* F=S: the mailer (mail.local) takes identities itself */
	if (m->uid != (uid_t)-1 && t->uid == (uid_t)-1) {
		uid = m->uid;
		gid = m->gid != (gid_t)-1 ? m->gid : gid;
	}
	if (geteuid() != 0)
		return 0;
	if (t->owner != NULL ? initgroups(t->owner, gid) < 0 : setgroups(0, NULL) < 0)
		return -1;
	if (setgid(gid) < 0 || setuid(uid) < 0)
		return -1;
	return 0;
}

/*
 * The user part a mailer gets (the caller frees it): for a program or a
 * file named in an alias, the command or path without its quotes and "|".
 */
static char *
target_user(const struct dlv_target *t)
{
	struct pt_buf b = PT_BUF_INIT;
	char *u;

	pt_buf_adds(&b, t->user);
	if (strcmp(t->mailer->name, "prog") != 0 && strcmp(t->mailer->path, "[FILE]") != 0)
		return pt_buf_steal(&b);
	rw_stripquotes(&b);
	u = pt_buf_steal(&b);
	if (u[0] == '|')
		memmove(u, u + 1, strlen(u));
	return u;
}

/* Expands the mailer's A= words for target t. */
static char **
make_argv(struct dlv *d, const struct cf_mailer *m, const struct dlv_target *t,
    const char *sender)
{
	int n = 0;
	char **argv, *user;

	while (m->argv[n])
		n++;
	argv = pt_calloc((size_t)n + 1, sizeof(char *));
	user = target_user(t);
	mac_set(d->rw.macros, 'u', user, 0);
	free(user);
	mac_set(d->rw.macros, 'h', t->host, 0);
	mac_set(d->rw.macros, 'f', sender[0] ? sender : "MAILER-DAEMON", 0);
	mac_set(d->rw.macros, 'g', sender, 0);
	for (int i = 0; i < n; i++) {
		struct pt_buf b = PT_BUF_INIT;

		mac_expand(d->rw.macros, m->argv[i], &b);
		argv[i] = pt_buf_steal(&b);
	}
	return argv;
}

/* Frees an argv made by make_argv. */
static void
free_argv(char **argv)
{
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/*
 * Closes every descriptor from lo up: one close_range(2), or one close per
 * descriptor below the limit where the kernel lacks it (before 5.9).
 */
static void
close_from(int lo)
{
	struct rlimit rl;
	long max = 1024;

	if (close_range((unsigned)lo, ~0U, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = (long)rl.rlim_cur;
	for (long fd = lo; fd < max; fd++)
		close((int)fd);
}

/* The child side: identity, environment, descriptors, exec. */
static void __attribute__((noreturn))
child(struct dlv *d, const struct cf_mailer *m, const struct dlv_target *t, char **argv,
    int in, int out)
{
	static char *empty_env[] = { NULL };
	char **envp = d->cfg->mailer_env.n ? d->cfg->mailer_env.v : empty_env;

	dup2(in, 0);
	dup2(out, 1);
	if (dlv_speaks_smtp(m)) {
		/* the output is the protocol: error text must not get into it */
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 2);
	} else
		dup2(out, 2);
	close_from(3);
	signal(SIGPIPE, SIG_DFL);
	if (become(d, m, t) < 0)
		_exit(EX_OSERR);
	if (m->dirs != NULL) {
		char *dirs = pt_strdup(m->dirs), *p = dirs, *dir;
		struct pt_buf x = PT_BUF_INIT;

		while ((dir = strsep(&p, ":")) != NULL) {
			pt_buf_reset(&x);
			mac_expand(d->rw.macros, dir, &x);
			if (x.len && chdir(x.s) == 0)
				break;
		}
	}
	execve(m->path, argv, envp);
	_exit(EX_UNAVAILABLE);
}

bool
dlv_speaks_smtp(const struct cf_mailer *m)
{
	if (strcmp(m->path, "[IPC]") == 0)
		return true;
	if (strcmp(m->path, "[FILE]") == 0)
		return false;
	for (int i = 0; m->argv[i]; i++)
		if (strstr(m->argv[i], "$u") != NULL)
			return false;
	return true;
}

pid_t
dlv_spawn(struct dlv *d, const struct dlv_target *t, int *in, int *out)
{
	struct pt_buf sender = PT_BUF_INIT;
	char **argv;
	int pin[2], pout[2];
	pid_t pid;

	dlv_sender(d, t->mailer, &sender);
	argv = make_argv(d, t->mailer, t, pt_buf_str(&sender));
	pt_buf_free(&sender);
	if (pipe2(pin, O_CLOEXEC) < 0) {
		free_argv(argv);
		return -1;
	}
	if (pipe2(pout, O_CLOEXEC) < 0) {
		close(pin[0]);
		close(pin[1]);
		free_argv(argv);
		return -1;
	}
	pid = fork();
	if (pid == 0)
		child(d, t->mailer, t, argv, pin[0], pout[1]);
	close(pin[0]);
	close(pout[1]);
	free_argv(argv);
	if (pid < 0) {
		close(pin[1]);
		close(pout[0]);
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	*in = pin[1];
	*out = pout[0];
	return pid;
}

int
dlv_reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return EX_OSERR;
	return WIFEXITED(st) ? WEXITSTATUS(st) : EX_OSERR;
}

/* Runs the program mailer m for t with msg on its standard input. */
static void
run_program(struct dlv *d, struct dlv_target *t, const struct pt_buf *msg, const char *sender)
{
	int in, out;
	char output[MAX_OUTPUT + 1];
	size_t got = 0, off = 0;
	pid_t pid;

	(void)sender;
	pid = dlv_spawn(d, t, &in, &out);
	if (pid < 0) {
		dlv_set(t, DLV_DEFERRED, 451, "4.3.0", "cannot start the mailer");
		return;
	}
	while (off < msg->len) {
		ssize_t n = write(in, msg->s + off, msg->len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(in);
	for (ssize_t n; (n = read(out, output + got, MAX_OUTPUT - got)) > 0 && got < MAX_OUTPUT;)
		got += (size_t)n;
	close(out);
	output[got] = '\0';
	while (got > 0 && output[got - 1] == '\n')
		output[--got] = '\0';
	exit_status(t, dlv_reap(pid), output, NULL);
}

/*
 * The exit status of a file delivery whose open failed with err: refused
 * (EX_NOPERM) or impossible (EX_CANTCREAT: a missing folder, a folder or a
 * read-only file system in the way) fail at once, as upstream's do; anything
 * else (a full disk, too many open files) is worth a retry.
 */
static int
file_open_status(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return EX_NOPERM;
	case ENOENT:
	case ENOTDIR:
	case EISDIR:
	case ELOOP:
	case EROFS:
		return EX_CANTCREAT;
	default:
		return EX_TEMPFAIL;
	}
}

/* Appends the message to a file as the target's owner (the *file* mailer). */
static void
write_file(struct dlv *d, struct dlv_target *t, const struct pt_buf *msg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int fd;
		char *path = target_user(t);

		if (become(d, t->mailer, t) < 0)
			_exit(EX_OSERR);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			_exit(file_open_status(errno));
		for (size_t off = 0; off < msg->len;) {
			ssize_t n = write(fd, msg->s + off, msg->len - off);

			if (n <= 0)
				_exit(EX_IOERR);
			off += (size_t)n;
		}
		if (fsync(fd) < 0 || close(fd) < 0)
			_exit(EX_IOERR);
		_exit(EX_OK);
	}
	if (pid < 0) {
		dlv_set(t, DLV_DEFERRED, 451, "4.3.0", "cannot fork");
		return;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	st = WIFEXITED(st) ? WEXITSTATUS(st) : EX_OSERR;
	exit_status(t, st, NULL, st == EX_NOPERM ? "Permission denied" :
	    st == EX_CANTCREAT ? "Can't create output" : pt_exit_words(st) ? pt_exit_words(st) :
	    "local mailer temporary failure");
}

void
dlv_prog(struct dlv *d, struct dlv_target *t)
{
	const struct cf_mailer *m = t->mailer;
	struct pt_buf msg = PT_BUF_INIT, sender = PT_BUF_INIT;
	bool file = strcmp(m->path, "[FILE]") == 0;

	dlv_sender(d, m, &sender);
	if (dlv_message(d, m, !cf_mflag(&m->flags, 'n'), &msg) < 0)
		dlv_set(t, DLV_DEFERRED, 451, "4.3.0", "cannot read the message body");
	else if (file)
		write_file(d, t, &msg);
	else
		run_program(d, t, &msg, pt_buf_str(&sender));
	pt_buf_free(&msg);
	pt_buf_free(&sender);
}
