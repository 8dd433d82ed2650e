/*
 * daemon: sendmail -bd and -bD: the listeners of DaemonPortOptions, one
 * process per connection, the delivery dispatcher and the periodic queue
 * runs.
 *
 * The daemon process runs as root and does nothing but fork and dispatch:
 * it never reads a byte from a client.  Session processes are forked before
 * their connections come and accept them themselves (spares, below), one
 * connection at a time, up to MaxConnectionsPerProcess one after another.
 * A session process gives up root for the owner of the queue folder (when
 * that is not root) before it speaks SMTP to its first client, for good; it asks the daemon, over a datagram socket, to
 * deliver what it queued, and the daemon hands the id to one of its
 * delivery processes (deliver_pool.c: root, long-lived, keeping their
 * mailer connections; recipients' identities are taken in the mailers).
 * SIGHUP re-executes the daemon with the same arguments once the new
 * configuration has been seen to load; SIGTERM stops accepting, lets the
 * sessions finish (ending those still open after SESSION_GRACE seconds) and
 * removes the PID file.  While the load average is at
 * RefuseLA the listeners are closed (clients are refused, as upstream's);
 * DelayLA and ConnectionRateThrottle slow the accepting down
 * (daemon_load.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cf_daemon.h"
#include "daemon.h"
#include "deliver.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_file.h"
#include "pt_log.h"
#include "pt_str.h"
#include "pt_time.h"
#include "sendmail.h"
#include "tlsconf.h"
#include "auth.h"

#define DEFAULT_BACKLOG 1024	/* upstream's 10 overflows under load */
#define MAX_PENDING_DELIVERIES 65536
#define DEFAULT_DELIVERERS 16	/* delivery processes when MaxQueueChildren is not set */
#define SESSION_GRACE 10	/* seconds the open sessions get after SIGTERM */
#define SPARES 8		/* session processes kept waiting in accept */
#define SPARES_MAX 128		/* waiting at most, counting sessions that came back */
#define SPARE_IDLE 60		/* seconds a spare above SPARES may wait before it goes */
#define SPARE_DRAIN_MS 2000	/* how long a re-execution waits for the spares to let go */

/*
 * A spare: a session process forked before its connection comes, waiting in
 * poll on the listeners.  The one that accepts tells the daemon ("a" on its
 * socket), closes the listeners and serves that connection as any session
 * does; the daemon forks another spare.  So a client is greeted by a
 * process that is already running: no fork (and no wait for a new process
 * to be scheduled, which on a busy machine is the longest part) between the
 * connection and the greeting.  When the connection ends the process asks
 * for another ("r"); the daemon either passes it the listeners (SCM_RIGHTS)
 * and counts it as a spare again, or closes the socket and the process
 * exits.  A fork and a new process's first touch of its pages cost more CPU
 * here than a whole message (bench/RESULTS.md), which is why a process
 * serves up to MaxConnectionsPerProcess connections, as Postfix's smtpd
 * serves max_use.  The listeners stay the daemon's: a serving process holds
 * none, so that a re-executed daemon can bind them again.
 *
 * | message | from    | meaning                                             |
 * |---------|---------|-----------------------------------------------------|
 * | "a"     | session | took a connection, closed the listeners             |
 * | "r"     | session | its connection ended; it may take another           |
 * | "L" map | daemon  | answer to "r": the listeners, one byte per daemon   |
 * |         |         | ('1' sent, '0' not open) and the fds in that order  |
 * | EOF     | daemon  | retired, or no more: the process exits (after its   |
 * |         |         | connection, if it is serving one)                   |
 *
 * Session processes, spare or serving, count as children for
 * MaxDaemonChildren.  The daemon retires them when it stops accepting:
 * RefuseLA, SIGTERM, SIGHUP (serving ones then end with their connection);
 * with DelayLA or ConnectionRateThrottle the daemon accepts itself, as
 * before, so that it can pause or count before each connection, and each
 * of those processes serves one connection.
 */
struct spare {
	pid_t pid;
	int fd;			/* the daemon's end of the spare's socket */
	time_t since;		/* when it began to wait */
};

/* The daemon's state (one per process; lives on main's stack). */
struct daemon {
	struct sm_run *run;
	struct cf_daemon *daemons;
	int ndaemons;
	int *fds;		/* one listening socket per daemon, -1 if skipped */
	int sigpipe[2];		/* signal handlers write the signal number here */
	int req[2];		/* sessions send queue ids on req[1]; the daemon reads req[0] */
	int children;		/* live session processes */
	struct dlv_pool pool;	/* the delivery processes */
	pid_t runner;		/* the periodic queue run, or 0 */
	time_t next_run;	/* when the periodic queue run is due (0: none) */
	long interval;		/* -q interval in seconds */
	bool stopping;
	time_t stop_since;	/* when SIGTERM came */
	bool sessions_ended;	/* the sessions left after the grace were told to end */
	pid_t *session_pids;	/* to tell sessions from deliverers when reaped */
	int nsession_pids;
	bool refusing;		/* the listeners are closed for RefuseLA */
	time_t delay_log_next;	/* DelayLA's line is logged again from then on */
	struct sm_throttle throttle;	/* ConnectionRateThrottle's count */
	struct spare spares[SPARES_MAX];	/* session processes waiting for a connection */
	int nspares;
	struct spare *serving;	/* session processes serving one that may come back for more */
	int nserving;
};

