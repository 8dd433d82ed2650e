/*
 * mbox_lock: opening an mbox mailbox under the locks its readers respect.
 *
 * The order is Dovecot's for writers (mbox_write_locks = dotlock fcntl): a
 * dot-lock file <mailbox>.lock made with O_EXCL (holding our pid), then an
 * fcntl write lock over the whole mailbox.  A dot-lock older than
 * stale_after seconds is taken to be left by a dead process and removed;
 * waiting for either lock is bounded by lock_timeout.  A writer waiting for
 * the dot-lock watches the folder (inotify) and tries again as soon as a
 * file there is removed, so that several deliveries to one mailbox follow
 * each other without the gaps of sleeping; it still naps with a growing
 * interval, in case the watch cannot be had or the holder dies.  The mailbox itself
 * must be a regular file with one link, owned by the recipient; a missing
 * one is created with O_EXCL by the caller's identity and given to the
 * recipient, then opened again as the recipient (set_id), so that the
 * kernel checks the recipient's permissions and quota on every write.
 * An append ends with mbox_commit_close: the locks go first, then the
 * fsync, so that the next writer appends while this one waits for the disk.
 * Runs in mail.local (as root, switching its effective ids) and in file
 * deliveries.  Never follows a symbolic link at the last component.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mbox.h"
#include "pt_alloc.h"
#include "pt_str.h"

#define POLL_MS 50
#define FIRST_NAP_US 500	/* the first wait for a busy lock; doubled up to POLL_MS */

/*
 * Sleeps *us microseconds and doubles *us up to max_ms: a lock held for the
 * few milliseconds of an append is retried within about that time, one held
 * longer (a reader) is polled every max_ms.
 */
static void
nap(long *us, int max_ms)
{
	struct timespec ts = { *us / 1000000, (*us % 1000000) * 1000L };

	nanosleep(&ts, NULL);
	*us = *us * 2 > max_ms * 1000L ? max_ms * 1000L : *us * 2;
}

/*
 * A watch for removals in the folder of lock, or -1.  The first removal
 * after it is made wakes wait_removal.
 */
