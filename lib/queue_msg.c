/*
 * queue_msg: one message on disk: creating it, committing it durably,
 * opening and locking it for delivery, rewriting it atomically, removing it.
 *
 * The commit protocol (SuperSafe): the body is streamed into dfID, the qf is
 * written as tfID and locked, the df and tf are made durable, tfID is
 * renamed to qfID without replacing anything, and the rename is made
 * durable; only then does queue_msg_commit return QUEUE_OK and may the SMTP
 * server reply 250.  "Durable" is one shared flush round in QUEUE_SYNC_GROUP
 * mode (queue_sync.c: a leader flushes the files of every waiting process)
 * or fsync of each file and folder in QUEUE_SYNC_FILES mode.  A rewrite uses the same steps with a plain rename
 * over the old qf, so a crash leaves the old or the new file.  Removal
 * renames the qf away first (the message is then gone, atomically), then the
 * df and xf; their inodes go to the pool (queue_spare.c).
 *
 * The lock is flock(LOCK_EX) on the control file's descriptor, as upstream;
 * it is never released explicitly (LOCK_UN would release it for a child that
 * inherited the descriptor too), only by closing the last descriptor.
 * Runs in the SMTP server, the delivery processes and queue runners.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "queue.h"
#include "queue_int.h"

#define WBUF_SIZE 65536
#define ID_TRIES 32

enum msg_state {
	MSG_NEW,		/* df being written, no qf */
	MSG_QUEUED,		/* control file exists and is locked by us */
	MSG_DONE,		/* removed or lost */
};

struct queue_msg {
	struct queue_dir *qd;
	char id[QUEUE_ID_MAX];
	int state;		/* enum msg_state */
	int df_wfd;		/* MSG_NEW: the df, written (the new body once new_body) */
	int df_old_fd;		/* MSG_NEW with new_body: the df as first written */
	bool new_body;		/* MSG_NEW: a new body is written as dfID+, for the commit */
	int df_rfd;		/* the df, read (lazily) */
	int qf_fd;		/* the locked control file */
	bool quarantined;	/* the control file is hfID */
	struct queue_env *env;	/* read by queue_msg_open */
	char *wbuf;
	size_t wlen;
	off_t wpos;		/* MSG_NEW: bytes of the body written to df_wfd */
	int werr;		/* the first write error */
};

/* Writes all of p[0..n) to fd; 0 or an errno. */
static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Makes file name in folder dirfd for writing: a spare inode when there is
 * one, else a new file.  Returns the descriptor, or -1 with errno (EEXIST
 * when the name is taken).  A spare still holds its last contents (see
 * queue_spare.c): the caller writes from the start and cuts the file to
 * what it wrote (cut_to) before anyone reads it.
 */
static int
make_file(struct queue_dir *qd, int dirfd, const char *name, int flags)
{
	int rc = queue_spare_take(qd, dirfd, name), fd;

	if (rc == 0) {
		fd = openat(dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0)
			return fd;
		(void)unlinkat(dirfd, name, 0);	/* someone else's inode: replace it */
	} else if (rc == EEXIST) {
		errno = EEXIST;
		return -1;
	}
	return openat(dirfd, name, flags | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, qd->file_mode);
}

/* Allocates a handle in state st for message id. */
static struct queue_msg *
msg_new(struct queue_dir *qd, const char *id, int st)
{
	struct queue_msg *m = pt_calloc(1, sizeof *m);

	m->qd = qd;
	memcpy(m->id, id, strlen(id) + 1);
	m->state = st;
	m->df_wfd = m->df_rfd = m->qf_fd = m->df_old_fd = -1;
	return m;
}

int
queue_msg_create(struct queue_dir *qd, struct queue_idgen *g, time_t now,
    struct queue_msg **out, struct pt_buf *err)
{
	char id[QUEUE_ID_MAX], name[QUEUE_NAME_MAX];
	int i, fd = -1;

