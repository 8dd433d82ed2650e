/*
 * queue: sendmail's mail queue: queue ids, the qf/df/xf files of the version
 * 8 format (Appendix B of the Installation and Operation Guide), queue
 * directories and groups, the locks, the durable commit of a new message and
 * the atomic rewrite of a queued one, the listing that mailq prints, and the
 * -qI/-qR/-qS/-qQ selectors of queue runs.
 *
 * Files of one message (ID is the queue id):
 *
 *   qfID  the control file: the envelope, one record per line (below)
 *   dfID  the body, bytes after the header, LF line ends
 *   tfID  a control file being written; renamed over qfID when complete
 *   xfID  the transcript of a delivery attempt, for bounces
 *   hfID  a quarantined control file (has a q record)
 *   QfID  a "lost" control file that could not be processed
 *
 * They live in the queue directory, or in its qf/, df/ and xf/ subfolders
 * when those exist (tf, hf and Qf go with qf).
 *
 * The qf records, in the order Petrel writes them (upstream's order):
 *
 * | rec | meaning                                   | struct field            |
 * |-----|-------------------------------------------|-------------------------|
 * | V   | format version, always 8 when written     | version                 |
 * | T   | creation time, seconds since the epoch    | ctime                   |
 * | K   | time of the last delivery attempt         | last_attempt            |
 * | N   | number of delivery attempts               | attempts                |
 * | P   | priority (lower runs first)               | priority                |
 * | I   | df device major/minor/inode: "I254/0/12"  | df_major, df_minor, ... |
 * | d   | folder of the df when not the qf's        | dfdir                   |
 * | B   | body type ("7BIT", "8BITMIME")            | bodytype                |
 * | M   | status message (before S: the envelope's) | message                 |
 * | F   | flag letters: w r 8 b d n s               | flags, flags_other      |
 * | $   | saved macro: "$xvalue" or "${name}value"  | macros                  |
 * | q   | quarantine reason                         | quarantine              |
 * | S   | envelope sender                           | sender                  |
 * | Z   | original envelope id (ENVID=)             | envid                   |
 * | A   | AUTH= parameter of MAIL                   | auth                    |
 * | !   | deliver-by: "!" flagbyte " " seconds      | deliverby, ..._flags    |
 * | C   | controlling user: "user:uid:gid:alias",   | ctls, rcpt->ctl         |
 * |     | ":alias", or "" (none); applies to the    |                         |
 * |     | R lines that follow                       |                         |
 * | M   | (after S) status of the next recipient    | rcpt->message           |
 * | Q   | ORCPT= of the next recipient              | rcpt->orcpt             |
 * | r   | final recipient of the next recipient     | rcpt->final_rcpt        |
 * | R   | recipient: "flags:address", flags P N S   | rcpts                   |
 * |     | F D (+ others kept verbatim)              |                         |
 * | H   | header: "H?cond?Name: value", folded      | hdrs                    |
 * |     | lines continue with a blank               |                         |
 * | .   | end of file; nothing may follow           |                         |
 *
 * Lines may hold any byte but LF (header templates carry \201 macro bytes,
 * the ! record a binary flag byte).  A line that starts with a space or tab
 * continues the previous record.
 *
 * The state changes of a queued message, each atomic on disk:
 *
 * | from       | to          | how                                            |
 * |------------|-------------|------------------------------------------------|
 * | nothing    | df only     | spare inode renamed (no-replace) to dfID       |
 * | df only    | queued      | tfID written and locked, synced, renamed to    |
 * |            |             | qfID (no-replace), folder synced: then 250     |
 * | queued     | queued'     | tfID written, locked, synced, renamed over qfID|
 * | queued     | quarantined | rewritten as hfID with a q record, qfID removed|
 * | queued     | done        | qfID renamed away (recycled), then df, xf      |
 * | df only    | nothing     | dfID recycled (aborted transaction)            |
 *
 * A crash leaves the old or the new state; an abandoned df or tf (no qf) is
 * garbage that queue_dir_sweep() removes.
 *
 * Locks: the process that owns a message holds flock(LOCK_EX) on its qf, as
 * upstream does, so that upstream's mailq and Petrel's show the same "*" and
 * no two processes, Petrel's or upstream's, deliver the same message.
 *
 * Durability (SuperSafe), two rounds per message: the df and tf before the
 * rename, the rename before the reply.  In QUEUE_SYNC_GROUP mode each round
 * is shared: processes register their files in .petrel/state and one of
 * them, the leader, flushes the files of everybody waiting (write-back
 * started for all, then waited for; the folder synced once), so a round
 * serves many messages (see queue_sync.c).  In QUEUE_SYNC_FILES mode each
 * process syncs its own files (write-back of df and tf started together,
 * then fdatasync of each, then fsync of the folder), and the file system's
 * journal merges the commits of concurrent processes.  Which is faster
 * depends on the load: measure with bench/commit.sh.  In both, inodes of
 * finished messages are recycled through a pool (.petrel/) so that
 * accepting a message creates no inode, the most expensive step on ext4.
 *
 * Nothing here prints or exits; errors come back as a status with a message
 * in a struct pt_buf.  Runs in the SMTP server (as the mail user or root),
 * the delivery processes and mailq.
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "pt_arena.h"
#include "pt_buf.h"

#define QUEUE_QF_VERSION 8		/* the version Petrel writes and the highest it reads */
#define QUEUE_ID_MAX 32			/* room for any queue id, with the NUL */
#define QUEUE_NAME_MAX (QUEUE_ID_MAX + 2)	/* "qf" + id */
#define QUEUE_QF_MAXSIZE (64L << 20)	/* a larger qf is refused as bogus */

