/*
 * queue_dir: queue directories and queue groups.
 *
 * A queue directory is opened once per process: the folder, its qf/, df/ and
 * xf/ subfolders when they exist (upstream's layout), and, for processes
 * that write, the shared state of .petrel/ (group commit and the inode
 * pool).  File names are built here and nowhere else.  A queue group is a
 * name and the folders its path pattern matches ("/var/spool/mqueue/q*").
 * Also sweeps garbage: tf and df files that no control file owns.
 * Runs in every process that touches the queue; needs no privilege beyond
 * access to the folders.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "pt_str.h"
#include "queue.h"
#include "queue_int.h"

#define NFS_MAGIC 0x6969

/* Opens subfolder name of fd, or returns fd itself when there is none. */
static int
open_sub(int fd, const char *name, bool *has)
{
	int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*has = sub >= 0;
	return sub >= 0 ? sub : fd;
}

/* Picks the durability mode the folder can give. */
static int
choose_sync(struct queue_dir *qd, int wanted)
{
	struct statfs sfs;
	struct pt_buf err = PT_BUF_INIT;

	if (wanted == QUEUE_SYNC_NONE)	/* readers (mailq) and SuperSafe=False: no shared state */
		return wanted;
	if (wanted == QUEUE_SYNC_PRIVATE)	/* a queue several users write */
		return QUEUE_SYNC_FILES;
	if (fstatfs(qd->qf_fd, &sfs) == 0 && sfs.f_type == NFS_MAGIC)
		return wanted == QUEUE_SYNC_GROUP ? QUEUE_SYNC_FILES : wanted;
	/* the shared state also holds the inode pool, which every writer uses */
	if (queue_shared_open(qd, true, (uid_t)-1, (gid_t)-1, &err) != QUEUE_OK) {
		pt_buf_free(&err);
		return wanted == QUEUE_SYNC_GROUP ? QUEUE_SYNC_FILES : wanted;
	}
	pt_buf_free(&err);
	return wanted;
}

int
queue_dir_open(const char *path, const char *group, int sync_mode, struct queue_dir **out,
    struct pt_buf *err)
{
	struct queue_dir *qd;
	struct stat st;
	size_t len = strlen(path);
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		pt_buf_printf(err, "%s: %s", path, strerror(errno));
		return QUEUE_TEMPFAIL;
	}
	qd = pt_calloc(1, sizeof *qd);
	while (len > 1 && path[len - 1] == '/')
		len--;
	qd->path = pt_strndup(path, len);
	qd->group = pt_strdup(group != NULL ? group : "mqueue");
	qd->fd = fd;
	qd->qf_fd = open_sub(fd, "qf", &qd->has_qf);
	qd->df_fd = open_sub(fd, "df", &qd->has_df);
	qd->xf_fd = open_sub(fd, "xf", &qd->has_xf);
	qd->file_mode = 0600;
	qd->spare_max = QUEUE_SPARE_DEFAULT;
	qd->spare_fd = -1;
	if (fstat(qd->qf_fd, &st) == 0)
		qd->dev = st.st_dev;
	qd->sync_mode = choose_sync(qd, sync_mode);
	*out = qd;
	return QUEUE_OK;
}

void
queue_dir_close(struct queue_dir *qd)
{
	if (qd == NULL)
		return;
	queue_shared_close(qd);
	if (qd->has_qf)
		close(qd->qf_fd);
	if (qd->has_df)
		close(qd->df_fd);
	if (qd->has_xf)
		close(qd->xf_fd);
	close(qd->fd);
	free(qd->path);
	free(qd->group);
	free(qd);
}

int
queue_dir_fd(const struct queue_dir *qd, int type)
{
	switch (type) {
	case QFT_DF:
		return qd->df_fd;
	case QFT_XF:
		return qd->xf_fd;
	default:
		return qd->qf_fd;
	}
}

void
queue_file_name(int type, const char *id, char out[QUEUE_NAME_MAX])
{
	size_t n = strlen(id);

	if (n > QUEUE_NAME_MAX - 3)
		n = QUEUE_NAME_MAX - 3;
	out[0] = (char)type;
	out[1] = 'f';
	memcpy(out + 2, id, n);
	out[2 + n] = '\0';
}

/* The subfolder a type lives in, or NULL for the top. */
static const char *
sub_of(const struct queue_dir *qd, int type)
{
	if (type == QFT_DF)
		return qd->has_df ? "df" : NULL;
	if (type == QFT_XF)
		return qd->has_xf ? "xf" : NULL;
	return qd->has_qf ? "qf" : NULL;
}

void
queue_file_relpath(const struct queue_dir *qd, int type, const char *id, struct pt_buf *out)
{
	char name[QUEUE_NAME_MAX];
	const char *sub = sub_of(qd, type);

	queue_file_name(type, id, name);
	pt_buf_printf(out, "%s/%s", sub != NULL ? sub : ".", name);
}

void
queue_file_path(const struct queue_dir *qd, int type, const char *id, struct pt_buf *out)
{
	char name[QUEUE_NAME_MAX];
	const char *sub = sub_of(qd, type);

	queue_file_name(type, id, name);
	if (sub != NULL)
		pt_buf_printf(out, "%s/%s/%s", qd->path, sub, name);
	else
		pt_buf_printf(out, "%s/%s", qd->path, name);
}

