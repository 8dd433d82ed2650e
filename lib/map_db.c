/*
 * map_db: gdbm files for the hash, btree and dbm classes, written by
 * building a new file and renaming it into place.
 *
 * Owns every call into gdbm and the temporary files of writers, which are
 * removed on every failure so that the final name only ever points at a
 * complete map.  A map built from nothing is collected in memory and written
 * in one pass by map_db_fmt.c (gdbm_store rewrites a whole bucket per pair),
 * then read back through gdbm before the rename; maps updated in place
 * (editmap, makemap -o) and builds too big for memory go through gdbm.
 * Readers look keys up in a read-only mapping of the file (map_db_fmt.c),
 * and use gdbm for walks and for files whose layout that does not know.  It must never modify a map file that a reader may have
 * open: writers work on a temporary copy and rename it over the old file,
 * and readers open without locks.  Runs in readers (any Petrel
 * process, as RunAsUser) and in writers (makemap, editmap, newaliases, as
 * the invoking user).  Never exits; reports through the err buffers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map_db.h"
#include "map_db_fmt.h"
#include "pt_alloc.h"
#include "pt_file.h"

/* The gdbm bucket cache for builds when the caller gives none. */
#define MAP_DB_BUILD_CACHE 4096

/*
 * makemap -d keeps every value of a repeated key: the first under the key,
 * the others under the key followed by NUL, DUP_MARK and a number.  Keys
 * from source lines never hold a NUL, so lookups cannot reach those.
 */
#define DUP_MARK '\001'

struct map_db {
	GDBM_FILE dbf;
	char *path;		/* the map's file name */
	char *tmp;		/* the temporary file being written, or NULL for a reader */
	struct stat st;		/* the file as opened (readers) or as copied (writers) */
	bool had_file;		/* a writer found a current file */
	struct map_db_bulk *bulk;	/* a new map collected in memory, or NULL: stored through dbf */
	struct map_db_view view;	/* a reader's mapping of the file for lookups (view.p NULL: none) */
};

/* True if the 4 bytes at p, in either byte order, equal magic. */
static bool
magic_is(const unsigned char *p, uint32_t magic)
{
	uint32_t le = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
	uint32_t be = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[0] << 24;

	return le == magic || be == magic;
}

/* Classifies the first bytes of a file. */
static enum map_db_kind
kind_of(const unsigned char *b, ssize_t n)
{
	uint32_t m;

	if (n == 0)
		return MAP_DB_EMPTY;
	if (n < 16)
		return MAP_DB_OTHER;
	for (m = 0x13579acd; m <= 0x13579ad1; m++)
		if (magic_is(b, m))
			return MAP_DB_GDBM;
	if (magic_is(b + 12, 0x061561) || magic_is(b + 12, 0x053162) ||
	    magic_is(b, 0x061561) || magic_is(b + 12, 0x042253))
		return MAP_DB_BERKELEY;
	return MAP_DB_OTHER;
}

/* Classifies the file open on fd. */
static enum map_db_kind
fd_kind(int fd)
{
	unsigned char b[16];
	ssize_t n = pread(fd, b, sizeof b, 0);

	return n < 0 ? MAP_DB_OTHER : kind_of(b, n);
}

enum map_db_kind
map_db_kind(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	enum map_db_kind k;

	if (fd < 0)
		return errno == ENOENT ? MAP_DB_MISSING : MAP_DB_OTHER;
	k = fd_kind(fd);
	close(fd);
	return k;
}

char *
map_db_path(const char *name)
{
	size_t n = strlen(name);
	struct pt_buf b = PT_BUF_INIT;

	pt_buf_adds(&b, name);
	if (n < 3 || strcmp(name + n - 3, ".db") != 0)
		pt_buf_adds(&b, ".db");
	return pt_buf_steal(&b);
}

/* Explains why a file of kind k cannot be read as a map. */
static void
kind_error(enum map_db_kind k, struct pt_buf *err)
{
	if (k == MAP_DB_BERKELEY)
		pt_buf_adds(err, "is a Berkeley DB file (made by another makemap)");
	else if (k == MAP_DB_EMPTY)
		pt_buf_adds(err, "is empty");
	else
		pt_buf_adds(err, "is not a map file");
}