/* Results of queue operations. */
enum queue_status {
	QUEUE_OK = 0,
	QUEUE_LOCKED,		/* another process holds the message's lock */
	QUEUE_GONE,		/* the message is no longer in the queue */
	QUEUE_BAD,		/* the qf is malformed (message says file and line) */
	QUEUE_TEMPFAIL,		/* an I/O error or a full disk: try again later */
};

/* --- queue ids ---------------------------------------------------------- */

/*
 * The per-process id generator.  An id is YMDhmsNNPPPPPP: the local time
 * (year modulo 60, month 0-11, day, hour, minute, second) and a counter NN,
 * each a base-60 digit 0-9A-Za-x, then the process id in at least six
 * decimal digits: 14 characters, 15 for a process id above 999999.
 */
struct queue_idgen {
	unsigned seq;		/* the counter, modulo 3600 */
	long pid;
};

/* Starts a generator for process pid; seed picks the counter's start. */
void queue_idgen_init(struct queue_idgen *g, long pid, unsigned seed);
/* Makes the next id for time now into out; never fails. */
void queue_id_make(struct queue_idgen *g, time_t now, char out[QUEUE_ID_MAX]);
/* True if id has the shape of an id Petrel or upstream 8.17 makes. */
bool queue_id_valid(const char *id);
/* The value of one base-60 digit, or -1. */
int queue_id_digit(int c);

/* --- the envelope ------------------------------------------------------- */

/* Envelope flags, the letters of the F record. */
enum queue_env_flag {
	QEF_WARNED = 1u << 0,		/* w: a delay warning has been sent */
	QEF_RESPONSE = 1u << 1,		/* r: the message is a response (a DSN) */
	QEF_8BIT = 1u << 2,		/* 8: the body holds 8-bit data */
	QEF_DELETE_BCC = 1u << 3,	/* b: remove Bcc: headers */
	QEF_RET_PARAM = 1u << 4,	/* d: MAIL had RET= */
	QEF_NO_BODY_RETURN = 1u << 5,	/* n: RET=HDRS */
	QEF_SPLIT = 1u << 6,		/* s: the envelope has been split */
};

/* Recipient flags, the letters before the colon of an R record. */
enum queue_rcpt_flag {
	QRF_PRIMARY = 1u << 0,		/* P: named by the client or the command line */
	QRF_HAS_NOTIFY = 1u << 1,	/* N: NOTIFY= was given (NEVER when no S/F/D) */
	QRF_NOTIFY_SUCCESS = 1u << 2,	/* S */
	QRF_NOTIFY_FAILURE = 1u << 3,	/* F */
	QRF_NOTIFY_DELAY = 1u << 4,	/* D */
	QRF_ALIAS = 1u << 5,		/* A: a member of an alias (its parent was an alias) */
};

/*
 * What a recipient without NOTIFY is told of: failures and delays.
 * Upstream sets them as its recipients come in (RCPT, the command line, an
 * expansion), so its R records read "FD" where no N is.
 */
#define QRF_NOTIFY_DEFAULT (QRF_NOTIFY_FAILURE | QRF_NOTIFY_DELAY)

