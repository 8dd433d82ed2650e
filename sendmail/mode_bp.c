/*
 * mode_bp: sendmail -bp (also run as mailq) and -bP: the queue listing and
 * the queue counts, through the queue library's listing, so that mailq and
 * sendmail -bp print the same thing.
 *
 * Reads the queue groups of the loaded configuration (sendmail.cf, or
 * submit.cf with -Ac), the -q selectors (-qI, -qR, -qS, -qQ, with "!",
 * -qL for lost items, -qG for one group), -v for the long form, and prints
 * to standard output.  Opens the queue read-only; needs read access to the
 * queue folders (mail group or root).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "pt_exit.h"
#include "pt_str.h"
#include "queue.h"
#include "sendmail.h"

/* Applies the -q arguments: selectors, the kind of item, a group. */
static int
take_selectors(struct sm_run *run, struct queue_select *sel, int *kind, const char **group)
{
	struct pt_buf err = PT_BUF_INIT;
	int i;

	for (i = 0; i < run->nqueue_args; i++) {
		const char *a = run->queue_args[i];

		if (a[0] == 'G') {
			*group = a + 1;
			continue;
		}
		if (a[0] == '\0' || a[0] == 'f' || a[0] == 'p' || (a[0] >= '0' && a[0] <= '9'))
			continue;	/* run options, meaningless for a listing */
		if (queue_select_add(sel, a, kind, &err) < 0) {
			fprintf(stderr, "%s\n", pt_buf_str(&err));
			pt_buf_free(&err);
			return EX_USAGE;
		}
	}
	return EX_OK;
}

/* Keeps only group name in s (for -qG); false if there is no such group. */
static bool
keep_group(struct queue_set *s, const char *name)
{
	struct queue_group *g = queue_set_group(s, name), keep;
	size_t i, j;

	if (g == NULL)
		return false;
	keep = *g;
	for (i = 0; i < s->ngroups; i++) {
		if (&s->groups[i] == g)
			continue;
		for (j = 0; j < s->groups[i].ndirs; j++)
			queue_dir_close(s->groups[i].dirs[j]);
		free(s->groups[i].dirs);
		free(s->groups[i].name);
		free(s->groups[i].flags);
	}
	s->groups[0] = keep;
	s->ngroups = 1;
	return true;
}

/* Opens the queue set of the configuration; prints why not. */
static int
open_queues(struct sm_run *run, struct queue_set *s, const char *group)
{
	struct pt_buf err = PT_BUF_INIT;

	if (queue_set_load(s, run->cfg, QUEUE_SYNC_NONE, &err) != QUEUE_OK) {
		fprintf(stderr, "%s\n", pt_buf_str(&err));
		pt_buf_free(&err);
		queue_set_clear(s);
		return EX_CONFIG;
	}
	if (group != NULL && !keep_group(s, group)) {
		fprintf(stderr, "Queue group %s unknown\n", group);
		queue_set_clear(s);
		return EX_USAGE;
	}
	return EX_OK;
}

/* Fills the listing options from the configuration and the command line. */
static void
list_options(struct sm_run *run, struct queue_list_opts *o, struct queue_select *sel, int kind)
{
	const struct cf_options *opt = &run->cfg->opt;
	int sort = queue_sort_parse(opt->queue_sort_order);

	memset(o, 0, sizeof *o);
	o->verbose = run->verbose;
	o->gather.kind = kind;
	o->gather.select = sel;
	o->gather.sort = sort < 0 ? QSORT_PRIORITY : sort;
	o->gather.min_queue_age = opt->min_queue_age;
	o->gather.queue_la = opt->queue_la;
	o->gather.queue_factor = opt->queue_factor;
	/* rounded from /proc/loadavg, as upstream reads it (getloadavg truncates) */
	o->gather.load_avg = sm_load_average();
	o->gather.now = time(NULL);
}

int
mode_print_queue(struct sm_run *run)
{
	struct queue_set s = { NULL, 0 };
	struct queue_select *sel = queue_select_new();
	struct queue_list_opts o;
	struct pt_buf out = PT_BUF_INIT, err = PT_BUF_INIT;
	const char *group = NULL;
	int kind = QKIND_NORMAL, rc;

	rc = take_selectors(run, sel, &kind, &group);
	if (rc == EX_OK)
		rc = open_queues(run, &s, group);
	if (rc != EX_OK) {
		queue_select_free(sel);
		return rc;
	}
	list_options(run, &o, sel, kind);
	if (queue_list(&s, &o, &out, &err) != QUEUE_OK) {
		fputs(pt_buf_str(&err), stderr);
		rc = EX_OSFILE;
	}
	fwrite(out.s, 1, out.len, stdout);
	pt_buf_free(&out);
	pt_buf_free(&err);
	queue_set_clear(&s);
	queue_select_free(sel);
	return rc;
}

int
mode_print_count(struct sm_run *run)
{
	struct queue_set s = { NULL, 0 };
	struct queue_select *sel = queue_select_new();
	struct pt_buf out = PT_BUF_INIT, err = PT_BUF_INIT;
	const char *group = NULL;
	int kind = QKIND_NORMAL, rc;

	rc = take_selectors(run, sel, &kind, &group);
	queue_select_free(sel);
	if (rc == EX_OK)
		rc = open_queues(run, &s, group);
	if (rc != EX_OK)
		return rc;
	if (queue_count(&s, kind, &out, &err) != QUEUE_OK) {
		fputs(pt_buf_str(&err), stderr);
		rc = EX_OSFILE;
	}
	fwrite(out.s, 1, out.len, stdout);
	pt_buf_free(&out);
	pt_buf_free(&err);
	queue_set_clear(&s);
	return rc;
}