int
map_db_open_fd(int fd, const char *path, struct map_db **out, struct pt_buf *err)
{
	enum map_db_kind k = fd_kind(fd);
	struct map_db *db;
	struct stat st;

	*out = NULL;
	if (fstat(fd, &st) < 0 || k != MAP_DB_GDBM) {
		kind_error(k, err);
		close(fd);
		return -1;
	}
	db = pt_calloc(1, sizeof *db);
	db->st = st;
	db->dbf = gdbm_fd_open(fd, path, 0,
	    GDBM_READER | GDBM_NOLOCK | GDBM_CLOEXEC | GDBM_XVERIFY | GDBM_CLOERROR, NULL);
	if (db->dbf == NULL) {
		pt_buf_printf(err, "is a damaged map file (%s)", gdbm_strerror(gdbm_errno));
		free(db);
		return -1;
	}
	if (st.st_size > 0)
		map_db_view_open(&db->view, fd, (size_t)st.st_size);
	db->path = pt_strdup(path);
	*out = db;
	return 0;
}

int
map_db_open(const char *path, struct map_db **out, struct pt_buf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0) {
		pt_buf_adds(err, strerror(errno));
		return -1;
	}
	return map_db_open_fd(fd, path, out, err);
}

int
map_db_get(struct map_db *db, const void *key, size_t klen, struct pt_buf *val,
    struct pt_buf *err)
{
	datum k = { (char *)key, (int)klen }, v;

	if (klen > INT32_MAX)
		return 0;
	if (db->view.p != NULL) {
		const char *fv;
		size_t fl;
		int r = map_db_view_get(&db->view, key, klen, &fv, &fl);

		if (r < 0)
			pt_buf_adds(err, "read error (a damaged bucket or pair)");
		else if (r > 0)
			pt_buf_add(val, fv, fl);
		return r;
	}
	if (db->bulk != NULL) {
		const char *bv;
		size_t bl;

		if (map_db_bulk_get(db->bulk, key, klen, &bv, &bl) == 0)
			return 0;
		pt_buf_add(val, bv, bl);
		return 1;
	}
	v = gdbm_fetch(db->dbf, k);
	if (v.dptr == NULL) {
		if (gdbm_errno == GDBM_ITEM_NOT_FOUND)
			return 0;
		pt_buf_printf(err, "read error (%s)", gdbm_db_strerror(db->dbf));
		return -1;
	}
	pt_buf_add(val, v.dptr, (size_t)v.dsize);
	free(v.dptr);
	return 1;
}

/* Stores one pair into the gdbm file ctx, replacing. */
static int
store_replace(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	datum key = { (char *)k, (int)kl }, val = { (char *)v, (int)vl };

	return gdbm_store(ctx, key, val, GDBM_REPLACE) != 0;
}

/* Hands the pairs collected in memory over to the (new, empty) gdbm file; stores go there from then on. */
static int
bulk_to_gdbm(struct map_db *db, struct pt_buf *err)
{
	struct map_db_bulk *b = db->bulk;

	db->bulk = NULL;
	if (map_db_bulk_each(b, store_replace, db->dbf) != 0) {
		pt_buf_printf(err, "cannot store: %s", gdbm_db_strerror(db->dbf));
		map_db_bulk_free(b);
		return -1;
	}
	map_db_bulk_free(b);
	return 0;
}

/* One pair collected for a sorted walk. */
struct pair {
	datum k, v;
};

/* Orders pairs by key bytes, shorter first on a tie. */
static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int n = x->k.dsize < y->k.dsize ? x->k.dsize : y->k.dsize;
	int c = memcmp(x->k.dptr, y->k.dptr, (size_t)n);

	return c != 0 ? c : (x->k.dsize > y->k.dsize) - (x->k.dsize < y->k.dsize);
}

