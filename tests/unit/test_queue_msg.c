/*
 * test_queue_msg: queue directories and messages on disk: commit in each
 * durability mode, locks as other processes see them, atomic rewrites,
 * quarantine, removal with inode reuse, sweeping, queue groups, and many
 * processes committing at once.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pt_buf.h"
#include "pt_file.h"
#include "queue.h"
#include "tap.h"

static char top[] = "/tmp/petrel-qmsg-XXXXXX";

/* Makes a fresh queue folder under top; subs adds qf/, df/, xf/. */
static char *
mkqueue(const char *name, bool subs)
{
	struct pt_buf p = PT_BUF_INIT, s = PT_BUF_INIT;

	pt_buf_printf(&p, "%s/%s", top, name);
	mkdir(p.s, 0700);
	if (subs) {
		const char *sub[] = { "qf", "df", "xf" };

		for (int i = 0; i < 3; i++) {
			pt_buf_reset(&s);
			pt_buf_printf(&s, "%s/%s", p.s, sub[i]);
			mkdir(s.s, 0700);
		}
	}
	pt_buf_free(&s);
	return pt_buf_steal(&p);
}

/* A small envelope for message tests. */
static struct queue_env *
small_env(const char *sender, const char *rcpt)
{
	struct queue_env *e = queue_env_new();
	struct queue_rcpt *r;

	e->ctime = time(NULL);
	e->priority = 30000;
	e->sender = queue_env_str(e, sender);
	r = queue_env_add_rcpt(e, rcpt);
	r->flags = QRF_PRIMARY | QRF_NOTIFY_FAILURE | QRF_NOTIFY_DELAY;
	queue_env_add_header(e, "", "Subject", " test");
	return e;
}

/* Reads a whole file of the queue. */
static char *
slurp(const struct queue_dir *qd, int type, const char *id)
{
	struct pt_buf path = PT_BUF_INIT, data = PT_BUF_INIT;

	queue_file_path(qd, type, id, &path);
	if (pt_file_read(path.s, &data) != 0)
		pt_buf_reset(&data);
	pt_buf_free(&path);
	return data.s ? pt_buf_steal(&data) : NULL;
}

/* True if file type of id exists. */
static bool
exists(const struct queue_dir *qd, int type, const char *id)
{
	struct pt_buf path = PT_BUF_INIT;
	struct stat st;
	bool yes;

	queue_file_path(qd, type, id, &path);
	yes = lstat(path.s, &st) == 0;
	pt_buf_free(&path);
	return yes;
}

/* Runs queue_msg_open on id in a child process; returns its status. */
static int
open_in_child(const char *path, const char *id)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct queue_dir *qd;
		struct queue_msg *m = NULL;
		struct pt_buf err = PT_BUF_INIT;
		int rc = queue_dir_open(path, NULL, QUEUE_SYNC_NONE, &qd, &err);

		if (rc == QUEUE_OK)
			rc = queue_msg_open(qd, id, false, &m, &err);
		_exit(rc);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Commits one message and checks what is on disk, in one durability mode. */
static void
test_commit(int mode, const char *label, bool subs)
{
	char *path = mkqueue(label, subs);
	struct queue_dir *qd = NULL;
	struct queue_msg *m = NULL;
	struct queue_idgen g;
	struct queue_env *e = small_env("<a@example.org>", "<b@example.net>");
	struct pt_buf err = PT_BUF_INIT, want = PT_BUF_INIT;
	char id[QUEUE_ID_MAX], *qf, *df;

	queue_idgen_init(&g, getpid(), 0);
	is_int(queue_dir_open(path, NULL, mode, &qd, &err), QUEUE_OK, "%s: the folder opens", label);
	ok(qd->has_qf == subs && qd->has_df == subs && qd->has_xf == subs, "%s: subfolders seen", label);
	is_int(queue_msg_create(qd, &g, time(NULL), &m, &err), QUEUE_OK, "%s: a message starts", label);
	strcpy(id, queue_msg_id(m));
	ok(queue_id_valid(id), "%s: it has a valid id %s", label, id);
	ok(exists(qd, QFT_DF, id) && !exists(qd, QFT_QF, id), "%s: the df exists, no qf yet", label);
	queue_msg_write(m, "line 1\n", 7);
	queue_msg_write(m, "line 2\n", 7);
	is_int(queue_msg_commit(m, e, &err), QUEUE_OK, "%s: the commit succeeds (%s)", label, pt_buf_str(&err));
	qf = slurp(qd, QFT_QF, id);
	df = slurp(qd, QFT_DF, id);
	queue_qf_format(e, &want);
	is_str(qf, want.s, "%s: the qf holds the envelope", label);
	ok(e->has_dfino && strstr(qf, "\nI") != NULL, "%s: with the df's I record", label);
	is_str(df, "line 1\nline 2\n", "%s: the df holds the body", label);
	ok(!exists(qd, QFT_TF, id), "%s: no tf is left", label);
	is_int(open_in_child(path, id), QUEUE_LOCKED, "%s: another process finds it locked", label);
	queue_msg_close(m);
	is_int(open_in_child(path, id), QUEUE_OK, "%s: after close another process can take it", label);
	free(qf);
	free(df);
	queue_env_free(e);
	queue_dir_close(qd);
	pt_buf_free(&err);
	pt_buf_free(&want);
	free(path);
}

