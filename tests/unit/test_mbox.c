/* test_mbox: the mbox format, its quoting, the locks and the safe append. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mbox.h"
#include "pt_buf.h"
#include "pt_file.h"
#include "tap.h"

static char top[] = "/tmp/petrel-mbox-XXXXXX";

/* Quotes text whole and byte by byte; both must agree. */
static char *
quote(const char *text, bool *same)
{
	struct pt_buf a = PT_BUF_INIT, b = PT_BUF_INIT;
	struct mbox_quoter q;
	size_t i, n = strlen(text);

	mbox_quote_begin(&q, &a);
	mbox_quote(&q, text, n);
	mbox_quote_end(&q);
	mbox_quote_begin(&q, &b);
	for (i = 0; i < n; i++)
		mbox_quote(&q, text + i, 1);
	mbox_quote_end(&q);
	*same = strcmp(pt_buf_str(&a), pt_buf_str(&b)) == 0;
	pt_buf_free(&b);
	return pt_buf_steal(&a);
}

/* The separator line and the quoting of "From " lines. */
static void
test_format(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Subject: x\n\nbody\n", "Subject: x\n\nbody\n\n" },
		{ "From the start\n", ">From the start\n\n" },
		{ "a\nFrom middle\nb\n", "a\n>From middle\nb\n\n" },
		{ "a From not at start\n", "a From not at start\n\n" },
		{ ">From already\n", ">From already\n\n" },
		{ "From\nFrom:x\nFromage\n", "From\nFrom:x\nFromage\n\n" },
		{ "no newline", "no newline\n\n" },
		{ "ends in Fro", "ends in Fro\n\n" },
		{ "x\nFro", "x\nFro\n\n" },
		{ "x\nFrom ", "x\n>From \n\n" },
		{ "", "\n" },
		{ "\n\nFrom x\n\n", "\n\n>From x\n\n\n" },
	};
	struct pt_buf line = PT_BUF_INIT;
	size_t i;
	bool same;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = quote(cases[i].in, &same);

		is_str(got, cases[i].out, "quoting case %zu", i + 1);
		ok(same, "case %zu quotes the same fed byte by byte", i + 1);
		free(got);
	}
	setenv("TZ", "UTC", 1);
	tzset();
	mbox_from_line("alice@example.org", 1795861327, &line);
	is_str(line.s, "From alice@example.org Sat Nov 28 10:22:07 2026\n", "the separator line");
	pt_buf_reset(&line);
	mbox_from_line("<>", 0, &line);
	is_str(line.s, "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n", "the null sender is MAILER-DAEMON");
	pt_buf_reset(&line);
	mbox_from_line("\"a b\"@x\n", 0, &line);
	is_str(line.s, "From \"a_b\"@x_ Thu Jan  1 00:00:00 1970\n", "blanks and controls become _");
	pt_buf_free(&line);
}

/* Options for this process's own identity. */
static struct mbox_opts
own_opts(int timeout)
{
	struct mbox_opts o;

	memset(&o, 0, sizeof o);
	o.uid = geteuid();
	o.gid = getegid();
	o.mode = 0600;
	o.lock_timeout = timeout;
	o.stale_after = 300;
	return o;
}

/* Appends text to path; returns the status. */
static int
append(const char *path, const char *text, int timeout)
{
	struct mbox_opts o = own_opts(timeout);
	struct pt_buf err = PT_BUF_INIT;
	struct mbox *mb;
	int rc = mbox_open(path, &o, &mb, &err);

	if (rc == MBOX_OK)
		rc = mbox_write(mb, text, strlen(text), &err);
	if (rc == MBOX_OK)
		rc = mbox_commit_close(mb, &err);
	else
		mbox_close(mb);
	pt_buf_free(&err);
	return rc;
}