/* Collects every pair of db into *pairs; returns the count or -1. */
static long
collect(struct map_db *db, struct pair **pairs, struct pt_buf *err)
{
	size_t n = 0, cap = 0;
	datum k = gdbm_firstkey(db->dbf), next;

	*pairs = NULL;
	while (k.dptr != NULL) {
		datum v = gdbm_fetch(db->dbf, k);

		if (v.dptr != NULL) {
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				*pairs = pt_reallocarray(*pairs, cap, sizeof **pairs);
			}
			(*pairs)[n].k = k;
			(*pairs)[n++].v = v;
		}
		next = gdbm_nextkey(db->dbf, k);
		if (v.dptr == NULL)
			free(k.dptr);
		k = next;
	}
	if (gdbm_errno != GDBM_ITEM_NOT_FOUND && gdbm_errno != GDBM_NO_ERROR) {
		pt_buf_printf(err, "read error (%s)", gdbm_strerror(gdbm_errno));
		return -1;
	}
	return (long)n;
}

/* The length of a stored key without the marker of an extra duplicate value. */
static size_t
visible_len(datum k)
{
	int i;

	for (i = 0; i + 1 < k.dsize; i++)
		if (k.dptr[i] == '\0' && k.dptr[i + 1] == DUP_MARK)
			return (size_t)i;
	return (size_t)k.dsize;
}

int
map_db_each(struct map_db *db, bool sorted,
    int (*fn)(void *ctx, const char *k, size_t kl, const char *v, size_t vl), void *ctx,
    struct pt_buf *err)
{
	struct pair *pairs;
	long n, i;
	int rc = 0;

	if (db->bulk != NULL && bulk_to_gdbm(db, err) != 0)
		return -1;
	gdbm_errno = GDBM_NO_ERROR;
	n = collect(db, &pairs, err);
	if (n > 0 && sorted)
		qsort(pairs, (size_t)n, sizeof *pairs, pair_cmp);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = fn(ctx, pairs[i].k.dptr, visible_len(pairs[i].k), pairs[i].v.dptr,
			    (size_t)pairs[i].v.dsize);
		free(pairs[i].k.dptr);
		free(pairs[i].v.dptr);
	}
	free(pairs);
	return n < 0 ? -1 : rc;
}

bool
map_db_changed(const struct map_db *db)
{
	return pt_file_changed(db->path, &db->st);
}

void
map_db_close(struct map_db *db)
{
	if (db == NULL)
		return;
	if (db->dbf != NULL)
		gdbm_close(db->dbf);
	map_db_bulk_free(db->bulk);
	map_db_view_close(&db->view);
	if (db->tmp != NULL) {
		unlink(db->tmp);
		free(db->tmp);
	}
	free(db->path);
	free(db);
}