/* Rewrites, quarantine, loss and removal keep the lock and stay atomic. */
static void
test_lifecycle(void)
{
	char *path = mkqueue("life", false);
	struct queue_dir *qd = NULL;
	struct queue_msg *m = NULL, *m2 = NULL;
	struct queue_idgen g;
	struct queue_env *e = small_env("<a@example.org>", "<b@example.net>"), *e2;
	struct pt_buf err = PT_BUF_INIT;
	char id[QUEUE_ID_MAX], *qf;
	struct stat st;
	ino_t freed_qf, freed_df;

	queue_idgen_init(&g, getpid(), 100);
	queue_dir_open(path, NULL, QUEUE_SYNC_GROUP, &qd, &err);
	is_int(qd->sync_mode, QUEUE_SYNC_GROUP, "a local folder gets group commit");
	queue_msg_create(qd, &g, time(NULL), &m, &err);
	queue_msg_write(m, "body\n", 5);
	queue_msg_commit(m, e, &err);
	strcpy(id, queue_msg_id(m));
	queue_msg_close(m);
	is_int(queue_msg_open(qd, id, false, &m, &err), QUEUE_OK, "the queued message opens");
	e2 = queue_msg_env(m);
	is_str(e2->sender, "<a@example.org>", "its envelope is read back");
	e2->attempts = 3;
	e2->message = queue_env_str(e2, "Deferred: Connection refused");
	is_int(queue_msg_update(m, e2, &err), QUEUE_OK, "a rewrite succeeds");
	qf = slurp(qd, QFT_QF, id);
	ok(qf != NULL && strstr(qf, "\nN3\n") && strstr(qf, "\nMDeferred: Connection refused\n"),
	    "the rewritten qf has the new values");
	free(qf);
	is_int(open_in_child(path, id), QUEUE_LOCKED, "the rewritten file is still locked");
	e2->quarantine = queue_env_str(e2, "held for review");
	is_int(queue_msg_update(m, e2, &err), QUEUE_OK, "quarantine by rewrite");
	ok(exists(qd, QFT_HF, id) && !exists(qd, QFT_QF, id), "the qf became an hf");
	queue_msg_close(m);
	is_int(queue_msg_open(qd, id, false, &m, &err), QUEUE_GONE, "as qf it is gone");
	is_int(queue_msg_open(qd, id, true, &m, &err), QUEUE_OK, "as hf it opens");
	queue_msg_env(m)->quarantine = NULL;
	is_int(queue_msg_update(m, queue_msg_env(m), &err), QUEUE_OK, "unquarantine by rewrite");
	ok(exists(qd, QFT_QF, id) && !exists(qd, QFT_HF, id), "the hf became a qf again");
	{
		int x = queue_xf_open(qd, id);

		ok(x >= 0 && write(x, "transcript\n", 11) == 11, "a transcript is written");
		close(x);
	}
	{
		struct pt_buf p = PT_BUF_INIT;

		queue_file_path(qd, QFT_QF, id, &p);
		stat(p.s, &st);
		freed_qf = st.st_ino;
		pt_buf_reset(&p);
		queue_file_path(qd, QFT_DF, id, &p);
		stat(p.s, &st);
		freed_df = st.st_ino;
		pt_buf_free(&p);
	}
	is_int(queue_msg_remove(m, &err), QUEUE_OK, "removal succeeds");
	queue_msg_close(m);
	ok(!exists(qd, QFT_QF, id) && !exists(qd, QFT_DF, id) && !exists(qd, QFT_XF, id),
	    "qf, df and xf are gone");
	queue_msg_create(qd, &g, time(NULL), &m2, &err);
	{
		struct pt_buf p = PT_BUF_INIT;

		queue_file_path(qd, QFT_DF, queue_msg_id(m2), &p);
		stat(p.s, &st);
		ok(st.st_ino == freed_qf || st.st_ino == freed_df, "the next df reuses a freed inode");
		pt_buf_free(&p);
	}
	queue_msg_write(m2, "x\n", 2);
	queue_msg_commit(m2, e, &err);
	strcpy(id, queue_msg_id(m2));
	qf = slurp(qd, QFT_DF, id);
	is_str(qf, "x\n", "the reused inode holds the new body only");
	free(qf);
	is_int(queue_msg_lose(m2, &err), QUEUE_OK, "a message can be set aside as lost");
	ok(exists(qd, QFT_LOST, id) && !exists(qd, QFT_QF, id), "its control file is now Qf");
	queue_msg_close(m2);
	queue_env_free(e);
	queue_dir_close(qd);
	pt_buf_free(&err);
	free(path);
}

