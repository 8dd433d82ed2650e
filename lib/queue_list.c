/*
 * queue_list: the queue listing of mailq and sendmail -bp, and -bP's counts.
 *
 * Prints exactly what upstream 8.17 prints, quirks included: per directory
 * a headline and a column header (or "DIR is empty"), per message the id,
 * a status character (* locked, X load too high, - too young), then the
 * records replayed in file order: S prints the size, date and sender, then
 * the quarantine reason and the body type and status message seen so far;
 * R prints a recipient (and, with -v, the status message before it); C, with
 * -v, the controlling user.  Senders and recipients are cut to the columns
 * upstream allows, with control and 8-bit bytes shown as \ooo and never cut
 * inside an escape; status texts are cut but shown raw.  A missing df shows
 * upstream's "readqf: cannot open" line and a size of -1; a file without a
 * T record ends with " (no control file)".  Appends to a buffer: the caller
 * writes it.  Runs in mailq and sendmail -bp.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "queue.h"
#include "queue_int.h"

/* Column widths, as upstream cuts them. */
enum {
	W_SENDER = 39, W_SENDER_V = 78,
	W_RCPT = 38, W_RCPT_V = 71,
	W_MSG = 60, W_MSG_V = 100,
	W_CTL = 64,
};

static const char header[] =
    "-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------\n";
static const char header_v[] =
    "-----Q-ID----- --Size-- -Priority- ---Q-Time--- --------Sender/Recipient--------\n";

/*
 * Appends s with unprintable bytes as \ooo and \ as \\, in at most width
 * characters; like upstream, an escape must also leave one column free.
 */
static void
add_escaped(struct pt_buf *out, const char *s, size_t width)
{
	size_t used = 0;
	char esc[8];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		size_t n;

		if (c < 0x20 || c >= 0x7f)
			n = (size_t)snprintf(esc, sizeof esc, "\\%03o", c);
		else if (c == '\\')
			n = (size_t)snprintf(esc, sizeof esc, "\\\\");
		else {
			esc[0] = (char)c;
			n = 1;
		}
		if (used + n > (n > 1 ? width - 1 : width))
			return;
		pt_buf_add(out, esc, n);
		used += n;
	}
}

/* Appends at most width bytes of s. */
static void
add_cut(struct pt_buf *out, const char *s, size_t width)
{
	size_t n = strlen(s);

	pt_buf_add(out, s, n < width ? n : width);
}

/* Per-item state while its records are replayed. */
struct replay {
	const struct queue_item *it;
	bool verbose;
	const char *msg, *btype, *quar;
	const char *date;	/* ctime(3) text of the creation time */
};

/* The S record: size, date, sender, then quarantine and status lines. */
static void
print_sender(struct replay *r, const char *sender, struct pt_buf *out)
{
	const struct queue_item *it = r->it;

	if (r->verbose) {
		pt_buf_printf(out, "%8lld %10ld%c%.12s ", it->size, it->priority, it->warned ? '+' : ' ',
		    r->date + 4);
		add_escaped(out, sender, W_SENDER_V);
	} else {
		pt_buf_printf(out, "%8lld %.16s ", it->size, r->date);
		add_escaped(out, sender, W_SENDER);
	}
	if (r->quar != NULL) {
		pt_buf_adds(out, "\n     QUARANTINE: ");
		add_cut(out, r->quar, r->verbose ? W_MSG_V : W_MSG);
	}
	if ((r->btype != NULL && *r->btype != '\0') || (r->msg != NULL && *r->msg != '\0')) {
		pt_buf_printf(out, "\n    %10.10s", r->btype != NULL ? r->btype : "");
		if (r->msg != NULL && *r->msg != '\0') {
			pt_buf_adds(out, "   (");
			add_cut(out, r->msg, r->verbose ? W_MSG_V : W_MSG);
			pt_buf_addc(out, ')');
		}
	}
	r->msg = NULL;
}

/* An R record: the recipient, and with -v the status message before it (then spent). */
static void
print_rcpt(struct replay *r, const char *addr, struct pt_buf *out)
{
	if (r->verbose) {
		pt_buf_adds(out, "\n\t\t\t\t\t\t");
		add_escaped(out, addr, W_RCPT_V);
		if (r->msg != NULL && *r->msg != '\0') {
			pt_buf_adds(out, "\n\t\t (");
			add_cut(out, r->msg, W_MSG_V);
			pt_buf_addc(out, ')');
		}
		r->msg = NULL;
	} else {
		pt_buf_adds(out, "\n\t\t\t\t\t ");
		add_escaped(out, addr, W_RCPT);
	}
}

/* Replays one record. */
static void
replay_event(struct replay *r, const struct queue_event *ev, struct pt_buf *out)
{
	switch (ev->type) {
	case 'M':
		r->msg = ev->text;
		break;
	case 'B':
		r->btype = ev->text;
		break;
	case 'q':
		r->quar = ev->text;
		break;
	case 'S':
		print_sender(r, ev->text, out);
		break;
	case 'R':
		if (ev->addr != NULL)
			print_rcpt(r, ev->addr, out);
		break;
	case 'C':
		if (r->verbose) {
			pt_buf_adds(out, "\n\t\t\t\t\t\t(---");
			add_cut(out, ev->text, W_CTL);
			pt_buf_adds(out, "---)");
		}
		break;
	default:
		break;
	}
}

