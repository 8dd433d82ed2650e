/*
 * deliver_pool: long-lived delivery processes ("workers") for the daemon
 * and for queue runs.  A worker is forked as root, opens the queue once and
 * delivers the messages it is handed one after another, keeping its
 * mailer connections between them (deliver_cache.c: an LMTP mail.local, an
 * SMTP session to a relay), so that a message costs no fork, no exec and no
 * connection set-up when the last one went the same way.
 *
 * The protocol on each worker's socket (SOCK_SEQPACKET, one packet each):
 *
 * | from   | packet        | meaning                                         |
 * |--------|---------------|-------------------------------------------------|
 * | parent | queue id      | deliver this message (only to an idle worker)   |
 * | worker | "d"           | done; ready for the next                        |
 * | worker | "r"           | done; retiring (it served DLV_POOL_MAX_USE)     |
 * | parent | end of file   | no more work: close the connections and exit    |
 *
 * The parent hands a worker one id at a time, so a worker never leaves with
 * an id it has not read; a worker idle for DLV_POOL_IDLE seconds is sent
 * end of file.  A worker that dies in a delivery leaves its message in the
 * queue (locks are released with the process) for the next queue run.  At
 * most `max` workers live at once; ids beyond that wait in memory, in the
 * order they came.
 *
 * The daemon's pool delivers what its sessions have just accepted
 * (DLV_ORIGIN_SMTP: its setup sets sm_run.fresh_smtp), a queue run's what
 * the run gathered (DLV_ORIGIN_QUEUE): the origin decides the priority of
 * the attempt (deliver.h).
 *
 * Runs in the daemon and in `sendmail -q` (root).  Workers run as root and
 * take recipients' identities only in the mailer processes they fork.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deliver.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"

#define DLV_POOL_IDLE 60	/* seconds an idle worker is kept */
#define DLV_POOL_MAX_USE 1000	/* messages a worker delivers before it retires */

/* The worker's loop: ids in, "d" or "r" out, until end of file. */
static void __attribute__((noreturn))
worker_main(struct sm_run *run, int fd)
{
	struct queue_dir *qd;
	struct dlv_cache cache;
	char id[QUEUE_ID_MAX + 1];
	int served = 0;

	signal(SIGPIPE, SIG_IGN);
	if (dlv_open_queue(run, &qd) != QUEUE_OK)
		_exit(EX_TEMPFAIL);
	dlv_cache_init(&cache, run->cfg);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long wait = dlv_cache_wait(&cache, time(NULL));
		ssize_t n;

		if (poll(&p, 1, wait < 0 ? -1 : (int)(wait * 1000 + 100)) == 0) {
			dlv_cache_expire(&cache, time(NULL));
			continue;
		}
		n = recv(fd, id, sizeof id - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		id[n] = '\0';
		if (queue_id_valid(id))
			(void)dlv_message_id(run, qd, id, &cache,
			    run->fresh_smtp ? DLV_ORIGIN_SMTP : DLV_ORIGIN_QUEUE);
		if (++served >= DLV_POOL_MAX_USE) {
			(void)send(fd, "r", 1, MSG_NOSIGNAL);
			break;
		}
		if (send(fd, "d", 1, MSG_NOSIGNAL) < 0)
			break;
	}
	dlv_cache_close(&cache);
	queue_dir_close(qd);
	dlv_wait_notices();
	_exit(EX_OK);
}

void
dlv_pool_init(struct dlv_pool *p, struct sm_run *run, int max, void (*setup)(void *), void *ctx)
{
	memset(p, 0, sizeof *p);
	p->run = run;
	p->max = max > 0 ? max : 1;
	p->w = pt_calloc((size_t)p->max, sizeof *p->w);
	p->setup = setup;
	p->ctx = ctx;
}

void
dlv_pool_close_fds(const struct dlv_pool *p)
{
	for (int i = 0; i < p->n; i++)
		if (p->w[i].fd >= 0)
			close(p->w[i].fd);
}

/* Forks a new worker into slot p->n; -1 if it cannot. */
static int
spawn(struct dlv_pool *p)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		pt_log(LOG_ERR, "cannot make a delivery socket: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		pt_log(LOG_ERR, "cannot fork a delivery process: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		dlv_pool_close_fds(p);
		close(sv[0]);
		if (p->setup != NULL)
			p->setup(p->ctx);
		worker_main(p->run, sv[1]);
	}
	close(sv[1]);
	p->w[p->n] = (struct dlv_worker){ .pid = pid, .fd = sv[0], .idle_since = time(NULL) };
	return p->n++;
}

/* Closes worker i's socket: it exits once its message is done. */
static void
let_go(struct dlv_pool *p, int i)
{
	if (p->w[i].fd >= 0)
		close(p->w[i].fd);
	p->w[i].fd = -1;
}