/* Creating, appending, the lock file's life. */
static void
test_append(void)
{
	char path[256], lock[300];
	struct pt_buf got = PT_BUF_INIT;
	struct stat st;

	snprintf(path, sizeof path, "%s/alice", top);
	snprintf(lock, sizeof lock, "%s.lock", path);
	is_int(append(path, "one\n", 1), MBOX_OK, "a missing mailbox is created");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_uid == geteuid(),
	    "with mode 0600 and the recipient as owner");
	is_int(append(path, "two\n", 1), MBOX_OK, "a second message is appended");
	pt_file_read(path, &got);
	is_str(got.s, "one\ntwo\n", "both are there in order");
	ok(access(lock, F_OK) != 0, "no lock file is left");
	pt_buf_free(&got);
}

/* Locks held by others make the append wait, then fail for now. */
static void
test_locks(void)
{
	char path[256], lock[300];
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	int fd, p[2];
	pid_t pid;
	char c;

	snprintf(path, sizeof path, "%s/bob", top);
	snprintf(lock, sizeof lock, "%s.lock", path);
	append(path, "", 1);
	fd = open(lock, O_CREAT | O_WRONLY, 0644);
	close(fd);
	is_int(append(path, "x\n", 1), MBOX_TEMPFAIL, "a fresh lock file of someone else: 75 after the timeout");
	ok(access(lock, F_OK) == 0, "and their lock file stays");
	utimensat(AT_FDCWD, lock, old, 0);
	is_int(append(path, "x\n", 1), MBOX_OK, "a stale lock file is broken");
	if (pipe(p) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		int f = open(path, O_RDWR);

		fcntl(f, F_SETLK, &fl);
		if (write(p[1], "k", 1) != 1)
			_exit(1);
		sleep(5);
		_exit(0);
	}
	if (read(p[0], &c, 1) != 1)
		c = 0;
	is_int(append(path, "y\n", 1), MBOX_TEMPFAIL, "an fcntl lock held by a reader: 75 after the timeout");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	is_int(append(path, "y\n", 1), MBOX_OK, "once the reader is gone the append goes through");
	close(p[0]);
	close(p[1]);

	/* a writer waiting for the dot-lock takes it once its holder removes it */
	fd = open(lock, O_CREAT | O_WRONLY | O_EXCL, 0644);
	close(fd);
	pid = fork();
	if (pid == 0) {
		usleep(300000);
		unlink(lock);
		_exit(0);
	}
	is_int(append(path, "z\n", 10), MBOX_OK, "a dot-lock removed by its holder is taken by the waiting writer");
	waitpid(pid, NULL, 0);
	ok(access(lock, F_OK) != 0, "which removes it in turn");
	fd = open(path, O_RDONLY);
	{
		char buf[64];
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

		buf[n > 0 ? n : 0] = '\0';
		ok(n > 0 && strstr(buf, "y\nz\n") != NULL, "and its text is appended after the others");
	}
	if (fd >= 0)
		close(fd);
}

/*
 * Writers appending to one mailbox at once (the fsync after the locks are
 * released): every message whole, none lost, none interleaved.
 */
