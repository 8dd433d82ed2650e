/*
 * smtp_io: the buffered stream that SMTP servers and clients (and the milter
 * client) speak over, plain or under TLS.
 *
 * A struct smtp_io reads from one file descriptor and writes to another (the
 * same socket for a network session; standard input and output for -bs).
 * Bytes pass through a transport: the plain one reads and writes the file
 * descriptors, the TLS one (tls_io.h) runs them through a TLS session.  The
 * code above never knows which: it reads lines, peeks at buffered input,
 * writes and flushes.
 *
 * Time limits.  Every wait is bounded by two limits, whichever comes first:
 * the timeout of one operation (smtp_io_set_timeout: how long one read or one
 * flush may wait for the peer) and the deadline of the current command
 * (smtp_io_set_deadline: a point in time after which every read and write
 * fails).  The server sets a deadline when it starts reading a command, so a
 * client that sends one byte every few seconds is cut off when the whole
 * command has taken too long, not only when a single read stalls.
 *
 * Lines.  smtp_io_getline returns one line without its line end and says how
 * it ended (CR LF or a bare LF) and whether it held a bare CR or a NUL, so
 * that callers apply their own policy; a line longer than the caller's
 * maximum is reported as SMTP_IO_TOOLONG, distinct from every other result.
 *
 * Input is never read ahead beyond what one read() returns, and all of it can
 * be dropped with smtp_io_discard: STARTTLS calls it on both sides so that
 * nothing sent in plain text behind the STARTTLS command survives into the
 * TLS session.
 *
 * The stream never closes its file descriptors; the owner does.
 */
#ifndef SMTP_IO_H
#define SMTP_IO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pt_buf.h"

/* The result of a stream operation. */
enum smtp_io_status {
	SMTP_IO_OK = 0,
	SMTP_IO_EOF,		/* the peer closed its side */
	SMTP_IO_TIMEOUT,	/* the operation's timeout or the command's deadline passed */
	SMTP_IO_TOOLONG,	/* a line was longer than the caller's maximum */
	SMTP_IO_ERROR,		/* a read or write failed; smtp_io_error() says why */
};

/* How smtp_io_getline's line ended and what it held (a mask). */
enum smtp_line_flag {
	SMTP_LINE_CRLF = 1u << 0,	/* ended by CR LF */
	SMTP_LINE_LF = 1u << 1,		/* ended by a bare LF */
	SMTP_LINE_BARE_CR = 1u << 2,	/* holds a CR not followed by LF */
	SMTP_LINE_NUL = 1u << 3,	/* holds a NUL byte */
	SMTP_LINE_8BIT = 1u << 4,	/* holds a byte above 127 */
};

/*
 * A transport moves bytes for the stream.  read and write return the count
 * moved (read: 0 at end of file), or -1: with *want set to POLLIN or POLLOUT
 * when they must wait for the file descriptor to become readable or
 * writable, or with *want set to 0 on a hard error (errmsg filled, no
 * newline).  pending returns how many bytes the transport holds already
 * decoded (TLS records read ahead), or 0; it may be NULL.
 */
struct smtp_transport {
	const char *name;
	ssize_t (*read)(void *ctx, void *buf, size_t n, int *want, struct pt_buf *errmsg);
	ssize_t (*write)(void *ctx, const void *buf, size_t n, int *want, struct pt_buf *errmsg);
	size_t (*pending)(void *ctx);
};

/* Counters of a stream. */
struct smtp_io_stats {
	unsigned long long bytes_in;	/* bytes received from the transport */
	unsigned long long bytes_out;	/* bytes handed to the transport */
};

struct smtp_io;

/*
 * Makes a stream over rfd (read) and wfd (write), which may be the same
 * socket.  The plain transport is used until smtp_io_set_transport; no
 * timeout and no deadline are set.  The file descriptors stay the caller's.
 */
struct smtp_io *smtp_io_new(int rfd, int wfd);
/* Frees the stream and its buffers (not the file descriptors or the transport context). */
void smtp_io_free(struct smtp_io *io);

/* The file descriptors given to smtp_io_new. */
int smtp_io_rfd(const struct smtp_io *io);
int smtp_io_wfd(const struct smtp_io *io);

/*
 * Switches the transport (NULL: back to plain).  ctx is passed to its
 * functions and stays the caller's.  Buffered input is kept: call
 * smtp_io_discard first when switching for STARTTLS.
 */
