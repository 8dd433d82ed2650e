/*
 * daemon: sendmail -bd and -bD: the listeners of DaemonPortOptions, one
 * process per connection, the delivery dispatcher and the periodic queue
 * runs.
 *
 * The daemon process runs as root and does nothing but accept, fork and
 * dispatch: it never reads a byte from a client.  Each connection's process
 * gives up root for the owner of the queue folder (when that is not root)
 * before it speaks SMTP; it asks the daemon, over a datagram socket, to
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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "sendmail.h"
#include "tlsconf.h"
#include "auth.h"

#define DEFAULT_BACKLOG 1024	/* upstream's 10 overflows under load */
#define MAX_PENDING_DELIVERIES 65536
#define DEFAULT_DELIVERERS 16	/* delivery processes when MaxQueueChildren is not set */
#define SESSION_GRACE 10	/* seconds the open sessions get after SIGTERM */

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
 * first after a quiet spell is not held.  Logged once per RejectLogInterval.
 */
static void
maybe_delay(struct daemon *dm, int i)
{
	const struct cf_options *o = &dm->run->cfg->opt;
	time_t now;
	int la;

	if (o->delay_la <= 0)
		return;
	la = sm_load_average();
	if (!sm_la_delay(o, la))
		return;
	now = time(NULL);
	if (now >= dm->delay_log_next) {
		pt_log(LOG_INFO, "delaying connections on daemon %s: load average=%d >= %ld",
		    dm->daemons[i].name, la, (long)o->delay_la);
		dm->delay_log_next = now + (o->reject_log_interval > 0 ?
		    (time_t)o->reject_log_interval : 3 * 3600);
	}
	sleep(1);
}

/* Writes the PID file: the pid, then the command line, as upstream does. */
static void
write_pidfile(struct daemon *dm)
{
	struct pt_buf b = PT_BUF_INIT;
	const char *path = dm->run->cfg->opt.pid_file;
	int err;

	if (path == NULL)
		path = LOCALSTATEDIR "/run/sendmail.pid";
	pt_buf_printf(&b, "%ld\n", (long)getpid());
	for (int i = 0; i < dm->run->argc; i++)
		pt_buf_printf(&b, "%s%s", i ? " " : "", dm->run->argv[i]);
	pt_buf_addc(&b, '\n');
	err = pt_file_write_atomic(path, b.s, b.len, 0644);
	if (err != 0)
		pt_log(LOG_ERR, "cannot write pid file %s: %s", path, strerror(err));
	pt_buf_free(&b);
}

/* Removes the PID file if it is still ours. */
static void
remove_pidfile(struct daemon *dm)
{
	const char *path = dm->run->cfg->opt.pid_file;
	struct pt_buf b = PT_BUF_INIT;

	if (path == NULL)
		path = LOCALSTATEDIR "/run/sendmail.pid";
	if (pt_file_read(path, &b) == 0 && atol(pt_buf_str(&b)) == (long)getpid())
		unlink(path);
	pt_buf_free(&b);
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
		child_close(dm);
		dlv_pool_close_fds(&dm->pool);
		fcntl(fd, F_SETFD, 0);
		_exit(smtpd_serve(dm->run, fd, &dm->daemons[i], &peer, plen, dm->req[1]));
	}
	close(fd);
	track_session(dm, pid);
	maybe_delay(dm, i);
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
		if (untrack(dm, pid))
			continue;
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
	for (int i = 0; i < dm->ndaemons; i++)
		if (dm->fds[i] >= 0)
			close(dm->fds[i]);
	remove_pidfile(dm);
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
	return timeout;
}

/* The accept loop. */
static void
loop(struct daemon *dm)
{
	struct pollfd *p = pt_calloc((size_t)(dm->ndaemons + 2 + dm->pool.max), sizeof *p);

	while (!dm->stopping || busy(dm)) {
		int n = 0, np, timeout;
		bool acc;

		if (!dm->stopping)
			check_load(dm);
		acc = may_accept(dm);
		timeout = poll_timeout(dm);
		p[n++] = (struct pollfd){ dm->sigpipe[0], POLLIN, 0 };
		p[n++] = (struct pollfd){ dm->req[0], POLLIN, 0 };
		for (int i = 0; i < dm->ndaemons; i++)
			p[n++] = (struct pollfd){ acc ? dm->fds[i] : -1, POLLIN, 0 };
		np = dlv_pool_fds(&dm->pool, p + n);
		if (poll(p, (nfds_t)(n + np), timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			handle_signals(dm);
		reap(dm);
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

/* Detaches from the terminal for -bd. */
static void
background(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		exit(EX_OSERR);
	if (pid > 0)
		_exit(EX_OK);
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
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
		background();
	pt_log_open(run->log_tag ? run->log_tag : "sendmail",
	    PT_LOG_SYSLOG | (run->mode == 'D' ? PT_LOG_STDERR : 0));
	/* as root: key files may be readable by root only; the sessions inherit it */
	run->tls_server = tlsconf_ctx(run->cfg, TLS_SERVER);
	run->sasl_ready = auth_server_init(&err);
	if (!run->sasl_ready)
		pt_log(LOG_WARNING, "AUTH warning: %s", pt_buf_str(&err));
	pt_buf_reset(&err);
	setup_signals(&dm);
	write_pidfile(&dm);
	pt_log(LOG_INFO, "starting daemon (%s %s): SMTP%s", PACKAGE_NAME, PACKAGE_VERSION,
	    dm.interval > 0 ? "+queueing" : "");
	loop(&dm);
	remove_pidfile(&dm);
out:
	for (int i = 0; i < dm.ndaemons; i++)
		cf_daemon_free(&dm.daemons[i]);
	free(dm.daemons);
	free(dm.fds);
	free(dm.session_pids);
	dlv_pool_free(&dm.pool);
	tls_ctx_free(run->tls_server);
	run->tls_server = NULL;
	pt_buf_free(&err);
	return rc;
}