/* An aborted message leaves nothing; a taken id makes the next one. */
static void
test_abort_and_collision(void)
{
	char *path = mkqueue("abort", false);
	struct queue_dir *qd = NULL;
	struct queue_msg *m = NULL;
	struct queue_idgen g, peek;
	struct pt_buf err = PT_BUF_INIT, p = PT_BUF_INIT;
	char taken[QUEUE_ID_MAX];
	time_t now = time(NULL);
	int fd;

	queue_dir_open(path, NULL, QUEUE_SYNC_FILES, &qd, &err);
	queue_idgen_init(&g, getpid(), 7);
	peek = g;
	queue_id_make(&peek, now, taken);
	queue_file_path(qd, QFT_DF, taken, &p);
	fd = open(p.s, O_CREAT | O_WRONLY, 0600);
	close(fd);
	is_int(queue_msg_create(qd, &g, now, &m, &err), QUEUE_OK, "a message starts while its first id is taken");
	ok(strcmp(queue_msg_id(m), taken) != 0, "it gets the next id");
	queue_msg_write(m, "partial", 7);
	{
		char id[QUEUE_ID_MAX];

		strcpy(id, queue_msg_id(m));
		queue_msg_abort(m);
		ok(!exists(qd, QFT_DF, id) && !exists(qd, QFT_QF, id), "an aborted message leaves no file");
	}
	unlink(p.s);
	queue_dir_close(qd);
	pt_buf_free(&p);
	pt_buf_free(&err);
	free(path);
}

/* Garbage of crashed processes is swept once it is old enough. */
static void
test_sweep(void)
{
	char *path = mkqueue("sweep", false);
	struct queue_dir *qd = NULL;
	struct pt_buf err = PT_BUF_INIT, p = PT_BUF_INIT;
	const char *files[] = { "tf6ASAAAAA000001", "df6ASAAAAA000002", "df6ASAAAAA000003",
		"qf6ASAAAAA000003", "xf6ASAAAAA000004" };
	size_t i;

	for (i = 0; i < 5; i++) {
		pt_buf_reset(&p);
		pt_buf_printf(&p, "%s/%s", path, files[i]);
		pt_file_write_atomic(p.s, "x", 1, 0600);
	}
	queue_dir_open(path, NULL, QUEUE_SYNC_GROUP, &qd, &err);
	is_int(queue_dir_sweep(qd, time(NULL), 3600), 0, "young files are left alone");
	is_int(queue_dir_sweep(qd, time(NULL) + 7200, 3600), 3, "old tf, orphan df and xf are removed");
	ok(exists(qd, QFT_DF, "6ASAAAAA000003") && exists(qd, QFT_QF, "6ASAAAAA000003"),
	    "a df with its qf stays");
	queue_dir_close(qd);
	pt_buf_free(&p);
	pt_buf_free(&err);
	free(path);
}

