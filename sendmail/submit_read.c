/*
 * submit_read: the message a user gives the sendmail program on standard
 * input: the header lines into the envelope, the body into the df.
 *
 * Input is a text file with LF line ends (a CR before the LF is dropped).
 * The header is the run of lines of the form "name: value" (name of
 * printable bytes, blanks allowed before the colon) and their continuation
 * lines (starting with a blank); the empty line after it is not part of the
 * body, and any other line ends the header and starts the body.  A "From "
 * line in front of everything (a UNIX mailbox separator) is dropped.
 * Without -i (IgnoreDots), a line holding only "." ends the message, as
 * upstream's sendmail does for local submissions; dots are never removed.
 *
 * Runs in the submitting process; reads standard input, hands the body to
 * the caller's sink (the df).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_str.h"
#include "submit.h"

/* Where the reader is. */
enum part { P_START, P_HEADER, P_BODY };

/* The length of the header name of line, or 0 when line is not a header line. */
static size_t
header_name_len(const char *line)
{
	size_t n = 0, end;

	while (line[n] > ' ' && line[n] < 127 && line[n] != ':')
		n++;
	end = n;
	while (line[end] == ' ' || line[end] == '\t')
		end++;
	return n > 0 && line[end] == ':' ? n : 0;
}

/* Stores the header assembled in hdr (if any) in s->own. */
static void
flush_header(struct submit *s, struct pt_buf *hdr)
{
	const char *h = pt_buf_str(hdr);
	size_t n = header_name_len(h);
	char *name;

	if (hdr->len == 0 || n == 0)
		return;
	name = pt_strndup(h, n);
	if (pt_strcasecmp(name, "Received") == 0)
		s->hops++;
	if (pt_str_iprefix(name, "Resent-"))
		s->resent = true;
	queue_env_add_header(s->own, "", name, strchr(h, ':') + 1);
	free(name);
	pt_buf_reset(hdr);
}

/* Appends one body line (and its LF) to the df. */
static void
body_line(struct submit *s, const struct submit_sink *m, const char *p, size_t n)
{
	if (s->write_failed)
		return;
	if ((n > 0 && m->write(m->ctx, p, n) < 0) || m->write(m->ctx, "\n", 1) < 0)
		s->write_failed = true;
}

/* Handles one line in the header part; returns the part the reader is in next. */
static enum part
header_line(struct submit *s, const struct submit_sink *m, struct pt_buf *hdr, const char *p,
    size_t n)
{
	if (n == 0) {
		flush_header(s, hdr);
		return P_BODY;
	}
	if ((p[0] == ' ' || p[0] == '\t') && hdr->len > 0) {
		pt_buf_addc(hdr, '\n');
		pt_buf_add(hdr, p, n);
		return P_HEADER;
	}
	flush_header(s, hdr);
	if (header_name_len(p) > 0) {
		pt_buf_add(hdr, p, n);
		return P_HEADER;
	}
	body_line(s, m, p, n);
	return P_BODY;
}

void
submit_read(struct submit *s, FILE *fp, bool ignore_dots, const struct submit_sink *m)
{
	struct pt_buf line = PT_BUF_INIT, hdr = PT_BUF_INIT;
	enum part part = P_START;

	while (pt_file_getline(fp, &line)) {
		size_t n = line.len;
		const char *p = pt_buf_str(&line);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!ignore_dots && n == 1 && p[0] == '.')
			break;
		s->size += n + 1;
		for (size_t i = 0; i < n && !s->has_8bit; i++)
			s->has_8bit = (unsigned char)p[i] > 127;
		if (part == P_START && n >= 5 && memcmp(p, "From ", 5) == 0) {
			s->size -= n + 1;
			part = P_HEADER;
			continue;
		}
		if (part == P_BODY)
			body_line(s, m, p, n);
		else
			part = header_line(s, m, &hdr, p, n);
	}
	flush_header(s, &hdr);
	pt_buf_free(&line);
	pt_buf_free(&hdr);
}