static void
test_concurrent(void)
{
	enum { WRITERS = 8, EACH = 40 };
	char path[256];
	struct pt_buf got = PT_BUF_INIT;
	int whole = 0, bad = 0;
	const char *s;

	snprintf(path, sizeof path, "%s/dave", top);
	append(path, "", 1);
	for (int w = 0; w < WRITERS; w++)
		if (fork() == 0) {
			struct mbox_opts o = own_opts(10);
			struct pt_buf err = PT_BUF_INIT;

			for (int m = 0; m < EACH; m++) {
				struct mbox *mb;
				char a[64], b[64];

				snprintf(a, sizeof a, "begin %d %d\n", w, m);
				snprintf(b, sizeof b, "end %d %d\n", w, m);
				if (mbox_open(path, &o, &mb, &err) != MBOX_OK)
					_exit(1);
				/* two writes: the locks keep other writers out between them */
				if (mbox_write(mb, a, strlen(a), &err) != MBOX_OK ||
				    mbox_write(mb, b, strlen(b), &err) != MBOX_OK) {
					mbox_close(mb);
					_exit(1);
				}
				if (mbox_commit_close(mb, &err) != MBOX_OK)
					_exit(1);
			}
			_exit(0);
		}
	for (int w = 0; w < WRITERS; w++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	is_int(bad, 0, "8 writers appending to one mailbox at once all succeed");
	pt_file_read(path, &got);
	for (s = got.s; s != NULL && *s != '\0';) {
		int w, m, w2, m2;
		const char *nl = strchr(s, '\n');

		if (nl == NULL || sscanf(s, "begin %d %d", &w, &m) != 2 ||
		    sscanf(nl + 1, "end %d %d", &w2, &m2) != 2 || w != w2 || m != m2)
			break;
		whole++;
		nl = strchr(nl + 1, '\n');
		s = nl != NULL ? nl + 1 : NULL;
	}
	is_int(whole, WRITERS * EACH, "every message is there whole, none interleaved with another");
	{
		char lock[300];

		snprintf(lock, sizeof lock, "%s.lock", path);
		ok(access(lock, F_OK) != 0, "and no lock file is left behind");
	}
	pt_buf_free(&got);
}

/* Unsafe mailboxes are refused. */
static void
test_unsafe(void)
{
	char path[256], target[256];
	struct mbox_opts o = own_opts(1);
	struct pt_buf err = PT_BUF_INIT;
	struct mbox *mb;

	snprintf(target, sizeof target, "%s/target", top);
	snprintf(path, sizeof path, "%s/link", top);
	pt_file_write_atomic(target, "", 0, 0600);
	if (symlink(target, path) < 0)
		return;
	ok(mbox_open(path, &o, &mb, &err) == MBOX_CANTCREAT && strstr(err.s, "symbolic link"),
	    "a symbolic link is refused");
	pt_buf_reset(&err);
	snprintf(path, sizeof path, "%s/hard", top);
	if (link(target, path) < 0)
		return;
	ok(mbox_open(path, &o, &mb, &err) == MBOX_CANTCREAT && strstr(err.s, "too many links"),
	    "a hard-linked file is refused");
	pt_buf_reset(&err);
	o.uid = geteuid() + 1;
	snprintf(target, sizeof target, "%s/other", top);
	pt_file_write_atomic(target, "", 0, 0600);
	ok(mbox_open(target, &o, &mb, &err) == MBOX_CANTCREAT && strstr(err.s, "wrong ownership"),
	    "someone else's file is refused");
	pt_buf_reset(&err);
	o = own_opts(1);
	snprintf(path, sizeof path, "%s/dir", top);
	mkdir(path, 0700);
	ok(mbox_open(path, &o, &mb, &err) != MBOX_OK, "a folder is refused");
	pt_buf_free(&err);
}

/* A rollback cuts the mailbox back to its size when it was locked. */
static void
test_rollback(void)
{
	char path[256];
	struct mbox_opts o = own_opts(1);
	struct pt_buf err = PT_BUF_INIT, got = PT_BUF_INIT;
	struct mbox *mb;

	snprintf(path, sizeof path, "%s/carol", top);
	append(path, "kept\n", 1);
	if (mbox_open(path, &o, &mb, &err) != MBOX_OK)
		return;
	mbox_write(mb, "half a mess", 11, &err);
	mbox_rollback(mb);
	mbox_close(mb);
	pt_file_read(path, &got);
	is_str(got.s, "kept\n", "the partial message is cut off");
	pt_buf_free(&got);
	pt_buf_free(&err);
}

int
main(void)
{
	char cmd[64];

	if (mkdtemp(top) == NULL)
		return 1;
	test_format();
	test_append();
	test_locks();
	test_concurrent();
	test_unsafe();
	test_rollback();
	snprintf(cmd, sizeof cmd, "rm -rf %s", top);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
