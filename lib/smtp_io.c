/*
 * smtp_io: buffered SMTP streams over a plain or TLS transport, with
 * per-operation timeouts and a per-command deadline.
 *
 * Owns the input and output buffers of one connection and the time limits
 * that bound every wait.  It never closes a file descriptor, never exits and
 * never logs: failures are returned as a status with a reason the caller may
 * log.  Runs in the process that serves or opens one SMTP (or milter)
 * connection, with that process's privileges.  Waiting is done with poll(),
 * so the file descriptors may be blocking or not: the plain transport reads
 * and writes sockets with MSG_DONTWAIT (and MSG_NOSIGNAL, so a vanished peer
 * is an error rather than a SIGPIPE) and pipes only after poll() said so.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "smtp_io.h"

/* Bytes asked of the transport per read. */
#define SMTP_IO_CHUNK 16384
/*
 * The most bytes written at once to a blocking pipe, so that a write after
 * poll() cannot block.  A pipe whose end is non-blocking takes whole buffers.
 */
#define SMTP_IO_PIPE_CHUNK 4096

struct smtp_io {
	int rfd, wfd;
	bool rsock, wsock;		/* the descriptors are sockets (until told otherwise) */
	bool wnonblock;			/* wfd, not a socket, has O_NONBLOCK */
	const struct smtp_transport *t;
	void *tctx;
	struct pt_buf in;		/* input; bytes before inpos are consumed */
	size_t inpos;
	struct pt_buf out;		/* output not yet written */
	long timeout_ms;		/* per operation; <= 0: none */
	long long deadline;		/* monotonic ms; 0: none */
	struct smtp_io_stats stats;
	struct pt_buf err;		/* why the last operation failed */
	bool sent;			/* bytes went out since the last read */
};

static ssize_t plain_read(void *ctx, void *buf, size_t n, int *want, struct pt_buf *errmsg);
static ssize_t plain_write(void *ctx, const void *buf, size_t n, int *want, struct pt_buf *errmsg);

static const struct smtp_transport plain_transport = {
	"plain", plain_read, plain_write, NULL,
};

/* The monotonic clock in milliseconds. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Records a reason for the current failure. */
static void
set_err(struct smtp_io *io, const char *what, int e)
{
	pt_buf_reset(&io->err);
	if (e != 0)
		pt_buf_printf(&io->err, "%s: %s", what, strerror(e));
	else
		pt_buf_adds(&io->err, what);
}

/* Reads from the plain descriptor without blocking. */
static ssize_t
plain_read(void *ctx, void *buf, size_t n, int *want, struct pt_buf *errmsg)
{
	struct smtp_io *io = ctx;
	ssize_t r;

	*want = 0;
	if (io->rsock) {
		r = recv(io->rfd, buf, n, MSG_DONTWAIT);
		if (r < 0 && errno == ENOTSOCK) {
			io->rsock = false;
			*want = POLLIN;	/* poll first, then read() */
			return -1;
		}
	} else
		r = read(io->rfd, buf, n);
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		*want = POLLIN;
		return -1;
	}
	pt_buf_printf(errmsg, "read: %s", strerror(errno));
	return -1;
}

/* Writes to the plain descriptor without blocking (and without SIGPIPE on sockets). */
static ssize_t
plain_write(void *ctx, const void *buf, size_t n, int *want, struct pt_buf *errmsg)
{
	struct smtp_io *io = ctx;
	ssize_t r;

	*want = 0;
	if (io->wsock) {
		r = send(io->wfd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno == ENOTSOCK) {
			int fl = fcntl(io->wfd, F_GETFL);

			io->wsock = false;
			io->wnonblock = fl >= 0 && (fl & O_NONBLOCK);
			*want = POLLOUT;
			return -1;
		}
	} else
		r = write(io->wfd, buf, io->wnonblock || n <= SMTP_IO_PIPE_CHUNK ? n : SMTP_IO_PIPE_CHUNK);
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		*want = POLLOUT;
		return -1;
	}
	pt_buf_printf(errmsg, "write: %s", strerror(errno));
	return -1;
}

struct smtp_io *
smtp_io_new(int rfd, int wfd)
{
	struct smtp_io *io = pt_calloc(1, sizeof *io);

	io->rfd = rfd;
	io->wfd = wfd;
	io->rsock = io->wsock = true;
	io->t = &plain_transport;
	io->tctx = io;
	return io;
}