/* Queue groups expand a trailing "*" into sorted folders. */
static void
test_groups(void)
{
	struct queue_set s = { NULL, 0 };
	struct pt_buf err = PT_BUF_INIT, pat = PT_BUF_INIT;
	char *q = mkqueue("grp", false);

	free(mkqueue("grp/q2", false));
	free(mkqueue("grp/q1", false));
	free(mkqueue("grp/other", false));
	pt_buf_printf(&pat, "%s/q*", q);
	is_int(queue_set_add(&s, "mqueue", pat.s, QUEUE_SYNC_NONE, &err), QUEUE_OK, "q* expands");
	is_int(s.groups[0].ndirs, 2, "into the two matching folders");
	ok(s.ngroups == 1 && strstr(s.groups[0].dirs[0]->path, "/q1") != NULL &&
	    strstr(s.groups[0].dirs[1]->path, "/q2") != NULL, "in sorted order");
	is_int(queue_set_add(&s, "slow", q, QUEUE_SYNC_NONE, &err), QUEUE_OK, "a plain folder group");
	ok(queue_set_group(&s, "SLOW") == &s.groups[1], "groups are found by name");
	pt_buf_reset(&pat);
	pt_buf_printf(&pat, "%s/none*", q);
	ok(queue_set_add(&s, "bad", pat.s, QUEUE_SYNC_NONE, &err) != QUEUE_OK &&
	    strstr(pt_buf_str(&err), "no folder matches") != NULL, "a pattern matching nothing is an error");
	queue_set_clear(&s);
	pt_buf_free(&err);
	pt_buf_free(&pat);
	free(q);
}

/* Counts the qf files of a folder. */
static int
count_qf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		n += strncmp(de->d_name, "qf", 2) == 0;
	if (d != NULL)
		closedir(d);
	return n;
}

/* Many processes commit at once; every committed message is whole. */
static void
test_concurrent(void)
{
	char *path = mkqueue("conc", false);
	enum { PROCS = 8, EACH = 25 };
	int i, bad = 0, st;

	for (i = 0; i < PROCS; i++) {
		if (fork() == 0) {
			struct queue_dir *qd;
			struct queue_idgen g;
			struct pt_buf err = PT_BUF_INIT;
			int j, fails = 0;

			queue_dir_open(path, NULL, QUEUE_SYNC_GROUP, &qd, &err);
			queue_idgen_init(&g, getpid(), (unsigned)i * 97);
			for (j = 0; j < EACH; j++) {
				struct queue_msg *m;
				struct queue_env *e = small_env("<s@x>", "<r@y>");

				if (queue_msg_create(qd, &g, time(NULL), &m, &err) != QUEUE_OK) {
					fails++;
					continue;
				}
				queue_msg_write(m, "hello\n", 6);
				if (queue_msg_commit(m, e, &err) != QUEUE_OK)
					fails++;
				if (j % 3 == 0)
					queue_msg_remove(m, &err);	/* recycle some inodes */
				queue_msg_close(m);
				queue_env_free(e);
			}
			_exit(fails);
		}
	}
	for (i = 0; i < PROCS; i++) {
		wait(&st);
		bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	is_int(bad, 0, "every process committed every message");
	is_int(count_qf(path), PROCS * (EACH - (EACH + 2) / 3), "every kept message has its qf");
	{
		struct queue_dir *qd;
		struct pt_buf err = PT_BUF_INIT;
		DIR *d = opendir(path);
		struct dirent *de;
		int good = 0;

		queue_dir_open(path, NULL, QUEUE_SYNC_NONE, &qd, &err);
		while ((de = readdir(d)) != NULL) {
			struct queue_msg *m;

			if (strncmp(de->d_name, "qf", 2) != 0)
				continue;
			if (queue_msg_open(qd, de->d_name + 2, false, &m, &err) == QUEUE_OK &&
			    strcmp(queue_msg_env(m)->sender, "<s@x>") == 0)
				good++;
			queue_msg_close(m);
		}
		closedir(d);
		is_int(good, PROCS * (EACH - (EACH + 2) / 3), "and each parses whole");
		queue_dir_close(qd);
		pt_buf_free(&err);
	}
	free(path);
}

/* Reads what fd holds from its position on. */
static char *
read_fd(int fd)
{
	struct pt_buf b = PT_BUF_INIT;
	char buf[256];
	ssize_t n;

	while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
		pt_buf_add(&b, buf, (size_t)n);
	return pt_buf_steal(&b);
}

/* Counts the files of folder path whose names start with prefix. */
static int
count_prefix(const char *path, const char *prefix)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	if (d != NULL)
		closedir(d);
	return n;
}