void smtp_io_set_transport(struct smtp_io *io, const struct smtp_transport *t, void *ctx);
/* The transport's name ("plain", "tls"). */
const char *smtp_io_transport_name(const struct smtp_io *io);

/* Sets how long one read or flush may wait, in milliseconds (<= 0: no limit). */
void smtp_io_set_timeout(struct smtp_io *io, long ms);
/* Sets the deadline of the current command, ms from now (<= 0: none). */
void smtp_io_set_deadline(struct smtp_io *io, long ms);
/* Clears the deadline. */
void smtp_io_clear_deadline(struct smtp_io *io);
/* Milliseconds left before the deadline (-1 when none is set, 0 when passed). */
long smtp_io_deadline_left(const struct smtp_io *io);

/*
 * Reads one line into line (replacing its contents) without its line end;
 * *flags (may be NULL) receives a mask of enum smtp_line_flag.  max is the
 * most bytes the line may hold before its LF, a CR included (sendmail's
 * command buffer holds 2047).  Returns SMTP_IO_OK; SMTP_IO_TOOLONG with the
 * first max bytes in line and the rest unread (smtp_io_skip_line drops it);
 * SMTP_IO_EOF when the peer closed (a partial last line is left in line);
 * SMTP_IO_TIMEOUT or SMTP_IO_ERROR.
 */
enum smtp_io_status smtp_io_getline(struct smtp_io *io, struct pt_buf *line, size_t max,
    unsigned *flags);
/* Reads and drops input up to and including the next LF. */
enum smtp_io_status smtp_io_skip_line(struct smtp_io *io);

/*
 * Makes sure at least one byte of input is buffered, waiting within the
 * limits.  Returns SMTP_IO_OK, SMTP_IO_EOF, SMTP_IO_TIMEOUT or SMTP_IO_ERROR.
 */
enum smtp_io_status smtp_io_fill(struct smtp_io *io);
/* Points *p at the buffered input and returns its length (valid until the next read). */
size_t smtp_io_peek(const struct smtp_io *io, const char **p);
/* Drops n bytes of buffered input (n at most what smtp_io_peek returned). */
void smtp_io_consume(struct smtp_io *io, size_t n);
/* Bytes of input that can be had without waiting: buffered here or in the transport. */
size_t smtp_io_pending(const struct smtp_io *io);
/*
 * Waits up to ms milliseconds (and within the deadline) for input.  Returns
 * SMTP_IO_OK when input is there, SMTP_IO_TIMEOUT when none came, SMTP_IO_EOF
 * or SMTP_IO_ERROR.  Used for greet_pause and pipelining checks.
 */
enum smtp_io_status smtp_io_wait_input(struct smtp_io *io, long ms);
/*
 * Waits up to ms milliseconds (<= 0: the operation timeout) and within the
 * deadline until the read descriptor is readable (events POLLIN) or the
 * write descriptor writable (POLLOUT).  For transports that run their own
 * protocol on the descriptors (the TLS handshake).  Returns SMTP_IO_OK,
 * SMTP_IO_TIMEOUT or SMTP_IO_ERROR.
 */
enum smtp_io_status smtp_io_wait(struct smtp_io *io, int events, long ms);
/*
 * Drops every byte of buffered input and returns how many were dropped.
 * Bytes still in the kernel are not read: what the peer sent after the
 * command that precedes a STARTTLS handshake is read by the handshake and
 * fails it, as it must.
 */
size_t smtp_io_discard(struct smtp_io *io);

/* Buffers n bytes for output. */
void smtp_io_write(struct smtp_io *io, const void *p, size_t n);
/* Buffers a C string for output. */
void smtp_io_puts(struct smtp_io *io, const char *s);
/* Buffers printf-formatted output. */
void smtp_io_printf(struct smtp_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes waiting in the output buffer. */
size_t smtp_io_unflushed(const struct smtp_io *io);
/*
 * Writes all buffered output, waiting within the limits.  Returns SMTP_IO_OK,
 * SMTP_IO_TIMEOUT or SMTP_IO_ERROR (EPIPE and resets are errors).
 */
enum smtp_io_status smtp_io_flush(struct smtp_io *io);

/* The counters. */
struct smtp_io_stats smtp_io_stats(const struct smtp_io *io);
/* Why the last operation failed ("" if it did not); borrowed until the next operation. */
const char *smtp_io_error(const struct smtp_io *io);
/* A short name of a status ("ok", "eof", "timeout", "line too long", "error"). */
const char *smtp_io_status_name(enum smtp_io_status st);

#endif