/* The write end of the signal pipe, for the handler: the only global. */
static int signal_fd = -1;

/* Forwards a signal to the main loop. */
static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (signal_fd >= 0 && write(signal_fd, &c, 1) < 0) {
		/* the pipe is full: the loop will wake anyway */
	}
	errno = saved;
}

/* Resolves a Port= value (name or number); -1 if unknown. */
static int
port_number(const char *port)
{
	struct servent *se;
	long n;

	if (pt_str_to_long(port, &n))
		return n > 0 && n < 65536 ? (int)n : -1;
	se = getservbyname(port, "tcp");
	return se != NULL ? ntohs((unsigned short)se->s_port) : -1;
}

/* Opens one listening socket; -1 with err set on failure. */
static int
open_listener(const struct cf_daemon *d, int backlog, struct pt_buf *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, port = port_number(d->port);

	memset(&ss, 0, sizeof ss);
	if (d->family == AF_UNIX) {
		struct sockaddr_un *su = (struct sockaddr_un *)&ss;

		if (d->addr == NULL || strlen(d->addr) >= sizeof su->sun_path) {
			pt_buf_printf(err, "daemon %s: a local socket needs Addr=path", d->name);
			return -1;
		}
		su->sun_family = AF_UNIX;
		pt_strlcpy(su->sun_path, d->addr, sizeof su->sun_path);
		unlink(d->addr);
		len = sizeof *su;
	} else if (port < 0) {
		pt_buf_printf(err, "daemon %s: unknown port %s", d->name, d->port);
		return -1;
	} else if (d->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		s6->sin6_addr = in6addr_any;
		if (d->addr != NULL && inet_pton(AF_INET6, d->addr, &s6->sin6_addr) != 1) {
			pt_buf_printf(err, "daemon %s: bad IPv6 address %s", d->name, d->addr);
			return -1;
		}
		len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		if (d->addr != NULL && inet_pton(AF_INET, d->addr, &s4->sin_addr) != 1) {
			pt_buf_printf(err, "daemon %s: bad address %s", d->name, d->addr);
			return -1;
		}
		len = sizeof *s4;
	}
	fd = socket(d->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pt_buf_printf(err, "daemon %s: cannot create socket: %s", d->name, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (d->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (d->sndbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &d->sndbuf, sizeof(int));
	if (d->rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &d->rcvbuf, sizeof(int));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog) < 0) {
		pt_buf_printf(err, "opendaemonsocket: daemon %s: cannot bind: %s", d->name,
		    strerror(errno));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* The listen backlog of daemon d. */
static int
backlog_of(const struct daemon *dm, const struct cf_daemon *d)
{
	const struct cf_options *o = &dm->run->cfg->opt;

	if (d->listen > 0)
		return d->listen;
	return o->max_daemon_children > DEFAULT_BACKLOG ? (int)o->max_daemon_children :
	    DEFAULT_BACKLOG;
}

/* Opens every listener; a failure is fatal unless the daemon has modifier O. */
static int
open_listeners(struct daemon *dm)
{
	struct pt_buf err = PT_BUF_INIT;
	int opened = 0;

	dm->fds = pt_calloc((size_t)dm->ndaemons, sizeof(int));
	for (int i = 0; i < dm->ndaemons; i++) {
		const struct cf_daemon *d = &dm->daemons[i];

		pt_buf_reset(&err);
		dm->fds[i] = open_listener(d, backlog_of(dm, d), &err);
		if (dm->fds[i] >= 0) {
			opened++;
			continue;
		}
		pt_log(LOG_CRIT, "%s", err.s);
		if (!cf_daemon_has(d, 'O')) {
			fprintf(stderr, "%s: %s\n", dm->run->progname, err.s);
			pt_buf_free(&err);
			return -1;
		}
	}
	pt_buf_free(&err);
	return opened > 0 ? 0 : -1;
}

/* Closes every listener (RefuseLA, SIGTERM). */
static void
close_listeners(struct daemon *dm)
{
	for (int i = 0; i < dm->ndaemons; i++)
		if (dm->fds[i] >= 0) {
			close(dm->fds[i]);
			dm->fds[i] = -1;
		}
}

/* Closes the listeners while the load is at RefuseLA, reopens them after. */
static void
check_load(struct daemon *dm)
{
	const struct cf_options *o = &dm->run->cfg->opt;
	struct pt_buf err = PT_BUF_INIT;
	int la;

	if (o->refuse_la <= 0)
		return;
	la = sm_load_average();
	if (sm_la_refuse(o, la)) {
		if (!dm->refusing)
			for (int i = 0; i < dm->ndaemons; i++)
				pt_log(LOG_INFO, "rejecting connections on daemon %s: load average: %d",
				    dm->daemons[i].name, la);
		dm->refusing = true;
		close_listeners(dm);
		return;
	}
	dm->refusing = false;
	for (int i = 0; i < dm->ndaemons; i++) {
		if (dm->fds[i] >= 0)
			continue;
		pt_buf_reset(&err);
		dm->fds[i] = open_listener(&dm->daemons[i], backlog_of(dm, &dm->daemons[i]), &err);
		if (dm->fds[i] < 0)
			pt_log(LOG_CRIT, "%s", err.s);
	}
	pt_buf_free(&err);
}

/* True when ConnectionRateThrottle lets daemon i accept one more now. */
static bool
throttle_admits(struct daemon *dm, int i)
{
	long limit = dm->run->cfg->opt.connection_rate_throttle;

	if (sm_throttle_admit(&dm->throttle, limit, time(NULL)))
		return true;
	if (!dm->throttle.logged)
		pt_log(LOG_INFO, "deferring connections on daemon %s: %ld per second",
		    dm->daemons[i].name, limit);
	dm->throttle.logged = true;
	return false;
}

/*
 * Pauses a second after a connection was handed off while the load is at
 * DelayLA, so that the next one waits: as upstream, which sleeps before it
 * waits for a connection, connections come at most one a second and the
 * first after a quiet spell is not held.  The second is whole even when
 * sessions end meanwhile (upstream's sleep outlasts signals too); the
 * signals are handled after it.  Logged once per RejectLogInterval.
 */
static void
maybe_delay(struct daemon *dm, int i)
{
	const struct cf_options *o = &dm->run->cfg->opt;
	time_t now;
	int la = sm_la_delay(o);

	if (la < 0)
		return;
	now = time(NULL);
	if (now >= dm->delay_log_next) {
		pt_log(LOG_INFO, "delaying connections on daemon %s: load average=%d >= %ld",
		    dm->daemons[i].name, la, (long)o->delay_la);
		dm->delay_log_next = now + (o->reject_log_interval > 0 ?
		    (time_t)o->reject_log_interval : 3 * 3600);
	}
	pt_sleep_whole(1);
}

/* The PidFile's path: the option, or upstream's default. */
static const char *
pidfile_path(const struct daemon *dm)
{
	const char *path = dm->run->cfg->opt.pid_file;

	return path != NULL ? path : LOCALSTATEDIR "/run/sendmail.pid";
}

/* Installs the signal handlers that feed the self-pipe. */
static void
setup_signals(struct daemon *dm)
{
	struct sigaction sa;

	if (pipe2(dm->sigpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		pt_panic("pipe: %s", strerror(errno));
	signal_fd = dm->sigpipe[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Closes the daemon's own descriptors in a freshly forked child. */
static void
child_close(struct daemon *dm)
{
	for (int i = 0; i < dm->ndaemons; i++)
		if (dm->fds[i] >= 0)
			close(dm->fds[i]);
	close(dm->sigpipe[0]);
	close(dm->sigpipe[1]);
	signal_fd = -1;
	close(dm->req[0]);
	for (int i = 0; i < dm->nspares; i++)
		close(dm->spares[i].fd);
	dm->nspares = 0;
	for (int i = 0; i < dm->nserving; i++)
		close(dm->serving[i].fd);
	dm->nserving = 0;
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

/* Remembers a session's pid. */
static void
track_session(struct daemon *dm, pid_t pid)
{
	dm->session_pids = pt_reallocarray(dm->session_pids, (size_t)dm->nsession_pids + 1,
	    sizeof(pid_t));
	dm->session_pids[dm->nsession_pids++] = pid;
	dm->children++;
}

/* Forgets a pid; true if it was a session. */
static bool
untrack(struct daemon *dm, pid_t pid)
{
	for (int i = 0; i < dm->nsession_pids; i++) {
		if (dm->session_pids[i] == pid) {
			dm->session_pids[i] = dm->session_pids[--dm->nsession_pids];
			dm->children--;
			return true;
		}
	}
	return false;
}

/* Prepares a new delivery process: the daemon's descriptors are not its business. */
static void
worker_setup(void *ctx)
{
	struct daemon *dm = ctx;

	child_close(dm);
	close(dm->req[1]);
	dm->run->fresh_smtp = true;	/* it delivers what the sessions just received */
}

/* Accepts one connection on daemon i and forks its session. */
static void
accept_one(struct daemon *dm, int i)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof peer;
	int fd = accept4(dm->fds[i], (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
	pid_t pid;

	if (fd < 0)
		return;
	pid = fork();
	if (pid < 0) {
		pt_log(LOG_ERR, "daemon %s: cannot fork: %s", dm->daemons[i].name, strerror(errno));
		close(fd);
		return;
	}
	if (pid == 0) {
		struct smtpd_proc proc;

		child_close(dm);
		dlv_pool_close_fds(&dm->pool);
		fcntl(fd, F_SETFD, 0);
		smtpd_prepare(dm->run, &proc);
		_exit(smtpd_serve(dm->run, &proc, fd, &dm->daemons[i], &peer, plen, dm->req[1]));
	}
	close(fd);
	track_session(dm, pid);
	maybe_delay(dm, i);
}

/* True when the listeners are served by spares rather than by the daemon. */
static bool
spare_mode(const struct daemon *dm)
{
	const struct cf_options *o = &dm->run->cfg->opt;

	return !dm->stopping && !dm->refusing && o->delay_la <= 0 &&
	    o->connection_rate_throttle <= 0;
}

/* MaxConnectionsPerProcess: how many connections one session process serves (at least 1). */
static long
uses_per_process(const struct daemon *dm)
{
	long n = dm->run->cfg->opt.max_connections_per_process;

	return n > 1 ? n : 1;
}

/*
 * A spare's wait: polls the listeners (exclusive waits, so that a
 * connection wakes one spare, not all of them) and its control socket
 * (end of file: retired, or the daemon is gone; the process exits) until it
 * accepts a connection.  A reused process whose maps changed on disk exits
 * instead of accepting: the daemon forks a new spare, whose epoll_ctl sees
 * the connection waiting.  Then it closes the listeners (a re-execution
 * waits for that) and tells the daemon ("a").  Returns the connection;
 * *which is the daemon it came on.
 */
static int
spare_accept(struct daemon *dm, int ctl, bool reused, struct sockaddr_storage *peer,
    socklen_t *plen, int *which)
{
	struct epoll_event ev, got[8];
	int ep = epoll_create1(EPOLL_CLOEXEC), fd = -1;

	if (ep < 0)
		_exit(EX_OSERR);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = UINT32_MAX };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ctl, &ev) < 0)
		_exit(EX_OSERR);
	for (int i = 0; i < dm->ndaemons; i++) {
		if (dm->fds[i] < 0)
			continue;
		ev = (struct epoll_event){ .events = EPOLLIN | EPOLLEXCLUSIVE, .data.u32 = (uint32_t)i };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, dm->fds[i], &ev) < 0)
			_exit(EX_OSERR);
	}
	while (fd < 0) {
		int n = epoll_wait(ep, got, 8, -1);

		if (n < 0 && errno != EINTR)
			_exit(EX_OSERR);
		for (int k = 0; k < n && fd < 0; k++) {
			uint32_t i = got[k].data.u32;

			if (i == UINT32_MAX)
				_exit(EX_OK);	/* retired, or the daemon is gone */
			/*
			 * a map changed while this process (root given up) waited:
			 * the connection is left to a new spare, which opens it as root
			 */
			if (reused && !smtpd_reusable(dm->run))
				_exit(EX_OK);
			*plen = sizeof *peer;
			fd = accept4(dm->fds[i], (struct sockaddr *)peer, plen, 0);
			*which = (int)i;	/* fd < 0: another spare was faster */
		}
	}
	/* the listeners go first: a re-execution waits for that */
	close(ep);
	for (int j = 0; j < dm->ndaemons; j++)
		if (dm->fds[j] >= 0) {
			close(dm->fds[j]);
			dm->fds[j] = -1;
		}
	(void)send(ctl, "a", 1, MSG_NOSIGNAL);
	return fd;
}

/*
 * After its connection: asks the daemon for another ("r") and waits for its
 * answer, the listeners (SCM_RIGHTS, after "L" and one byte per daemon, '1'
 * for each listener sent); false when the daemon says no (end of file: it
 * wants no more spares now, is stopping, or was re-executed).
 */
static bool
spare_rearm(struct daemon *dm, int ctl)
{
	size_t room = CMSG_SPACE(sizeof(int) * (size_t)dm->ndaemons);
	char *cbuf = pt_calloc(1, room), *text = pt_calloc(1, (size_t)dm->ndaemons + 2);
	struct iovec iov = { text, (size_t)dm->ndaemons + 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
		.msg_controllen = room };
	struct cmsghdr *cm;
	ssize_t n = -1;
	int got = 0, k = 0, *fds = NULL;

	if (send(ctl, "r", 1, MSG_NOSIGNAL) == 1)
		while ((n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
			;
	cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (cm != NULL && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
		fds = (int *)(void *)CMSG_DATA(cm);
		got = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	}
	if (n == dm->ndaemons + 1 && text[0] == 'L' && !(mh.msg_flags & MSG_CTRUNC))
		for (int i = 0; i < dm->ndaemons; i++)
			dm->fds[i] = text[i + 1] == '1' && k < got ? fds[k++] : -1;
	for (int j = k; j < got; j++)
		close(fds[j]);	/* more than announced: not ours to keep */
	free(cbuf);
	free(text);
	return k > 0;
}

/*
 * A spare's life: opens the maps, then serves one connection after another,
 * up to MaxConnectionsPerProcess, each after the daemon gave the listeners
 * back.  Root is given up at the first connection and never regained; the
 * session of each connection is freed before the next (smtpd_session).
 */
static void __attribute__((noreturn))
spare_main(struct daemon *dm, int ctl)
{
	struct smtpd_proc proc;
	long uses = uses_per_process(dm);

	smtpd_prepare(dm->run, &proc);
	for (long served = 1;; served++) {
		struct sockaddr_storage peer;
		socklen_t plen;
		int i = 0, fd = spare_accept(dm, ctl, served > 1, &peer, &plen, &i), rc;

		if (served >= uses) {
			close(ctl);	/* the last: the daemon forgets this process now */
			ctl = -1;
		}
		rc = smtpd_serve(dm->run, &proc, fd, &dm->daemons[i], &peer, plen, dm->req[1]);
		if (ctl < 0 || rc != EX_OK || !smtpd_reusable(dm->run) || !spare_rearm(dm, ctl))
			_exit(rc);
	}
}

/* Forks one spare; false if it cannot. */
static bool
spawn_spare(struct daemon *dm)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return false;
	pid = fork();
	if (pid < 0) {
		pt_log(LOG_ERR, "cannot fork a session process: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (pid == 0) {
		int fds[64], n = 0;

		close(sv[0]);
		/* child_close closes the listeners: keep them for the accept */
		for (int i = 0; i < dm->ndaemons && n < 64; i++)
			if (dm->fds[i] >= 0)
				fds[n++] = fcntl(dm->fds[i], F_DUPFD_CLOEXEC, 3);
		child_close(dm);
		dlv_pool_close_fds(&dm->pool);
		n = 0;
		for (int i = 0; i < dm->ndaemons; i++)
			dm->fds[i] = dm->fds[i] >= 0 && n < 64 ? fds[n++] : -1;
		spare_main(dm, sv[1]);
	}
	close(sv[1]);
	track_session(dm, pid);
	dm->spares[dm->nspares++] = (struct spare){ pid, sv[0], time(NULL) };
	return true;
}

/* Forgets spare i (its socket closed: it exits unless it took a connection). */
static void
drop_spare(struct daemon *dm, int i)
{
	close(dm->spares[i].fd);
	dm->spares[i] = dm->spares[--dm->nspares];
}

/* Forgets serving session i (its socket closed: it exits once its connection ends). */
static void
drop_serving(struct daemon *dm, int i)
{
	close(dm->serving[i].fd);
	dm->serving[i] = dm->serving[--dm->nserving];
}

/* Retires every spare, and lets every serving session end with its connection. */
static void
retire_spares(struct daemon *dm)
{
	while (dm->nspares > 0)
		drop_spare(dm, dm->nspares - 1);
	while (dm->nserving > 0)
		drop_serving(dm, dm->nserving - 1);
}

/*
 * Retires every spare and waits (a while) until each has exited or taken
 * its connection ("a"): either way it no longer holds the listeners, which
 * a re-executed daemon binds again.
 */
static void
retire_spares_wait(struct daemon *dm)
{
	long deadline = SPARE_DRAIN_MS;

	for (int i = 0; i < dm->nspares; i++)
		(void)shutdown(dm->spares[i].fd, SHUT_WR);
	for (int i = 0; i < dm->nspares && deadline > 0; i++) {
		struct pollfd p = { dm->spares[i].fd, POLLIN, 0 };
		char c = 0;
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (c != 'a' && poll(&p, 1, (int)deadline) > 0 && recv(p.fd, &c, 1, 0) > 0)
			;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		deadline -= (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	}
	retire_spares(dm);
}

/*
 * Keeps SPARES spares waiting while the daemon accepts through them, none
 * otherwise; those above SPARES (sessions that came back) go once they
 * have waited SPARE_IDLE seconds, the longest waiting first.
 */
static void
tend_spares(struct daemon *dm)
{
	long max = dm->run->cfg->opt.max_daemon_children;
	time_t now = time(NULL);

	if (!spare_mode(dm)) {
		retire_spares(dm);
		return;
	}
	while (dm->nspares > SPARES) {
		int old = 0;

		for (int i = 1; i < dm->nspares; i++)
			if (dm->spares[i].since < dm->spares[old].since)
				old = i;
		if (now - dm->spares[old].since < SPARE_IDLE)
			break;
		drop_spare(dm, old);
	}
	while (dm->nspares < SPARES && (max <= 0 || dm->children < max))
		if (!spawn_spare(dm))
			break;
}

/*
 * Gives a session that came back ("r") the listeners, making it a spare
 * again, when the daemon wants one more (accepting through spares, fewer
 * than SPARES_MAX waiting); false otherwise (its socket is then closed, and
 * the process exits).  It already counts as a child for MaxDaemonChildren.
 */
static bool
rearm(struct daemon *dm, int fd)
{
	char *text;
	size_t room = CMSG_SPACE(sizeof(int) * (size_t)dm->ndaemons);
	char *cbuf;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	int n = 0;
	bool ok;

	if (!spare_mode(dm) || dm->nspares >= SPARES_MAX)
		return false;
	text = pt_calloc(1, (size_t)dm->ndaemons + 1);
	cbuf = pt_calloc(1, room);
	text[0] = 'L';
	cm = (struct cmsghdr *)(void *)cbuf;
	for (int i = 0; i < dm->ndaemons; i++) {
		text[i + 1] = dm->fds[i] >= 0 ? '1' : '0';
		if (dm->fds[i] >= 0)
			memcpy(CMSG_DATA(cm) + sizeof(int) * (size_t)n++, &dm->fds[i], sizeof(int));
	}
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	iov = (struct iovec){ text, (size_t)dm->ndaemons + 1 };
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
		.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n) };
	ok = n > 0 && sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)iov.iov_len;
	free(text);
	free(cbuf);
	return ok;
}

/*
 * Reads the session processes' sockets: a spare that took a connection
 * ("a") is serving now; a serving one whose connection ended ("r") is made
 * a spare again or let go; end of file: it exited, or will at once.
 */
static void
ctl_ready(struct daemon *dm, const struct pollfd *v, int n)
{
	for (int i = 0; i < n; i++) {
		char c = 0;
		ssize_t got;
		int j;

		if (v[i].fd < 0 || !(v[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		got = recv(v[i].fd, &c, 1, MSG_DONTWAIT);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		for (j = 0; j < dm->nspares && dm->spares[j].fd != v[i].fd; j++)
			;
		if (j < dm->nspares && got == 1 && c == 'a') {
			dm->serving = pt_reallocarray(dm->serving, (size_t)dm->nserving + 1,
			    sizeof *dm->serving);
			dm->serving[dm->nserving++] = dm->spares[j];
			dm->spares[j] = dm->spares[--dm->nspares];
			continue;
		}
		if (j < dm->nspares) {
			drop_spare(dm, j);
			continue;
		}
		for (j = 0; j < dm->nserving && dm->serving[j].fd != v[i].fd; j++)
			;
		if (j == dm->nserving)
			continue;
		if (got == 1 && c == 'r' && rearm(dm, v[i].fd)) {
			dm->serving[j].since = time(NULL);
			dm->spares[dm->nspares++] = dm->serving[j];
			dm->serving[j] = dm->serving[--dm->nserving];
		} else
			drop_serving(dm, j);
	}
}

/* Forgets a reaped session process's socket. */
static void
spare_reaped(struct daemon *dm, pid_t pid)
{
	for (int j = 0; j < dm->nspares; j++)
		if (dm->spares[j].pid == pid) {
			drop_spare(dm, j);
			return;
		}
	for (int j = 0; j < dm->nserving; j++)
		if (dm->serving[j].pid == pid) {
			drop_serving(dm, j);
			return;
		}
}

/* Reads the queue ids sessions sent and hands them to the delivery processes. */
static void
read_requests(struct daemon *dm)
{
	char buf[128];
	ssize_t n;

	while ((n = recv(dm->req[0], buf, sizeof buf - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0] != '\0')
			dlv_pool_submit(&dm->pool, buf);
	}
}

/* Reaps children: sessions, delivery processes, the queue run. */
static void
reap(struct daemon *dm)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (untrack(dm, pid)) {
			spare_reaped(dm, pid);
			continue;
		}
		if (pid == dm->runner)
			dm->runner = 0;
		else
			(void)dlv_pool_reaped(&dm->pool, pid, st);
	}
}

/* Starts a queue run in a child when one is due. */
static void
maybe_run_queue(struct daemon *dm, time_t now)
{
	pid_t pid;

	if (dm->interval <= 0 || now < dm->next_run || dm->runner > 0)
		return;
	dm->next_run = now + dm->interval;
	pid = fork();
	if (pid == 0) {
		child_close(dm);
		close(dm->req[1]);
		dlv_pool_close_fds(&dm->pool);
		_exit(queue_run(dm->run, NULL));
	}
	if (pid > 0)
		dm->runner = pid;
}

/* Checks that the configuration still loads, then re-executes the daemon. */
static void
reload(struct daemon *dm)
{
	struct pt_buf err = PT_BUF_INIT;
	struct cf_env env = { dm->run->hostname, NULL, false, NULL };
	struct cf_config *cfg = cf_load(dm->run->cf_path, &env, &err);

	if (cfg == NULL) {
		pt_log(LOG_ERR, "SIGHUP: %s: configuration does not load, keeping the running one: %s",
		    dm->run->cf_path, pt_buf_str(&err));
		pt_buf_free(&err);
		return;
	}
	cf_free(cfg);
	pt_buf_free(&err);
	pt_log(LOG_INFO, "restarting %s due to signal", dm->run->argv[0]);
	retire_spares_wait(dm);
	for (int i = 0; i < dm->ndaemons; i++)
		if (dm->fds[i] >= 0)
			close(dm->fds[i]);
	sm_pidfile_remove(pidfile_path(dm));
	execv("/proc/self/exe", dm->run->argv);
	execvp(dm->run->argv[0], dm->run->argv);
	pt_log(LOG_CRIT, "cannot restart %s: %s", dm->run->argv[0], strerror(errno));
	exit(EX_OSERR);
}

/* Handles the signals that arrived. */
static void
handle_signals(struct daemon *dm)
{
	unsigned char c;

	while (read(dm->sigpipe[0], &c, 1) == 1) {
		if (c == SIGCHLD)
			reap(dm);
		else if (c == SIGHUP)
			reload(dm);
		else if ((c == SIGTERM || c == SIGINT) && !dm->stopping) {
			dm->stopping = true;
			dm->stop_since = time(NULL);
		}
	}
}

/* True while this second's ConnectionRateThrottle share is used up and said so. */
static bool
throttled(const struct daemon *dm)
{
	long limit = dm->run->cfg->opt.connection_rate_throttle;

	return limit > 0 && dm->throttle.logged && dm->throttle.second == time(NULL) &&
	    dm->throttle.count >= limit;
}

/* True when another session may be accepted now. */
static bool
may_accept(const struct daemon *dm)
{
	long max = dm->run->cfg->opt.max_daemon_children;

	return !dm->stopping && !dm->refusing && !throttled(dm) &&
	    (!spare_mode(dm) || dm->nspares == 0) &&
	    (max <= 0 || dm->children < max);
}

/* True while work is left: sessions, deliveries, delivery processes, a queue run. */
static bool
busy(const struct daemon *dm)
{
	return dm->children > 0 || dm->runner > 0 || dm->pool.n > 0 || dlv_pool_load(&dm->pool) > 0;
}

/*
 * While stopping: closes the listeners; ends the sessions still open after
 * SESSION_GRACE seconds (an idle client, such as another MTA's cached
 * connection, would otherwise hold the daemon for minutes; nothing that got
 * its 250 is lost, since the queue commit comes first); lets the delivery
 * processes go once all is done.
 */
static void
wind_down(struct daemon *dm)
{
	close_listeners(dm);
	retire_spares(dm);
	if (dm->children > 0 && !dm->sessions_ended &&
	    time(NULL) - dm->stop_since >= SESSION_GRACE) {
		pt_log(LOG_INFO, "stopping: ending %d open session(s)", dm->nsession_pids);
		for (int i = 0; i < dm->nsession_pids; i++)
			kill(dm->session_pids[i], SIGTERM);
		dm->sessions_ended = true;
	}
	if (dm->children == 0 && !dm->pool.closing && dlv_pool_load(&dm->pool) == 0)
		dlv_pool_shutdown(&dm->pool);
}

/*
 * The poll timeout in ms: the queue interval's tick (also RefuseLA's look at
 * the load), the next second while throttled, or when an idle delivery
 * process may go.
 */
static int
poll_timeout(struct daemon *dm)
{
	long idle = dlv_pool_tick(&dm->pool, time(NULL));
	int timeout = dm->interval > 0 || dm->run->cfg->opt.refuse_la > 0 ? 1000 : -1;

	if (dm->stopping)
		return 200;
	if (throttled(dm))
		return 100;	/* until the next second's share of ConnectionRateThrottle */
	if (idle >= 0 && (timeout < 0 || idle * 1000 < timeout))
		timeout = (int)(idle * 1000 + 100);
	if (dm->nspares > SPARES && (timeout < 0 || timeout > 1000))
		timeout = 1000;	/* to let the spares above SPARES go when idle */
	return timeout;
}

/* The accept loop. */
static void
loop(struct daemon *dm)
{
	struct pollfd *p = NULL;
	size_t room = 0;

	while (!dm->stopping || busy(dm)) {
		int n = 0, np, ns, timeout;
		bool acc;
		size_t need;

		if (!dm->stopping)
			check_load(dm);
		tend_spares(dm);
		acc = may_accept(dm);
		timeout = poll_timeout(dm);
		need = (size_t)(dm->ndaemons + 2 + dm->pool.max + dm->nspares + dm->nserving);
		if (need > room) {
			room = need + SPARES;
			p = pt_reallocarray(p, room, sizeof *p);
		}
		p[n++] = (struct pollfd){ dm->sigpipe[0], POLLIN, 0 };
		p[n++] = (struct pollfd){ dm->req[0], POLLIN, 0 };
		for (int i = 0; i < dm->ndaemons; i++)
			p[n++] = (struct pollfd){ acc ? dm->fds[i] : -1, POLLIN, 0 };
		np = dlv_pool_fds(&dm->pool, p + n);
		ns = 0;
		for (int i = 0; i < dm->nspares; i++)
			p[n + np + ns++] = (struct pollfd){ dm->spares[i].fd, POLLIN, 0 };
		for (int i = 0; i < dm->nserving; i++)
			p[n + np + ns++] = (struct pollfd){ dm->serving[i].fd, POLLIN, 0 };
		if (poll(p, (nfds_t)(n + np + ns), timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			handle_signals(dm);
		reap(dm);
		ctl_ready(dm, p + n + np, ns);
		if (p[1].revents)
			read_requests(dm);
		dlv_pool_ready(&dm->pool, p + n, np);
		for (int i = 0; i < dm->ndaemons && acc && !dm->stopping; i++)
			if ((p[i + 2].revents & POLLIN) && throttle_admits(dm, i))
				accept_one(dm, i);
		if (dm->stopping)
			wind_down(dm);
		else
			maybe_run_queue(dm, time(NULL));
	}
	free(p);
}

/*
 * Loads the name service modules once, in the daemon, so that sessions and
 * spares inherit them instead of each reading nsswitch.conf and loading
 * them again (user and host lookups happen in every session).
 */
static void
warm_name_services(void)
{
	struct addrinfo hints, *res = NULL;

	(void)getpwnam("root");
	(void)getgrnam("root");
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo("localhost", "25", &hints, &res) == 0)
		freeaddrinfo(res);
}

int
mode_daemon(struct sm_run *run)
{
	struct daemon dm;
	struct pt_buf err = PT_BUF_INIT;
	int rc = EX_OK;

	memset(&dm, 0, sizeof dm);
	dm.run = run;
	if (cf_daemons(run->cfg, &dm.daemons, &dm.ndaemons, &err) < 0) {
		fprintf(stderr, "%s: %s\n", run->progname, err.s);
		pt_buf_free(&err);
		return EX_CONFIG;
	}
	dlv_pool_init(&dm.pool, run, run->cfg->opt.max_queue_children > 0 ?
	    (int)run->cfg->opt.max_queue_children : DEFAULT_DELIVERERS, worker_setup, &dm);
	dm.pool.max_pending = MAX_PENDING_DELIVERIES;
	if (run->queue_arg != NULL && *run->queue_arg != '\0')
		cf_parse_time(run->queue_arg, 'm', &dm.interval);
	dm.next_run = dm.interval > 0 ? time(NULL) : 0;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, dm.req) < 0)
		pt_panic("socketpair: %s", strerror(errno));
	/* a listener that cannot be opened is logged too (standard error says it as well) */
	pt_log_open(run->log_tag ? run->log_tag : "sendmail", PT_LOG_SYSLOG);
	if (open_listeners(&dm) < 0) {
		rc = EX_OSERR;
		goto out;
	}
	if (run->mode == 'd')
		sm_background(false);
	pt_log_open(run->log_tag ? run->log_tag : "sendmail",
	    PT_LOG_SYSLOG | (run->mode == 'D' ? PT_LOG_STDERR : 0));
	/* as root: key files may be readable by root only; the sessions inherit it */
	run->tls_server = tlsconf_ctx(run->cfg, TLS_SERVER);
	run->sasl_ready = auth_server_init(&err);
	if (!run->sasl_ready)
		pt_log(LOG_WARNING, "AUTH warning: %s", pt_buf_str(&err));
	pt_buf_reset(&err);
	setup_signals(&dm);
	warm_name_services();
	sm_pidfile_write(run, pidfile_path(&dm));
	pt_log(LOG_INFO, "starting daemon (%s %s): SMTP%s", PACKAGE_NAME, PACKAGE_VERSION,
	    dm.interval > 0 ? "+queueing" : "");
	loop(&dm);
	sm_pidfile_remove(pidfile_path(&dm));
out:
	for (int i = 0; i < dm.ndaemons; i++)
		cf_daemon_free(&dm.daemons[i]);
	free(dm.daemons);
	free(dm.fds);
	free(dm.session_pids);
	free(dm.serving);
	dlv_pool_free(&dm.pool);
	tls_ctx_free(run->tls_server);
	run->tls_server = NULL;
	pt_buf_free(&err);
	return rc;
}
