/*
 * queue_int: what the queue module's files share and nobody else may use:
 * flag tables, number parsing, whole-file reads, the shared state
 * of a queue directory (group commit and the inode pool) and lock tests.
 */
#ifndef QUEUE_INT_H
#define QUEUE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pt_buf.h"
#include "queue.h"

#define QUEUE_MACRO_NAME_MAX 64		/* longest ${name} in a $ record */
#define QUEUE_STATE_DIR ".petrel"	/* Petrel's folder inside a queue directory */
#define QUEUE_STATE_FILE "state"	/* the shared state inside it */
#define QUEUE_SPARE_DEFAULT 1024	/* spare inodes kept per queue directory */
#define QUEUE_SPARE_KEEP (128 * 1024)	/* a spare keeps contents (blocks) up to this size */

/* The bit of an F letter or an R letter, 0 if unknown (queue_qf_write.c). */
unsigned queue_env_flag_bit(int c);
unsigned queue_rcpt_flag_bit(int c);

/* A whole decimal number (optional minus) in s[0..n); false on junk or overflow. */
bool queue_parse_ll(const char *s, size_t n, long long *out);
/* Parses the value of a C record; -1 when malformed (queue_env.c). */
int queue_ctl_parse(struct queue_env *e, const char *v, size_t n, struct queue_ctl *c);

/*
 * Reads a whole qf from fd into out (at most QUEUE_QF_MAXSIZE bytes).
 * QUEUE_OK, QUEUE_BAD (too large) or QUEUE_TEMPFAIL, with name in the message.
 */
int queue_read_fd(int fd, const char *name, struct pt_buf *out, struct pt_buf *err);

/* Shared state of a queue directory (queue_sync.c). */
int queue_shared_open(struct queue_dir *qd, bool create, uid_t uid, gid_t gid,
    struct pt_buf *err);
void queue_shared_close(struct queue_dir *qd);
/* A file or folder to make durable: what queue_sync_items takes. */
enum {
	QUEUE_SYNC_QF = 'q',	/* name is a file of the qf folder */
	QUEUE_SYNC_DF = 'd',	/* name is a file of the df folder */
	QUEUE_SYNC_QDIR = 'Q',	/* the qf folder's entries (name "") */
	QUEUE_SYNC_DDIR = 'D',	/* the df folder's entries (name "") */
};
struct queue_sync_item {
	char type;
	const char *name;
};
/*
 * Makes the n (at most 4) items durable through a shared flush round: waits
 * until a round that began after this call has flushed them.  0 or an errno.
 */
int queue_sync_items(struct queue_dir *qd, const struct queue_sync_item *items, size_t n);
/* The shared counters the inode pool uses; NULL without shared state. */
enum { QUEUE_CTR_SPARE_HEAD, QUEUE_CTR_SPARE_TAIL, QUEUE_CTR_SYNC_DONE };
uint64_t *queue_shared_counter(struct queue_dir *qd, int which);
/* renameat2(RENAME_NOREPLACE), or link and unlink where that is missing: 0 or an errno. */
int queue_rename_noreplace(int olddir, const char *oldname, int newdir, const char *newname);

/*
 * The inode pool (queue_spare.c).  queue_spare_take renames a spare inode to
 * name in folder dirfd without replacing anything: 0, ENOENT (no spare: the
 * caller creates a file), EEXIST (name exists), or another errno.
 */
int queue_spare_take(struct queue_dir *qd, int dirfd, const char *name);
/* Moves the file name of dirfd (open as fd, emptied by this call) into the pool, or unlinks it. */
void queue_spare_give(struct queue_dir *qd, int dirfd, const char *name, int fd);
/* Creates up to n spare inodes; returns how many the pool holds. */
unsigned queue_spare_fill(struct queue_dir *qd, unsigned n);
/* Removes lost spares older than age seconds; returns the count. */
int queue_spare_sweep(struct queue_dir *qd, time_t now, long age);

/* Locks (queue_lock.c). */
/* Takes flock(LOCK_EX|LOCK_NB) on fd: 0, or EWOULDBLOCK when held elsewhere. */
int queue_lock_try(int fd);
/* True when fd is still the file called name in dirfd (not replaced or removed). */
bool queue_lock_same(int fd, int dirfd, const char *name);

/* The set of inodes of one device that carry a flock lock, from /proc/locks. */
struct queue_locktab {
	unsigned long long *inos;
	size_t n;
	bool valid;		/* false: /proc/locks unusable, test each file */
};
void queue_locktab_load(struct queue_locktab *t, dev_t dev);
bool queue_locktab_has(const struct queue_locktab *t, unsigned long long ino);
void queue_locktab_free(struct queue_locktab *t);
/* Tests whether another process holds a lock on fd without keeping one. */
bool queue_lock_held(int fd);

/*
 * The records of a gathered control file that listings and selectors use,
 * in file order (queue_gather.c): S R M C B q, each type byte then the
 * NUL-terminated text, a 0 byte after the last.
 */
struct queue_event {
	char type;
	const char *text;	/* the record after its letter (folds joined by LF) */
	const char *addr;	/* R: the address after the flags; NULL when malformed */
};
/* Steps through an item's records; false after the last. */
bool queue_event_next(const struct queue_item *it, size_t *pos, struct queue_event *ev);

#endif
