/*
 * queuerun: sendmail -q: one run over the queue with the -qI, -qR, -qS
 * (and !) selectors, several deliveries at a time, in the queue's sort
 * order; -qf keeps it in the foreground, a bare -q detaches.
 *
 * Runs as root (it forks delivery processes that take recipients'
 * identities).  Messages another process has locked are skipped, so a run
 * can overlap a daemon's deliveries safely.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "deliver.h"
#include "pt_exit.h"
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

/* Waits for one delivery process to end. */
static void
reap_one(int *running)
{
	int st;

	if (wait(&st) > 0)
		(*running)--;
}

int
queue_run(struct sm_run *run, const char *only_id)
{
	struct queue_select *sel = queue_select_new();
	struct queue_gather_opts go;
	struct queue_work w = { 0 };
	struct queue_dir *qd;
	struct pt_buf err = PT_BUF_INIT;
	int kind = QKIND_NORMAL, running = 0, rc = EX_OK;
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
	for (size_t i = 0; rc == EX_OK && i < w.n; i++) {
		const struct queue_item *it = &w.items[i];
		pid_t pid;

		if (it->locked || (only_id && strcmp(only_id, it->id) != 0))
			continue;
		while (running >= max)
			reap_one(&running);
		pid = fork();
		if (pid == 0)
			_exit(dlv_message_id(run, qd, it->id));
		if (pid > 0)
			running++;
	}
	while (running > 0)
		reap_one(&running);
	queue_work_free(&w);
	queue_select_free(sel);
	queue_dir_close(qd);
	pt_buf_free(&err);
	(void)fg;
	return rc;
}

int
mode_queue_run(struct sm_run *run)
{
	pt_log_open(run->log_tag ? run->log_tag : "sendmail",
	    PT_LOG_SYSLOG | (run->verbose ? PT_LOG_STDERR : 0));
	return queue_run(run, NULL);
}