void
smtp_io_free(struct smtp_io *io)
{
	if (io == NULL)
		return;
	pt_buf_free(&io->in);
	pt_buf_free(&io->out);
	pt_buf_free(&io->err);
	free(io);
}

int
smtp_io_rfd(const struct smtp_io *io)
{
	return io->rfd;
}

int
smtp_io_wfd(const struct smtp_io *io)
{
	return io->wfd;
}

void
smtp_io_set_transport(struct smtp_io *io, const struct smtp_transport *t, void *ctx)
{
	if (t == NULL) {
		io->t = &plain_transport;
		io->tctx = io;
	} else {
		io->t = t;
		io->tctx = ctx;
	}
}

const char *
smtp_io_transport_name(const struct smtp_io *io)
{
	return io->t->name;
}

void
smtp_io_set_timeout(struct smtp_io *io, long ms)
{
	io->timeout_ms = ms;
}

void
smtp_io_set_deadline(struct smtp_io *io, long ms)
{
	io->deadline = ms > 0 ? now_ms() + ms : 0;
}

void
smtp_io_clear_deadline(struct smtp_io *io)
{
	io->deadline = 0;
}

long
smtp_io_deadline_left(const struct smtp_io *io)
{
	long long left;

	if (io->deadline == 0)
		return -1;
	left = io->deadline - now_ms();
	return left > 0 ? (long)left : 0;
}

/*
 * Waits until fd is ready for events, no later than op_end (0: no limit) and
 * the deadline.  Returns SMTP_IO_OK, SMTP_IO_TIMEOUT or SMTP_IO_ERROR.
 */
static enum smtp_io_status
wait_ready(struct smtp_io *io, int fd, int events, long long op_end)
{
	struct pollfd pfd;
	long long end, now;
	int r, ms;

	for (;;) {
		end = op_end;
		if (io->deadline != 0 && (end == 0 || io->deadline < end))
			end = io->deadline;
		ms = -1;
		if (end != 0) {
			now = now_ms();
			if (now >= end) {
				set_err(io, io->deadline == end ? "command deadline passed" :
				    "timeout waiting for the peer", 0);
				return SMTP_IO_TIMEOUT;
			}
			ms = end - now > INT_MAX ? INT_MAX : (int)(end - now);
		}
		pfd.fd = fd;
		pfd.events = (short)events;
		pfd.revents = 0;
		r = poll(&pfd, 1, ms);
		if (r > 0)
			return SMTP_IO_OK;	/* ready, or an error the next call reports */
		if (r < 0 && errno != EINTR) {
			set_err(io, "poll", errno);
			return SMTP_IO_ERROR;
		}
	}
}

/* The end of the current operation's timeout, from now (0: none). */
static long long
op_end_from_now(const struct smtp_io *io)
{
	return io->timeout_ms > 0 ? now_ms() + io->timeout_ms : 0;
}

/* Moves unconsumed input to the front of the buffer when that frees much room. */
static void
compact_input(struct smtp_io *io)
{
	size_t left = io->in.len - io->inpos;

	if (io->inpos == 0)
		return;
	if (left > 0)
		memmove(io->in.s, io->in.s + io->inpos, left);
	io->in.len = left;
	io->in.s[left] = '\0';
	io->inpos = 0;
}

