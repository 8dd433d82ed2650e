/*
 * mode_bh: `hoststat` (-bh), the table of HostStatusDirectory's records in
 * upstream's columns, and `purgestat` (-bH), which removes the records
 * older than Timeout.hoststatus (folders stay, as upstream leaves them).
 *
 * Runs as the user who asked, with the configuration loaded; reads the
 * folder in directory order, depth first, as upstream walks it, so that
 * both list a shared folder alike.  Prints nothing when the option is
 * unset or the folder is missing, as upstream.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoststat.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "sendmail.h"

/* The width of the Results column, and with -v. */
#define BH_RESULT_WIDTH 25
#define BH_RESULT_WIDTH_V 78
/* How deep the folders of one host name go at most. */
#define BH_MAX_DEPTH 128

/* What walking the folder does with each record. */
struct bh_walk {
	const struct cf_config *cfg;
	time_t now;
	bool purge;
	bool verbose;
	bool header;		/* the table's header line was printed */
};

/* The host name of a record's path below the top folder: labels in reverse, dots dropped. */
static void
host_of(const char *rel, struct pt_buf *out)
{
	char *copy = pt_strdup(rel), *p;

	pt_buf_reset(out);
	while ((p = strrchr(copy, '/')) != NULL || *copy) {
		char *label = p ? p + 1 : copy;
		size_t n = strlen(label);

		if (n > 0 && label[n - 1] == '.')
			label[--n] = '\0';
		if (out->len > 0)
			pt_buf_addc(out, '.');
		pt_buf_adds(out, label);
		if (p == NULL)
			break;
		*p = '\0';
	}
	free(copy);
}

/* Prints one record's line: '*' when a delivery holds it, the host, the age, the outcome. */
static void
print_entry(struct bh_walk *w, int fd, const char *rel)
{
	struct hs_entry e;
	struct pt_buf host = PT_BUF_INIT, res = PT_BUF_INIT;
	int width = w->verbose ? BH_RESULT_WIDTH_V : BH_RESULT_WIDTH;
	bool locked = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	long age;
	char ago[32];

	if (!hs_read_fd(fd, &e))
		return;
	if (!w->header)
		printf(" -------------- Hostname --------------- How long ago ---------Results---------\n");
	w->header = true;
	host_of(rel, &host);
	age = (long)(w->now - (time_t)e.last);
	if (age < 0)
		age = 0;
	if (age >= 86400)
		snprintf(ago, sizeof ago, "%ld+%02ld:%02ld:%02ld", age / 86400, age % 86400 / 3600,
		    age % 3600 / 60, age % 60);
	else
		snprintf(ago, sizeof ago, "%02ld:%02ld:%02ld", age / 3600, age % 3600 / 60, age % 60);
	if (e.reply != NULL)
		pt_buf_printf(&res, "%.*s", width, e.reply);
	else if (e.exitst == EX_TEMPFAIL && e.err != 0)
		pt_buf_printf(&res, "Deferred: %.*s", width - 10, strerror(e.err));
	else if (e.exitst != 0 && pt_exit_status(e.exitst) != NULL)
		pt_buf_printf(&res, "%.*s", width, pt_exit_status(e.exitst));
	else if (e.exitst != 0)
		pt_buf_printf(&res, "Unknown mailer error %d", e.exitst);
	else if (e.err == 0)
		pt_buf_adds(&res, "OK");
	else
		pt_buf_printf(&res, "OK: %.*s", width - 4, strerror(e.err));
	printf("%c%-39s %12s %s\n", locked ? '*' : ' ', host.s, ago, res.s);
	hs_entry_free(&e);
	pt_buf_free(&host);
	pt_buf_free(&res);
}

/* Removes the record at path when it is older than Timeout.hoststatus. */
static void
purge_entry(struct bh_walk *w, int fd, const char *path)
{
	struct hs_entry e;
	struct stat st;
	long long last;

	if (hs_read_fd(fd, &e))
		last = e.last;
	else if (fstat(fd, &st) == 0)
		last = (long long)st.st_mtime;
	else
		return;
	hs_entry_free(&e);
	if (last + w->cfg->opt.timeout.hoststatus <= (long long)w->now)
		unlink(path);
}

/* Walks the folder dir/rel (rel "" at the top), depth first in directory order. */
static void
walk(struct bh_walk *w, const char *top, const char *rel, int depth)
{
	struct pt_buf path = PT_BUF_INIT, sub = PT_BUF_INIT;
	DIR *dp;
	struct dirent *de;

	pt_buf_printf(&path, "%s%s%s", top, *rel ? "/" : "", rel);
	if (depth > BH_MAX_DEPTH || (dp = opendir(path.s)) == NULL) {
		pt_buf_free(&path);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		struct stat st;
		int fd;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		pt_buf_reset(&sub);
		pt_buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		pt_buf_reset(&path);
		pt_buf_printf(&path, "%s/%s", top, sub.s);
		if (lstat(path.s, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(w, top, sub.s, depth + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode) || (fd = open(path.s, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
			continue;
		if (w->purge)
			purge_entry(w, fd, path.s);
		else
			print_entry(w, fd, sub.s);
		close(fd);
	}
	closedir(dp);
	pt_buf_free(&path);
	pt_buf_free(&sub);
}

/* -bh and -bH: walks HostStatusDirectory, printing or purging. */
static int
bh_run(struct sm_run *run, bool purge)
{
	struct bh_walk w = { .cfg = run->cfg, .now = time(NULL), .purge = purge,
		.verbose = run->verbose };
	char *dir = hs_dir(run->cfg);

	if (dir != NULL)
		walk(&w, dir, "", 0);
	fflush(stdout);
	free(dir);
	return EX_OK;
}

int
mode_hoststat(struct sm_run *run)
{
	return bh_run(run, false);
}

int
mode_purgestat(struct sm_run *run)
{
	return bh_run(run, true);
}