/* Hands id to worker i; false if the worker is gone. */
static bool
hand(struct dlv_pool *p, int i, const char *id)
{
	struct dlv_worker *w = &p->w[i];

	if (send(w->fd, id, strlen(id), MSG_NOSIGNAL) < 0) {
		let_go(p, i);
		return false;
	}
	w->busy = true;
	pt_strlcpy(w->id, id, sizeof w->id);
	return true;
}

/* Gives id to an idle worker, or to a new one; false if all are busy. */
static bool
dispatch(struct dlv_pool *p, const char *id)
{
	int i;

	if (p->closing)
		return false;
	for (i = 0; i < p->n; i++)
		if (p->w[i].fd >= 0 && !p->w[i].busy && hand(p, i, id))
			return true;
	while (p->n < p->max && (i = spawn(p)) >= 0)
		if (hand(p, i, id))
			return true;
	return false;
}

/* Starts waiting ids while workers are free. */
static void
drain(struct dlv_pool *p)
{
	while (p->head < p->npending && dispatch(p, p->pending[p->head])) {
		free(p->pending[p->head]);
		p->pending[p->head++] = NULL;
	}
	if (p->head == p->npending)
		p->head = p->npending = 0;
}

void
dlv_pool_submit(struct dlv_pool *p, const char *id)
{
	if (p->closing)
		return;		/* it stays in the queue for the next run */
	if (p->npending == p->head && dispatch(p, id))
		return;
	if (p->max_pending > 0 && p->npending - p->head >= p->max_pending)
		return;		/* it stays in the queue for the next run */
	if (p->npending == p->cap) {
		if (p->head > 0) {
			memmove(p->pending, p->pending + p->head,
			    (p->npending - p->head) * sizeof *p->pending);
			p->npending -= p->head;
			p->head = 0;
		} else {
			p->cap = p->cap ? p->cap * 2 : 64;
			p->pending = pt_reallocarray(p->pending, p->cap, sizeof *p->pending);
		}
	}
	p->pending[p->npending++] = pt_strdup(id);
}

int
dlv_pool_fds(const struct dlv_pool *p, struct pollfd *v)
{
	int n = 0;

	for (int i = 0; i < p->n; i++)
		v[n++] = (struct pollfd){ p->w[i].fd, POLLIN, 0 };
	return n;
}

void
dlv_pool_ready(struct dlv_pool *p, const struct pollfd *v, int n)
{
	for (int i = 0; i < n && i < p->n; i++) {
		char c = 0;
		ssize_t got;

		if (v[i].fd < 0 || v[i].fd != p->w[i].fd || !(v[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		got = recv(p->w[i].fd, &c, 1, MSG_DONTWAIT);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		p->w[i].busy = false;
		p->w[i].idle_since = time(NULL);
		if (got != 1 || c != 'd' || p->closing)
			let_go(p, i);	/* retiring, gone, or no more work */
	}
	drain(p);
}

bool
dlv_pool_reaped(struct dlv_pool *p, pid_t pid, int status)
{
	for (int i = 0; i < p->n; i++) {
		struct dlv_worker *w = &p->w[i];

		if (w->pid != pid)
			continue;
		if (w->busy && !(WIFEXITED(status) && WEXITSTATUS(status) == EX_OK))
			pt_log(LOG_ERR, "%s: delivery process %ld died; the message stays queued",
			    w->id, (long)pid);
		let_go(p, i);
		p->w[i] = p->w[--p->n];
		drain(p);
		return true;
	}
	return false;
}

long
dlv_pool_tick(struct dlv_pool *p, time_t now)
{
	long next = -1;

	for (int i = 0; i < p->n; i++) {
		struct dlv_worker *w = &p->w[i];
		long left;

		if (w->fd < 0 || w->busy)
			continue;
		left = (long)(w->idle_since + DLV_POOL_IDLE - now);
		if (left <= 0)
			let_go(p, i);
		else if (next < 0 || left < next)
			next = left;
	}
	return next;
}

size_t
dlv_pool_load(const struct dlv_pool *p)
{
	size_t n = p->npending - p->head;

	for (int i = 0; i < p->n; i++)
		if (p->w[i].busy)
			n++;
	return n;
}

void
dlv_pool_shutdown(struct dlv_pool *p)
{
	for (int i = 0; i < p->n; i++)
		if (!p->w[i].busy)
			let_go(p, i);
	p->closing = true;
}

void
dlv_pool_free(struct dlv_pool *p)
{
	dlv_pool_close_fds(p);
	for (size_t i = p->head; i < p->npending; i++)
		free(p->pending[i]);
	free(p->pending);
	free(p->w);
	memset(p, 0, sizeof *p);
}