/* Where a recipient stands; only PENDING and DEFERRED ones are written. */
enum queue_rcpt_state {
	QRS_PENDING = 0,	/* not tried yet */
	QRS_DEFERRED,		/* tried and failed for now; message says why */
	QRS_SENT,		/* delivered */
	QRS_FAILED,		/* failed for good (a DSN reports it) */
	QRS_EXPANDED,		/* replaced by the addresses it expanded to */
};

/* Deliver-by flags, the binary byte of the ! record (RFC 2852 BY=). */
enum queue_dlvr_flag {
	QUEUE_DLVR_NOTIFY = 0x01,	/* BY=...;N */
	QUEUE_DLVR_RETURN = 0x02,	/* BY=...;R */
	QUEUE_DLVR_TRACE = 0x10,	/* BY=...;.T */
};

/* A controlling address (C record). */
struct queue_ctl {
	const char *user;	/* local user the deliveries run as; NULL for none */
	long uid, gid;		/* with user: the ids recorded (-1 if unknown) */
	const char *alias;	/* the alias or include that expanded, or NULL */
};

/* One recipient. */
struct queue_rcpt {
	const char *addr;	/* R: the address as queued */
	unsigned flags;		/* enum queue_rcpt_flag */
	const char *flags_other;	/* R letters Petrel does not know, kept; "" if none */
	const char *orcpt;	/* Q: ORCPT= ("rfc822;xtext"), or NULL */
	const char *final_rcpt;	/* r: final recipient for DSNs, or NULL */
	const char *message;	/* M before the R: last status text, or NULL */
	int ctl;		/* index into env->ctls, or -1 */
	/* Run time only, never in the qf: */
	int state;		/* enum queue_rcpt_state */
	const char *mailer, *host, *user;	/* the resolved triple, or NULL */
	const char *status;	/* the DSN status ("4.4.1"), or NULL */
};

/* One header (H record). */
struct queue_header {
	const char *cond;	/* between the ?s: mailer flags or a macro; NULL if none */
	const char *name;	/* field name, without the colon */
	const char *value;	/* after the colon, folds included ("\n\t..."), no final LF */
};

/* One saved macro ($ record). */
struct queue_macro {
	const char *name;	/* "x" or "{name}" */
	const char *value;
};

/*
 * A message's envelope: what the qf holds, plus the run-time recipient
 * fields.  Strings are borrowed from the envelope's arena (queue_env_str)
 * or from storage that outlives the envelope; queue_env_free frees them all.
 */
struct queue_env {
	char id[QUEUE_ID_MAX];
	int version;			/* V; 8 */
	long long ctime;		/* T */
	long long last_attempt;		/* K */
	long attempts;			/* N */
	long priority;			/* P */
	bool has_dfino;			/* I */
	unsigned long df_major, df_minor;
	unsigned long long df_ino;
	const char *dfdir;		/* d, or NULL */
	const char *bodytype;		/* B, or NULL */
	const char *message;		/* M (envelope status), or NULL */
	unsigned flags;			/* enum queue_env_flag */
	const char *flags_other;	/* F letters Petrel does not know; "" if none */
	const char *quarantine;		/* q, or NULL */
	const char *sender;		/* S, or NULL */
	const char *envid;		/* Z, or NULL */
	const char *auth;		/* A, or NULL */
	bool has_deliverby;		/* ! */
	long deliverby;			/* seconds */
	unsigned char deliverby_flags;	/* enum queue_dlvr_flag */
	struct queue_macro *macros;
	size_t nmacros;
	struct queue_ctl *ctls;
	size_t nctls;
	struct queue_rcpt *rcpts;
	size_t nrcpts;
	struct queue_header *hdrs;
	size_t nhdrs;
	/* private */
	struct pt_arena arena;
	size_t cap_macros, cap_ctls, cap_rcpts, cap_hdrs;
};

/* Makes an empty envelope (version 8, no id). */
struct queue_env *queue_env_new(void);
/* Frees an envelope and every string of its arena. */
void queue_env_free(struct queue_env *e);
/* Copies a string (or n bytes, NUL added) into the arena; NULL stays NULL. */
const char *queue_env_str(struct queue_env *e, const char *s);
const char *queue_env_strn(struct queue_env *e, const char *s, size_t n);
/* Adds a recipient (addr copied) with no flags, ctl -1; returns it (valid until the next add). */
struct queue_rcpt *queue_env_add_rcpt(struct queue_env *e, const char *addr);
/* Adds a header at the end (strings copied; cond may be NULL). */
struct queue_header *queue_env_add_header(struct queue_env *e, const char *cond,
    const char *name, const char *value);