/* Reads once from the transport into the input buffer, waiting as needed. */
static enum smtp_io_status
read_more(struct smtp_io *io)
{
	long long op_end = op_end_from_now(io);
	enum smtp_io_status st;
	ssize_t r;
	int want;

	if (io->inpos > 0 && (io->inpos == io->in.len || io->inpos > SMTP_IO_CHUNK))
		compact_input(io);
	pt_buf_grow(&io->in, SMTP_IO_CHUNK);
	if (io->sent && io->t == &plain_transport && io->rsock) {
		/*
		 * What we just sent (a reply, a command) is what the peer waits
		 * for: its next bytes are not here yet, so wait before reading
		 * rather than making a read that finds nothing.  (Not under TLS,
		 * whose library may hold bytes already read.)
		 */
		io->sent = false;
		st = wait_ready(io, io->rfd, POLLIN, op_end);
		if (st != SMTP_IO_OK)
			return st;
	}
	for (;;) {
		if (io->deadline != 0 && now_ms() >= io->deadline) {
			set_err(io, "command deadline passed", 0);
			return SMTP_IO_TIMEOUT;
		}
		pt_buf_reset(&io->err);
		r = io->t->read(io->tctx, io->in.s + io->in.len, SMTP_IO_CHUNK, &want, &io->err);
		if (r > 0) {
			io->in.len += (size_t)r;
			io->in.s[io->in.len] = '\0';
			io->stats.bytes_in += (unsigned long long)r;
			return SMTP_IO_OK;
		}
		if (r == 0) {
			set_err(io, "connection closed by peer", 0);
			return SMTP_IO_EOF;
		}
		if (want == 0) {
			if (io->err.len == 0)
				set_err(io, "read failed", 0);
			return SMTP_IO_ERROR;
		}
		st = wait_ready(io, want == POLLOUT ? io->wfd : io->rfd, want, op_end);
		if (st != SMTP_IO_OK)
			return st;
	}
}

enum smtp_io_status
smtp_io_fill(struct smtp_io *io)
{
	if (io->inpos < io->in.len)
		return SMTP_IO_OK;
	return read_more(io);
}

size_t
smtp_io_peek(const struct smtp_io *io, const char **p)
{
	*p = io->in.s != NULL ? io->in.s + io->inpos : "";
	return io->in.len - io->inpos;
}

void
smtp_io_consume(struct smtp_io *io, size_t n)
{
	if (n > io->in.len - io->inpos)
		n = io->in.len - io->inpos;
	io->inpos += n;
}

size_t
smtp_io_pending(const struct smtp_io *io)
{
	size_t n = io->in.len - io->inpos;

	if (io->t->pending != NULL)
		n += io->t->pending(io->tctx);
	return n;
}

enum smtp_io_status
smtp_io_wait_input(struct smtp_io *io, long ms)
{
	enum smtp_io_status st;

	if (smtp_io_pending(io) > 0)
		return SMTP_IO_OK;
	st = wait_ready(io, io->rfd, POLLIN, now_ms() + (ms > 0 ? ms : 0));
	if (st != SMTP_IO_OK)
		return st;
	/* Readable: read what is there, so end of file and errors show now. */
	return read_more(io);
}

enum smtp_io_status
smtp_io_wait(struct smtp_io *io, int events, long ms)
{
	long long end = ms > 0 ? now_ms() + ms : op_end_from_now(io);

	return wait_ready(io, events == POLLOUT ? io->wfd : io->rfd, events, end);
}

size_t
smtp_io_discard(struct smtp_io *io)
{
	size_t n = io->in.len - io->inpos;

	io->inpos = 0;
	io->in.len = 0;
	if (io->in.s != NULL)
		io->in.s[0] = '\0';
	return n;
}

/* Classifies bytes [p, p+n) of a line into enum smtp_line_flag bits. */
static unsigned
scan_line(const char *p, size_t n)
{
	unsigned f = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\0')
			f |= SMTP_LINE_NUL;
		else if (c == '\r' && (i + 1 == n || p[i + 1] != '\n'))
			f |= SMTP_LINE_BARE_CR;
		else if (c >= 0x80)
			f |= SMTP_LINE_8BIT;
	}
	return f;
}

/* Hands the first n buffered bytes (ending with LF) to line, without the line end. */
static void
take_line(struct smtp_io *io, struct pt_buf *line, size_t n, unsigned *flags)
{
	const char *p = io->in.s + io->inpos;
	size_t body = n - 1;
	unsigned f;

	if (body > 0 && p[body - 1] == '\r') {
		body--;
		f = SMTP_LINE_CRLF;
	} else
		f = SMTP_LINE_LF;
	f |= scan_line(p, body);
	pt_buf_add(line, p, body);
	io->inpos += n;
	if (flags != NULL)
		*flags = f;
}