static int
watch_folder(const char *lock)
{
	char dir[4096];
	const char *slash = strrchr(lock, '/');
	int fd;

	if (slash == NULL)
		pt_strlcpy(dir, ".", sizeof dir);
	else if (slash == lock)
		pt_strlcpy(dir, "/", sizeof dir);
	else if ((size_t)(slash - lock) >= sizeof dir)
		return -1;
	else {
		memcpy(dir, lock, (size_t)(slash - lock));
		dir[slash - lock] = '\0';
	}
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, dir, IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Waits up to *us microseconds for a removal in the watched folder (then
 * doubles *us up to max_ms as nap does); naps when there is no watch.
 */
static void
wait_removal(int wfd, long *us, int max_ms)
{
	struct pollfd p = { wfd, POLLIN, 0 };
	char ev[4096];

	if (wfd < 0) {
		nap(us, max_ms);
		return;
	}
	if (poll(&p, 1, (int)(*us / 1000) + 1) > 0)
		while (read(wfd, ev, sizeof ev) > 0)
			;
	*us = *us * 2 > max_ms * 1000L ? max_ms * 1000L : *us * 2;
}

/* Runs the caller's identity switch, if any. */
static int
switch_id(int (*fn)(void *), void *ctx)
{
	return fn != NULL ? fn(ctx) : 0;
}

/* Tries once to make the dot-lock; 0, EEXIST, or another errno. */
static int
dotlock_try(const char *lock)
{
	char pid[32];
	int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	int n;

	if (fd < 0)
		return errno;
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (write(fd, pid, (size_t)n) != n) {
		int e = errno;

		close(fd);
		unlink(lock);
		return e != 0 ? e : EIO;
	}
	close(fd);
	return 0;
}

/* Removes lock when it is older than stale seconds; true if it did. */
static bool
break_stale(const char *lock, long stale)
{
	struct stat st;

	if (lstat(lock, &st) < 0)
		return errno == ENOENT;
	if (time(NULL) - st.st_mtime <= stale)
		return false;
	return unlink(lock) == 0 || errno == ENOENT;
}

/* Takes the dot-lock of mb (as the caller, or as the recipient if the folder refuses). */
static int
dotlock(struct mbox *mb, struct pt_buf *err)
{
	const struct mbox_opts *o = &mb->o;
	struct pt_buf lock = PT_BUF_INIT;
	time_t until = time(NULL) + o->lock_timeout;
	long us = FIRST_NAP_US;
	int rc, wfd = -1;
	bool watched = false;

	pt_buf_printf(&lock, "%s.lock", mb->path);
	for (;;) {
		rc = dotlock_try(lock.s);
		if (rc == EACCES && o->set_id != NULL && switch_id(o->set_id, o->ctx) == 0) {
			rc = dotlock_try(lock.s);
			switch_id(o->restore_id, o->ctx);
		}
		if (rc == 0) {
			mb->dotlock = pt_buf_steal(&lock);
			break;
		}
		if (rc == EACCES || rc == EROFS) {
			/* no dot-locks possible in this folder: rely on fcntl alone, as readers must */
			break;
		}
		if (rc != EEXIST) {
			pt_buf_printf(err, "%s: cannot create the lock file: %s", lock.s, strerror(rc));
			break;
		}
		if (break_stale(lock.s, o->stale_after))
			continue;
		if (time(NULL) >= until) {
			pt_buf_printf(err, "%s: lock file held for more than %d seconds", lock.s,
			    o->lock_timeout);
			rc = ETIMEDOUT;
			break;
		}
		if (!watched) {
			/* watch first, then try again: a removal in between is not missed */
			watched = true;
			wfd = watch_folder(lock.s);
			continue;
		}
		wait_removal(wfd, &us, POLL_MS * 2);
	}
	if (wfd >= 0)
		close(wfd);
	pt_buf_free(&lock);
	return rc == 0 || rc == EACCES || rc == EROFS ? MBOX_OK : MBOX_TEMPFAIL;
}

/* Creates a missing mailbox, owned by the recipient. */
static int
create_mailbox(const struct mbox *mb, struct pt_buf *err)
{
	int fd = open(mb->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
	    mb->o.mode);

	if (fd < 0) {
		if (errno == EEXIST)
			return MBOX_OK;
		pt_buf_printf(err, "%s: cannot create: %s", mb->path, strerror(errno));
		return errno == ENOSPC || errno == EDQUOT ? MBOX_TEMPFAIL : MBOX_CANTCREAT;
	}
	if ((geteuid() == 0 && fchown(fd, mb->o.uid, mb->o.gid) < 0) || fchmod(fd, mb->o.mode) < 0) {
		pt_buf_printf(err, "%s: chown %u.%u: %s", mb->path, (unsigned)mb->o.uid,
		    (unsigned)mb->o.gid, strerror(errno));
		close(fd);
		unlink(mb->path);
		return MBOX_CANTCREAT;
	}
	close(fd);
	return MBOX_OK;
}

/* Checks that the open mailbox is safe to append to. */
static int
check_file(const struct mbox *mb, const struct stat *lst, struct pt_buf *err)
{
	struct stat st;

	if (fstat(mb->fd, &st) < 0) {
		pt_buf_printf(err, "%s: %s", mb->path, strerror(errno));
		return MBOX_TEMPFAIL;
	}
	if (!S_ISREG(st.st_mode))
		pt_buf_printf(err, "%s: irregular file", mb->path);
	else if (st.st_nlink != 1)
		pt_buf_printf(err, "%s: too many links", mb->path);
	else if (st.st_uid != mb->o.uid)
		pt_buf_printf(err, "%s: wrong ownership (%ld)", mb->path, (long)st.st_uid);
	else if (st.st_dev != lst->st_dev || st.st_ino != lst->st_ino)
		pt_buf_printf(err, "%s: file changed after open", mb->path);
	else
		return MBOX_OK;
	return MBOX_CANTCREAT;
}

/* Opens the mailbox as the recipient and checks it. */
static int
open_mailbox(struct mbox *mb, struct pt_buf *err)
{
	struct stat lst;
	int rc;

	if (lstat(mb->path, &lst) < 0 && errno == ENOENT) {
		if ((rc = create_mailbox(mb, err)) != MBOX_OK)
			return rc;
	}
	if (lstat(mb->path, &lst) < 0) {
		pt_buf_printf(err, "%s: %s", mb->path, strerror(errno));
		return MBOX_TEMPFAIL;
	}
	if (S_ISLNK(lst.st_mode)) {
		pt_buf_printf(err, "%s: is a symbolic link", mb->path);
		return MBOX_CANTCREAT;
	}
	if ((rc = switch_id(mb->o.set_id, mb->o.ctx)) != 0) {
		pt_buf_printf(err, "%s: cannot take the recipient's identity: %s", mb->path, strerror(rc));
		return MBOX_OSERR;
	}
	mb->as_user = mb->o.set_id != NULL;
	mb->fd = open(mb->path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (mb->fd < 0) {
		pt_buf_printf(err, "%s: cannot open: %s", mb->path, strerror(errno));
		return errno == EACCES || errno == ELOOP ? MBOX_CANTCREAT : MBOX_TEMPFAIL;
	}
	return check_file(mb, &lst, err);
}

/* Takes the fcntl write lock over the whole mailbox, waiting up to the timeout. */
static int
fcntl_lock(struct mbox *mb, struct pt_buf *err)
{
	struct flock fl;
	time_t until = time(NULL) + mb->o.lock_timeout;
	long us = FIRST_NAP_US;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(mb->fd, F_SETLK, &fl) < 0) {
		if (errno != EACCES && errno != EAGAIN && errno != EINTR) {
			pt_buf_printf(err, "%s: cannot lock: %s", mb->path, strerror(errno));
			return MBOX_TEMPFAIL;
		}
		if (time(NULL) >= until) {
			pt_buf_printf(err, "%s: locked by another process for more than %d seconds",
			    mb->path, mb->o.lock_timeout);
			return MBOX_TEMPFAIL;
		}
		nap(&us, POLL_MS);
	}
	return MBOX_OK;
}

int
mbox_open(const char *path, const struct mbox_opts *o, struct mbox **out, struct pt_buf *err)
{
	struct mbox *mb = pt_calloc(1, sizeof *mb);
	struct stat st;
	int rc;

	mb->path = pt_strdup(path);
	mb->o = *o;
	mb->fd = -1;
	*out = NULL;
	rc = dotlock(mb, err);
	if (rc == MBOX_OK)
		rc = open_mailbox(mb, err);
	if (rc == MBOX_OK)
		rc = fcntl_lock(mb, err);
	if (rc == MBOX_OK && fstat(mb->fd, &st) < 0) {
		pt_buf_printf(err, "%s: %s", mb->path, strerror(errno));
		rc = MBOX_TEMPFAIL;
	}
	if (rc != MBOX_OK) {
		mbox_close(mb);
		return rc;
	}
	mb->start = st.st_size;
	*out = mb;
	return MBOX_OK;
}

/* Releases the fcntl lock and then the dot-lock; the descriptor stays open. */
static void
unlock(struct mbox *mb)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_SET;
	(void)fcntl(mb->fd, F_SETLK, &fl);
	if (mb->as_user) {
		switch_id(mb->o.restore_id, mb->o.ctx);
		mb->as_user = false;
	}
	if (mb->dotlock != NULL) {
		unlink(mb->dotlock);
		free(mb->dotlock);
		mb->dotlock = NULL;
	}
}