/* Sets macro name ("x" or "{name}") to value (copied), replacing an earlier value. */
void queue_env_set_macro(struct queue_env *e, const char *name, const char *value);
/* The value of a saved macro, or NULL. */
const char *queue_env_macro(const struct queue_env *e, const char *name);
/* Adds a controlling address (strings copied); returns its index for rcpt->ctl. */
int queue_env_add_ctl(struct queue_env *e, const char *user, long uid, long gid,
    const char *alias);
/* The first header called name (ASCII case-insensitive), or NULL. */
const struct queue_header *queue_env_header(const struct queue_env *e, const char *name);
/* Counts the recipients still to be delivered (PENDING or DEFERRED). */
size_t queue_env_open_rcpts(const struct queue_env *e);

/* --- the qf format ------------------------------------------------------ */

/*
 * Writes e as a version 8 qf, upstream's record order, into out (appended).
 * Recipients that are SENT, FAILED or EXPANDED are left out.
 */
void queue_qf_format(const struct queue_env *e, struct pt_buf *out);
/*
 * What the H records of e add to the message's size as upstream's queue
 * reader counts it: each record's length (folds included, no final
 * newline) less 3.  With the df's size, the size a message read back from
 * the queue has for its priority and its notices' priorities.
 */
long queue_qf_header_bytes(const struct queue_env *e);

/*
 * Parses a qf held in data[0..len).  fname names the file in messages.  On
 * success *out is a new envelope (its id taken from fname's last component
 * when that looks like "qfID", "hfID", "tfID" or "QfID").  A malformed file is
 * refused with QUEUE_BAD and "FILE: line N: what" in err; the parser never
 * reads past len and accepts any bytes.
 */
int queue_qf_parse(const char *data, size_t len, const char *fname, struct queue_env **out,
    struct pt_buf *err);

/*
 * Reads and parses the qf at path (through the folder fd dirfd, or AT_FDCWD).
 * Returns QUEUE_OK, QUEUE_GONE (no such file), QUEUE_BAD or QUEUE_TEMPFAIL.
 */
int queue_qf_load(int dirfd, const char *path, struct queue_env **out, struct pt_buf *err);

/* --- directories and groups --------------------------------------------- */

/* File types, by the first letter of their prefix. */
enum queue_ftype {
	QFT_QF = 'q',		/* qf */
	QFT_DF = 'd',		/* df */
	QFT_TF = 't',		/* tf */
	QFT_XF = 'x',		/* xf */
	QFT_HF = 'h',		/* hf: quarantined */
	QFT_LOST = 'Q',		/* Qf: lost */
};

/* How commits are made durable. */
enum queue_sync_mode {
	QUEUE_SYNC_NONE = 0,	/* SuperSafe=False: no syncs at all */
	QUEUE_SYNC_FILES,	/* each process syncs its own files and the folder */
	QUEUE_SYNC_GROUP,	/* shared flush rounds led by one of the waiting processes */
	QUEUE_SYNC_PRIVATE,	/* as FILES, and never .petrel/ (no shared state, no inode
				 * pool): for a queue that several users write, the
				 * submission queue, where a recycled inode would keep
				 * the owner of another user's message */
};

struct queue_shared;

/* One opened queue directory. */
struct queue_dir {
	char *path;		/* as configured, no trailing slash */
	char *group;		/* the queue group's name ("mqueue" by default) */
	int fd;			/* the directory itself */
	int qf_fd, df_fd, xf_fd;	/* the qf/, df/, xf/ subfolders, or fd */
	bool has_qf, has_df, has_xf;	/* which subfolders exist */
	dev_t dev;		/* device of the qf folder */
	int sync_mode;		/* enum queue_sync_mode actually used */
	mode_t file_mode;	/* QueueFileMode for new files (0600) */
	unsigned spare_max;	/* inodes kept for reuse (0: none) */
	/* private */
	struct queue_shared *shared;	/* .petrel/state, NULL when not usable */
	int spare_fd;		/* .petrel/, or -1 */
	unsigned spare_seq;	/* makes this process's private pool names unique */
};

