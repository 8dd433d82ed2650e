/*
 * queue_conf: the queue groups of a configuration.
 *
 * Turns QueueDirectory, MaxQueueRunSize and the Q lines of a loaded
 * sendmail.cf into a struct queue_set: the default group "mqueue" first,
 * then each declared group in file order.  Q line fields are matched by
 * their first letter, as upstream matches them.  Runs wherever the queue is
 * opened from a configuration (sendmail -bp, mailq, the daemon, runners).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cf.h"
#include "pt_alloc.h"
#include "pt_str.h"
#include "queue.h"
#include "queue_int.h"

#define DEFAULT_QUEUE_DIR "/var/spool/mqueue"

/* The values of one Q line. */
struct decl {
	char *path, *flags;
	long nice, interval, runners, jobs, rcpts;
};

/* Parses a number or time field value. */
static bool
field_number(const char *v, bool is_time, long *out)
{
	if (is_time)
		return cf_parse_time(v, 'm', out);
	return pt_str_to_long(v, out);
}

/* Sets one "field=value" of a Q line. */
static int
decl_field(struct decl *d, const char *name, char *value, struct pt_buf *err)
{
	long *num = NULL;
	bool is_time = false;

	switch (name[0]) {
	case 'P': case 'p': free(d->path); d->path = pt_strdup(value); return 0;
	case 'F': case 'f': free(d->flags); d->flags = pt_strdup(value); return 0;
	case 'N': case 'n': num = &d->nice; break;
	case 'I': case 'i': num = &d->interval; is_time = true; break;
	case 'R': num = &d->runners; break;
	case 'J': case 'j': num = &d->jobs; break;
	case 'r': num = &d->rcpts; break;
	default:
		pt_buf_printf(err, "unknown queue group field %s", name);
		return -1;
	}
	if (!field_number(value, is_time, num) || *num < 0) {
		pt_buf_printf(err, "bad value for queue group field %s: %s", name, value);
		return -1;
	}
	return 0;
}

/* Parses "field=value, field=value" into d. */
static int
decl_parse(const char *equates, struct decl *d, struct pt_buf *err)
{
	char *copy = pt_strdup(equates != NULL ? equates : ""), *save = NULL, *tok, *eq;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		tok = pt_str_trim(tok);
		if (*tok == '\0')
			continue;
		eq = strchr(tok, '=');
		if (eq == NULL) {
			pt_buf_printf(err, "queue group field without '=': %s", tok);
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = decl_field(d, pt_str_trim(tok), pt_str_trim(eq + 1), err);
	}
	free(copy);
	return rc;
}

int
queue_set_add_decl(struct queue_set *s, const char *name, const char *equates, const char *base,
    int sync_mode, struct pt_buf *err)
{
	struct decl d = { NULL, NULL, 0, 0, -1, 0, 0 };
	struct pt_buf path = PT_BUF_INIT;
	struct queue_group *g;
	int rc = QUEUE_TEMPFAIL;

	if (decl_parse(equates, &d, err) < 0)
		goto out;
	if (d.path == NULL || d.path[0] == '\0') {
		pt_buf_printf(err, "queue group %s: no Path (P=)", name);
		goto out;
	}
	if (d.path[0] == '/' || base == NULL)
		pt_buf_adds(&path, d.path);
	else
		pt_buf_printf(&path, "%s/%s", base, d.path);
	rc = queue_set_add(s, name, path.s, sync_mode, err);
	if (rc == QUEUE_OK) {
		g = &s->groups[s->ngroups - 1];
		g->flags = d.flags;
		d.flags = NULL;
		g->nice = d.nice;
		g->interval = d.interval;
		g->runners = d.runners;
		g->max_run_size = d.jobs;
		g->max_rcpts = d.rcpts;
	}
out:
	free(d.path);
	free(d.flags);
	pt_buf_free(&path);
	return rc;
}

/* The folder relative group paths hang from: QueueDirectory, or its parent for "q*". */
static char *
base_of(const char *qdir)
{
	const char *slash = strrchr(qdir, '/');

	if (strchr(qdir, '*') == NULL || slash == NULL)
		return pt_strdup(qdir);
	return slash == qdir ? pt_strdup("/") : pt_strndup(qdir, (size_t)(slash - qdir));
}

int
queue_set_load(struct queue_set *s, const struct cf_config *cfg, int sync_mode, struct pt_buf *err)
{
	const char *qdir = cfg->opt.queue_directory != NULL && cfg->opt.queue_directory[0] != '\0'
	    ? cfg->opt.queue_directory : DEFAULT_QUEUE_DIR;
	char *base;
	int i, rc;

	rc = queue_set_add(s, "mqueue", qdir, sync_mode, err);
	if (rc != QUEUE_OK)
		return rc;
	s->groups[0].max_run_size = cfg->opt.max_queue_run_size;
	base = base_of(qdir);
	for (i = 0; i < cfg->nqgroups && rc == QUEUE_OK; i++) {
		if (pt_strcasecmp(cfg->qgroups[i].name, "mqueue") == 0)
			continue;
		rc = queue_set_add_decl(s, cfg->qgroups[i].name, cfg->qgroups[i].equates, base,
		    sync_mode, err);
	}
	free(base);
	return rc;
}
