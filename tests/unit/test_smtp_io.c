/*
 * test_smtp_io: the SMTP stream over socketpairs and pipes: pipelined lines,
 * line flags, over-long lines, per-read timeouts and the per-command
 * deadline against a client that drips one byte at a time, the discard that
 * STARTTLS needs, write timeouts, a vanished peer, counters and transports.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pt_buf.h"
#include "smtp_io.h"
#include "tap.h"

/* Milliseconds on the monotonic clock. */
static long long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Makes a connected pair of stream sockets. */
static void
pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
}

/* Writes all of s to fd. */
static void
put(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			abort();
		s += w;
		n -= (size_t)w;
	}
}

/* Forks a child that writes s to fd one byte every gap_ms, then exits. */
static pid_t
drip(int fd, const char *s, long gap_ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec ts = { gap_ms / 1000, (gap_ms % 1000) * 1000000 };

		for (; *s; s++) {
			if (write(fd, s, 1) != 1)
				_exit(1);
			nanosleep(&ts, NULL);
		}
		_exit(0);
	}
	return pid;
}

/* Pipelined commands in one write come out one line at a time, in order. */
static void
test_pipelining(void)
{
	int sv[2];
	struct smtp_io *io;
	struct pt_buf line = PT_BUF_INIT;
	unsigned flags;

	pair(sv);
	io = smtp_io_new(sv[0], sv[0]);
	smtp_io_set_timeout(io, 2000);
	put(sv[1], "EHLO a\r\nMAIL FROM:<x@y>\r\nRCPT TO:<z@w>\r\nDATA\r\n", 46);
	is_int(smtp_io_getline(io, &line, 2047, &flags), SMTP_IO_OK, "first pipelined line read");
	is_str(line.s, "EHLO a", "first line without CR LF");
	ok(flags == SMTP_LINE_CRLF, "first line ended by CR LF");
	ok(smtp_io_pending(io) > 0, "the rest of the pipeline is pending after the first line");
	smtp_io_getline(io, &line, 2047, NULL);
	is_str(line.s, "MAIL FROM:<x@y>", "second pipelined line");
	smtp_io_getline(io, &line, 2047, NULL);
	is_str(line.s, "RCPT TO:<z@w>", "third pipelined line");
	smtp_io_getline(io, &line, 2047, NULL);
	is_str(line.s, "DATA", "fourth pipelined line");
	is_int(smtp_io_pending(io), 0, "nothing pending after the last line");
	is_int(smtp_io_stats(io).bytes_in, 46, "bytes_in counts every byte read");
	pt_buf_free(&line);
	smtp_io_free(io);
	close(sv[0]);
	close(sv[1]);
}

/* Line flags tell bare LF, bare CR, NUL and 8-bit bytes apart. */
static void
test_flags(void)
{
	int sv[2];
	struct smtp_io *io;
	struct pt_buf line = PT_BUF_INIT;
	unsigned flags;
	static const char in[] = "NOOP\nA\rB\r\nC\0D\r\nE\xe9\r\nF\r\r\n";

	pair(sv);
	io = smtp_io_new(sv[0], sv[0]);
	put(sv[1], in, sizeof in - 1);
	smtp_io_getline(io, &line, 100, &flags);
	ok(flags == SMTP_LINE_LF && strcmp(line.s, "NOOP") == 0, "a bare LF ends a line, flagged LF");
	smtp_io_getline(io, &line, 100, &flags);
	ok(flags == (SMTP_LINE_CRLF | SMTP_LINE_BARE_CR), "a CR inside a line is flagged bare CR");
	is_int(line.len, 3, "the bare CR stays in the line");
	smtp_io_getline(io, &line, 100, &flags);
	ok(flags & SMTP_LINE_NUL, "a NUL is flagged");
	is_int(line.len, 3, "the NUL stays in the line");
	smtp_io_getline(io, &line, 100, &flags);
	ok(flags & SMTP_LINE_8BIT, "an 8-bit byte is flagged");
	smtp_io_getline(io, &line, 100, &flags);
	ok((flags & SMTP_LINE_BARE_CR) && line.len == 2, "CR CR LF: the first CR is bare");
	pt_buf_free(&line);
	smtp_io_free(io);
	close(sv[0]);
	close(sv[1]);
}

