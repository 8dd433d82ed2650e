/*
 * ml_msg: mail.local's message: read once, kept in mbox form.
 *
 * The message is read from standard input (to end of file, or LMTP's "."
 * line, undoing CR LF and dot-stuffing), quoted for mbox ("From " lines get
 * a ">", a blank line closes it) behind its "From sender date" line, and
 * kept in memory up to ML_MEM_MAX bytes, beyond that in an unlinked
 * temporary file, so that each recipient gets the same bytes.  Runs as
 * root in mail.local before any identity switch; reads only the message.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail_local.h"
#include "mbox.h"

void
ml_msg_init(struct ml_msg *m)
{
	memset(m, 0, sizeof *m);
	m->fd = -1;
}

void
ml_msg_free(struct ml_msg *m)
{
	pt_buf_free(&m->mem);
	if (m->fd >= 0)
		close(m->fd);
	ml_msg_init(m);
}

/* Moves what is in memory to the temporary file when it grows too large. */
static void
spill(struct ml_msg *m, bool force)
{
	char tmpl[] = "/tmp/mail.local.XXXXXX";
	const char *dir = getenv("TMPDIR");
	struct pt_buf path = PT_BUF_INIT;
	size_t off = 0;

	if (m->failed || (!force && (long)m->mem.len < ML_MEM_MAX) || m->mem.len == 0)
		return;
	if (m->fd < 0) {
		if (dir != NULL && dir[0] == '/')
			pt_buf_printf(&path, "%s/mail.local.XXXXXX", dir);
		else
			pt_buf_adds(&path, tmpl);
		m->fd = mkstemp(path.s);
		if (m->fd >= 0)
			unlink(path.s);
		pt_buf_free(&path);
		if (m->fd < 0) {
			m->failed = true;
			return;
		}
	}
	while (off < m->mem.len) {
		ssize_t w = write(m->fd, m->mem.s + off, m->mem.len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			m->failed = true;
			return;
		}
		off += (size_t)w;
	}
	m->len += (off_t)m->mem.len;
	pt_buf_reset(&m->mem);
}

/* Reads the LMTP DATA section; -1 when the input ends before the "." line. */
static int
read_lmtp(struct ml_msg *m, FILE *fp, struct mbox_quoter *q)
{
	char *line = NULL;
	size_t cap = 0, len;
	ssize_t got;
	int rc = -1;

	while ((got = getdelim(&line, &cap, '\n', fp)) > 0) {
		len = (size_t)got;
		if (line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len == 1 && line[0] == '.') {
			rc = 0;
			break;
		}
		if (len > 0 && line[0] == '.')
			mbox_quote(q, line + 1, len - 1);
		else
			mbox_quote(q, line, len);
		mbox_quote(q, "\n", 1);
		spill(m, false);
	}
	free(line);
	return rc;
}

/* Reads the body to end of file. */
static void
read_plain(struct ml_msg *m, FILE *fp, struct mbox_quoter *q)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		mbox_quote(q, buf, n);
		spill(m, false);
	}
}

int
ml_msg_read(struct ml_msg *m, FILE *fp, const char *sender, bool lmtp)
{
	struct mbox_quoter q;
	int rc = 0;

	mbox_from_line(sender, time(NULL), &m->mem);
	mbox_quote_begin(&q, &m->mem);
	if (lmtp)
		rc = read_lmtp(m, fp, &q);
	else
		read_plain(m, fp, &q);
	mbox_quote_end(&q);
	if (m->fd >= 0)
		spill(m, true);
	if (ferror(fp) || m->failed)
		rc = -1;
	return rc;
}