/*
 * Opens a queue directory: the folder and its qf/, df/, xf/ subfolders when
 * present.  sync_mode is what the caller wants; GROUP silently becomes FILES
 * when the shared state cannot be used (.petrel/ not writable, NFS), and
 * PRIVATE is FILES that never creates or uses .petrel/.
 * Returns QUEUE_OK or QUEUE_TEMPFAIL with a message in err.
 */
int queue_dir_open(const char *path, const char *group, int sync_mode, struct queue_dir **out,
    struct pt_buf *err);
void queue_dir_close(struct queue_dir *qd);
/* The folder fd that holds files of type (enum queue_ftype). */
int queue_dir_fd(const struct queue_dir *qd, int type);
/* Writes "qfID" (type 'q') etc. into out; "QfID" for QFT_LOST. */
void queue_file_name(int type, const char *id, char out[QUEUE_NAME_MAX]);
/* Appends the full path of file type of message id to out. */
void queue_file_path(const struct queue_dir *qd, int type, const char *id, struct pt_buf *out);
/* The path relative to the queue directory ("qfID" or "qf/qfID"), as upstream prints it. */
void queue_file_relpath(const struct queue_dir *qd, int type, const char *id, struct pt_buf *out);

/*
 * Prepares the folder for Petrel: makes .petrel/ (and its state file) owned
 * by uid/gid (-1: leave) with mode 0700, and fills the inode pool with up to
 * n spare files.  Run by the daemon at start-up and by queue runners.
 */
int queue_dir_prepare(struct queue_dir *qd, uid_t uid, gid_t gid, unsigned n, struct pt_buf *err);

/*
 * Removes garbage older than age seconds at now: tf and df files without a
 * qf or hf, and spare inodes lost by crashed processes.  Returns the count.
 */
int queue_dir_sweep(struct queue_dir *qd, time_t now, long age);

/* A queue group and its directories (QueueDirectory, Q lines). */
struct queue_group {
	char *name;
	struct queue_dir **dirs;
	size_t ndirs;
	long max_run_size;	/* J= or MaxQueueRunSize, 0: no limit */
	char *flags;		/* F= ("f": several runners may share it), or NULL */
	long nice;		/* N= */
	long interval;		/* I= in seconds, 0: the -q interval */
	long runners;		/* R=, -1: MaxRunnersPerQueue or 1 */
	long max_rcpts;		/* r= recipients per envelope, 0: no limit */
};

/* Every queue group of a configuration, the default group "mqueue" first. */
struct queue_set {
	struct queue_group *groups;
	size_t ngroups;
};

/*
 * Adds group name with the directories matching pattern (a path, or a path
 * whose last component ends in "*": every subfolder that matches, sorted).
 * A group without a directory is an error.
 */
int queue_set_add(struct queue_set *s, const char *name, const char *pattern, int sync_mode,
    struct pt_buf *err);
/*
 * Adds a group from a Q line: name and its "field=value, ..." equates
 * (Path, Flags, Nice, Interval, Runners, Jobs, recipients; only the first
 * letter of a field counts).  A relative Path is taken under base (the
 * QueueDirectory, or the folder above it when it ends in "*").
 */
int queue_set_add_decl(struct queue_set *s, const char *name, const char *equates,
    const char *base, int sync_mode, struct pt_buf *err);
/*
 * Builds the set of a loaded configuration: "mqueue" from QueueDirectory
 * (default /var/spool/mqueue) with MaxQueueRunSize, then every Q line.
 */
struct cf_config;
int queue_set_load(struct queue_set *s, const struct cf_config *cfg, int sync_mode,
    struct pt_buf *err);
/* Closes every directory and frees the set's storage (not the struct itself). */
void queue_set_clear(struct queue_set *s);
/* Finds a group by name (case-insensitive), or NULL. */
struct queue_group *queue_set_group(const struct queue_set *s, const char *name);

/* --- messages: create, commit, open, rewrite, remove -------------------- */

struct queue_msg;

/*
 * Starts a new message in qd: assigns an id from g for time now, and makes
 * its df (a recycled inode when one is spare).  Write the body with
 * queue_msg_write, then queue_msg_commit.  Returns QUEUE_OK with *out set, or
 * QUEUE_TEMPFAIL with a message.
 */
int queue_msg_create(struct queue_dir *qd, struct queue_idgen *g, time_t now,
    struct queue_msg **out, struct pt_buf *err);
