/*
 * smtp_data: reading the message after DATA (line ends, dot-unstuffing,
 * header and body, limits), and dot-stuffing for the client side.
 *
 * Owns only its line buffer.  It reads the stream up to and including the
 * final "." and not one byte further, so commands pipelined behind the
 * message stay buffered for the server.  It never writes to the stream,
 * never logs, never exits: every outcome is a result for the server (see
 * smtp_data.h for the rules and upstream's replies).  Runs in the SMTP
 * server process; the client process uses the stuffer.
 */
#include "config.h"

#include <string.h>

#include "smtp_data.h"

/* The default longest piece of a line handed to the sink. */
#define SMTP_DATA_PIECE 65536

/* Where the reader is in the message's structure. */
enum hstate {
	HS_FIRST = 0,	/* nothing read yet */
	HS_HEADER,	/* in the header */
	HS_BODY,	/* after the header */
};

/* A limit the message broke. */
enum limit {
	LIM_NONE = 0,
	LIM_HEADERS,
	LIM_SIZE,
};

/* The state of one smtp_data_read. */
struct reader {
	const struct smtp_data_opts *o;
	const struct smtp_data_sink *sink;
	struct smtp_data_result *res;
	struct pt_buf line;		/* the current piece of the current line */
	struct pt_buf clean;		/* a header piece without its NULs */
	bool continued;			/* a piece of this line went to the sink already */
	enum smtp_data_part part;	/* the part of the current line */
	bool cr;			/* a CR was read and its successor not yet */
	enum hstate hs;
	bool seen_header;
	bool eoh_sent;
	bool dead;			/* the sink hears nothing more */
	enum limit limit;
	size_t max_piece;
};

/* The results of feeding bytes. */
enum feed {
	FEED_MORE = 0,	/* every byte used; read more */
	FEED_END,	/* the final "." line was read */
	FEED_ABORT,	/* a bare CR or LF that must be refused */
};

/* Hands one piece to the sink unless it is dead. */
static void
emit(struct reader *r, enum smtp_data_part part, const char *p, size_t len, bool more)
{
	if (r->dead)
		return;
	if (r->sink != NULL && r->sink->line != NULL &&
	    r->sink->line(r->sink->ctx, part, p, len, more) != 0)
		r->dead = true;
}

/* Ends the header once: tells the sink. */
static void
end_header(struct reader *r)
{
	if (r->eoh_sent)
		return;
	r->eoh_sent = true;
	r->hs = HS_BODY;
	emit(r, SMTP_DATA_EOH, "", 0, false);
}