/* A new body (a mail filter's) replaces the df in the commit; an abort leaves nothing. */
static void
test_new_body(int mode, const char *label, bool subs)
{
	char *path = mkqueue(label, subs), *df;
	struct queue_dir *qd = NULL;
	struct queue_msg *m = NULL;
	struct queue_idgen g;
	struct queue_env *e = small_env("<a@example.org>", "<b@example.net>");
	struct pt_buf err = PT_BUF_INIT, dfdir = PT_BUF_INIT;
	char id[QUEUE_ID_MAX], *got;
	struct stat st;

	queue_idgen_init(&g, getpid(), 7);
	pt_buf_printf(&dfdir, "%s%s", path, subs ? "/df" : "");
	queue_dir_open(path, NULL, mode, &qd, &err);
	queue_msg_create(qd, &g, time(NULL), &m, &err);
	strcpy(id, queue_msg_id(m));
	queue_msg_write(m, "old body\n", 9);
	got = read_fd(queue_msg_df(m));
	is_str(got, "old body\n", "%s: a new message's df reads back what was written", label);
	free(got);
	is_int(queue_msg_new_body(m, &err), QUEUE_OK, "%s: a new body starts", label);
	queue_msg_write(m, "first new\n", 10);
	is_int(queue_msg_new_body(m, &err), QUEUE_OK, "%s: and starts again", label);
	queue_msg_write(m, "new body\n", 9);
	got = read_fd(queue_msg_df(m));
	is_str(got, "new body\n", "%s: the df reads as the new body", label);
	free(got);
	df = slurp(qd, QFT_DF, id);
	is_str(df, "old body\n", "%s: the df file is unchanged before the commit", label);
	free(df);
	e->quarantine = queue_env_str(e, "held by a filter");
	is_int(queue_msg_commit(m, e, &err), QUEUE_OK, "%s: the commit succeeds (%s)", label,
	    pt_buf_str(&err));
	df = slurp(qd, QFT_DF, id);
	is_str(df, "new body\n", "%s: the committed df is the new body", label);
	free(df);
	ok(stat(dfdir.s, &st) == 0 && count_prefix(dfdir.s, "df") == 1,
	    "%s: no second df is left behind", label);
	ok(exists(qd, QFT_HF, id) && !exists(qd, QFT_QF, id),
	    "%s: a quarantined envelope is committed as hf, not qf", label);
	queue_msg_close(m);
	queue_env_free(e);
	/* an abort after a new body leaves no df of either kind */
	e = small_env("<a@example.org>", "<b@example.net>");
	queue_msg_create(qd, &g, time(NULL), &m, &err);
	strcpy(id, queue_msg_id(m));
	queue_msg_write(m, "x\n", 2);
	queue_msg_new_body(m, &err);
	queue_msg_write(m, "y\n", 2);
	queue_msg_abort(m);
	ok(!exists(qd, QFT_DF, id) && count_prefix(dfdir.s, "df") == 1,
	    "%s: an abort drops the df and the new body", label);
	queue_env_free(e);
	queue_dir_close(qd);
	pt_buf_free(&err);
	pt_buf_free(&dfdir);
	free(path);
}

/* Sizes of the spare files in the pool: the largest, and how many there are. */
static off_t
largest_spare(const char *path, int *count)
{
	struct pt_buf p = PT_BUF_INIT, f = PT_BUF_INIT;
	struct dirent *de;
	struct stat st;
	off_t max = -1;
	DIR *d;

	*count = 0;
	pt_buf_printf(&p, "%s/.petrel", path);
	d = opendir(p.s);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] != 's')
			continue;
		pt_buf_reset(&f);
		pt_buf_printf(&f, "%s/%s", p.s, de->d_name);
		if (stat(f.s, &st) == 0) {
			++*count;
			if (st.st_size > max)
				max = st.st_size;
		}
	}
	if (d != NULL)
		closedir(d);
	pt_buf_free(&p);
	pt_buf_free(&f);
	return max;
}