enum smtp_io_status
smtp_io_getline(struct smtp_io *io, struct pt_buf *line, size_t max, unsigned *flags)
{
	enum smtp_io_status st;
	size_t scanned = 0, avail;
	const char *p, *lf;

	pt_buf_reset(line);
	if (flags != NULL)
		*flags = 0;
	for (;;) {
		p = io->in.s != NULL ? io->in.s + io->inpos : "";
		avail = io->in.len - io->inpos;
		lf = avail > scanned ? memchr(p + scanned, '\n', avail - scanned) : NULL;
		if (lf != NULL && (size_t)(lf - p) <= max) {
			take_line(io, line, (size_t)(lf - p) + 1, flags);
			return SMTP_IO_OK;
		}
		if ((lf != NULL || avail > max)) {
			pt_buf_add(line, p, max);
			io->inpos += max;
			if (flags != NULL)
				*flags = scan_line(line->s, line->len);
			set_err(io, "line too long", 0);
			return SMTP_IO_TOOLONG;
		}
		scanned = avail;
		st = read_more(io);
		if (st != SMTP_IO_OK) {
			if (st == SMTP_IO_EOF) {
				p = io->in.s + io->inpos;
				avail = io->in.len - io->inpos;
				pt_buf_add(line, p, avail);
				io->inpos += avail;
				if (flags != NULL)
					*flags = scan_line(line->s, line->len);
			}
			return st;
		}
	}
}

enum smtp_io_status
smtp_io_skip_line(struct smtp_io *io)
{
	enum smtp_io_status st;
	const char *p, *lf;
	size_t avail;

	for (;;) {
		avail = smtp_io_peek(io, &p);
		lf = avail > 0 ? memchr(p, '\n', avail) : NULL;
		if (lf != NULL) {
			io->inpos += (size_t)(lf - p) + 1;
			return SMTP_IO_OK;
		}
		io->inpos += avail;
		st = read_more(io);
		if (st != SMTP_IO_OK)
			return st;
	}
}

void
smtp_io_write(struct smtp_io *io, const void *p, size_t n)
{
	pt_buf_add(&io->out, p, n);
}

void
smtp_io_puts(struct smtp_io *io, const char *s)
{
	pt_buf_adds(&io->out, s);
}

void
smtp_io_printf(struct smtp_io *io, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pt_buf_vprintf(&io->out, fmt, ap);
	va_end(ap);
}

size_t
smtp_io_unflushed(const struct smtp_io *io)
{
	return io->out.len;
}

enum smtp_io_status
smtp_io_flush(struct smtp_io *io)
{
	long long op_end = op_end_from_now(io);
	enum smtp_io_status st;
	size_t done = 0;
	ssize_t r;
	int want;

	while (done < io->out.len) {
		if (io->deadline != 0 && now_ms() >= io->deadline) {
			set_err(io, "command deadline passed", 0);
			st = SMTP_IO_TIMEOUT;
			goto out;
		}
		pt_buf_reset(&io->err);
		r = io->t->write(io->tctx, io->out.s + done, io->out.len - done, &want, &io->err);
		if (r > 0) {
			done += (size_t)r;
			io->stats.bytes_out += (unsigned long long)r;
			op_end = op_end_from_now(io);	/* progress restarts the timeout */
			continue;
		}
		if (r == 0 || want == 0) {
			if (io->err.len == 0)
				set_err(io, "write failed", 0);
			st = SMTP_IO_ERROR;
			goto out;
		}
		st = wait_ready(io, want == POLLIN ? io->rfd : io->wfd, want, op_end);
		if (st != SMTP_IO_OK)
			goto out;
	}
	st = SMTP_IO_OK;
out:
	if (done > 0) {
		io->sent = true;
		memmove(io->out.s, io->out.s + done, io->out.len - done);
		pt_buf_truncate(&io->out, io->out.len - done);
	}
	return st;
}

struct smtp_io_stats
smtp_io_stats(const struct smtp_io *io)
{
	return io->stats;
}

const char *
smtp_io_error(const struct smtp_io *io)
{
	return pt_buf_str(&io->err);
}

const char *
smtp_io_status_name(enum smtp_io_status st)
{
	static const char *const names[] = {
		[SMTP_IO_OK] = "ok",
		[SMTP_IO_EOF] = "eof",
		[SMTP_IO_TIMEOUT] = "timeout",
		[SMTP_IO_TOOLONG] = "line too long",
		[SMTP_IO_ERROR] = "error",
	};

	if ((unsigned)st < sizeof names / sizeof names[0] && names[st] != NULL)
		return names[st];
	return "unknown";
}