int
queue_dir_prepare(struct queue_dir *qd, uid_t uid, gid_t gid, unsigned n, struct pt_buf *err)
{
	if (qd->shared == NULL && queue_shared_open(qd, true, uid, gid, err) != QUEUE_OK)
		return QUEUE_TEMPFAIL;
	if (qd->sync_mode == QUEUE_SYNC_FILES)
		qd->sync_mode = QUEUE_SYNC_GROUP;
	queue_spare_fill(qd, n);
	return QUEUE_OK;
}

/* True if message id still has a control file (qf or hf). */
static bool
has_control(const struct queue_dir *qd, const char *id)
{
	char name[QUEUE_NAME_MAX];
	struct stat st;

	queue_file_name(QFT_QF, id, name);
	if (fstatat(qd->qf_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	queue_file_name(QFT_HF, id, name);
	return fstatat(qd->qf_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Removes stale tf files (kind 't') or orphan df/xf files in folder fd. */
static int
sweep_folder(const struct queue_dir *qd, int fd, char kind, time_t now, long age)
{
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), count = 0;

	if (dfd < 0 || (dir = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] != kind || d->d_name[1] != 'f' || d->d_name[2] == '\0')
			continue;
		if (fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
		    now - st.st_mtime < age)
			continue;
		if (kind != 't' && has_control(qd, d->d_name + 2))
			continue;
		if (unlinkat(fd, d->d_name, 0) == 0)
			count++;
	}
	closedir(dir);
	return count;
}

int
queue_dir_sweep(struct queue_dir *qd, time_t now, long age)
{
	int n = sweep_folder(qd, qd->qf_fd, 't', now, age);

	n += sweep_folder(qd, qd->df_fd, 'd', now, age);
	n += sweep_folder(qd, qd->xf_fd, 'x', now, age);
	return n + queue_spare_sweep(qd, now, age);
}

/* Lists the subfolders of parent whose names start with prefix, sorted. */
static int
expand_pattern(const char *parent, const char *prefix, char ***out, size_t *n)
{
	struct dirent *d;
	struct stat st;
	struct pt_buf path = PT_BUF_INIT;
	DIR *dir = opendir(parent);
	size_t cap = 0, plen = strlen(prefix);

	*out = NULL;
	*n = 0;
	if (dir == NULL)
		return errno;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.' || strncmp(d->d_name, prefix, plen) != 0)
			continue;
		pt_buf_reset(&path);
		pt_buf_printf(&path, "%s/%s", parent, d->d_name);
		if (stat(path.s, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = pt_reallocarray(*out, cap, sizeof **out);
		}
		(*out)[(*n)++] = pt_buf_steal(&path);
	}
	closedir(dir);
	pt_buf_free(&path);
	return 0;
}

/* Orders path strings. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Opens the folders of paths[0..n) into group g; frees paths. */
static int
open_all(struct queue_group *g, char **paths, size_t n, int sync_mode, struct pt_buf *err)
{
	size_t i;
	int rc = QUEUE_OK;

	g->dirs = pt_calloc(n ? n : 1, sizeof *g->dirs);
	for (i = 0; i < n; i++) {
		if (rc == QUEUE_OK &&
		    (rc = queue_dir_open(paths[i], g->name, sync_mode, &g->dirs[g->ndirs], err)) == QUEUE_OK)
			g->ndirs++;
		free(paths[i]);
	}
	free(paths);
	return rc;
}

int
queue_set_add(struct queue_set *s, const char *name, const char *pattern, int sync_mode,
    struct pt_buf *err)
{
	struct queue_group *g;
	const char *star = strchr(pattern, '*'), *slash;
	char **paths = NULL, *parent, *prefix;
	size_t n = 0;
	int rc;

	if (star != NULL) {
		slash = strrchr(pattern, '/');
		if (star[1] != '\0' || slash == NULL || slash > star) {
			pt_buf_printf(err, "queue %s: \"*\" may only end the path: %s", name, pattern);
			return QUEUE_TEMPFAIL;
		}
		parent = slash == pattern ? pt_strdup("/") : pt_strndup(pattern, (size_t)(slash - pattern));
		prefix = pt_strndup(slash + 1, (size_t)(star - slash - 1));
		rc = expand_pattern(parent, prefix, &paths, &n);
		free(parent);
		free(prefix);
		if (rc != 0 || n == 0) {
			pt_buf_printf(err, "queue %s: no folder matches %s", name, pattern);
			free(paths);
			return QUEUE_TEMPFAIL;
		}
		qsort(paths, n, sizeof *paths, cmp_str);
	} else {
		paths = pt_malloc(sizeof *paths);
		paths[0] = pt_strdup(pattern);
		n = 1;
	}
	s->groups = pt_reallocarray(s->groups, s->ngroups + 1, sizeof *s->groups);
	g = &s->groups[s->ngroups++];
	memset(g, 0, sizeof *g);
	g->name = pt_strdup(name);
	g->runners = -1;
	return open_all(g, paths, n, sync_mode, err);
}

void
queue_set_clear(struct queue_set *s)
{
	size_t i, j;

	for (i = 0; i < s->ngroups; i++) {
		for (j = 0; j < s->groups[i].ndirs; j++)
			queue_dir_close(s->groups[i].dirs[j]);
		free(s->groups[i].dirs);
		free(s->groups[i].name);
		free(s->groups[i].flags);
	}
	free(s->groups);
	s->groups = NULL;
	s->ngroups = 0;
}

struct queue_group *
queue_set_group(const struct queue_set *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ngroups; i++)
		if (pt_strcasecmp(s->groups[i].name, name) == 0)
			return &s->groups[i];
	return NULL;
}