/* True if p[0..len) starts a header: printable name, optional blanks, colon. */
static bool
is_header(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && (unsigned char)p[i] > 32 && (unsigned char)p[i] < 127 && p[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < len && p[i] == ':';
}

/*
 * Decides the part of a line from its first piece; returns false when the
 * line is the empty line that ends the header (not delivered).
 */
static bool
classify(struct reader *r, const char *p, size_t len, bool more)
{
	if (r->hs == HS_FIRST && len >= 5 && memcmp(p, "From ", 5) == 0) {
		r->hs = HS_HEADER;
		r->part = SMTP_DATA_FROMLINE;
		return true;
	}
	if (r->hs != HS_BODY) {
		r->hs = HS_HEADER;
		if (len == 0 && !more) {
			end_header(r);
			return false;
		}
		if (r->seen_header && len > 0 && (p[0] == ' ' || p[0] == '\t')) {
			r->part = SMTP_DATA_CONT;
			return true;
		}
		if (is_header(p, len)) {
			r->seen_header = true;
			r->part = SMTP_DATA_HEADER;
			return true;
		}
		end_header(r);
	}
	r->part = SMTP_DATA_BODY;
	return true;
}

/* Counts a piece against the limits; marks the sink dead when one is broken. */
static void
account(struct reader *r, size_t len, bool more)
{
	struct smtp_data_result *res = r->res;
	unsigned long long n = len + (more ? 0 : 1);

	res->msg_bytes += n;
	if (!more)
		res->lines++;
	if (r->part == SMTP_DATA_HEADER || r->part == SMTP_DATA_CONT) {
		res->header_bytes += n;
		if (r->o->max_headers > 0 && res->header_bytes >= r->o->max_headers &&
		    r->limit == LIM_NONE) {
			r->limit = LIM_HEADERS;
			r->dead = true;
		}
	} else if (r->part == SMTP_DATA_BODY)
		res->body_bytes += n;
	if (r->o->max_size > 0 && res->msg_bytes > r->o->max_size && r->limit == LIM_NONE) {
		r->limit = LIM_SIZE;
		r->dead = true;
	}
}

/* Points *p, *len at a copy of p[0..len) without NUL bytes (in r->clean). */
static void
strip_nul(struct reader *r, const char **p, size_t *len)
{
	size_t i;

	if (memchr(*p, '\0', *len) == NULL)
		return;
	pt_buf_reset(&r->clean);
	for (i = 0; i < *len; i++)
		if ((*p)[i] != '\0')
			pt_buf_addc(&r->clean, (*p)[i]);
	*p = r->clean.s != NULL ? r->clean.s : "";
	*len = r->clean.len;
}

/* Delivers the buffered piece of the current line; more: the line goes on. */
static void
deliver(struct reader *r, bool more)
{
	const char *p = r->line.s != NULL ? r->line.s : "", *hp;
	size_t len = r->line.len, hlen;

	if (!r->continued && len > 0 && p[0] == '.') {
		p++;
		len--;
	}
	/* Header lines lose their NULs, as upstream's do; body lines keep them. */
	hp = p;
	hlen = len;
	if (r->hs != HS_BODY)
		strip_nul(r, &hp, &hlen);
	if (!r->continued && !classify(r, hp, hlen, more)) {
		r->res->msg_bytes++;
		pt_buf_reset(&r->line);
		return;
	}
	if (r->part != SMTP_DATA_BODY) {
		p = hp;
		len = hlen;
	}
	account(r, len, more);
	emit(r, r->part, p, len, more);
	pt_buf_reset(&r->line);
	r->continued = more;
}

/* A complete line ended; true if it was the final ".". */
static bool
end_line(struct reader *r)
{
	if (!r->continued && r->line.len == 1 && r->line.s[0] == '.') {
		pt_buf_reset(&r->line);
		return true;
	}
	deliver(r, false);
	return false;
}

/* Adds ordinary bytes to the line, noting NUL and 8-bit bytes, cutting pieces. */
static void
add_bytes(struct reader *r, const char *p, size_t n)
{
	size_t room, k, i;

	while (n > 0) {
		room = r->max_piece - r->line.len;
		k = n < room ? n : room;
		for (i = 0; i < k; i++) {
			if (p[i] == '\0')
				r->res->has_nul = true;
			else if ((unsigned char)p[i] >= 0x80)
				r->res->has_8bit = true;
		}
		pt_buf_add(&r->line, p, k);
		p += k;
		n -= k;
		if (r->line.len >= r->max_piece)
			deliver(r, true);
	}
}

/* Applies the policy for a bare CR; false if it must be refused. */
static bool
bare_cr(struct reader *r)
{
	switch (r->o->bare_cr) {
	case SMTP_BARE_CR_KEEP: add_bytes(r, "\r", 1); return true;
	case SMTP_BARE_CR_SPACE: add_bytes(r, " ", 1); return true;
	default: return false;
	}
}

/* Applies the policy for a bare LF: 1 go on, 0 refuse, 2 the line ended. */
static int
bare_lf(struct reader *r)
{
	switch (r->o->bare_lf) {
	case SMTP_BARE_LF_KEEP: add_bytes(r, "\n", 1); return 1;
	case SMTP_BARE_LF_SPACE: add_bytes(r, " ", 1); return 1;
	case SMTP_BARE_LF_EOL: return 2;
	default: return 0;
	}
}

/* The length of the run of bytes at p that are neither CR nor LF. */
static size_t
plain_run(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '\r' || p[i] == '\n')
			break;
	return i;
}