/*
 * After a failed fsync outside the locks: takes the fcntl lock again and
 * cuts the append back if the mailbox still ends where it did (nobody has
 * appended since).  Returns the words for the error message.
 */
static const char *
cut_back_unlocked(struct mbox *mb, off_t end)
{
	struct pt_buf ignored = PT_BUF_INIT;
	struct stat st;
	const char *what = "left in place: appended to since";

	if (fcntl_lock(mb, &ignored) != MBOX_OK)
		what = "left in place: could not lock it again";
	else if (fstat(mb->fd, &st) == 0 && st.st_size == end) {
		mbox_rollback(mb);
		what = "cut back";
	}
	pt_buf_free(&ignored);
	return what;
}

int
mbox_commit_close(struct mbox *mb, struct pt_buf *err)
{
	off_t end = lseek(mb->fd, 0, SEEK_CUR);	/* O_APPEND: just past our message */
	int rc = MBOX_OK;

	unlock(mb);
	if (fsync(mb->fd) < 0) {
		int e = errno;
		const char *what = cut_back_unlocked(mb, end);

		pt_buf_printf(err, "%s: fsync: %s (%s)", mb->path, strerror(e), what);
		rc = e == EDQUOT && mb->o.quota_permanent ? MBOX_QUOTA : MBOX_TEMPFAIL;
	}
	mbox_close(mb);
	return rc;
}

void
mbox_close(struct mbox *mb)
{
	if (mb == NULL)
		return;
	if (mb->fd >= 0)
		close(mb->fd);	/* releases the fcntl lock */
	if (mb->as_user)
		switch_id(mb->o.restore_id, mb->o.ctx);
	if (mb->dotlock != NULL)
		unlink(mb->dotlock);
	free(mb->dotlock);
	free(mb->path);
	free(mb);
}
