/*
 * queue_sync: group commit across processes.
 *
 * Each queue directory has Petrel's folder .petrel/ with a shared state
 * file, mapped into every process that writes to the queue, and an empty
 * file whose flock is the leader's lock.  The state holds:
 *
 * | field        | meaning                                                |
 * |--------------|--------------------------------------------------------|
 * | batch_closed | the last batch a leader took; new files join the next  |
 * | batch_done   | the last batch flushed without error                   |
 * | spare_head   | next spare inode slot to take (queue_spare.c)          |
 * | spare_tail   | next spare inode slot to fill                          |
 * | pend[]       | files waiting to be made durable: batch, folder, name  |
 *
 * A process that needs its files on disk registers their names in pend[]
 * under the state lock (the flock of the state file, held for
 * microseconds), noting the open batch B.  Then, until batch_done reaches
 * B, it tries the leader's lock without waiting; when another process holds
 * it, it sleeps on wake_seq (a futex in the shared page, with a short
 * timeout in case the leader dies), so that a finished round wakes all its
 * waiters at once instead of handing a lock from one to the next.  The
 * process that gets the lock is the leader: it closes batch B (new
 * registrations go to B+1), starts write-back of every pending file of
 * batches up to B at once (sync_file_range), waits for them all together
 * (fdatasync of every file at once, see sync_files; then the folders get
 * fsync, once each), and only when all succeeded publishes
 * batch_done = B and drops the entries.  Writers that arrive while a leader
 * flushes gather in the next batch, so one round serves all of them with
 * one journal commit or two.  Only the files of the queue are flushed,
 * unlike syncfs(2), so other writers of the same file system do not slow
 * the queue down.  A leader killed in a round leaves batch_done behind and
 * the entries in place: the next waiter flushes them again.  A file the
 * leader cannot open (another owner) makes it fall back to syncfs.
 *
 * Runs in every process that commits messages; the state belongs to the
 * queue's owner and lives as long as the queue directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/aio_abi.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "queue_int.h"

#define STATE_MAGIC 0x51525450u		/* "PTRQ" */
#define STATE_VERSION 2
#define PEND_MAX 512
#define FLUSH_FILE "flush"

/* A file waiting to be made durable. */
struct pend {
	uint64_t batch;
	char type;		/* QUEUE_SYNC_QF / _DF: a file; _QDIR / _DDIR: a folder; 0: free */
	char name[QUEUE_NAME_MAX + 1];
};

/* The shared page(s).  The first fields keep their offsets across versions. */
struct queue_state {
	uint32_t magic;
	uint32_t version;
	uint64_t batch_closed;
	uint64_t batch_done;
	uint64_t spare_head;
	uint64_t spare_tail;
	uint32_t wake_seq;	/* bumped after every round; waiters sleep on it (futex) */
	uint32_t pad;
	struct pend pend[PEND_MAX];
};

#define STATE_SIZE (((sizeof(struct queue_state) + 4095) / 4096) * 4096)

struct queue_shared {
	int fd;			/* the state file; its flock guards pend[] */
	int flush_fd;		/* the leader's lock */
	struct queue_state *st;
};

