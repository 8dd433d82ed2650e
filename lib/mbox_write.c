/*
 * mbox_write: the mbox format and the all-or-nothing append.
 *
 * Formats the "From " separator line, quotes body lines that start with
 * "From " as a stream (pieces of any size), and appends to a locked mailbox:
 * a failed write cuts the mailbox back to its size before the append, so
 * that a full disk or a quota never leaves half a message that would run
 * into the next one.  Owns no state; runs with the identity the
 * caller chose (see mbox_lock.c).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mbox.h"

static const char from_[] = "From ";

/* The status for an errno of a failed write. */
static int
write_status(const struct mbox *mb, int e)
{
	if (e == EDQUOT && mb->o.quota_permanent)
		return MBOX_QUOTA;
	return MBOX_TEMPFAIL;
}

void
mbox_rollback(struct mbox *mb)
{
	if (ftruncate(mb->fd, mb->start) == 0)
		(void)fsync(mb->fd);
}

int
mbox_write(struct mbox *mb, const void *p, size_t n, struct pt_buf *err)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(mb->fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;

			mbox_rollback(mb);
			pt_buf_printf(err, "%s: write: %s", mb->path, strerror(e));
			return write_status(mb, e);
		}
		s += w;
		n -= (size_t)w;
	}
	return MBOX_OK;
}

void
mbox_from_line(const char *sender, time_t t, struct pt_buf *out)
{
	char date[64];
	const char *s;

	pt_buf_adds(out, from_);
	if (sender == NULL || sender[0] == '\0' || strcmp(sender, "<>") == 0)
		pt_buf_adds(out, "MAILER-DAEMON");
	else
		for (s = sender; *s != '\0'; s++)
			pt_buf_addc(out, (unsigned char)*s <= ' ' || *s == 0x7f ? '_' : *s);
	if (ctime_r(&t, date) == NULL)
		strcpy(date, "Thu Jan  1 00:00:00 1970\n");
	pt_buf_addc(out, ' ');
	pt_buf_adds(out, date);	/* ctime's text ends with the newline */
}

void
mbox_quote_begin(struct mbox_quoter *q, struct pt_buf *out)
{
	memset(q, 0, sizeof *q);
	q->out = out;
	q->bol = true;
	q->last = '\n';
}

void
mbox_quote(struct mbox_quoter *q, const char *p, size_t n)
{
	const char *nl;
	size_t i = 0, k;

	while (i < n) {
		if (q->bol) {	/* the start of a line: a character at a time */
			if (p[i] == from_[q->state]) {
				i++;
				if (++q->state < 5)
					continue;
				pt_buf_addc(q->out, '>');	/* a whole "From " at the start of a line */
				pt_buf_add(q->out, from_, 5);
				q->bol = false;
				q->state = 0;
				q->last = ' ';
				continue;
			}
			pt_buf_add(q->out, from_, (size_t)q->state);
			q->bol = false;
			q->state = 0;
		}
		nl = memchr(p + i, '\n', n - i);	/* the rest of the line at once */
		k = nl != NULL ? (size_t)(nl - (p + i)) + 1 : n - i;
		pt_buf_add(q->out, p + i, k);
		q->last = p[i + k - 1];
		q->bol = nl != NULL;
		i += k;
	}
}

void
mbox_quote_end(struct mbox_quoter *q)
{
	if (q->bol && q->state > 0) {
		pt_buf_add(q->out, from_, (size_t)q->state);
		q->last = from_[q->state - 1];
	}
	if (q->last != '\n')
		pt_buf_addc(q->out, '\n');
	pt_buf_addc(q->out, '\n');
	q->state = 0;
	q->bol = true;
}
