/*
 * smtp_reply: reply values, their wire form, and the client-side parser of
 * replies and of the EHLO keyword list.
 *
 * Owns the storage of each reply it is given.  It never writes to a socket
 * itself (smtp_reply_send only buffers on a stream), never logs and never
 * exits; a malformed reply from a peer is a result, never a crash.  Used by
 * the SMTP server and client processes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"
#include "smtp_reply.h"

void
smtp_reply_free(struct smtp_reply *r)
{
	size_t i;

	for (i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	r->lines = NULL;
	r->nlines = r->cap = 0;
	r->code = 0;
	r->status[0] = '\0';
	r->done = false;
}

void
smtp_reply_reset(struct smtp_reply *r)
{
	smtp_reply_free(r);
}

bool
smtp_reply_is_set(const struct smtp_reply *r)
{
	return r->code != 0;
}

/* Appends one line of text (taking ownership of s). */
static void
push_line(struct smtp_reply *r, char *s)
{
	if (r->nlines == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4;
		r->lines = pt_reallocarray(r->lines, r->cap, sizeof *r->lines);
	}
	r->lines[r->nlines++] = s;
}

bool
smtp_status_valid(const char *s, size_t len, int code)
{
	size_t i = 0, n;
	int part;

	if (len < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5'))
		return false;
	if (code != 0 && s[0] - '0' != code / 100)
		return false;
	i = 1;
	for (part = 0; part < 2; part++) {
		if (i >= len || s[i] != '.')
			return false;
		i++;
		for (n = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			n++;
		if (n < 1 || n > 3)
			return false;
	}
	return i == len;
}

void
smtp_reply_vset(struct smtp_reply *r, int code, const char *status, const char *fmt, va_list ap)
{
	struct pt_buf b = PT_BUF_INIT;

	if (code < 100 || code > 599)
		pt_panic("smtp_reply_set: bad code %d", code);
	if (status != NULL && *status != '\0' && !smtp_status_valid(status, strlen(status), code))
		pt_panic("smtp_reply_set: bad status \"%s\" for %d", status, code);
	smtp_reply_free(r);
	r->code = code;
	pt_strlcpy(r->status, status != NULL ? status : "", sizeof r->status);
	pt_buf_vprintf(&b, fmt, ap);
	push_line(r, b.s != NULL ? pt_buf_steal(&b) : pt_strdup(""));
	r->done = true;
}

void
smtp_reply_set(struct smtp_reply *r, int code, const char *status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtp_reply_vset(r, code, status, fmt, ap);
	va_end(ap);
}

void
smtp_reply_add(struct smtp_reply *r, const char *fmt, ...)
{
	struct pt_buf b = PT_BUF_INIT;
	va_list ap;

	if (r->code == 0)
		pt_panic("smtp_reply_add: reply has no code");
	va_start(ap, fmt);
	pt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	push_line(r, b.s != NULL ? pt_buf_steal(&b) : pt_strdup(""));
}

void
smtp_reply_copy(struct smtp_reply *dst, const struct smtp_reply *src)
{
	size_t i;

	if (dst == src)
		return;
	smtp_reply_free(dst);
	dst->code = src->code;
	memcpy(dst->status, src->status, sizeof dst->status);
	for (i = 0; i < src->nlines; i++)
		push_line(dst, pt_strdup(src->lines[i]));
	dst->done = src->done;
}

/*
 * Appends text with CR and LF turned into spaces; seven_bit: the eighth bit
 * stripped, and a byte that becomes NUL ends the text.
 */
static void
add_text(struct pt_buf *out, const char *s, bool seven_bit)
{
	for (; *s; s++) {
		char c = seven_bit ? (char)(*s & 0x7f) : *s;

		if (c == '\0')
			break;
		pt_buf_addc(out, c == '\r' || c == '\n' ? ' ' : c);
	}
}

/* Appends text with CR and LF turned into spaces. */
static void
add_safe_text(struct pt_buf *out, const char *s)
{
	add_text(out, s, false);
}

/* smtp_reply_format, the text 7-bit when seven_bit. */
static void
format_reply(const struct smtp_reply *r, struct pt_buf *out, bool seven_bit)
{
	size_t i, n = r->nlines ? r->nlines : 1;

	for (i = 0; i < n; i++) {
		const char *text = r->nlines ? r->lines[i] : "";

		pt_buf_printf(out, "%03d%c", r->code, i + 1 < n ? '-' : ' ');
		if (r->status[0] != '\0') {
			pt_buf_adds(out, r->status);
			if (*text != '\0')
				pt_buf_addc(out, ' ');
		}
		add_text(out, text, seven_bit);
		pt_buf_add(out, "\r\n", 2);
	}
}

void
smtp_reply_format(const struct smtp_reply *r, struct pt_buf *out)
{
	format_reply(r, out, false);
}

void
smtp_reply_send(const struct smtp_reply *r, struct smtp_io *io)
{
	struct pt_buf b = PT_BUF_INIT;

	/* as upstream: what goes on the wire is 7-bit (client bytes echoed in replies) */
	format_reply(r, &b, true);
	smtp_io_write(io, b.s, b.len);
	pt_buf_free(&b);
}

void
smtp_reply_summary(const struct smtp_reply *r, struct pt_buf *out)
{
	pt_buf_printf(out, "%03d", r->code);
	if (r->status[0] != '\0')
		pt_buf_printf(out, " %s", r->status);
	if (r->nlines > 0 && r->lines[0][0] != '\0') {
		pt_buf_addc(out, ' ');
		add_safe_text(out, r->lines[0]);
	}
}

/* Length of a leading enhanced status code in text that matches code, or 0. */
static size_t
status_prefix(const char *text, size_t len, int code)
{
	size_t n = 0;

	while (n < len && n <= SMTP_STATUS_MAX && text[n] != ' ')
		n++;
	if (n > SMTP_STATUS_MAX || !smtp_status_valid(text, n, code))
		return 0;
	return n;
}

enum smtp_reply_feed
smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
{
	size_t st;
	int code;
	bool last;

	len = strnlen(line, len);	/* texts are C strings: a NUL ends the line */
	if (r->done || r->nlines >= SMTP_REPLY_MAXLINES || len < 3)
		return SMTP_REPLY_BAD;
	if (line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' || line[2] < '0' ||
	    line[2] > '9')
		return SMTP_REPLY_BAD;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return SMTP_REPLY_BAD;
	if (r->code != 0 && code != r->code)
		return SMTP_REPLY_BAD;
	r->code = code;
	last = len == 3 || line[3] == ' ';
	line += len > 3 ? 4 : 3;
	len -= len > 3 ? 4 : 3;
	st = r->no_status ? 0 : status_prefix(line, len, code);
	if (st > 0) {
		if (r->status[0] == '\0') {
			memcpy(r->status, line, st);
			r->status[st] = '\0';
		}
		line += st;
		len -= st;
		while (len > 0 && *line == ' ')
			line++, len--;
	}
	push_line(r, pt_memdup0(line, len));
	r->done = last;
	return last ? SMTP_REPLY_DONE : SMTP_REPLY_MORE;
}

enum smtp_io_status
smtp_reply_read(struct smtp_io *io, struct smtp_reply *r, struct pt_buf *err)
{
	struct pt_buf line = PT_BUF_INIT;
	enum smtp_io_status st;
	enum smtp_reply_feed f = SMTP_REPLY_MORE;

	smtp_reply_reset(r);
	while (f == SMTP_REPLY_MORE) {
		st = smtp_io_getline(io, &line, SMTP_REPLY_MAXLINE, NULL);
		if (st == SMTP_IO_TOOLONG) {
			pt_buf_adds(err, "reply line too long");
			st = SMTP_IO_ERROR;
		}
		if (st != SMTP_IO_OK) {
			if (st != SMTP_IO_ERROR || err->len == 0)
				pt_buf_adds(err, smtp_io_error(io));
			pt_buf_free(&line);
			return st;
		}
		f = smtp_reply_feed(r, line.s != NULL ? line.s : "", line.len);
	}
	if (f == SMTP_REPLY_BAD) {
		pt_buf_adds(err, "malformed reply: ");
		smtp_echo_clean(err, pt_buf_str(&line), line.len > 200 ? 200 : line.len);
		pt_buf_free(&line);
		return SMTP_IO_ERROR;
	}
	pt_buf_free(&line);
	return SMTP_IO_OK;
}

/* The EHLO keywords Petrel knows, by bit. */
static const struct {
	const char *name;
	unsigned bit;
} ext_table[] = {
	{ "PIPELINING", SMTP_EXT_PIPELINING },
	{ "SIZE", SMTP_EXT_SIZE },
	{ "8BITMIME", SMTP_EXT_8BITMIME },
	{ "DSN", SMTP_EXT_DSN },
	{ "ENHANCEDSTATUSCODES", SMTP_EXT_ENHANCEDSTATUSCODES },
	{ "STARTTLS", SMTP_EXT_STARTTLS },
	{ "AUTH", SMTP_EXT_AUTH },
	{ "SMTPUTF8", SMTP_EXT_SMTPUTF8 },
	{ "DELIVERBY", SMTP_EXT_DELIVERBY },
	{ "VERB", SMTP_EXT_VERB },
	{ "ETRN", SMTP_EXT_ETRN },
	{ "EXPN", SMTP_EXT_EXPN },
	{ "HELP", SMTP_EXT_HELP },
	{ "CHUNKING", SMTP_EXT_CHUNKING },
	{ "BINARYMIME", SMTP_EXT_BINARYMIME },
};

const char *
smtp_ext_name(unsigned ext)
{
	size_t i;

	for (i = 0; i < sizeof ext_table / sizeof ext_table[0]; i++)
		if (ext_table[i].bit == ext)
			return ext_table[i].name;
	return NULL;
}

void
smtp_ehlo_free(struct smtp_ehlo *e)
{
	free(e->auth);
	free(e->greeting);
	memset(e, 0, sizeof *e);
}

/* Appends AUTH mechanisms (upper-cased, space-separated) to e->auth. */
static void
add_auth(struct smtp_ehlo *e, const char *mechs)
{
	struct pt_buf b = PT_BUF_INIT;
	const char *p = mechs;

	if (e->auth != NULL)
		pt_buf_adds(&b, e->auth);
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (b.len > 0)
			pt_buf_addc(&b, ' ');
		while (*p && *p != ' ' && *p != '\t')
			pt_buf_addc(&b, pt_toupper((unsigned char)*p++));
	}
	free(e->auth);
	e->auth = pt_buf_steal(&b);
}

/* Applies one keyword line ("SIZE 1000000") of an EHLO reply to e. */
static void
ehlo_keyword(struct smtp_ehlo *e, const char *line)
{
	size_t klen = strcspn(line, " =\t"), i;
	const char *arg = line + klen;
	unsigned long long v;
	char *end;

	while (*arg == ' ' || *arg == '=' || *arg == '\t')
		arg++;
	for (i = 0; i < sizeof ext_table / sizeof ext_table[0]; i++) {
		if (strlen(ext_table[i].name) != klen ||
		    pt_strncasecmp(line, ext_table[i].name, klen) != 0)
			continue;
		e->ext |= ext_table[i].bit;
		if (ext_table[i].bit == SMTP_EXT_SIZE && *arg >= '0' && *arg <= '9') {
			v = strtoull(arg, &end, 10);
			e->size = v;
		} else if (ext_table[i].bit == SMTP_EXT_DELIVERBY && *arg >= '0' && *arg <= '9') {
			v = strtoull(arg, &end, 10);
			e->by_min = v > 999999999ULL ? 999999999L : (long)v;
		} else if (ext_table[i].bit == SMTP_EXT_AUTH)
			add_auth(e, arg);
		return;
	}
}

void
smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *e)
{
	size_t i;

	smtp_ehlo_free(e);
	if (r->nlines == 0)
		return;
	e->greeting = pt_strdup(r->lines[0]);
	for (i = 1; i < r->nlines; i++)
		ehlo_keyword(e, r->lines[i]);
}

void
smtp_echo_clean(struct pt_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i] & 0x7f;

		if (c == '\0')
			break;
		pt_buf_addc(out, c);
	}
}

void
smtp_echo_short(struct pt_buf *out, const char *s, size_t max)
{
	size_t len = strlen(s), half;

	if (max < 5 || len <= max) {
		pt_buf_add(out, s, len);
		return;
	}
	half = (max - 3) / 2;
	pt_buf_add(out, s, half);
	pt_buf_add(out, "...", 3);
	pt_buf_add(out, s + len - half, half);
}
