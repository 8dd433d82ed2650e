/*
 * queue_spare: a pool of spare inodes, so that queueing a message creates
 * no file.
 *
 * Creating an inode is the most expensive step of queueing on many file
 * systems (here about a millisecond of CPU on ext4, against 30 microseconds
 * for a rename); a finished message's qf and df are therefore kept (with their
 * contents unless large, see empty_file) in <queue>/.petrel/ as s<N>, and a
 * new message renames one of them to
 * its df or tf name.  The slots form a ring whose two ends are counters of
 * the shared state (queue_sync.c): a taker claims slot head with a
 * compare-and-swap and renames s<head> to its name without replacing
 * anything; a giver first renames the file to a private name (that is the
 * atomic removal of the message's file), empties it if it is large, claims
 * slot tail and renames it to s<tail>.  A slot whose file is not there (a giver that is
 * slow or died) is skipped; its file, if it ever arrives, is an orphan that
 * queue_spare_sweep removes.  At most spare_max files are kept.
 *
 * Runs in the processes that commit and finish messages; spares keep the
 * owner and mode of the process that created them, so a file that cannot be
 * opened after taking is replaced by a new one.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "queue_int.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

int
queue_rename_noreplace(int olddir, const char *oldname, int newdir, const char *newname)
{
#ifdef SYS_renameat2
	if (syscall(SYS_renameat2, olddir, oldname, newdir, newname, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return errno;
#endif
	/* no renameat2 here: link (which never replaces) and unlink */
	if (linkat(olddir, oldname, newdir, newname, 0) < 0)
		return errno;
	(void)unlinkat(olddir, oldname, 0);
	return 0;
}

/* The name of slot n. */
static void
slot_name(uint64_t n, char out[32])
{
	snprintf(out, 32, "s%llu", (unsigned long long)n);
}

int
queue_spare_take(struct queue_dir *qd, int dirfd, const char *name)
{
	uint64_t *head = queue_shared_counter(qd, QUEUE_CTR_SPARE_HEAD);
	uint64_t *tail = queue_shared_counter(qd, QUEUE_CTR_SPARE_TAIL);
	char slot[32];
	int tries, rc;

	if (head == NULL || qd->spare_fd < 0 || qd->spare_max == 0)
		return ENOENT;
	for (tries = 0; tries < 16; tries++) {
		uint64_t h = __atomic_load_n(head, __ATOMIC_SEQ_CST);

		if (h >= __atomic_load_n(tail, __ATOMIC_SEQ_CST))
			return ENOENT;
		if (!__atomic_compare_exchange_n(head, &h, h + 1, false, __ATOMIC_SEQ_CST,
			__ATOMIC_SEQ_CST))
			continue;
		slot_name(h, slot);
		rc = queue_rename_noreplace(qd->spare_fd, slot, dirfd, name);
		if (rc == 0)
			return 0;
		if (rc == ENOENT)
			continue;	/* a hole: the giver has not come (yet) */
		if (rc == EEXIST) {
			/* the name is taken: put the spare back for someone else */
			uint64_t t = __atomic_fetch_add(tail, 1, __ATOMIC_SEQ_CST);
			char back[32];

			slot_name(t, back);
			if (renameat(qd->spare_fd, slot, qd->spare_fd, back) < 0)
				(void)unlinkat(qd->spare_fd, slot, 0);
			return EEXIST;
		}
		(void)unlinkat(qd->spare_fd, slot, 0);
		return rc == EXDEV ? ENOENT : rc;
	}
	return ENOENT;
}

/*
 * Empties the file called name in the pool folder (by descriptor or by name)
 * when it holds more than QUEUE_SPARE_KEEP bytes.  A smaller one keeps its
 * contents and so its blocks: the next message overwrites them in place and
 * cuts the file to its own length (queue_msg.c), so that taking a spare
 * allocates no blocks and giving one back frees none (each free is a discard
 * request on a file system mounted with -o discard).
 */
