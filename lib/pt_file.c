/*
 * pt_file: whole-file reads, line reads, atomic durable writes and the
 * safe-file checks.
 *
 * Owns no state.  Must never leave a half-written file under a final name:
 * every replacement goes through a temporary name, fsync and rename.  Runs in
 * any process; the checks are made for the uid the caller names, not for the
 * process's own.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "pt_file.h"

int
pt_file_read(const char *path, struct pt_buf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		pt_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return err;
}

bool
pt_file_getline(FILE *fp, struct pt_buf *line)
{
	int c;
	bool any = false;

	pt_buf_reset(line);
	while ((c = getc(fp)) != EOF) {
		any = true;
		if (c == '\n')
			return true;
		pt_buf_addc(line, c);
	}
	return any;
}

bool
pt_file_same(const struct stat *now, const struct stat *was)
{
	return now->st_dev == was->st_dev && now->st_ino == was->st_ino &&
	    now->st_mtim.tv_sec == was->st_mtim.tv_sec &&
	    now->st_mtim.tv_nsec == was->st_mtim.tv_nsec && now->st_size == was->st_size;
}

bool
pt_file_changed(const char *path, const struct stat *was)
{
	struct stat st;

	return stat(path, &st) < 0 || !pt_file_same(&st, was);
}

int
pt_file_fsync_dir(const char *path, bool is_dir)
{
	char *copy = pt_strdup(path);
	const char *dir = is_dir ? copy : dirname(copy);
	int fd, err = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err = errno;
	else {
		if (fsync(fd) < 0 && errno != EINVAL)
			err = errno;
		close(fd);
	}
	free(copy);
	return err;
}

/* Writes all of data to fd, retrying short writes.  Returns 0 or an errno. */
static int
write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
pt_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct pt_buf tmp = PT_BUF_INIT;
	int fd, err;

	pt_buf_printf(&tmp, "%s.tmp%ld", path, (long)getpid());
	fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		err = errno;
		pt_buf_free(&tmp);
		return err;
	}
	err = write_all(fd, data, len);
	if (err == 0 && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp.s, path) < 0)
		err = errno;
	if (err != 0)
		unlink(tmp.s);
	else
		err = pt_file_fsync_dir(path, false);
	pt_buf_free(&tmp);
	return err;
}

/* Checks one folder of a path; returns 0 or EPERM with upstream's reason. */
static int
check_dir(const struct stat *st, uid_t uid, int flags, const char **why)
{
	bool sticky_ok = (st->st_mode & S_ISVTX) && !(flags & PT_SFF_NOSTICKY);

	if ((st->st_mode & S_IWOTH) && !sticky_ok) {
		*why = "World writable directory";
		return EPERM;
	}
	if ((st->st_mode & S_IWGRP) && !sticky_ok && !(flags & PT_SFF_GWDIRSAFE)) {
		*why = "Group writable directory";
		return EPERM;
	}
	if (st->st_uid != 0 && st->st_uid != uid) {
		*why = "Unsafe directory owner";
		return EPERM;
	}
	return 0;
}

/* Checks each folder above path for group or world write permission. */
static int
check_dirpath(const char *path, uid_t uid, int flags, const char **why)
{
	char *copy = pt_strdup(path);
	char *dir = dirname(copy);
	struct stat st;
	size_t len;
	int err = 0;

	for (;;) {
		if (stat(dir, &st) < 0) {
			err = errno;
			*why = strerror(err);
			break;
		}
		err = check_dir(&st, uid, flags, why);
		if (err != 0)
			break;
		if (strcmp(dir, "/") == 0 || strcmp(dir, ".") == 0)
			break;
		len = strlen(dir);
		dir = dirname(dir);
		if (strlen(dir) >= len)
			break;	/* no progress: "//" is its own dirname */
	}
	free(copy);
	return err;
}

/* True if the folder holding path may be written by others than its owner. */
static bool
dir_writable(const char *path)
{
	char *copy = pt_strdup(path);
	struct stat st;
	bool w = stat(dirname(copy), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH));

	free(copy);
	return w;
}

/* The link checks: symbolic, hard, and links in writable folders. */
static int
check_links(const char *path, const struct stat *lst, const struct stat *st, int flags,
    const char **why)
{
	bool wdir = (flags & PT_SFF_NOWLINK) && dir_writable(path);

	if (S_ISLNK(lst->st_mode) && ((flags & PT_SFF_NOSLINK) || wdir)) {
		*why = "Symbolic links not allowed";
		return ELOOP;
	}
	if (st->st_nlink > 1 && S_ISREG(st->st_mode) && ((flags & PT_SFF_NOHLINK) || wdir)) {
		*why = "Hard links not allowed";
		return ELOOP;
	}
	return 0;
}

/* The mode checks selected by flags. */
static int
check_modes(const struct stat *st, int flags, const char **why)
{
	static const struct {
		int flag;
		mode_t bits;
		const char *why;
	} rules[] = {
		{ PT_SFF_NOWWFILES, S_IWOTH, "World writable file" },
		{ PT_SFF_NOGWFILES, S_IWGRP, "Group writable file" },
		{ PT_SFF_NOGRFILES, S_IRGRP, "Group readable file" },
		{ PT_SFF_NOWRFILES, S_IROTH, "World readable file" },
		{ PT_SFF_NOEXEC, S_IXUSR | S_IXGRP | S_IXOTH, "Executable files not allowed" },
	};
	size_t i;

	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		if ((flags & rules[i].flag) && (st->st_mode & rules[i].bits)) {
			*why = rules[i].why;
			return EPERM;
		}
	}
	return 0;
}

int
pt_safefile(const char *path, uid_t uid, int flags, struct stat *st, const char **why)
{
	struct stat lst;
	int err;

	*why = "";
	if (flags & PT_SFF_ANYFILE)
		return stat(path, st) < 0 ? errno : 0;
	if (flags & PT_SFF_SAFEDIRPATH) {
		err = check_dirpath(path, uid, flags, why);
		if (err != 0)
			return err;
	}
	if (lstat(path, &lst) < 0) {
		err = errno;
		*why = strerror(err);
		return (err == ENOENT && (flags & PT_SFF_CREAT)) ? 0 : err;
	}
	if (stat(path, st) < 0) {
		err = errno;
		*why = strerror(err);
		return err;
	}
	err = check_links(path, &lst, st, flags, why);
	if (err != 0)
		return err;
	if (!S_ISREG(st->st_mode) && !S_ISCHR(st->st_mode)) {
		*why = "Regular files only";
		return EPERM;
	}
	if ((flags & PT_SFF_MUSTOWN) && st->st_uid != uid &&
	    !((flags & PT_SFF_ROOTOK) && st->st_uid == 0)) {
		*why = "File owner is not safe";
		return EPERM;
	}
	return check_modes(st, flags, why);
}