/* Appends body bytes to a new message's df (buffered).  QUEUE_OK or QUEUE_TEMPFAIL. */
int queue_msg_write(struct queue_msg *m, const void *p, size_t n);
/*
 * Commits a new message: writes e (e->id is set from the message, the I
 * record from the df) as tfID, locks it, makes the df and tf durable, renames
 * tfID to qfID (hfID when e->quarantine is set: the message is queued
 * quarantined) and makes the rename durable.  Only after QUEUE_OK may the
 * SMTP server answer 250.  The message stays locked by this process (and
 * its children, through the inherited descriptor) until queue_msg_close.
 * On failure nothing is queued; call queue_msg_abort.
 */
int queue_msg_commit(struct queue_msg *m, struct queue_env *e, struct pt_buf *err);
/*
 * Starts a new body for a new message (a mail filter replaced it): the body
 * written so far stays as it was, later queue_msg_write calls write the new
 * one into a file of its own (dfID+), and queue_msg_commit renames that over
 * the df before the control file exists, so that the message is queued with
 * one body or the other, never a mix; queue_msg_abort drops both.  Calling
 * it again starts the new body afresh.  QUEUE_OK or QUEUE_TEMPFAIL.
 */
int queue_msg_new_body(struct queue_msg *m, struct pt_buf *err);
/* Drops a new message that was not committed: its df (and tf) are recycled. */
void queue_msg_abort(struct queue_msg *m);

/*
 * Opens the queued message id of qd for processing: opens and locks its qf
 * (hf when quarantined is true) without waiting and parses it.  Returns
 * QUEUE_OK, QUEUE_LOCKED (someone else works on it), QUEUE_GONE, QUEUE_BAD or
 * QUEUE_TEMPFAIL.
 */
int queue_msg_open(struct queue_dir *qd, const char *id, bool quarantined,
    struct queue_msg **out, struct pt_buf *err);
/* The id of a message. */
const char *queue_msg_id(const struct queue_msg *m);
/* The envelope read by queue_msg_open (borrowed; the message owns it). */
struct queue_env *queue_msg_env(struct queue_msg *m);
/* The queue directory of a message. */
struct queue_dir *queue_msg_dir(const struct queue_msg *m);
/*
 * A read-only descriptor on the df, positioned at 0 (owned by m), or -1 with
 * errno.  For a new message: the body written so far (the new body after
 * queue_msg_new_body), flushed first.
 */
int queue_msg_df(struct queue_msg *m);
/* The descriptor of the locked qf (owned by m); children inherit the lock through it. */
int queue_msg_lockfd(const struct queue_msg *m);
/*
 * Replaces the qf of a locked message by e, atomically: tfID written and
 * locked, made durable, renamed over qfID (or hfID when e->quarantine is
 * set, moving the message between the two names).  QUEUE_OK or TEMPFAIL.
 */
int queue_msg_update(struct queue_msg *m, struct queue_env *e, struct pt_buf *err);
/* Removes a finished message: qf first (atomically), then df and xf.  Ends the lock. */
int queue_msg_remove(struct queue_msg *m, struct pt_buf *err);
/* Renames the qf to QfID so that it is left alone (a "lost" message). */
int queue_msg_lose(struct queue_msg *m, struct pt_buf *err);
/* Releases the lock and frees the handle (the files stay). */
void queue_msg_close(struct queue_msg *m);

/* The transcript (xfID) of a message: opened for appending, created on demand. */
int queue_xf_open(struct queue_dir *qd, const char *id);
/* Removes a transcript; QUEUE_OK also when there was none. */
int queue_xf_remove(struct queue_dir *qd, const char *id);

/* --- listing and selection ---------------------------------------------- */

/* QueueSortOrder. */
enum queue_sort {
	QSORT_PRIORITY = 0,	/* the default */
	QSORT_HOST,
	QSORT_FILENAME,
	QSORT_TIME,
	QSORT_RANDOM,
	QSORT_MODIFICATION,
	QSORT_NONE,
};
/* Maps a QueueSortOrder value (first letter counts) to enum queue_sort; -1 if unknown. */
int queue_sort_parse(const char *s);

/* What a listing or run works on. */
enum queue_kind {
	QKIND_NORMAL = 0,	/* qf files */
	QKIND_QUARANTINE,	/* hf files (-qQ) */
	QKIND_LOST,		/* Qf files (-qL) */
};