/* Opens (creating when asked) the .petrel folder of qd. */
static int
open_state_dir(struct queue_dir *qd, bool create, uid_t uid, gid_t gid)
{
	if (create && mkdirat(qd->fd, QUEUE_STATE_DIR, 0700) == 0 && (uid != (uid_t)-1 || gid != (gid_t)-1))
		(void)fchownat(qd->fd, QUEUE_STATE_DIR, uid, gid, AT_SYMLINK_NOFOLLOW);
	return openat(qd->fd, QUEUE_STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

/* Opens file name of folder dirfd read-write, creating it when asked. */
static int
open_file(int dirfd, const char *name, bool create, uid_t uid, gid_t gid, struct pt_buf *err)
{
	int fd = openat(dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		pt_buf_printf(err, "%s/%s: %s", QUEUE_STATE_DIR, name, fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (create && (uid != (uid_t)-1 || gid != (gid_t)-1))
		(void)fchown(fd, uid, gid);
	return fd;
}

/* Opens and maps the state file and the leader's lock file in folder dirfd. */
static struct queue_shared *
map_state(int dirfd, bool create, uid_t uid, gid_t gid, struct pt_buf *err)
{
	struct queue_shared *sh;
	struct stat st;
	int fd, ffd;
	void *p;

	if ((fd = open_file(dirfd, QUEUE_STATE_FILE, create, uid, gid, err)) < 0)
		return NULL;
	if ((ffd = open_file(dirfd, FLUSH_FILE, create, uid, gid, err)) < 0 || fstat(fd, &st) < 0 ||
	    ((size_t)st.st_size < STATE_SIZE && ftruncate(fd, (off_t)STATE_SIZE) < 0) ||
	    (p = mmap(NULL, STATE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		if (ffd >= 0) {
			pt_buf_printf(err, "%s/%s: %s", QUEUE_STATE_DIR, QUEUE_STATE_FILE, strerror(errno));
			close(ffd);
		}
		close(fd);
		return NULL;
	}
	sh = pt_calloc(1, sizeof *sh);
	sh->fd = fd;
	sh->flush_fd = ffd;
	sh->st = p;
	if (__atomic_load_n(&sh->st->magic, __ATOMIC_ACQUIRE) != STATE_MAGIC ||
	    __atomic_load_n(&sh->st->version, __ATOMIC_ACQUIRE) != STATE_VERSION) {
		/* zeroes are a valid state; older versions' counters keep their meaning */
		flock(fd, LOCK_EX);
		if (sh->st->version != STATE_VERSION)
			memset(sh->st->pend, 0, sizeof sh->st->pend);
		sh->st->version = STATE_VERSION;
		__atomic_store_n(&sh->st->magic, STATE_MAGIC, __ATOMIC_RELEASE);
		flock(fd, LOCK_UN);
	}
	return sh;
}

int
queue_shared_open(struct queue_dir *qd, bool create, uid_t uid, gid_t gid, struct pt_buf *err)
{
	int dfd;

	if (qd->shared != NULL)
		return QUEUE_OK;
	dfd = open_state_dir(qd, create, uid, gid);
	if (dfd < 0) {
		pt_buf_printf(err, "%s/%s: %s", qd->path, QUEUE_STATE_DIR, strerror(errno));
		return QUEUE_TEMPFAIL;
	}
	qd->shared = map_state(dfd, create, uid, gid, err);
	if (qd->shared == NULL) {
		close(dfd);
		return QUEUE_TEMPFAIL;
	}
	qd->spare_fd = dfd;
	return QUEUE_OK;
}

void
queue_shared_close(struct queue_dir *qd)
{
	if (qd->shared != NULL) {
		munmap(qd->shared->st, STATE_SIZE);
		close(qd->shared->fd);
		close(qd->shared->flush_fd);
		free(qd->shared);
		qd->shared = NULL;
	}
	if (qd->spare_fd >= 0) {
		close(qd->spare_fd);
		qd->spare_fd = -1;
	}
}

/* Takes (LOCK_EX) or drops (LOCK_UN) a flock, riding out signals. */
static int
lock(int fd, int op)
{
	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return errno;
	return 0;
}

/* The folder of a pending entry. */
static int
folder_of(const struct queue_dir *qd, char type)
{
	return type == QUEUE_SYNC_DF || type == QUEUE_SYNC_DDIR ? qd->df_fd : qd->qf_fd;
}

/* Flushes everything of the queue's file systems: the fallback. */
static int
sync_all(const struct queue_dir *qd)
{
	if (syncfs(qd->qf_fd) < 0 || (qd->df_fd != qd->qf_fd && syncfs(qd->df_fd) < 0))
		return errno;
	return 0;
}

/*
 * The AIO context of this process for sync_files, made on first use; 0 when
 * the kernel refused one.  A forked child does not inherit the parent's
 * context (contexts belong to the address space), hence the owner's pid.
 */
#define AIO_BATCH 32
#define AIO_MIN 2	/* no faster for a message's two files: the hand-over to a worker costs more than it saves */
static aio_context_t aio_ctx;
static pid_t aio_pid;
static bool aio_failed;

static aio_context_t
aio_context(void)
{
	pid_t me = getpid();

	if (aio_pid != me) {
		aio_ctx = 0;
		aio_failed = syscall(SYS_io_setup, AIO_BATCH, &aio_ctx) < 0;
		aio_pid = me;
	}
	return aio_failed ? 0 : aio_ctx;
}

/*
 * fdatasync(2) of the n files of fds (-1 entries skipped), all at once:
 * one IOCB_CMD_FDSYNC each through the kernel's native AIO, which runs them
 * in parallel kernel workers.  One by one, every call after the first finds
 * the journal already committed and still waits for a device flush of its
 * own, so a round of N files costs N flushes in a row; together, their
 * waits overlap and the block layer merges the flushes.  One by one for
 * up to AIO_MIN files, and where AIO is missing.  0 or an errno.
 */
static int
sync_files(const int *fds, size_t n)
{
	struct iocb cb[AIO_BATCH], *cbp[AIO_BATCH];
	struct io_event ev[AIO_BATCH];
	aio_context_t ctx = 0;
	size_t i = 0, k, sub, got;
	long r;
	int rc = 0;

	for (k = 0; i < n; i++)
		k += fds[i] >= 0;
	if (k > AIO_MIN)
		ctx = aio_context();
	i = 0;

	while (i < n && rc == 0) {
		for (k = 0; i < n && k < AIO_BATCH; i++) {
			if (fds[i] < 0)
				continue;
			if (ctx == 0) {
				if (fdatasync(fds[i]) < 0)
					rc = errno;
				if (rc != 0)
					break;
				continue;
			}
			memset(&cb[k], 0, sizeof cb[k]);
			cb[k].aio_fildes = (uint32_t)fds[i];
			cb[k].aio_lio_opcode = IOCB_CMD_FDSYNC;
			cbp[k] = &cb[k];
			k++;
		}
		for (sub = 0; sub < k;) {
			r = syscall(SYS_io_submit, ctx, (long)(k - sub), cbp + sub);
			if (r > 0)
				sub += (size_t)r;
			else if (r == 0 || errno != EINTR)
				break;
		}
		for (got = sub; got < k; got++)	/* what the kernel refused: here */
			if (fdatasync((int)cbp[got]->aio_fildes) < 0 && rc == 0)
				rc = errno;
		for (got = 0; got < sub;) {
			r = syscall(SYS_io_getevents, ctx, 1L, (long)(sub - got), ev, NULL);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				return errno;	/* cannot happen with a valid context */
			}
			for (long j = 0; j < r; j++)
				if (ev[j].res < 0 && rc == 0)
					rc = (int)-ev[j].res;
			got += (size_t)r;
		}
	}
	return rc;
}

/*
 * Makes the n entries of v durable: write-back of every file started at
 * once, then waited for, then each folder synced once.  0 or an errno.
 */
static int
flush(const struct queue_dir *qd, const struct pend *v, size_t n)
{
	int *fds = pt_calloc(n ? n : 1, sizeof *fds), rc = 0;
	bool qdir = false, ddir = false;
	size_t i;

	for (i = 0; i < n; i++) {
		fds[i] = -1;
		if (v[i].type == QUEUE_SYNC_QDIR || v[i].type == QUEUE_SYNC_DDIR) {
			qdir |= v[i].type == QUEUE_SYNC_QDIR;
			ddir |= v[i].type == QUEUE_SYNC_DDIR;
			continue;
		}
		fds[i] = openat(folder_of(qd, v[i].type), v[i].name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fds[i] < 0 && errno != ENOENT)
			rc = -1;	/* not ours to open: flush everything instead */
		else if (fds[i] >= 0)
			(void)sync_file_range(fds[i], 0, 0, SYNC_FILE_RANGE_WRITE);
	}
	if (rc == 0)
		rc = sync_files(fds, n);
	if (rc == -1)
		rc = sync_all(qd);
	if (rc == 0 && qdir && fsync(qd->qf_fd) < 0 && errno != EINVAL)
		rc = errno;
	if (rc == 0 && ddir && qd->df_fd != qd->qf_fd && fsync(qd->df_fd) < 0 && errno != EINVAL)
		rc = errno;
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return rc;
}

/* Registers the n items in the next batch; returns its number, or 0 when pend[] is full. */
static uint64_t
enqueue(struct queue_state *st, const struct queue_sync_item *items, size_t n)
{
	size_t i, k = 0;
	uint64_t batch = st->batch_closed + 1;

	for (i = 0; i < PEND_MAX && k < n; i++)
		if (st->pend[i].type == 0)
			k++;
	if (k < n)
		return 0;
	for (i = 0, k = 0; i < PEND_MAX && k < n; i++) {
		if (st->pend[i].type != 0)
			continue;
		st->pend[i].batch = batch;
		st->pend[i].type = items[k].type;
		memcpy(st->pend[i].name, items[k].name, strlen(items[k].name) + 1);
		k++;
	}
	return batch;
}

/* As the leader of batch b: closes it and copies what it must flush. */
static size_t
close_batch(struct queue_state *st, uint64_t b, struct pend *out)
{
	size_t i, n = 0;

	if (st->batch_closed < b)
		st->batch_closed = b;
	for (i = 0; i < PEND_MAX; i++)
		if (st->pend[i].type != 0 && st->pend[i].batch <= b)
			out[n++] = st->pend[i];
	return n;
}

/* Drops the entries of batches up to b, which are now on disk. */
static void
retire(struct queue_state *st, uint64_t b)
{
	size_t i;

	for (i = 0; i < PEND_MAX; i++)
		if (st->pend[i].type != 0 && st->pend[i].batch <= b)
			st->pend[i].type = 0;
	if (st->batch_done < b)
		__atomic_store_n(&st->batch_done, b, __ATOMIC_SEQ_CST);
}

/* Leads the round for batch b (the leader's lock is held). */
static int
lead(struct queue_dir *qd, uint64_t b)
{
	struct queue_shared *sh = qd->shared;
	struct pend *todo = pt_malloc(sizeof(struct pend) * PEND_MAX);
	size_t n;
	int rc;

	lock(sh->fd, LOCK_EX);
	n = close_batch(sh->st, b, todo);
	lock(sh->fd, LOCK_UN);
	rc = flush(qd, todo, n);
	if (rc == 0) {
		lock(sh->fd, LOCK_EX);
		retire(sh->st, b);
		lock(sh->fd, LOCK_UN);
	}
	free(todo);
	return rc;
}

/* Sleeps until wake_seq moves from seq, or a short while passes. */
static void
wait_round(struct queue_state *st, uint32_t seq)
{
	struct timespec ts = { 0, 50 * 1000000L };

	(void)syscall(SYS_futex, &st->wake_seq, FUTEX_WAIT, seq, &ts, NULL, 0);
}

/* Ends a round: every sleeper wakes and looks at batch_done. */
static void
wake_all(struct queue_state *st)
{
	__atomic_fetch_add(&st->wake_seq, 1, __ATOMIC_SEQ_CST);
	(void)syscall(SYS_futex, &st->wake_seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Waits until batch b is on disk, leading a round when nobody else does. */
static int
await_batch(struct queue_dir *qd, uint64_t b)
{
	struct queue_shared *sh = qd->shared;
	struct queue_state *st = sh->st;
	uint32_t seq;
	int rc;

	for (;;) {
		seq = __atomic_load_n(&st->wake_seq, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&st->batch_done, __ATOMIC_SEQ_CST) >= b)
			return 0;
		if (flock(sh->flush_fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK && errno != EINTR)
				return errno;
			wait_round(st, seq);
			continue;
		}
		rc = __atomic_load_n(&st->batch_done, __ATOMIC_SEQ_CST) >= b ? 0 : lead(qd, b);
		wake_all(st);
		lock(sh->flush_fd, LOCK_UN);
		if (rc != 0)
			return rc;
	}
}

int
queue_sync_items(struct queue_dir *qd, const struct queue_sync_item *items, size_t n)
{
	struct queue_shared *sh = qd->shared;
	struct pend own[4];
	uint64_t b;
	size_t i;
	int rc;

	if (sh == NULL || n > 4) {
		for (i = 0; i < n && i < 4; i++) {
			own[i].type = items[i].type;
			memcpy(own[i].name, items[i].name, strlen(items[i].name) + 1);
		}
		return n > 4 ? sync_all(qd) : flush(qd, own, n);
	}
	if ((rc = lock(sh->fd, LOCK_EX)) != 0)
		return rc;
	b = enqueue(sh->st, items, n);
	lock(sh->fd, LOCK_UN);
	if (b == 0)
		return sync_all(qd);	/* pend[] is full: flush everything */
	return await_batch(qd, b);
}

uint64_t *
queue_shared_counter(struct queue_dir *qd, int which)
{
	if (qd->shared == NULL)
		return NULL;
	switch (which) {
	case QUEUE_CTR_SPARE_HEAD:
		return &qd->shared->st->spare_head;
	case QUEUE_CTR_SPARE_TAIL:
		return &qd->shared->st->spare_tail;
	case QUEUE_CTR_SYNC_DONE:
		return &qd->shared->st->batch_done;
	default:
		return NULL;
	}
}