/* A line over the maximum is reported as such, and the stream can go on. */
static void
test_toolong(void)
{
	int sv[2];
	struct smtp_io *io;
	struct pt_buf line = PT_BUF_INIT;
	char big[5000];

	pair(sv);
	io = smtp_io_new(sv[0], sv[0]);
	smtp_io_set_timeout(io, 2000);
	put(sv[1], "NOOP\r\n", 6);
	is_int(smtp_io_getline(io, &line, 5, NULL), SMTP_IO_OK, "a line of exactly max bytes with its CR is fine");
	put(sv[1], "NOOP\r\n", 6);
	is_int(smtp_io_getline(io, &line, 4, NULL), SMTP_IO_TOOLONG, "one byte more is too long");
	is_int(line.len, 4, "the first max bytes are returned");
	is_int(smtp_io_skip_line(io), SMTP_IO_OK, "the rest of the line can be skipped");
	memset(big, 'x', sizeof big);
	put(sv[1], big, sizeof big);
	put(sv[1], "\r\nQUIT\r\n", 8);
	is_int(smtp_io_getline(io, &line, 2047, NULL), SMTP_IO_TOOLONG,
	    "a 5000-byte command is too long for 2047");
	is_int(line.len, 2047, "the too-long line holds 2047 bytes");
	smtp_io_skip_line(io);
	smtp_io_getline(io, &line, 2047, NULL);
	is_str(line.s, "QUIT", "after skipping, the next command reads whole");
	/* An over-long line with no LF at all must not wait for one. */
	put(sv[1], big, 3000);
	smtp_io_set_timeout(io, 300);
	is_int(smtp_io_getline(io, &line, 2047, NULL), SMTP_IO_TOOLONG,
	    "an unterminated line is too long as soon as max bytes came");
	pt_buf_free(&line);
	smtp_io_free(io);
	close(sv[0]);
	close(sv[1]);
}

/* A client dripping a byte at a time is cut off by the command deadline. */
static void
test_drip(void)
{
	int sv[2], status;
	struct smtp_io *io;
	struct pt_buf line = PT_BUF_INIT;
	long long t0, dt;
	pid_t pid;

	pair(sv);
	io = smtp_io_new(sv[0], sv[0]);
	smtp_io_set_timeout(io, 1000);	/* each byte comes well within this */
	pid = drip(sv[1], "MAIL FROM:<slow@example>\r\n", 40);
	smtp_io_set_deadline(io, 300);
	t0 = ms_now();
	is_int(smtp_io_getline(io, &line, 2047, NULL), SMTP_IO_TIMEOUT,
	    "a dripping client hits the command deadline");
	dt = ms_now() - t0;
	ok(dt >= 250 && dt < 900, "the deadline fires on time (%lld ms for 300)", dt);
	ok(strstr(smtp_io_error(io), "deadline") != NULL, "the error names the deadline: %s",
	    smtp_io_error(io));
	ok(smtp_io_deadline_left(io) == 0, "no time is left after the deadline");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);

	/* Without a deadline the same drip is read whole: only the deadline cut it.
	 * A fresh pair: the killed child may have left a byte in the old one. */
	smtp_io_free(io);
	close(sv[0]);
	close(sv[1]);
	pair(sv);
	io = smtp_io_new(sv[0], sv[0]);
	smtp_io_set_timeout(io, 1000);
	pid = drip(sv[1], "NOOP\r\n", 40);
	is_int(smtp_io_getline(io, &line, 2047, NULL), SMTP_IO_OK,
	    "without a deadline a slow but steady client is read");
	is_str(line.s, "NOOP", "the slow line arrives whole");
	waitpid(pid, &status, 0);

	/* An idle client hits the per-read timeout. */
	smtp_io_set_timeout(io, 150);
	t0 = ms_now();
	is_int(smtp_io_getline(io, &line, 2047, NULL), SMTP_IO_TIMEOUT, "an idle client times out");
	dt = ms_now() - t0;
	ok(dt >= 120 && dt < 700, "the read timeout fires on time (%lld ms for 150)", dt);
	pt_buf_free(&line);
	smtp_io_free(io);
	close(sv[0]);
	close(sv[1]);
}

