/*
 * daemon.h: the pieces the daemon calls in other files of the program.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>

#include "cf_daemon.h"
#include "queue.h"
#include "sendmail.h"

/*
 * What a session process keeps from one connection to the next (it serves
 * up to MaxConnectionsPerProcess of them, one at a time): nothing of a
 * connection's, only the queue id generator, so that two connections in
 * the same second never make the same id.
 */
struct smtpd_proc {
	struct queue_idgen idgen;
	struct queue_dir *qd;	/* the queue folder and its shared state, opened by the first session */
};

/*
 * Serves one SMTP connection on fd (smtpd.c), accepted by daemon d from
 * peer, in a process readied by smtpd_prepare.  reqfd is where queue ids
 * for immediate delivery are sent (-1: none).  Gives up root (for good)
 * before it reads from the client.  Returns the exit status of the session
 * process.
 */
int smtpd_serve(struct sm_run *run, struct smtpd_proc *proc, int fd, const struct cf_daemon *d,
    const struct sockaddr_storage *peer, socklen_t plen, int reqfd);

/*
 * Readies a session process (proc) and opens the configuration's maps (as
 * root), which smtpd_serve does too (a map changed since is opened again):
 * a spare session process does it before its connection comes.
 */
void smtpd_prepare(struct sm_run *run, struct smtpd_proc *proc);

/*
 * After a connection ended: true when the process may serve another one;
 * false when a map has changed on disk since the process opened it as root
 * (a new process should open it).  Drops the maps' caches of answers.
 */
bool smtpd_reusable(struct sm_run *run);

/*
 * background.c: forks and leaves the terminal (new session, standard
 * descriptors on /dev/null, and the working folder / when to_root); the
 * parent exits.
 */
void sm_background(bool to_root);
/* Writes the PidFile at path: the pid, then the command line. */
void sm_pidfile_write(const struct sm_run *run, const char *path);
/* Removes the PidFile at path if it still names this process. */
void sm_pidfile_remove(const char *path);

/* Runs the queue once with the run's selectors (queuerun.c); returns an exit status. */
int queue_run(struct sm_run *run, const char *only_id);

/* The connections accepted in the current second (ConnectionRateThrottle). */
struct sm_throttle {
	time_t second;
	long count;
	bool logged;		/* the deferral was logged for this second */
};

/* The one-minute load average rounded to an integer (0 if unknown). */
int sm_load_average(void);

/* True when load average la reaches RefuseLA (connections are refused). */
bool sm_la_refuse(const struct cf_options *o, int la);

/*
 * DelayLA: the load average when it reaches DelayLA (a second's pause is
 * due: before the next connection, before a command), else -1.  Reads the
 * load only when DelayLA is set.
 */
int sm_la_delay(const struct cf_options *o);

/*
 * True when a message of this priority is only queued, as upstream's
 * QueueLA rule says: the load reaches QueueLA and the priority exceeds
 * QueueFactor / (load - QueueLA + 1).
 */
bool sm_la_queue(const struct cf_options *o, long priority);

/*
 * Counts one more connection in second now against ConnectionRateThrottle
 * limit (0: none); false when the second's share is used up.
 */
bool sm_throttle_admit(struct sm_throttle *t, long limit, time_t now);

#endif