/* Copies the whole file src into fd.  Returns 0 or an errno. */
static int
copy_into(int src, int fd)
{
	char buf[65536];
	ssize_t n, w;
	off_t off = 0;

	while ((n = pread(src, buf, sizeof buf, off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		for (ssize_t done = 0; done < n; done += w) {
			w = write(fd, buf + done, (size_t)(n - done));
			if (w < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				return errno;
			}
		}
		off += n;
	}
	return 0;
}

/* Makes the temporary file for db and, with MAP_DB_COPY, fills it; returns the fd. */
static int
make_tmp(struct map_db *db, mode_t mode, unsigned flags, struct pt_buf *err)
{
	struct pt_buf t = PT_BUF_INIT;
	int fd, cur, e;

	pt_buf_printf(&t, "%s.tmpXXXXXX", db->path);
	fd = mkostemp(t.s, O_CLOEXEC);
	if (fd < 0) {
		pt_buf_printf(err, "cannot create %s: %s", t.s, strerror(errno));
		pt_buf_free(&t);
		return -1;
	}
	db->tmp = pt_buf_steal(&t);
	fchmod(fd, mode);
	if (!(flags & MAP_DB_COPY))
		return fd;
	cur = open(db->path, O_RDONLY | O_CLOEXEC);
	if (cur < 0)
		return errno == ENOENT ? fd : (pt_buf_printf(err, "%s: %s", db->path,
		    strerror(errno)), close(fd), -1);
	if (fstat(cur, &db->st) == 0)
		fchmod(fd, db->st.st_mode & 07777);
	db->had_file = true;
	e = copy_into(cur, fd);
	close(cur);
	if (e == 0 && lseek(fd, 0, SEEK_SET) < 0)
		e = errno;
	if (e != 0) {
		pt_buf_printf(err, "cannot copy %s: %s", db->path, strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

/* A builder in memory for the new, empty gdbm file dbf, or NULL (stores go through gdbm). */
static struct map_db_bulk *
bulk_start(GDBM_FILE dbf)
{
	struct map_db_bulk *b = NULL;
	unsigned char *h;
	int bs = 0;

	if (gdbm_setopt(dbf, GDBM_GETBLOCKSIZE, &bs, sizeof bs) != 0 || bs <= 0 || bs > 65536)
		return NULL;
	h = pt_malloc((size_t)bs);
	if (pread(gdbm_fdesc(dbf), h, (size_t)bs, 0) == bs)
		b = map_db_bulk_new(h, (size_t)bs);
	free(h);
	return b;
}

int
map_db_create(const char *path, mode_t mode, unsigned flags, size_t cachesize,
    struct map_db **out, struct pt_buf *err)
{
	struct map_db *db = pt_calloc(1, sizeof *db);
	int fd, how;
	int cache = (int)(cachesize ? cachesize : MAP_DB_BUILD_CACHE);

	*out = NULL;
	db->path = pt_strdup(path);
	fd = make_tmp(db, mode, flags, err);
	if (fd < 0) {
		map_db_close(db);
		return -1;
	}
	if (db->had_file && map_db_kind(db->tmp) != MAP_DB_GDBM) {
		pt_buf_printf(err, "%s is not a map file this makemap can update", path);
		close(fd);
		map_db_close(db);
		return -1;
	}
	how = db->had_file ? GDBM_WRITER : GDBM_NEWDB;
	db->dbf = gdbm_fd_open(fd, db->tmp, 0, how | GDBM_NOLOCK | GDBM_NOMMAP | GDBM_CLOEXEC | GDBM_CLOERROR,
	    NULL);
	if (db->dbf == NULL) {
		pt_buf_printf(err, "cannot create %s: %s", db->tmp, gdbm_strerror(gdbm_errno));
		map_db_close(db);
		return -1;
	}
	if (cachesize != 0)
		gdbm_setopt(db->dbf, GDBM_SETCACHESIZE, &cache, sizeof cache);
	if (how == GDBM_NEWDB)
		db->bulk = bulk_start(db->dbf);
	*out = db;
	return 0;
}

int
map_db_put(struct map_db *db, const void *key, size_t klen, const void *val, size_t vlen,
    enum map_db_put_how how, struct pt_buf *err)
{
	datum k = { (char *)key, (int)klen }, v = { (char *)val, (int)vlen };
	int r;

	if (klen > INT32_MAX / 2 || vlen > INT32_MAX / 2) {
		pt_buf_adds(err, "key or value too long");
		return -1;
	}
	if (db->bulk != NULL) {
		r = map_db_bulk_put(db->bulk, key, klen, val, vlen, how == MAP_DB_REPLACE);
		if (r >= 0)
			return r;
		if (bulk_to_gdbm(db, err) != 0)
			return -1;
	}
	r = gdbm_store(db->dbf, k, v, how == MAP_DB_REPLACE ? GDBM_REPLACE : GDBM_INSERT);
	if (r < 0) {
		pt_buf_printf(err, "cannot store: %s", gdbm_db_strerror(db->dbf));
		return -1;
	}
	return r;
}

int
map_db_delete(struct map_db *db, const void *key, size_t klen, struct pt_buf *err)
{
	datum k = { (char *)key, (int)klen };

	if (db->bulk != NULL && bulk_to_gdbm(db, err) != 0)
		return -1;
	if (gdbm_delete(db->dbf, k) == 0)
		return 0;
	if (gdbm_last_errno(db->dbf) == GDBM_ITEM_NOT_FOUND)
		return 1;
	pt_buf_printf(err, "cannot delete: %s", gdbm_db_strerror(db->dbf));
	return -1;
}

/* True if gdbm reads the file written from the builder back: it verifies, holds as many pairs, and finds samples. */
static bool
bulk_reads_back(const struct map_db *db, int fd)
{
	const char *k[3], *v[3];
	size_t kl[3], vl[3], n = map_db_bulk_samples(db->bulk, k, kl, v, vl), i;
	GDBM_FILE dbf = lseek(fd, 0, SEEK_SET) != 0 ? NULL : gdbm_fd_open(dup(fd), db->tmp, 0,
	    GDBM_READER | GDBM_NOLOCK | GDBM_NOMMAP | GDBM_CLOEXEC | GDBM_XVERIFY | GDBM_CLOERROR, NULL);
	gdbm_count_t count = 0;
	bool good = dbf != NULL && gdbm_count(dbf, &count) == 0 &&
	    count == map_db_bulk_count(db->bulk);

	for (i = 0; good && i < n; i++) {
		datum key = { (char *)k[i], (int)kl[i] }, got = gdbm_fetch(dbf, key);

		good = got.dptr != NULL && (size_t)got.dsize == vl[i] &&
		    memcmp(got.dptr, v[i], vl[i]) == 0;
		free(got.dptr);
	}
	if (dbf != NULL)
		gdbm_close(dbf);
	return good;
}

/*
 * Writes the map collected in memory into fd; returns 0, an errno, or -1
 * when too many keys share a hash value (gdbm could not store them either:
 * it would double its directory up to its limit, a gigabyte, and fail).
 */
static int
bulk_write(struct map_db *db, int fd)
{
	int e = map_db_bulk_write(db->bulk, fd);

	if (e != 0)
		return e;
	if (bulk_reads_back(db, fd))
		return 0;
	/* a file this gdbm does not read back as written: build through gdbm */
	if (lseek(fd, 0, SEEK_SET) != 0)
		return errno;
	db->dbf = gdbm_fd_open(dup(fd), db->tmp, 0,
	    GDBM_NEWDB | GDBM_NOLOCK | GDBM_NOMMAP | GDBM_CLOEXEC | GDBM_CLOERROR, NULL);
	if (db->dbf == NULL)
		return EIO;
	e = map_db_bulk_each(db->bulk, store_replace, db->dbf) != 0 || gdbm_sync(db->dbf) != 0 ?
	    EIO : 0;
	if (gdbm_close(db->dbf) != 0 && e == 0)
		e = EIO;
	db->dbf = NULL;
	return e;
}

int
map_db_commit(struct map_db *db, uid_t uid, gid_t gid, struct pt_buf *err)
{
	int fd = dup(gdbm_fdesc(db->dbf)), e = fd < 0 ? errno : 0;

	if (e == 0 && db->bulk == NULL && gdbm_sync(db->dbf) != 0)
		e = EIO;
	if (gdbm_close(db->dbf) != 0 && e == 0)
		e = EIO;
	db->dbf = NULL;
	if (e == 0 && db->bulk != NULL)
		e = bulk_write(db, fd);
	if (e == 0 && uid != (uid_t)-1 && fchown(fd, uid, gid) < 0)
		e = errno;
	if (e == 0 && fsync(fd) < 0)
		e = errno;
	if (fd >= 0 && close(fd) < 0 && e == 0)
		e = errno;
	if (e == 0 && rename(db->tmp, db->path) < 0)
		e = errno;
	if (e == 0) {
		free(db->tmp);
		db->tmp = NULL;
		pt_file_fsync_dir(db->path, false);
	} else if (e < 0) {
		pt_buf_printf(err, "cannot write %s: too many keys with the same hash value",
		    db->path);
	} else {
		pt_buf_printf(err, "cannot write %s: %s", db->path, strerror(e));
	}
	map_db_close(db);
	return e == 0 ? 0 : -1;
}

int
map_db_lock(const char *path)
{
	struct stat a, b;
	int fd;

	for (;;) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX) < 0 || fstat(fd, &a) < 0) {
			close(fd);
			return -1;
		}
		if (stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

void
map_db_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
map_db_put_dup(struct map_db *db, const void *key, size_t klen, const void *val,
    size_t vlen, struct pt_buf *err)
{
	struct pt_buf k = PT_BUF_INIT;
	unsigned long n;
	int r = 1;

	r = map_db_put(db, key, klen, val, vlen, MAP_DB_INSERT, err);
	for (n = 1; r == 1; n++) {
		pt_buf_reset(&k);
		pt_buf_add(&k, key, klen);
		pt_buf_addc(&k, '\0');
		pt_buf_addc(&k, DUP_MARK);
		pt_buf_printf(&k, "%lu", n);
		r = map_db_put(db, k.s, k.len, val, vlen, MAP_DB_INSERT, err);
	}
	pt_buf_free(&k);
	return r < 0 ? -1 : 0;
}