/* Appends one message's entry. */
static void
list_item(const struct queue_dir *qd, const struct queue_item *it, bool verbose, struct pt_buf *out)
{
	struct replay r;
	struct queue_event ev;
	char date[64];
	time_t t = (time_t)it->ctime;
	size_t pos = 0;

	memset(&r, 0, sizeof r);
	r.it = it;
	r.verbose = verbose;
	r.date = ctime_r(&t, date) != NULL ? date : "                ";
	pt_buf_printf(out, "%13s", it->id);
	if (it->open_errno != 0) {
		pt_buf_printf(out, "%c (permission denied)\n", it->status);
		return;
	}
	if (it->size < 0 && it->df_errno != 0 && it->events[0] != '\0') {
		pt_buf_adds(out, "readqf: cannot open ");
		queue_file_relpath(qd, QFT_DF, it->id, out);
		pt_buf_printf(out, ": %s\n", strerror(it->df_errno));
	}
	pt_buf_addc(out, it->status);
	while (queue_event_next(it, &pos, &ev))
		replay_event(&r, &ev, out);
	if (it->ctime == 0)
		pt_buf_adds(out, " (no control file)");
	pt_buf_addc(out, '\n');
}

void
queue_list_items(const struct queue_dir *qd, const struct queue_work *w, bool verbose,
    struct pt_buf *out)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		list_item(qd, &w->items[i], verbose, out);
}

/* Appends the listing of one directory; adds its count to *total. */
static int
list_dir(struct queue_dir *qd, const struct queue_list_opts *o, long max, struct pt_buf *out,
    size_t *total, struct pt_buf *err)
{
	struct queue_gather_opts go = o->gather;
	struct queue_work w;
	int rc;

	memset(&w, 0, sizeof w);
	go.need_size = true;
	if (go.max_items == 0)
		go.max_items = max;
	rc = queue_gather(qd, &go, &w, err);
	if (rc != QUEUE_OK) {
		queue_work_free(&w);
		return rc;
	}
	if (w.total == 0)
		pt_buf_printf(out, "%s is empty\n", qd->path);
	else {
		pt_buf_printf(out, "\t\t%s (%zu request%s", qd->path, w.total, w.total == 1 ? "" : "s");
		if (w.n < w.total)
			pt_buf_printf(out, ", only %zu printed", w.n);
		pt_buf_adds(out, ")\n");
		pt_buf_adds(out, o->verbose ? header_v : header);
		queue_list_items(qd, &w, o->verbose, out);
	}
	*total += w.total;
	queue_work_free(&w);
	return QUEUE_OK;
}

int
queue_list(const struct queue_set *s, const struct queue_list_opts *o, struct pt_buf *out,
    struct pt_buf *err)
{
	size_t g, d, total = 0;
	int rc = QUEUE_OK;

	for (g = 0; g < s->ngroups; g++) {
		for (d = 0; d < s->groups[g].ndirs; d++) {
			if (list_dir(s->groups[g].dirs[d], o, s->groups[g].max_run_size, out, &total, err) !=
			    QUEUE_OK) {
				pt_buf_addc(err, '\n');
				rc = QUEUE_TEMPFAIL;
			}
		}
	}
	pt_buf_printf(out, "\t\tTotal requests: %zu\n", total);
	return rc;
}

/* Counts the control files of one kind in a folder; -1 when unreadable. */
static long
count_dir(const struct queue_dir *qd, char prefix)
{
	struct dirent *d;
	DIR *dir;
	long n = 0;
	int fd = openat(qd->qf_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] == prefix && d->d_name[1] == 'f' && d->d_name[2] != '\0' &&
		    d->d_type != DT_DIR)
			n++;
	closedir(dir);
	return n;
}

int
queue_count(const struct queue_set *s, int kind, struct pt_buf *out, struct pt_buf *err)
{
	char prefix = kind == QKIND_QUARANTINE ? 'h' : kind == QKIND_LOST ? 'Q' : 'q';
	size_t g, d;
	long total = 0, n;
	int rc = QUEUE_OK;

	for (g = 0; g < s->ngroups; g++) {
		for (d = 0; d < s->groups[g].ndirs; d++) {
			const struct queue_dir *qd = s->groups[g].dirs[d];

			n = count_dir(qd, prefix);
			if (n < 0) {
				pt_buf_printf(err, "%s: cannot read: %s\n", qd->path, strerror(errno));
				rc = QUEUE_TEMPFAIL;
				continue;
			}
			if (n == 0)
				pt_buf_printf(out, "%s is empty\n", qd->path);
			else
				pt_buf_printf(out, "%s: entries=%ld\n", qd->path, n);
			total += n;
		}
	}
	pt_buf_printf(out, "\t\tTotal requests: %ld\n", total);
	return rc;
}
