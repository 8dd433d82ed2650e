/*
 * daemon.h: the pieces the daemon calls in other files of the program.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <sys/socket.h>

#include "cf_daemon.h"
#include "sendmail.h"

/*
 * Serves one SMTP connection on fd (smtpd.c), accepted by daemon d from
 * peer.  reqfd is where queue ids for immediate delivery are sent (-1: none).
 * Returns the exit status of the session process.
 */
int smtpd_serve(struct sm_run *run, int fd, const struct cf_daemon *d,
    const struct sockaddr_storage *peer, socklen_t plen, int reqfd);

/* Delivers queued message id (deliver.c); returns an exit status. */
int deliver_queued(struct sm_run *run, const char *id);

/* Runs the queue once with the run's selectors (queuerun.c); returns an exit status. */
int queue_run(struct sm_run *run, const char *only_id);

#endif