/* STARTTLS: what was pipelined behind it is dropped, and nothing else. */
static void
test_discard(void)
{
	int sv[2];
	struct smtp_io *io;
	struct pt_buf line = PT_BUF_INIT;
	const char *inj = "STARTTLS\r\nMAIL FROM:<evil@example>\r\nRCPT TO:<x@y>\r\n";

	pair(sv);
	io = smtp_io_new(sv[0], sv[0]);
	smtp_io_set_timeout(io, 1000);
	put(sv[1], inj, strlen(inj));
	smtp_io_getline(io, &line, 2047, NULL);
	is_str(line.s, "STARTTLS", "the STARTTLS line is read");
	is_int(smtp_io_discard(io), strlen(inj) - 10, "discard drops every byte behind STARTTLS");
	is_int(smtp_io_pending(io), 0, "nothing is pending after the discard");
	put(sv[1], "EHLO b\r\n", 8);
	smtp_io_getline(io, &line, 2047, NULL);
	is_str(line.s, "EHLO b", "the next bytes sent after the discard are read normally");
	pt_buf_free(&line);
	smtp_io_free(io);
	close(sv[0]);
	close(sv[1]);
}

/* Writes: buffered until flush, timed out when the peer never reads, EPIPE without a signal. */
static void
test_write(void)
{
	int sv[2];
	struct smtp_io *io;
	char buf[64];
	static char big[1 << 20];
	long long t0, dt;
	int i;

	pair(sv);
	io = smtp_io_new(sv[0], sv[0]);
	smtp_io_printf(io, "220 %s ESMTP\r\n", "mx.example");
	is_int(smtp_io_unflushed(io), 22, "output is buffered until flush");
	is_int(smtp_io_flush(io), SMTP_IO_OK, "flush writes the buffer");
	is_int(read(sv[1], buf, sizeof buf), 22, "the peer receives the reply");
	is_int(smtp_io_stats(io).bytes_out, 22, "bytes_out counts what was written");
	smtp_io_set_timeout(io, 200);
	memset(big, 'a', sizeof big);
	for (i = 0; i < 8; i++)
		smtp_io_write(io, big, sizeof big);
	t0 = ms_now();
	is_int(smtp_io_flush(io), SMTP_IO_TIMEOUT, "a flush to a peer that never reads times out");
	dt = ms_now() - t0;
	ok(dt >= 150 && dt < 1000, "the write timeout fires on time (%lld ms for 200)", dt);
	ok(smtp_io_unflushed(io) < 8u * sizeof big, "what was written is gone from the buffer");
	close(sv[1]);
	is_int(smtp_io_flush(io), SMTP_IO_ERROR, "writing to a closed peer is an error, not SIGPIPE");
	smtp_io_free(io);
	close(sv[0]);
}

/* End of file, and a partial last line at end of file. */
static void
test_eof(void)
{
	int sv[2];
	struct smtp_io *io;
	struct pt_buf line = PT_BUF_INIT;

	pair(sv);
	io = smtp_io_new(sv[0], sv[0]);
	smtp_io_set_timeout(io, 1000);
	put(sv[1], "QUI", 3);
	shutdown(sv[1], SHUT_WR);
	is_int(smtp_io_getline(io, &line, 2047, NULL), SMTP_IO_EOF, "a vanished client is end of file");
	is_str(line.s, "QUI", "the partial line is kept");
	is_int(smtp_io_wait_input(io, 100), SMTP_IO_EOF, "waiting for input at EOF reports EOF");
	pt_buf_free(&line);
	smtp_io_free(io);
	close(sv[0]);
	close(sv[1]);
}