/* Feeds n bytes; *used receives how many were taken (up to the end or the offence). */
static enum feed
feed(struct reader *r, const char *p, size_t n, size_t *used)
{
	size_t i = 0, run;
	int lf;

	while (i < n) {
		if (r->cr) {
			r->cr = false;
			if (p[i] == '\n') {
				i++;
				if (end_line(r))
					goto end;
				continue;
			}
			if (!bare_cr(r))
				goto abort;
		}
		if (p[i] == '\r') {
			r->cr = true;
			i++;
		} else if (p[i] == '\n') {
			if ((lf = bare_lf(r)) == 0)
				goto abort;
			i++;
			if (lf == 2 && end_line(r))
				goto end;
		} else {
			run = plain_run(p + i, n - i);
			add_bytes(r, p + i, run);
			i += run;
		}
	}
	*used = i;
	return FEED_MORE;
end:
	*used = i;
	return FEED_END;
abort:
	*used = i;
	return FEED_ABORT;
}

/* Sets the result at the final ".". */
static void
finish(struct reader *r)
{
	struct smtp_data_result *res = r->res;

	end_header(r);
	if (r->limit == LIM_HEADERS) {
		res->status = SMTP_DATA_REJECT;
		smtp_reply_set(&res->reply, 552, "5.6.0", "Headers too large (%zu max)",
		    r->o->max_headers);
	} else if (r->limit == LIM_SIZE) {
		res->status = SMTP_DATA_REJECT;
		smtp_reply_set(&res->reply, 552, "5.2.3", "Message exceeds maximum fixed size (%llu)",
		    r->o->max_size);
	} else if (res->has_nul && r->o->reject_nul) {
		res->status = SMTP_DATA_REJECT;
		smtp_reply_set(&res->reply, 554, "5.6.1", "NUL byte not allowed");
	} else if (r->dead)
		res->status = SMTP_DATA_SINK;
	else
		res->status = SMTP_DATA_OK;
}

/* Sets the result for a refused bare CR or LF (the byte at hand tells which). */
static void
refuse(struct reader *r, bool lf)
{
	r->res->status = SMTP_DATA_ABORT;
	smtp_reply_set(&r->res->reply, 421, "4.5.0", lf ? "Bare linefeed (LF) not allowed" :
	    "Bare carriage return (CR) not allowed");
}

void
smtp_data_read(struct smtp_io *io, const struct smtp_data_opts *opts,
    const struct smtp_data_sink *sink, struct smtp_data_result *res)
{
	struct reader r;
	enum smtp_io_status st;
	enum feed f = FEED_MORE;
	const char *p;
	size_t n, used;

	smtp_reply_reset(&res->reply);
	memset(res, 0, sizeof *res);
	memset(&r, 0, sizeof r);
	r.o = opts;
	r.sink = sink;
	r.res = res;
	r.max_piece = opts->max_piece > 0 ? opts->max_piece : SMTP_DATA_PIECE;
	while (f == FEED_MORE) {
		st = smtp_io_fill(io);
		if (st != SMTP_IO_OK) {
			res->status = SMTP_DATA_IO;
			res->io = st;
			break;
		}
		n = smtp_io_peek(io, &p);
		f = feed(&r, p, n, &used);
		if (f == FEED_END)
			finish(&r);
		else if (f == FEED_ABORT)
			refuse(&r, p[used] == '\n');
		smtp_io_consume(io, used);
		res->wire_bytes += used;
	}
	pt_buf_free(&r.line);
	pt_buf_free(&r.clean);
}

void
smtp_data_stuff(struct smtp_stuffer *st, const char *p, size_t len, struct pt_buf *out)
{
	const char *end = p + len, *lf;
	size_t n;

	while (p < end) {
		if (!st->mid_line && *p == '.')
			pt_buf_addc(out, '.');
		lf = memchr(p, '\n', (size_t)(end - p));
		n = lf != NULL ? (size_t)(lf - p) : (size_t)(end - p);
		pt_buf_add(out, p, n);
		p += n;
		if (lf != NULL) {
			pt_buf_add(out, "\r\n", 2);
			p++;
			st->mid_line = false;
		} else
			st->mid_line = true;
	}
}

void
smtp_data_stuff_end(struct smtp_stuffer *st, struct pt_buf *out)
{
	if (st->mid_line)
		pt_buf_add(out, "\r\n", 2);
	pt_buf_add(out, ".\r\n", 3);
	st->mid_line = false;
}
