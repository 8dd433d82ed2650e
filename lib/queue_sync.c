/*
 * queue_sync: group commit across processes.
 *
 * Each queue directory has a small shared state file, .petrel/state, mapped
 * into every process that writes to the queue.  It holds two generation
 * counters of durability rounds and the two ends of the spare-inode ring
 * (queue_spare.c):
 *
 * | field        | meaning                                               |
 * |--------------|-------------------------------------------------------|
 * | sync_started | number of the last round that began                   |
 * | sync_done    | number of the last round that finished without error |
 * | spare_head   | next spare slot to take                               |
 * | spare_tail   | next spare slot to fill                               |
 *
 * A writer that needs its writes on disk reads sync_started = S after the
 * writes: any round numbered above S began after them.  It takes the flock
 * on the state file (the leader's lock), and if sync_done has reached S+1
 * meanwhile it is done; otherwise it is the leader: it publishes round
 * sync_started+1, calls syncfs(2) on the queue's file system(s) and
 * publishes sync_done.  Writers that arrive during a round wait on the lock
 * and are served by the next one, so one syncfs covers every message
 * written while the previous round ran.  A leader killed mid-round leaves
 * sync_done behind and the next waiter syncs again: nothing is ever
 * reported durable that a finished syncfs did not cover.  syncfs reports
 * write-back errors (Linux 5.8 and later), which fail the commit.
 *
 * Runs in every process that commits messages; the state file belongs to
 * the queue's owner and lives as long as the queue directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "queue_int.h"

#define STATE_MAGIC 0x51525450u		/* "PTRQ" */
#define STATE_SIZE 4096

/* The shared page. */
struct queue_state {
	uint32_t magic;
	uint32_t version;
	uint64_t sync_started;
	uint64_t sync_done;
	uint64_t spare_head;
	uint64_t spare_tail;
};

struct queue_shared {
	int fd;
	struct queue_state *st;
};

/* Opens (creating when asked) the .petrel folder of qd. */
static int
open_state_dir(struct queue_dir *qd, bool create, uid_t uid, gid_t gid)
{
	int fd;

	if (create && mkdirat(qd->fd, QUEUE_STATE_DIR, 0700) == 0 && (uid != (uid_t)-1 || gid != (gid_t)-1))
		(void)fchownat(qd->fd, QUEUE_STATE_DIR, uid, gid, AT_SYMLINK_NOFOLLOW);
	fd = openat(qd->fd, QUEUE_STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd;
}

/* Opens and maps the state file in folder dirfd. */
static struct queue_shared *
map_state(int dirfd, bool create, uid_t uid, gid_t gid, struct pt_buf *err)
{
	struct queue_shared *sh;
	struct stat st;
	int fd;
	void *p;

	fd = openat(dirfd, QUEUE_STATE_FILE, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
	if (fd < 0) {
		pt_buf_printf(err, "%s/%s: %s", QUEUE_STATE_DIR, QUEUE_STATE_FILE, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_size < STATE_SIZE && ftruncate(fd, STATE_SIZE) < 0)) {
		pt_buf_printf(err, "%s/%s: %s", QUEUE_STATE_DIR, QUEUE_STATE_FILE,
		    S_ISREG(st.st_mode) ? strerror(errno) : "not a regular file");
		close(fd);
		return NULL;
	}
	if (create && (uid != (uid_t)-1 || gid != (gid_t)-1))
		(void)fchown(fd, uid, gid);
	p = mmap(NULL, STATE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		pt_buf_printf(err, "%s/%s: mmap: %s", QUEUE_STATE_DIR, QUEUE_STATE_FILE, strerror(errno));
		close(fd);
		return NULL;
	}
	sh = pt_calloc(1, sizeof *sh);
	sh->fd = fd;
	sh->st = p;
	if (__atomic_load_n(&sh->st->magic, __ATOMIC_ACQUIRE) != STATE_MAGIC) {
		/* zeroes are a valid state; the magic only marks the file as ours */
		sh->st->version = 1;
		__atomic_store_n(&sh->st->magic, STATE_MAGIC, __ATOMIC_RELEASE);
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
		free(qd->shared);
		qd->shared = NULL;
	}
	if (qd->spare_fd >= 0) {
		close(qd->spare_fd);
		qd->spare_fd = -1;
	}
}

/* Flushes every file system the queue's folders are on. */
static int
sync_filesystems(const struct queue_dir *qd)
{
	struct stat a, b;

	if (syncfs(qd->qf_fd) < 0)
		return errno;
	if (qd->df_fd != qd->qf_fd && fstat(qd->qf_fd, &a) == 0 && fstat(qd->df_fd, &b) == 0 &&
	    a.st_dev != b.st_dev && syncfs(qd->df_fd) < 0)
		return errno;
	return 0;
}

/* Takes or releases the leader's lock. */
static int
leader_lock(int fd, int op)
{
	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return errno;
	return 0;
}

int
queue_sync_group(struct queue_dir *qd)
{
	struct queue_state *st;
	uint64_t target, round;
	int rc;

	if (qd->shared == NULL)
		return sync_filesystems(qd);
	st = qd->shared->st;
	target = __atomic_load_n(&st->sync_started, __ATOMIC_SEQ_CST) + 1;
	if ((rc = leader_lock(qd->shared->fd, LOCK_EX)) != 0)
		return rc;
	if (__atomic_load_n(&st->sync_done, __ATOMIC_SEQ_CST) >= target) {
		leader_lock(qd->shared->fd, LOCK_UN);
		return 0;
	}
	round = __atomic_load_n(&st->sync_started, __ATOMIC_SEQ_CST) + 1;
	if (round < target)
		round = target;
	__atomic_store_n(&st->sync_started, round, __ATOMIC_SEQ_CST);
	rc = sync_filesystems(qd);
	if (rc == 0)
		__atomic_store_n(&st->sync_done, round, __ATOMIC_SEQ_CST);
	leader_lock(qd->shared->fd, LOCK_UN);
	return rc;
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
		return &qd->shared->st->sync_done;
	default:
		return NULL;
	}
}