static void
empty_file(struct queue_dir *qd, const char *name, int fd)
{
	struct stat st;
	int wfd = fd;

	if (wfd < 0)
		wfd = openat(qd->spare_fd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (wfd < 0)
		return;
	if (fstat(wfd, &st) == 0 && st.st_size > QUEUE_SPARE_KEEP)
		(void)ftruncate(wfd, 0);
	if (wfd != fd)
		close(wfd);
}

void
queue_spare_give(struct queue_dir *qd, int dirfd, const char *name, int fd)
{
	uint64_t *head = queue_shared_counter(qd, QUEUE_CTR_SPARE_HEAD);
	uint64_t *tail = queue_shared_counter(qd, QUEUE_CTR_SPARE_TAIL);
	char priv[48], slot[32];
	uint64_t t;

	if (head == NULL || qd->spare_fd < 0 ||
	    __atomic_load_n(tail, __ATOMIC_SEQ_CST) - __atomic_load_n(head, __ATOMIC_SEQ_CST) >=
		qd->spare_max) {
		(void)unlinkat(dirfd, name, 0);
		if (fd >= 0)
			close(fd);
		return;
	}
	snprintf(priv, sizeof priv, "g%ld.%u", (long)getpid(), qd->spare_seq++);
	if (renameat(dirfd, name, qd->spare_fd, priv) < 0) {
		(void)unlinkat(dirfd, name, 0);
		if (fd >= 0)
			close(fd);
		return;
	}
	empty_file(qd, priv, fd);
	if (fd >= 0)
		close(fd);	/* drops a lock the caller held on it */
	t = __atomic_fetch_add(tail, 1, __ATOMIC_SEQ_CST);
	slot_name(t, slot);
	if (renameat(qd->spare_fd, priv, qd->spare_fd, slot) < 0)
		(void)unlinkat(qd->spare_fd, priv, 0);
}

unsigned
queue_spare_fill(struct queue_dir *qd, unsigned n)
{
	uint64_t *head = queue_shared_counter(qd, QUEUE_CTR_SPARE_HEAD);
	uint64_t *tail = queue_shared_counter(qd, QUEUE_CTR_SPARE_TAIL);
	char priv[48];
	unsigned i;
	int fd;

	if (head == NULL || qd->spare_fd < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (__atomic_load_n(tail, __ATOMIC_SEQ_CST) - __atomic_load_n(head, __ATOMIC_SEQ_CST) >=
		    qd->spare_max)
			break;
		snprintf(priv, sizeof priv, "n%ld.%u", (long)getpid(), qd->spare_seq++);
		fd = openat(qd->spare_fd, priv, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, qd->file_mode);
		if (fd < 0)
			break;
		close(fd);
		queue_spare_give(qd, qd->spare_fd, priv, -1);
	}
	return (unsigned)(__atomic_load_n(tail, __ATOMIC_SEQ_CST) - __atomic_load_n(head, __ATOMIC_SEQ_CST));
}

/* True for a pool entry that may be removed: a lost slot or a stale private file. */
static bool
is_garbage(const char *name, uint64_t head)
{
	char *end;
	unsigned long long n;

	if (name[0] == 's') {
		n = strtoull(name + 1, &end, 10);
		return *end == '\0' && end != name + 1 && n < head;
	}
	return name[0] == 'g' || name[0] == 'n';
}

int
queue_spare_sweep(struct queue_dir *qd, time_t now, long age)
{
	uint64_t *head = queue_shared_counter(qd, QUEUE_CTR_SPARE_HEAD);
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd, count = 0;

	if (head == NULL || qd->spare_fd < 0 ||
	    (fd = openat(qd->spare_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((d = readdir(dir)) != NULL) {
		if (!is_garbage(d->d_name, __atomic_load_n(head, __ATOMIC_SEQ_CST)))
			continue;
		if (fstatat(qd->spare_fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || now - st.st_ctime < age)
			continue;
		if (unlinkat(qd->spare_fd, d->d_name, 0) == 0)
			count++;
	}
	closedir(dir);
	return count;
}