/* The stream works over pipes (sendmail -bs on standard input and output). */
static void
test_pipes(void)
{
	int in[2], out[2];
	struct smtp_io *io;
	struct pt_buf line = PT_BUF_INIT;
	char buf[32];

	if (pipe(in) != 0 || pipe(out) != 0)
		abort();
	io = smtp_io_new(in[0], out[1]);
	smtp_io_set_timeout(io, 1000);
	is_int(smtp_io_wait_input(io, 100), SMTP_IO_TIMEOUT, "no input within 100 ms is a timeout");
	put(in[1], "HELO x\r\n", 8);
	is_int(smtp_io_wait_input(io, 100), SMTP_IO_OK, "input present is seen at once");
	smtp_io_getline(io, &line, 2047, NULL);
	is_str(line.s, "HELO x", "a line is read from a pipe");
	smtp_io_puts(io, "250 ok\r\n");
	is_int(smtp_io_flush(io), SMTP_IO_OK, "a reply is written to a pipe");
	is_int(read(out[0], buf, sizeof buf), 8, "the reply came through the pipe");
	pt_buf_free(&line);
	smtp_io_free(io);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
}

/* A toy transport that flips bit 5 of letters, to prove the switch is honoured. */
static ssize_t
flip_read(void *ctx, void *buf, size_t n, int *want, struct pt_buf *err)
{
	int fd = *(int *)ctx;
	ssize_t r = recv(fd, buf, n, MSG_DONTWAIT);
	ssize_t i;

	*want = 0;
	if (r < 0 && errno == EAGAIN) {
		*want = POLLIN;
		return -1;
	}
	for (i = 0; i < r; i++)
		if ((((char *)buf)[i] | 0x20) >= 'a' && (((char *)buf)[i] | 0x20) <= 'z')
			((char *)buf)[i] ^= 0x20;
	return r;
}

static ssize_t
flip_write(void *ctx, const void *buf, size_t n, int *want, struct pt_buf *err)
{
	*want = 0;
	return send(*(int *)ctx, buf, n, MSG_NOSIGNAL);
}

static const struct smtp_transport flip = { "flip", flip_read, flip_write, NULL };

/* Bytes after a transport switch go through the new transport. */
static void
test_transport(void)
{
	int sv[2];
	struct smtp_io *io;
	struct pt_buf line = PT_BUF_INIT;

	pair(sv);
	io = smtp_io_new(sv[0], sv[0]);
	smtp_io_set_timeout(io, 1000);
	is_str(smtp_io_transport_name(io), "plain", "a new stream is plain");
	smtp_io_set_transport(io, &flip, &sv[0]);
	is_str(smtp_io_transport_name(io), "flip", "the transport can be switched");
	put(sv[1], "ehlo X\r\n", 8);
	smtp_io_getline(io, &line, 2047, NULL);
	is_str(line.s, "EHLO x", "reads go through the new transport");
	smtp_io_set_transport(io, NULL, NULL);
	put(sv[1], "ehlo X\r\n", 8);
	smtp_io_getline(io, &line, 2047, NULL);
	is_str(line.s, "ehlo X", "NULL switches back to plain");
	pt_buf_free(&line);
	smtp_io_free(io);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	signal(SIGPIPE, SIG_DFL);	/* the stream must not need SIGPIPE ignored */
	test_pipelining();
	test_flags();
	test_toolong();
	test_drip();
	test_discard();
	test_write();
	test_eof();
	test_pipes();
	test_transport();
	return tap_done();
}