/* Queues a message with a body of n bytes and rcpts more recipients, and removes it. */
static void
queue_and_remove(struct queue_dir *qd, struct queue_idgen *g, size_t n, int rcpts)
{
	struct queue_env *e = small_env("<a@example.org>", "<b@example.net>");
	struct queue_msg *m = NULL;
	struct pt_buf err = PT_BUF_INIT;
	char line[64];

	for (int i = 0; i < rcpts; i++) {
		snprintf(line, sizeof line, "<someone-%d@example.net>", i);
		queue_env_add_rcpt(e, line)->flags = QRF_PRIMARY;
	}
	queue_msg_create(qd, g, time(NULL), &m, &err);
	for (size_t k = 0; k < n; k += 50)
		queue_msg_write(m, "0123456789012345678901234567890123456789012345678\n", n - k < 50 ? n - k : 50);
	queue_msg_commit(m, e, &err);
	queue_msg_remove(m, &err);
	queue_msg_close(m);
	queue_env_free(e);
	pt_buf_free(&err);
}

/*
 * A spare keeps its old contents (and blocks) unless it is large; a message
 * made from longer spares is cut to exactly what it wrote: its body read
 * back before the commit, its df and its qf after.
 */
static void
test_spare_contents(int mode, const char *label)
{
	char *path = mkqueue(label, false), *got;
	struct queue_dir *qd = NULL;
	struct queue_msg *m = NULL;
	struct queue_idgen g;
	struct queue_env *e = small_env("<a@example.org>", "<b@example.net>");
	struct pt_buf err = PT_BUF_INIT, want = PT_BUF_INIT;
	char id[QUEUE_ID_MAX];
	off_t max;
	int n;

	queue_idgen_init(&g, getpid(), 9);
	queue_dir_open(path, NULL, mode, &qd, &err);
	queue_and_remove(qd, &g, 20000, 200);
	max = largest_spare(path, &n);
	ok(max >= 20000 && n >= 2, "%s: the spares keep their contents (%d, %lld bytes)", label, n,
	    (long long)max);
	queue_msg_create(qd, &g, time(NULL), &m, &err);
	strcpy(id, queue_msg_id(m));
	queue_msg_write(m, "short\n", 6);
	got = read_fd(queue_msg_df(m));
	is_str(got, "short\n", "%s: a body written into a longer spare reads back as written", label);
	free(got);
	queue_msg_write(m, "more\n", 5);
	is_int(queue_msg_commit(m, e, &err), QUEUE_OK, "%s: the commit succeeds", label);
	got = slurp(qd, QFT_DF, id);
	is_str(got, "short\nmore\n", "%s: the df holds the body only", label);
	free(got);
	got = slurp(qd, QFT_QF, id);
	queue_qf_format(e, &want);
	is_str(got, want.s, "%s: the qf holds the envelope only", label);
	free(got);
	queue_msg_close(m);
	queue_and_remove(qd, &g, 300 * 1024, 1);
	max = largest_spare(path, &n);
	ok(max <= 128 * 1024 && n >= 2, "%s: a spare of a large message is emptied", label);
	queue_env_free(e);
	queue_dir_close(qd);
	pt_buf_free(&err);
	pt_buf_free(&want);
	free(path);
}

int
main(void)
{
	char cmd[64];

	if (mkdtemp(top) == NULL)
		return 1;
	test_commit(QUEUE_SYNC_GROUP, "group", false);
	test_commit(QUEUE_SYNC_FILES, "files", false);
	test_commit(QUEUE_SYNC_NONE, "none", false);
	test_commit(QUEUE_SYNC_GROUP, "subfolders", true);
	test_new_body(QUEUE_SYNC_GROUP, "newbody", false);
	test_new_body(QUEUE_SYNC_FILES, "newbody-sub", true);
	test_lifecycle();
	test_spare_contents(QUEUE_SYNC_GROUP, "spare-group");
	test_spare_contents(QUEUE_SYNC_FILES, "spare-files");
	test_abort_and_collision();
	test_sweep();
	test_groups();
	test_concurrent();
	snprintf(cmd, sizeof cmd, "rm -rf %s", top);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
