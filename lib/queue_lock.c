/*
 * queue_lock: the locks on control files, compatible with upstream's.
 *
 * Upstream 8.17 (Debian's build) takes flock(LOCK_EX|LOCK_NB) on a qf while
 * it owns the message and probes with flock(LOCK_SH|LOCK_NB) when it lists
 * the queue; Petrel does the same, so either program sees the other's jobs
 * as locked.  Because a control file is replaced by renaming a new file over
 * it, a lock is only good if the locked descriptor is still the file of that
 * name: queue_lock_same checks it after locking.
 *
 * For listings, the held locks of a whole folder can be read at once from
 * /proc/locks (one read instead of one flock probe per file); when that file
 * cannot be read, each file is probed.  Owns no state; runs anywhere.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "pt_buf.h"
#include "pt_file.h"
#include "queue_int.h"

int
queue_lock_try(int fd)
{
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EINTR)
			return errno == EAGAIN ? EWOULDBLOCK : errno;
	}
	return 0;
}

bool
queue_lock_same(int fd, int dirfd, const char *name)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || a.st_nlink == 0)
		return false;
	if (fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool
queue_lock_held(int fd)
{
	while (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		if (errno != EINTR)
			return errno == EWOULDBLOCK || errno == EAGAIN;
	}
	return false;
}

/* Orders inode numbers for bsearch. */
static int
cmp_ino(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Parses one /proc/locks line; true with *ino for an exclusive flock held on dev. */
static bool
parse_lock_line(const char *line, unsigned maj, unsigned min, unsigned long long *ino)
{
	char type[16], kind[16], mode[16];
	unsigned lmaj, lmin;
	long pid;

	if (strstr(line, "->") != NULL)
		return false;	/* a waiter, not a holder */
	if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%llu", type, kind, mode, &pid, &lmaj,
		&lmin, ino) != 7)
		return false;
	return strcmp(type, "FLOCK") == 0 && strcmp(mode, "WRITE") == 0 && lmaj == maj &&
	    lmin == min;
}

void
queue_locktab_load(struct queue_locktab *t, dev_t dev)
{
	struct pt_buf data = PT_BUF_INIT;
	size_t cap = 0;
	char *line, *save = NULL;
	unsigned long long ino;

	memset(t, 0, sizeof *t);
	if (pt_file_read("/proc/locks", &data) != 0) {
		pt_buf_free(&data);
		return;
	}
	for (line = strtok_r(data.s != NULL ? data.s : (char *)"", "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (!parse_lock_line(line, major(dev), minor(dev), &ino))
			continue;
		if (t->n == cap) {
			cap = cap ? cap * 2 : 64;
			t->inos = pt_reallocarray(t->inos, cap, sizeof *t->inos);
		}
		t->inos[t->n++] = ino;
	}
	pt_buf_free(&data);
	if (t->n > 1)
		qsort(t->inos, t->n, sizeof *t->inos, cmp_ino);
	t->valid = true;
}

bool
queue_locktab_has(const struct queue_locktab *t, unsigned long long ino)
{
	return t->n > 0 && bsearch(&ino, t->inos, t->n, sizeof *t->inos, cmp_ino) != NULL;
}

void
queue_locktab_free(struct queue_locktab *t)
{
	free(t->inos);
	memset(t, 0, sizeof *t);
}
