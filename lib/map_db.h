/*
 * map_db: the files behind the hash, btree and dbm classes, stored with gdbm.
 *
 * A map file is never changed in place.  Writers build a complete new file
 * under a temporary name in the same folder (starting empty, or from a copy
 * of the current file), then fsync it and rename it over the old one; readers
 * open files without locks and see either the old map or the new one, never
 * a half-built one, and notice the replacement with map_db_changed().
 * Writers of the same map serialize on an exclusive lock of the current file
 * (map_db_lock), so two editmaps never lose each other's changes.
 *
 * A file that is not gdbm's is recognised: a Berkeley DB file (what
 * upstream's makemap makes) is named as such so the caller can say which
 * command rebuilds it.
 */
#ifndef MAP_DB_H
#define MAP_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pt_buf.h"

struct map_db;

/* What a file holds, by its first bytes. */
enum map_db_kind {
	MAP_DB_MISSING = 0,	/* no such file */
	MAP_DB_GDBM,		/* a gdbm file */
	MAP_DB_BERKELEY,	/* a Berkeley DB hash or btree file */
	MAP_DB_EMPTY,		/* an empty file */
	MAP_DB_OTHER,		/* anything else (or unreadable) */
};

/* Classifies the file at path by its magic number. */
enum map_db_kind map_db_kind(const char *path);

/*
 * Returns the file name of a map: name plus ".db" unless it already ends
 * in ".db", as upstream names hash and btree maps.  The caller frees it.
 */
char *map_db_path(const char *name);

/*
 * Opens path for reading through the already open descriptor fd (which it
 * takes over, even on failure).  Returns 0, or -1 with err set to the reason
 * ("not a map file (Berkeley DB, made by another makemap)", gdbm's message).
 */
int map_db_open_fd(int fd, const char *path, struct map_db **out, struct pt_buf *err);
/* Opens path for reading (O_NOFOLLOW is not used: callers check links). */
int map_db_open(const char *path, struct map_db **out, struct pt_buf *err);

/*
 * Looks key[0..klen) up exactly.  Returns 1 and appends the value bytes to
 * val, 0 if absent, -1 on a read error (err set).
 */
int map_db_get(struct map_db *db, const void *key, size_t klen, struct pt_buf *val,
    struct pt_buf *err);

/* Calls fn for each pair (sorted by key bytes when sorted); stops when fn returns non-zero. */
int map_db_each(struct map_db *db, bool sorted,
    int (*fn)(void *ctx, const char *k, size_t kl, const char *v, size_t vl), void *ctx,
    struct pt_buf *err);

/* True when the file at the path db was opened from is no longer the one open. */
bool map_db_changed(const struct map_db *db);

/* Closes a map opened for reading, or abandons one being written (its temporary file is removed). */
void map_db_close(struct map_db *db);

/* How map_db_create starts the new file. */
enum map_db_create_flags {
	MAP_DB_COPY = 1u << 0,		/* start from a copy of the current file, if any */
	MAP_DB_FSYNC = 1u << 1,		/* fsync before the rename (always done; kept for clarity) */
};

/*
 * Starts writing the map file path: a temporary file in the same folder,
 * empty or (MAP_DB_COPY) a copy of the current one.  cachesize is gdbm's
 * bucket cache (0: a default suited to big builds).  Returns 0 or -1 (err).
 */
int map_db_create(const char *path, mode_t mode, unsigned flags, size_t cachesize,
    struct map_db **out, struct pt_buf *err);

/* How map_db_put treats a key that is already there. */
enum map_db_put_how {
	MAP_DB_INSERT,		/* keep the old value */
	MAP_DB_REPLACE,		/* replace it */
};

/* Stores a pair.  Returns 0 stored, 1 not stored (duplicate, MAP_DB_INSERT), -1 error. */
int map_db_put(struct map_db *db, const void *key, size_t klen, const void *val, size_t vlen,
    enum map_db_put_how how, struct pt_buf *err);

/*
 * Stores val as one more value of key (makemap -d): lookups find the first
 * value stored, map_db_each reports them all under the key.  Returns 0 or -1.
 */
int map_db_put_dup(struct map_db *db, const void *key, size_t klen, const void *val,
    size_t vlen, struct pt_buf *err);

/* Deletes a key.  Returns 0 deleted, 1 absent, -1 error. */
int map_db_delete(struct map_db *db, const void *key, size_t klen, struct pt_buf *err);

/*
 * Finishes a map being written: syncs it, sets its owner (when uid is not
 * (uid_t)-1) and mode, fsyncs it, renames it over path and fsyncs the
 * folder.  The handle is freed whatever the result.  Returns 0 or -1 (err).
 */
int map_db_commit(struct map_db *db, uid_t uid, gid_t gid, struct pt_buf *err);

/*
 * Takes the writers' lock of the map at path (an exclusive flock on the
 * current file, retaken if the file is replaced meanwhile).  Returns a
 * descriptor to pass to map_db_unlock, or -1 when there is no file yet
 * (nothing to serialize on; errno ENOENT) or on error.
 */
int map_db_lock(const char *path);
/* Releases the lock. */
void map_db_unlock(int fd);

#endif
