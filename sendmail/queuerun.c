/*
 * queuerun: sendmail -q: one run over the queue with the -qI, -qR, -qS
 * (and !) selectors, several deliveries at a time, in the queue's sort
 * order.  With an interval and no -bd (sendmail -Ac -q30m, upstream's
 * sm-msp-queue and the sm-client service) it becomes a queue runner: it
 * detaches, writes the PidFile, runs the queue every interval, re-executes
 * itself on SIGHUP and stops on SIGTERM.  The deliveries go through a pool
 * of long-lived delivery processes (deliver_pool.c), each keeping its
 * mailer connections from one message to the next, as upstream's queue
 * runner keeps its connection cache.
 *
 * Runs as root (it forks delivery processes that take recipients'
 * identities), or as submit.cf's RunAsUser for the client queue.  Messages
 * another process has locked are skipped, so a run can overlap a daemon's
 * deliveries safely.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "deliver.h"
#include "hoststat.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_file.h"
#include "pt_log.h"
#include "pt_str.h"

#define DEFAULT_RUNNERS 4

/* Builds the selectors of the -q arguments; false on a bad one. */
static bool
selectors(struct sm_run *run, struct queue_select *sel, int *kind, bool *foreground)
{
	struct pt_buf err = PT_BUF_INIT;

	for (int i = 0; i < run->nqueue_args; i++) {
		const char *a = run->queue_args[i];

		if (*a == '\0' || (*a >= '0' && *a <= '9'))
			continue;	/* a plain -q or an interval */
		if (*a == 'f' || *a == 'p') {
			*foreground = true;
			continue;
		}
		if (queue_select_add(sel, a, kind, &err) < 0) {
			fprintf(stderr, "%s: %s\n", run->progname, pt_buf_str(&err));
			pt_buf_free(&err);
			return false;
		}
	}
	pt_buf_free(&err);
	return true;
}

/* Delivers the gathered messages through a pool of delivery processes. */
static void
deliver_all(struct sm_run *run, const struct queue_work *w, const char *only_id, int max)
{
	struct dlv_pool pool;
	struct pollfd *p;

	run->hs_mem = hs_mem_new();	/* shared with the delivery processes forked below */
	dlv_pool_init(&pool, run, max, NULL, NULL);
	p = pt_calloc((size_t)pool.max, sizeof *p);
	for (size_t i = 0; i < w->n; i++) {
		const struct queue_item *it = &w->items[i];

		if (!it->locked && (only_id == NULL || strcmp(only_id, it->id) == 0))
			dlv_pool_submit(&pool, it->id);
	}
	while (pool.n > 0) {
		int n = dlv_pool_fds(&pool, p), st;
		pid_t pid;

		if (dlv_pool_load(&pool) == 0 && !pool.closing)
			dlv_pool_shutdown(&pool);
		(void)poll(p, (nfds_t)n, pool.closing ? 20 : 1000);
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			(void)dlv_pool_reaped(&pool, pid, st);
		dlv_pool_ready(&pool, p, n);
	}
	free(p);
	dlv_pool_free(&pool);
	hs_mem_free(run->hs_mem);
	run->hs_mem = NULL;
}

int
queue_run(struct sm_run *run, const char *only_id)
{
	struct queue_select *sel = queue_select_new();
	struct queue_gather_opts go;
	struct queue_work w = { 0 };
	struct queue_dir *qd;
	struct pt_buf err = PT_BUF_INIT;
	int kind = QKIND_NORMAL, rc = EX_OK;
	int max = run->cfg->opt.max_queue_children > 0 ? (int)run->cfg->opt.max_queue_children :
	    DEFAULT_RUNNERS;
	bool fg = true;

	if (!selectors(run, sel, &kind, &fg)) {
		queue_select_free(sel);
		return EX_USAGE;
	}
	if (dlv_open_queue(run, &qd) != QUEUE_OK) {
		queue_select_free(sel);
		return EX_TEMPFAIL;
	}
	memset(&go, 0, sizeof go);
	go.kind = kind;
	go.select = sel;
	go.sort = run->cfg->opt.queue_sort_order ?
	    queue_sort_parse(run->cfg->opt.queue_sort_order) : QSORT_PRIORITY;
	if (go.sort < 0)
		go.sort = QSORT_PRIORITY;
	go.max_items = run->cfg->opt.max_queue_run_size;
	go.now = time(NULL);
	if (queue_gather(qd, &go, &w, &err) != QUEUE_OK) {
		pt_log(LOG_ERR, "queue run: %s", pt_buf_str(&err));
		rc = EX_TEMPFAIL;
	}
	if (rc == EX_OK)
		deliver_all(run, &w, only_id, max);
	queue_work_free(&w);
	queue_select_free(sel);
	queue_dir_close(qd);
	pt_buf_free(&err);
	(void)fg;
	return rc;
}

/* The -q interval in seconds (-q30m), or 0 for a single run. */
static long
run_interval(const struct sm_run *run)
{
	long secs = 0;

	for (int i = 0; i < run->nqueue_args; i++) {
		const char *a = run->queue_args[i];

		if (*a >= '0' && *a <= '9' && cf_parse_time(a, 'm', &secs))
			return secs;
	}
	return 0;
}

/* Runs the queue every interval seconds until SIGTERM; SIGHUP re-executes. */
static int
periodic(struct sm_run *run, long interval)
{
	const char *pidfile = run->cfg->opt.pid_file;
	struct timespec ts = { interval, 0 };
	sigset_t set;
	int sig = 0;

	sm_background(true);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pidfile != NULL)
		sm_pidfile_write(run, pidfile);
	pt_log(LOG_INFO, "starting queue runner (%s %s): every %ld seconds", PACKAGE_NAME,
	    PACKAGE_VERSION, interval);
	while (sig != SIGTERM && sig != SIGINT && sig != SIGHUP) {
		queue_run(run, NULL);
		sig = sigtimedwait(&set, NULL, &ts);
	}
	if (pidfile != NULL)
		sm_pidfile_remove(pidfile);
	if (sig == SIGHUP) {	/* a fresh configuration: the same command line again */
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		pt_log(LOG_INFO, "restarting %s on SIGHUP", run->argv[0]);
		execv("/proc/self/exe", run->argv);
		execvp(run->argv[0], run->argv);
		pt_log(LOG_ERR, "cannot restart %s: %s", run->argv[0], strerror(errno));
		return EX_OSERR;
	}
	return EX_OK;
}

int
mode_queue_run(struct sm_run *run)
{
	long interval = run_interval(run);

	pt_log_open(run->log_tag ? run->log_tag : "sendmail",
	    PT_LOG_SYSLOG | (run->verbose && interval == 0 ? PT_LOG_STDERR : 0));
	if (interval > 0)
		return periodic(run, interval);
	return queue_run(run, NULL);
}