struct queue_select;

/* An empty set of selectors (matches every message). */
struct queue_select *queue_select_new(void);
void queue_select_free(struct queue_select *s);
/*
 * Adds one selector, the text after -q: "Isub", "Rsub", "Ssub", "Qsub", each
 * possibly after "!".  Same letters OR, different letters AND; I compares
 * case-sensitively, the others ignore ASCII case.  A bare "Q" (nothing
 * after it) selects quarantined items and is reported through *kind.
 * Returns 0, or -1 with a message in err for an unknown letter.
 */
int queue_select_add(struct queue_select *s, const char *arg, int *kind, struct pt_buf *err);
/* True when s has no selector at all. */
bool queue_select_empty(const struct queue_select *s);

/* One queued message as the gather phase sees it. */
struct queue_item {
	char id[QUEUE_ID_MAX];
	long priority;		/* P (LONG_MAX when absent) */
	long long ctime;	/* T (0 when absent) */
	long long last_attempt;	/* K */
	long long size;		/* the df's size, -1 when it cannot be read */
	int df_errno;		/* why the df could not be read */
	int open_errno;		/* why the control file could not be read, or 0 */
	time_t mtime;		/* the qf's modification time */
	bool locked;		/* another process holds the lock */
	bool warned;		/* F has w */
	char status;		/* the listing's character: ' ', '*', 'X' or '-' */
	const char *host;	/* host of the first recipient (lower case), or "" */
	/* private: the records the listing prints and the selectors read */
	const char *events;
	int version;
	size_t order;		/* position in the folder */
};

/* What a gather phase reads and how. */
struct queue_gather_opts {
	int kind;				/* enum queue_kind */
	const struct queue_select *select;	/* NULL: everything */
	int sort;				/* enum queue_sort */
	bool need_lock;		/* test locks even when the sort order would not */
	bool need_size;		/* stat each df for its size (listings) */
	long max_items;		/* keep at most this many after sorting (0: all) */
	long min_queue_age;	/* MinQueueAge: newer attempts get '-' */
	long load_avg;		/* the current load average, for 'X' */
	long queue_la, queue_factor;	/* QueueLA (0: off) and QueueFactor */
	time_t now;
	int threads;		/* readers to use (0: choose) */
};

/* The items of one queue directory. */
struct queue_work {
	struct queue_item *items;
	size_t n;		/* items kept */
	size_t total;		/* items that matched before max_items cut */
	/* private: where the items' strings live */
	struct pt_arena arena;
	struct pt_arena *arenas;
	size_t narenas;
};

/*
 * Reads the control files of qd (qf, hf or Qf by o->kind), keeps those the
 * selectors match, sorts them and cuts to max_items.  w must be zeroed or
 * freed.  Returns QUEUE_OK or QUEUE_TEMPFAIL (folder unreadable).
 */
int queue_gather(struct queue_dir *qd, const struct queue_gather_opts *o, struct queue_work *w,
    struct pt_buf *err);
void queue_work_free(struct queue_work *w);

/* What mailq prints. */
struct queue_list_opts {
	bool verbose;		/* -v: priority, warning mark, controlling users, recipient status */
	struct queue_gather_opts gather;
};

/*
 * Appends to out the listing of every directory of the set exactly as
 * upstream's mailq prints it ("\t\tDIR (N requests)", the column header, one
 * entry per message, "DIR is empty", and "\t\tTotal requests: N").  Returns
 * QUEUE_OK, or QUEUE_TEMPFAIL when a folder could not be read (the listing
 * of the others is still appended, with a line about the failure).
 */
int queue_list(const struct queue_set *s, const struct queue_list_opts *o, struct pt_buf *out,
    struct pt_buf *err);
/* Appends the entries of one gathered directory (no headline). */
void queue_list_items(const struct queue_dir *qd, const struct queue_work *w, bool verbose,
    struct pt_buf *out);
/*
 * Appends the -bP output: "DIR: entries=N" or "DIR is empty" per directory
 * and "\t\tTotal requests: N", counting control files without reading them.
 */
int queue_count(const struct queue_set *s, int kind, struct pt_buf *out, struct pt_buf *err);
/* True if the message item matches the selectors (NULL matches all). */
bool queue_select_match(const struct queue_select *s, const struct queue_item *it);

#endif