	*out = NULL;
	for (i = 0; i < ID_TRIES; i++) {
		queue_id_make(g, now, id);
		queue_file_name(QFT_DF, id, name);
		fd = make_file(qd, qd->df_fd, name, O_WRONLY);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		pt_buf_printf(err, "%s/%s: cannot create: %s", qd->path, name, strerror(errno));
		return QUEUE_TEMPFAIL;
	}
	*out = msg_new(qd, id, MSG_NEW);
	(*out)->df_wfd = fd;
	(*out)->wbuf = pt_malloc(WBUF_SIZE);
	return QUEUE_OK;
}

/*
 * Cuts file fd, written from its start, to its first len bytes: a spare's
 * older and longer contents go.  When the length is unchanged, the blocks
 * were overwritten in place: nothing is allocated or freed, and the inode
 * needs no write for fdatasync.  *st is the file's status (its size before
 * the cut).  0 or an errno.
 */
static int
cut_to(int fd, off_t len, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return errno;
	if (st->st_size > len && ftruncate(fd, len) < 0)
		return errno;
	return 0;
}

/* Writes the buffered body out. */
static void
flush_body(struct queue_msg *m)
{
	if (m->wlen > 0 && m->werr == 0) {
		m->werr = write_all(m->df_wfd, m->wbuf, m->wlen);
		m->wpos += (off_t)m->wlen;
	}
	m->wlen = 0;
}

/*
 * Writes the buffered body out and cuts the file there, for a reader or the
 * commit; *st is the df's status (device and inode for the qf's I record).
 */
static void
finish_write(struct queue_msg *m, struct stat *st)
{
	flush_body(m);
	if (m->werr == 0)
		m->werr = cut_to(m->df_wfd, m->wpos, st);
}

int
queue_msg_write(struct queue_msg *m, const void *p, size_t n)
{
	const char *s = p;

	if (m->state != MSG_NEW)
		return QUEUE_TEMPFAIL;
	while (n > 0 && m->werr == 0) {
		size_t room = WBUF_SIZE - m->wlen, k = n < room ? n : room;

		memcpy(m->wbuf + m->wlen, s, k);
		m->wlen += k;
		s += k;
		n -= k;
		if (m->wlen == WBUF_SIZE)
			flush_body(m);
	}
	return m->werr == 0 ? QUEUE_OK : QUEUE_TEMPFAIL;
}

/* The name of a new message's replacement body: "dfID+". */
static void
new_body_name(const struct queue_msg *m, char out[QUEUE_NAME_MAX + 1])
{
	queue_file_name(QFT_DF, m->id, out);
	memcpy(out + strlen(out), "+", 2);
}

int
queue_msg_new_body(struct queue_msg *m, struct pt_buf *err)
{
	char name[QUEUE_NAME_MAX + 1];
	int fd;

	if (m->state != MSG_NEW)
		return QUEUE_TEMPFAIL;
	flush_body(m);
	m->werr = 0;	/* what was written so far no longer matters */
	m->wpos = 0;
	if (m->df_rfd >= 0) {
		close(m->df_rfd);
		m->df_rfd = -1;
	}
	new_body_name(m, name);
	if (m->new_body) {
		if (lseek(m->df_wfd, 0, SEEK_SET) == 0)	/* cut at the end */
			return QUEUE_OK;
		pt_buf_printf(err, "%s/%s: %s", m->qd->path, name, strerror(errno));
		return QUEUE_TEMPFAIL;
	}
	fd = make_file(m->qd, m->qd->df_fd, name, O_WRONLY);
	if (fd < 0 && errno == EEXIST && unlinkat(m->qd->df_fd, name, 0) == 0)
		fd = make_file(m->qd, m->qd->df_fd, name, O_WRONLY);	/* a crash's leftover */
	if (fd < 0) {
		pt_buf_printf(err, "%s/%s: cannot create: %s", m->qd->path, name, strerror(errno));
		return QUEUE_TEMPFAIL;
	}
	m->df_old_fd = m->df_wfd;
	m->df_wfd = fd;
	m->new_body = true;
	return QUEUE_OK;
}

