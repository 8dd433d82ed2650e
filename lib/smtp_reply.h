/*
 * smtp_reply: SMTP replies as values.
 *
 * A struct smtp_reply is what a failure inside a transaction returns (STYLE.md:
 * the SMTP code, the enhanced status code and the text), what the server
 * writes, and what the client reads back.  It may hold several lines; all
 * share one code and one enhanced status code.
 *
 * Wire shapes (RFC 5321 section 4.2, RFC 2034):
 *   single line   "550 5.1.1 <u@example>... User unknown" CR LF
 *   multi-line    "250-mx.example Hello ..." CR LF ... "250 HELP" CR LF
 * The server writes the enhanced status code on every line when it has one
 * (sendmail does: "214-2.0.0 ..."); the parser accepts it on any line and
 * strips it from each.
 *
 * Text never carries CR or LF onto the wire: the formatter turns them into
 * spaces, so no reply can be split by data that came from a peer.
 */
#ifndef SMTP_REPLY_H
#define SMTP_REPLY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "pt_buf.h"
#include "smtp_io.h"

/* The longest enhanced status code: "5.999.999". */
#define SMTP_STATUS_MAX 10
/* The most lines the parser accepts in one reply. */
#define SMTP_REPLY_MAXLINES 200
/* The longest reply line the client reads (RFC 5321 asks for 512; be lenient). */
#define SMTP_REPLY_MAXLINE 4096
/* sendmail's MAXSHORTSTR: longer strings echoed in replies are shortened. */
#define SMTP_SHORTSTR 203

struct smtp_reply {
	int code;			/* 200..599; 0 while unset */
	char status[SMTP_STATUS_MAX + 1]; /* "2.1.0", or "" */
	char **lines;			/* the text of each line, without code and status */
	size_t nlines;
	size_t cap;
	bool done;			/* the parser saw the last line */
	bool no_status;			/* set by the reader: an enhanced code is text (the
					 * server did not announce ENHANCEDSTATUSCODES) */
};

#define SMTP_REPLY_INIT { 0, "", NULL, 0, 0, false, false }

/* Empties a reply (keeps nothing). */
void smtp_reply_reset(struct smtp_reply *r);
/* Frees the reply's lines; the struct may be reused after smtp_reply_reset. */
void smtp_reply_free(struct smtp_reply *r);
/* True when the reply holds a code. */
bool smtp_reply_is_set(const struct smtp_reply *r);

/*
 * Replaces r with one line: code, enhanced status (NULL or "" for none; an
 * invalid one panics: it is a programming error) and printf-formatted text.
 */
void smtp_reply_set(struct smtp_reply *r, int code, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void smtp_reply_vset(struct smtp_reply *r, int code, const char *status, const char *fmt,
    va_list ap);
/* Appends one more line of text to r. */
void smtp_reply_add(struct smtp_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Makes dst a copy of src (dst's old contents are freed). */
void smtp_reply_copy(struct smtp_reply *dst, const struct smtp_reply *src);

/*
 * Appends r's wire form to out: every line with its code, "-" on all but the
 * last, the enhanced status when r has one, CR LF.  CR and LF in the text
 * become spaces.
 */
void smtp_reply_format(const struct smtp_reply *r, struct pt_buf *out);
/*
 * Formats r and buffers it on io for the next flush, as a server sends it:
 * as upstream, the text is 7-bit (the eighth bit of each byte stripped, a
 * byte that becomes NUL ends its line), so client bytes echoed in a reply
 * come back as upstream echoes them.
 */
void smtp_reply_send(const struct smtp_reply *r, struct smtp_io *io);
/* Appends "CODE STATUS TEXT" of the first line to out (for log lines). */
void smtp_reply_summary(const struct smtp_reply *r, struct pt_buf *out);

/*
 * True if s is a well-formed enhanced status code (class.subject.detail,
 * class 2, 4 or 5, subject and detail of 1 to 3 digits) whose class matches
 * code's first digit (code 0: any class).
 */
bool smtp_status_valid(const char *s, size_t len, int code);

/* The result of feeding a reply line to the parser. */
enum smtp_reply_feed {
	SMTP_REPLY_MORE = 0,	/* a continuation line: feed the next */
	SMTP_REPLY_DONE,	/* the last line: r is complete */
	SMTP_REPLY_BAD,		/* not a reply line, or a code that differs from the first */
};

/*
 * Feeds one line (without CR LF) of a server's reply to r, which must have
 * been reset before the first line (a NUL ends the line).  Each line is "ddd", "ddd text" or
 * "ddd-text"; an enhanced status code that matches the code's class is taken
 * from the text of each line (the first one found is kept in r->status).
 */
enum smtp_reply_feed smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len);

/*
 * Reads one whole reply from io into r (reset first), within io's limits.
 * Returns SMTP_IO_OK, or the failing status; a malformed reply is
 * SMTP_IO_ERROR with a reason in err.
 */
enum smtp_io_status smtp_reply_read(struct smtp_io *io, struct smtp_reply *r, struct pt_buf *err);

/* ESMTP extensions a server may announce in its EHLO reply (a mask). */
enum smtp_ext {
	SMTP_EXT_PIPELINING = 1u << 0,
	SMTP_EXT_SIZE = 1u << 1,
	SMTP_EXT_8BITMIME = 1u << 2,
	SMTP_EXT_DSN = 1u << 3,
	SMTP_EXT_ENHANCEDSTATUSCODES = 1u << 4,
	SMTP_EXT_STARTTLS = 1u << 5,
	SMTP_EXT_AUTH = 1u << 6,
	SMTP_EXT_SMTPUTF8 = 1u << 7,
	SMTP_EXT_DELIVERBY = 1u << 8,
	SMTP_EXT_VERB = 1u << 9,
	SMTP_EXT_ETRN = 1u << 10,
	SMTP_EXT_EXPN = 1u << 11,
	SMTP_EXT_HELP = 1u << 12,
	SMTP_EXT_CHUNKING = 1u << 13,
	SMTP_EXT_BINARYMIME = 1u << 14,
};

/* What the client learned from an EHLO reply. */
struct smtp_ehlo {
	unsigned ext;			/* enum smtp_ext */
	unsigned long long size;	/* SIZE's limit; 0 when none was given */
	long by_min;			/* DELIVERBY's minimum time; 0 when none was given */
	char *auth;			/* AUTH's mechanisms, space-separated, upper case; or NULL */
	char *greeting;			/* the text of the first line (the server's name first) */
};

/*
 * Reads the keyword lines of a positive EHLO reply into e (whose old contents
 * are freed).  Keywords are matched without regard to case; unknown ones are
 * ignored; "AUTH=..." (the old form) counts as AUTH.
 */
void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *e);
/* Frees e's strings and zeroes it. */
void smtp_ehlo_free(struct smtp_ehlo *e);
/* The keyword of one extension bit ("PIPELINING"), or NULL. */
const char *smtp_ext_name(unsigned ext);

/*
 * Appends s[0..len) to out as upstream echoes client input in a reply: the
 * eighth bit is stripped and a NUL (also one made by stripping) ends the
 * text; control characters stay (the formatter turns CR and LF into spaces,
 * where upstream would send a raw CR).
 */
void smtp_echo_clean(struct pt_buf *out, const char *s, size_t len);
/*
 * Appends s to out, shortened as upstream shortens what it echoes: a string
 * longer than max (SMTP_SHORTSTR) becomes its first (max-3)/2 bytes, "..."
 * and its last (max-3)/2 bytes.
 */
void smtp_echo_short(struct pt_buf *out, const char *s, size_t max);

#endif
