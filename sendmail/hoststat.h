/*
 * hoststat.h: persistent host status (HostStatusDirectory): what the SMTP
 * client learnt about each host it talked to, kept on disk so that later
 * deliveries and queue runs, in any process, skip a host that failed
 * recently (Timeout.hoststatus); `hoststat` (-bh) lists it and `purgestat`
 * (-bH) removes the expired entries.
 *
 * The layout and the record are upstream's, so that Petrel and sendmail
 * 8.17 share a directory:
 *
 * | path            | host.example.com is DIR/com./example./host; [127.0.0.5] is DIR/5./0./0./127 |
 * | file mode       | TempFileMode (0600); folders 0755, created as needed; DIR itself never   |
 * | lock            | flock: shared to read, exclusive to write; held while a delivery talks   |
 *                   to the host with SingleThreadDelivery ('*' in -bh)                        |
 *
 * | line | meaning                                                    |
 * | V0   | the format version                                         |
 * | E<n> | errno of the failed connection (0: none)                   |
 * | H<n> | h_errno of the failed lookup (0: none)                     |
 * | S<n> | the sysexits status of the attempt (0 ok, 75 tempfail ...) |
 * | D<s> | the enhanced status code (2.0.0, 4.4.1, 5.1.2)             |
 * | R<t> | the last SMTP reply (may be empty; absent: none)           |
 * | U<n> | when it was written (seconds since the epoch)              |
 * | .    | the end                                                    |
 */
#ifndef HOSTSTAT_H
#define HOSTSTAT_H

#include <stdbool.h>
#include <time.h>

#include "cf.h"
#include "pt_buf.h"

/* One host's status record. */
struct hs_entry {
	int err;		/* E: errno */
	int herr;		/* H: h_errno */
	int exitst;		/* S: sysexits code */
	char dsn[16];		/* D */
	char *reply;		/* R (owned), NULL when absent */
	long long last;		/* U */
};

/* The HostStatusDirectory of cfg as an absolute path (malloc'd), or NULL when unset. */
char *hs_dir(const struct cf_config *cfg);
/*
 * The file of host under dir (upstream's reversed components; brackets and
 * a trailing dot dropped, letters lowered) into out; -1 for a name that
 * cannot be a file name.
 */
int hs_path(const char *dir, const char *host, struct pt_buf *out);
/*
 * Opens host's status file, creating the folders and the file (mode
 * TempFileMode) as needed; the descriptor (unlocked: readers take
 * LOCK_SH, writers LOCK_EX, a SingleThreadDelivery session holds LOCK_EX),
 * or -1 when dir does not exist or is not writable.
 */
int hs_open(const struct cf_config *cfg, const char *dir, const char *host);
/* Reads the record of an open status file into e; false when it holds none. */
bool hs_read_fd(int fd, struct hs_entry *e);
/* Replaces the record of an open status file with e (U set to now). */
void hs_write_fd(int fd, const struct hs_entry *e, time_t now);
/* Unlocks and closes a status file (fd may be -1). */
void hs_close(int fd);
/* True when e is still valid at now (younger than Timeout.hoststatus) and says the host failed. */
bool hs_failed(const struct cf_config *cfg, const struct hs_entry *e, time_t now);
/*
 * The reason a delivery skipped a failed host, as upstream words it
 * ("Connection refused by mx.example.net.", the reply, or "" for none)
 * into out; shown: the host as logged.
 */
void hs_reason(const struct hs_entry *e, const char *shown, struct pt_buf *out);
/* Frees what e holds. */
void hs_entry_free(struct hs_entry *e);

/*
 * Without HostStatusDirectory (or for a mailer with F=W) the status of the
 * hosts tried lives only in memory for one queue run, as upstream's, whose
 * queue run delivers message after message in one process: a host that
 * failed is skipped by the later messages of the run.  Petrel's queue run
 * hands its messages to several delivery processes, so the table is
 * shared memory made before they are forked (hs_mem_new), read and written
 * under a process-shared lock that survives a process dying with it held.
 * It holds HS_MEM_HOSTS hosts; when full, the oldest record makes room.
 */
struct hs_mem;

/* A new, empty table in memory shared with the children forked later; NULL if none can be made. */
struct hs_mem *hs_mem_new(void);
/* Unmaps the table (m may be NULL). */
void hs_mem_free(struct hs_mem *m);
/* Host's record into e; false when the table has none (m may be NULL). */
bool hs_mem_get(struct hs_mem *m, const char *host, struct hs_entry *e);
/* Records e for host at now (m may be NULL). */
void hs_mem_put(struct hs_mem *m, const char *host, const struct hs_entry *e, time_t now);

#endif