/* Puts a new message's replacement body in place of its df (no qf exists yet). */
static int
install_new_body(struct queue_msg *m)
{
	char from[QUEUE_NAME_MAX + 1], to[QUEUE_NAME_MAX];

	if (!m->new_body)
		return 0;
	new_body_name(m, from);
	queue_file_name(QFT_DF, m->id, to);
	if (renameat(m->qd->df_fd, from, m->qd->df_fd, to) < 0)
		return errno;
	close(m->df_old_fd);
	m->df_old_fd = -1;
	m->new_body = false;
	return 0;
}

/* Starts writing fd back to disk without waiting, in QUEUE_SYNC_FILES mode. */
static void
start_writeback(const struct queue_dir *qd, int fd)
{
	if (qd->sync_mode == QUEUE_SYNC_FILES)
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

/* fsync(2) that reports errors, in QUEUE_SYNC_FILES mode only. */
static int
file_sync(const struct queue_dir *qd, int fd, bool data_only)
{
	if (qd->sync_mode != QUEUE_SYNC_FILES)
		return 0;
	if ((data_only ? fdatasync(fd) : fsync(fd)) < 0 && errno != EINVAL)
		return errno;
	return 0;
}

/* A shared durability round for up to two items, in QUEUE_SYNC_GROUP mode. */
static int
group_sync(struct queue_dir *qd, char t1, const char *n1, char t2, const char *n2)
{
	struct queue_sync_item items[2] = { { t1, n1 }, { t2, n2 } };

	if (qd->sync_mode != QUEUE_SYNC_GROUP)
		return 0;
	return queue_sync_items(qd, items, t2 != 0 ? 2 : 1);
}

/* Makes the folders' entries durable in QUEUE_SYNC_FILES mode. */
static int
dir_sync(const struct queue_dir *qd, bool df_too)
{
	int rc = file_sync(qd, qd->qf_fd, false);

	if (rc == 0 && df_too && qd->df_fd != qd->qf_fd)
		rc = file_sync(qd, qd->df_fd, false);
	return rc;
}

/*
 * Writes text as tfID, locked, and makes it durable (in FILES mode).
 * Returns the descriptor, or -1 with a message.
 */
static int
write_tf(struct queue_msg *m, const struct pt_buf *text, struct pt_buf *err)
{
	struct queue_dir *qd = m->qd;
	char name[QUEUE_NAME_MAX];
	struct stat st;
	int fd, rc, tries;

	queue_file_name(QFT_TF, m->id, name);
	fd = make_file(qd, qd->qf_fd, name, O_RDWR);
	if (fd < 0 && errno == EEXIST && unlinkat(qd->qf_fd, name, 0) == 0)
		fd = make_file(qd, qd->qf_fd, name, O_RDWR);	/* a stale tf of a crash */
	if (fd < 0) {
		pt_buf_printf(err, "%s/%s: cannot create: %s", qd->path, name, strerror(errno));
		return -1;
	}
	for (tries = 0; (rc = queue_lock_try(fd)) == EWOULDBLOCK && tries < 100; tries++)
		usleep(1000);	/* a lister probing the recycled inode */
	if (rc == 0)
		rc = write_all(fd, text->s, text->len);
	if (rc == 0)
		rc = cut_to(fd, (off_t)text->len, &st);
	if (rc == 0)
		start_writeback(qd, fd);
	if (rc != 0) {
		pt_buf_printf(err, "%s/%s: %s", qd->path, name, strerror(rc));
		close(fd);
		(void)unlinkat(qd->qf_fd, name, 0);
		return -1;
	}
	return fd;
}

/* Finishes the body of a new message and records its inode in e. */
static int
finish_body(struct queue_msg *m, struct queue_env *e, struct pt_buf *err)
{
	struct stat st;
	int rc;

	finish_write(m, &st);
	rc = m->werr;
	if (rc == 0)
		start_writeback(m->qd, m->df_wfd);
	if (rc != 0) {
		pt_buf_printf(err, "%s/df%s: %s", m->qd->path, m->id, strerror(rc));
		return QUEUE_TEMPFAIL;
	}
	e->has_dfino = true;
	e->df_major = major(st.st_dev);
	e->df_minor = minor(st.st_dev);
	e->df_ino = (unsigned long long)st.st_ino;
	return QUEUE_OK;
}

int
queue_msg_commit(struct queue_msg *m, struct queue_env *e, struct pt_buf *err)
{
	struct pt_buf text = PT_BUF_INIT;
	char tf[QUEUE_NAME_MAX], qf[QUEUE_NAME_MAX], df[QUEUE_NAME_MAX];
	int fd, rc;

	if (m->state != MSG_NEW || finish_body(m, e, err) != QUEUE_OK)
		return QUEUE_TEMPFAIL;
	if ((rc = install_new_body(m)) != 0) {
		pt_buf_printf(err, "%s/df%s: cannot replace the body: %s", m->qd->path, m->id,
		    strerror(rc));
		return QUEUE_TEMPFAIL;
	}
	memcpy(e->id, m->id, sizeof e->id);
	queue_qf_format(e, &text);
	fd = write_tf(m, &text, err);
	pt_buf_free(&text);
	if (fd < 0)
		return QUEUE_TEMPFAIL;
	queue_file_name(QFT_TF, m->id, tf);
	queue_file_name(e->quarantine != NULL ? QFT_HF : QFT_QF, m->id, qf);
	queue_file_name(QFT_DF, m->id, df);
	rc = file_sync(m->qd, m->df_wfd, true);	/* both writes were started: one wait */
	if (rc == 0)
		rc = file_sync(m->qd, fd, true);
	if (rc == 0)
		rc = group_sync(m->qd, QUEUE_SYNC_DF, df, QUEUE_SYNC_QF, tf);
	if (rc == 0)
		rc = queue_rename_noreplace(m->qd->qf_fd, tf, m->qd->qf_fd, qf);
	if (rc == 0)
		rc = dir_sync(m->qd, true);
	if (rc == 0)
		rc = group_sync(m->qd, QUEUE_SYNC_QDIR, "",
		    m->qd->df_fd != m->qd->qf_fd ? QUEUE_SYNC_DDIR : 0, "");
	if (rc != 0) {
		pt_buf_printf(err, "%s/%s: cannot commit: %s", m->qd->path, qf, strerror(rc));
		close(fd);
		(void)unlinkat(m->qd->qf_fd, tf, 0);
		return QUEUE_TEMPFAIL;
	}
	close(m->df_wfd);
	m->df_wfd = -1;
	free(m->wbuf);
	m->wbuf = NULL;
	m->qf_fd = fd;
	m->state = MSG_QUEUED;
	m->quarantined = e->quarantine != NULL;
	return QUEUE_OK;
}

void
queue_msg_abort(struct queue_msg *m)
{
	char name[QUEUE_NAME_MAX];

	if (m == NULL)
		return;
	if (m->state == MSG_NEW) {
		char nb[QUEUE_NAME_MAX + 1];

		queue_file_name(QFT_DF, m->id, name);
		if (m->new_body) {
			new_body_name(m, nb);
			queue_spare_give(m->qd, m->qd->df_fd, nb, m->df_wfd);
			m->df_wfd = m->df_old_fd;
			m->df_old_fd = -1;
		}
		queue_spare_give(m->qd, m->qd->df_fd, name, m->df_wfd);
		m->df_wfd = -1;
		m->state = MSG_DONE;
	}
	queue_msg_close(m);
}

/* Opens and locks control file name once; QUEUE_GONE also when it was replaced meanwhile. */
static int
open_locked(struct queue_dir *qd, const char *name, int *fdp, struct pt_buf *err)
{
	int fd = openat(qd->qf_fd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW), rc;

	if (fd < 0 && errno == EACCES)
		fd = openat(qd->qf_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return QUEUE_GONE;
		pt_buf_printf(err, "%s/%s: cannot open: %s", qd->path, name, strerror(errno));
		return QUEUE_TEMPFAIL;
	}
	rc = queue_lock_try(fd);
	if (rc != 0) {
		close(fd);
		if (rc == EWOULDBLOCK)
			return QUEUE_LOCKED;
		pt_buf_printf(err, "%s/%s: cannot lock: %s", qd->path, name, strerror(rc));
		return QUEUE_TEMPFAIL;
	}
	if (!queue_lock_same(fd, qd->qf_fd, name)) {
		close(fd);
		return QUEUE_GONE;
	}
	*fdp = fd;
	return QUEUE_OK;
}

int
queue_msg_open(struct queue_dir *qd, const char *id, bool quarantined,
    struct queue_msg **out, struct pt_buf *err)
{
	char name[QUEUE_NAME_MAX];
	struct pt_buf data = PT_BUF_INIT;
	struct queue_msg *m;
	int fd = -1, rc, tries = 0;

	*out = NULL;
	if (id[0] == '\0' || strlen(id) >= QUEUE_ID_MAX || strchr(id, '/') != NULL) {
		pt_buf_printf(err, "bad queue id %s", id);
		return QUEUE_BAD;
	}
	queue_file_name(quarantined ? QFT_HF : QFT_QF, id, name);
	do
		rc = open_locked(qd, name, &fd, err);
	while (rc == QUEUE_GONE && ++tries < 3 && faccessat(qd->qf_fd, name, F_OK, 0) == 0);
	if (rc != QUEUE_OK)
		return rc;
	m = msg_new(qd, id, MSG_QUEUED);
	m->qf_fd = fd;
	m->quarantined = quarantined;
	rc = queue_read_fd(fd, name, &data, err);
	if (rc == QUEUE_OK) {
		struct pt_buf path = PT_BUF_INIT;

		queue_file_path(qd, quarantined ? QFT_HF : QFT_QF, id, &path);
		rc = queue_qf_parse(data.s ? data.s : "", data.len, path.s, &m->env, err);
		pt_buf_free(&path);
	}
	pt_buf_free(&data);
	*out = m;	/* also on QUEUE_BAD, so that the caller can lose it */
	if (rc != QUEUE_OK && rc != QUEUE_BAD) {
		queue_msg_close(m);
		*out = NULL;
	}
	return rc;
}

const char *
queue_msg_id(const struct queue_msg *m)
{
	return m->id;
}

struct queue_env *
queue_msg_env(struct queue_msg *m)
{
	return m->env;
}

struct queue_dir *
queue_msg_dir(const struct queue_msg *m)
{
	return m->qd;
}

int
queue_msg_lockfd(const struct queue_msg *m)
{
	return m->qf_fd;
}

int
queue_msg_df(struct queue_msg *m)
{
	char name[QUEUE_NAME_MAX];
	int dirfd = m->qd->df_fd, fd;

	if (m->state == MSG_NEW) {
		struct stat st;

		finish_write(m, &st);
		if (m->werr != 0) {
			errno = m->werr;
			return -1;
		}
	}
	if (m->df_rfd >= 0) {
		if (lseek(m->df_rfd, 0, SEEK_SET) < 0)
			return -1;
		return m->df_rfd;
	}
	if (m->state == MSG_NEW && m->new_body) {
		char nb[QUEUE_NAME_MAX + 1];

		new_body_name(m, nb);
		m->df_rfd = openat(dirfd, nb, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		return m->df_rfd;
	}
	if (m->env != NULL && m->env->dfdir != NULL) {
		fd = open(m->env->dfdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		queue_file_name(QFT_DF, m->id, name);
		m->df_rfd = openat(fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		close(fd);
		return m->df_rfd;
	}
	queue_file_name(QFT_DF, m->id, name);
	m->df_rfd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return m->df_rfd;
}

int
queue_msg_update(struct queue_msg *m, struct queue_env *e, struct pt_buf *err)
{
	struct pt_buf text = PT_BUF_INIT;
	char tf[QUEUE_NAME_MAX], target[QUEUE_NAME_MAX], old[QUEUE_NAME_MAX];
	bool quar = e->quarantine != NULL;
	int fd, rc;

	if (m->state != MSG_QUEUED)
		return QUEUE_TEMPFAIL;
	memcpy(e->id, m->id, sizeof e->id);
	queue_qf_format(e, &text);
	fd = write_tf(m, &text, err);
	pt_buf_free(&text);
	if (fd < 0)
		return QUEUE_TEMPFAIL;
	queue_file_name(QFT_TF, m->id, tf);
	queue_file_name(quar ? QFT_HF : QFT_QF, m->id, target);
	queue_file_name(m->quarantined ? QFT_HF : QFT_QF, m->id, old);
	rc = file_sync(m->qd, fd, true);
	if (rc == 0)
		rc = group_sync(m->qd, QUEUE_SYNC_QF, tf, 0, NULL);
	if (rc == 0 && renameat(m->qd->qf_fd, tf, m->qd->qf_fd, target) < 0)
		rc = errno;
	if (rc == 0 && quar != m->quarantined)
		(void)unlinkat(m->qd->qf_fd, old, 0);
	if (rc == 0)
		rc = dir_sync(m->qd, false);
	if (rc == 0)
		rc = group_sync(m->qd, QUEUE_SYNC_QDIR, "", 0, NULL);
	if (rc != 0) {
		pt_buf_printf(err, "%s/%s: cannot rewrite: %s", m->qd->path, target, strerror(rc));
		close(fd);
		(void)unlinkat(m->qd->qf_fd, tf, 0);
		return QUEUE_TEMPFAIL;
	}
	close(m->qf_fd);
	m->qf_fd = fd;
	m->quarantined = quar;
	return QUEUE_OK;
}

int
queue_msg_remove(struct queue_msg *m, struct pt_buf *err)
{
	char name[QUEUE_NAME_MAX];
	struct queue_dir *qd = m->qd;

	if (m->state != MSG_QUEUED)
		return QUEUE_TEMPFAIL;
	queue_file_name(m->quarantined ? QFT_HF : QFT_QF, m->id, name);
	if (!queue_lock_same(m->qf_fd, qd->qf_fd, name)) {
		pt_buf_printf(err, "%s/%s: changed while locked", qd->path, name);
		return QUEUE_TEMPFAIL;
	}
	queue_spare_give(qd, qd->qf_fd, name, m->qf_fd);
	m->qf_fd = -1;
	m->state = MSG_DONE;
	if (m->df_rfd >= 0) {
		close(m->df_rfd);
		m->df_rfd = -1;
	}
	queue_file_name(QFT_DF, m->id, name);
	queue_spare_give(qd, qd->df_fd, name, -1);
	queue_xf_remove(qd, m->id);
	return QUEUE_OK;
}

int
queue_msg_lose(struct queue_msg *m, struct pt_buf *err)
{
	char from[QUEUE_NAME_MAX], to[QUEUE_NAME_MAX];

	if (m->state != MSG_QUEUED)
		return QUEUE_TEMPFAIL;
	queue_file_name(m->quarantined ? QFT_HF : QFT_QF, m->id, from);
	queue_file_name(QFT_LOST, m->id, to);
	if (renameat(m->qd->qf_fd, from, m->qd->qf_fd, to) < 0) {
		pt_buf_printf(err, "%s/%s: cannot rename to %s: %s", m->qd->path, from, to, strerror(errno));
		return QUEUE_TEMPFAIL;
	}
	m->state = MSG_DONE;
	return QUEUE_OK;
}

void
queue_msg_close(struct queue_msg *m)
{
	if (m == NULL)
		return;
	if (m->df_wfd >= 0)
		close(m->df_wfd);
	if (m->df_old_fd >= 0)
		close(m->df_old_fd);
	if (m->df_rfd >= 0)
		close(m->df_rfd);
	if (m->qf_fd >= 0)
		close(m->qf_fd);
	queue_env_free(m->env);
	free(m->wbuf);
	free(m);
}

int
queue_xf_open(struct queue_dir *qd, const char *id)
{
	char name[QUEUE_NAME_MAX];

	queue_file_name(QFT_XF, id, name);
	return openat(qd->xf_fd, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
	    qd->file_mode);
}

int
queue_xf_remove(struct queue_dir *qd, const char *id)
{
	char name[QUEUE_NAME_MAX];

	queue_file_name(QFT_XF, id, name);
	if (unlinkat(qd->xf_fd, name, 0) < 0 && errno != ENOENT)
		return QUEUE_TEMPFAIL;
	return QUEUE_OK;
}
