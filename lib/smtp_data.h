/*
 * smtp_data: the reader of the message that follows DATA (after the 354).
 *
 * It reads from an smtp_io until the line "." ends the message, undoes the
 * dot-stuffing, tells header lines from body lines, and hands each line to
 * the caller's sink as it arrives (the server writes the body to the df file
 * while it parses headers), counting bytes and enforcing the size limits.
 *
 * Line ends, as Debian's sendmail 8.17.1.9-2+deb12u2 (which carries the fix
 * for SMTP smuggling, CVE-2023-51765) handles them; the srv_features ruleset
 * can relax them with the letters named here (op.txt section 5.1.4.17 and the
 * Debian changelog; the behaviour below was found by experiment):
 *
 *   input                      default (or 'o')                 relaxed
 *   CR LF                      end of line                      -
 *   bare LF                    421 4.5.0 Bare linefeed (LF)     'G': kept inside the line;
 *                              not allowed, at once, and the    'g2': becomes a space;
 *                              connection closes                'G' with 'O': ends the line
 *   bare CR (CR not before LF) 421 4.5.0 Bare carriage return   'U': kept; 'u2': a space
 *                              (CR) not allowed, at once
 *   NUL                        kept in the body, dropped from   RejectNUL=true (Debian's
 *                              header lines                     default cf): 554 5.6.1 NUL
 *                                                               byte not allowed, after "."
 *
 * Only the line "." ended by CR LF ends the message (or by a bare LF when
 * bare LF ends lines, 'G' with 'O'), so "LF . LF", "CR LF . LF" and the like
 * can never end it and a second transaction cannot hide inside a message.
 * A line that starts with "." loses that dot ("..x" is ".x", ".x" is "x").
 *
 * Headers: the message starts in the header; a leading "From " line is
 * reported apart (upstream drops it); a line "name:" (name of printable
 * bytes, blanks allowed before the colon) is a header, a line starting with
 * a blank continues the header before it; the empty line ends the header
 * (and is not part of the body), and so does any other line, which is then
 * the first body line.
 *
 * Limits (upstream's replies, given after the final "." so the session stays
 * in step): the sum of header line lengths (each plus one) reaching
 * MaxHeadersLength is 552 5.6.0 Headers too large (N max); the message
 * (headers, the empty line and the body, lines counted with a one-byte line
 * end) beyond MaxMessageSize is 552 5.2.3 Message exceeds maximum fixed size
 * (N).  Once a limit is hit the sink hears nothing more.
 */
#ifndef SMTP_DATA_H
#define SMTP_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp_io.h"
#include "smtp_reply.h"

/* What to do with a bare LF. */
enum smtp_bare_lf {
	SMTP_BARE_LF_REJECT = 0,	/* default: 421 and close */
	SMTP_BARE_LF_KEEP,		/* 'G': a byte of the line */
	SMTP_BARE_LF_SPACE,		/* 'g2': replaced by a space */
	SMTP_BARE_LF_EOL,		/* 'G' and 'O': ends the line, as CR LF does */
};

/* What to do with a bare CR. */
enum smtp_bare_cr {
	SMTP_BARE_CR_REJECT = 0,	/* default: 421 and close */
	SMTP_BARE_CR_KEEP,		/* 'U': a byte of the line */
	SMTP_BARE_CR_SPACE,		/* 'u2': replaced by a space */
};

/* The reader's settings. */
struct smtp_data_opts {
	enum smtp_bare_lf bare_lf;
	enum smtp_bare_cr bare_cr;
	bool reject_nul;		/* RejectNUL */
	unsigned long long max_size;	/* MaxMessageSize; 0: none */
	size_t max_headers;		/* MaxHeadersLength; 0: none (upstream's default is 32768) */
	size_t max_piece;		/* longest piece of a line given to the sink; 0: 65536 */
};

/* What a line handed to the sink is. */
enum smtp_data_part {
	SMTP_DATA_FROMLINE = 0,		/* a "From " line first in the message */
	SMTP_DATA_HEADER,		/* the first line of a header ("Name: value") */
	SMTP_DATA_CONT,			/* a continuation line of the header before */
	SMTP_DATA_EOH,			/* the header ended (no bytes); once per message */
	SMTP_DATA_BODY,			/* a body line */
};

/*
 * The caller's sink.  line gets each line (or piece of a long line) without
 * its line end; more is true when the line continues in the next call, whose
 * part is the same.  It returns 0, or -1 to hear nothing more (a df write
 * failed): the reader then reads to the end and reports SMTP_DATA_SINK.
 */
struct smtp_data_sink {
	int (*line)(void *ctx, enum smtp_data_part part, const char *p, size_t len, bool more);
	void *ctx;
};

/* How reading the message ended. */
enum smtp_data_status {
	SMTP_DATA_OK = 0,	/* the message is complete and within every limit */
	SMTP_DATA_REJECT,	/* complete, but refused: send reply, the session goes on */
	SMTP_DATA_ABORT,	/* bare CR or LF: send reply (421) and close the connection */
	SMTP_DATA_IO,		/* the stream failed (io says how): no reply can be sent in step */
	SMTP_DATA_SINK,		/* complete, but the sink gave up: the server chooses the reply */
};

/* The outcome of smtp_data_read. */
struct smtp_data_result {
	enum smtp_data_status status;
	enum smtp_io_status io;		/* for SMTP_DATA_IO */
	struct smtp_reply reply;	/* for SMTP_DATA_REJECT and SMTP_DATA_ABORT */
	unsigned long long wire_bytes;	/* bytes read from the stream, "." line included */
	unsigned long long msg_bytes;	/* message bytes as upstream counts them (see above) */
	unsigned long long header_bytes; /* header lines, each plus one */
	unsigned long long body_bytes;	/* body lines, each plus one */
	unsigned long lines;		/* lines of the message */
	bool has_8bit;			/* some byte above 127 */
	bool has_nul;			/* some NUL byte */
};

/*
 * Reads one message from io (after the 354 reply) into sink under opts and
 * fills res (whose reply must be initialised; it is reset first).
 */
void smtp_data_read(struct smtp_io *io, const struct smtp_data_opts *opts,
    const struct smtp_data_sink *sink, struct smtp_data_result *res);

/* The state of the client's dot-stuffer across calls; zero it before a message. */
struct smtp_stuffer {
	bool mid_line;		/* the last byte given was not a line end */
};

/*
 * Appends message text to out dot-stuffed for sending after DATA (client
 * side), as the text of a df file: a line that starts with "." gets
 * another, each LF becomes CR LF, every other byte is sent as it is.
 */
void smtp_data_stuff(struct smtp_stuffer *st, const char *p, size_t len, struct pt_buf *out);
/* Ends the message: CR LF if the last line was not ended, then ".\r\n". */
void smtp_data_stuff_end(struct smtp_stuffer *st, struct pt_buf *out);

#endif
