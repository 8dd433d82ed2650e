/*
 * test_smtp_data: the DATA reader against the behaviour of Debian's
 * sendmail 8.17.1.9-2+deb12u2 (recorded by experiment; tests/compat/
 * smtp_data.t replays the smuggling cases against the oracle): bare LF, bare
 * CR and NUL under each srv_features setting, dot-stuffing, the end of data,
 * headers and body, size limits, streaming of long lines, input split at
 * every byte, failures of the stream and of the sink, and the client's
 * dot-stuffer.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smtp_data.h"
#include "tap.h"

/* What the sink saw: headers as "H:line\n", "C:line\n", "F:line\n", "EOH\n", body as df. */
struct record {
	struct pt_buf head;
	struct pt_buf body;
	int pieces;
	int fail_after;		/* return -1 after this many calls (0: never) */
	int calls;
};

/* The test sink: records every call. */
static int
rec_line(void *ctx, enum smtp_data_part part, const char *p, size_t len, bool more)
{
	static const char *const tag[] = { "F:", "H:", "C:", "EOH", "" };
	struct record *r = ctx;

	r->calls++;
	r->pieces += more;
	if (part == SMTP_DATA_BODY) {
		pt_buf_add(&r->body, p, len);
		if (!more)
			pt_buf_addc(&r->body, '\n');
	} else {
		pt_buf_adds(&r->head, tag[part]);
		pt_buf_add(&r->head, p, len);
		if (!more)
			pt_buf_addc(&r->head, '\n');
	}
	return r->fail_after > 0 && r->calls >= r->fail_after ? -1 : 0;
}

/* The state of one run: the stream, the result and the record. */
struct run {
	int sv[2];
	struct smtp_io *io;
	struct smtp_data_result res;
	struct record rec;
	long deadline_ms;	/* set on each fresh stream when nonzero */
};

/* Replaces the run's stream with a fresh socketpair (so no bytes of a run leak into the next). */
static void
new_stream(struct run *t)
{
	if (t->io != NULL) {
		smtp_io_free(t->io);
		close(t->sv[0]);
		if (t->sv[1] >= 0)
			close(t->sv[1]);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, t->sv) != 0)
		abort();
	t->io = smtp_io_new(t->sv[0], t->sv[0]);
	smtp_io_set_timeout(t->io, 3000);
	if (t->deadline_ms > 0)
		smtp_io_set_deadline(t->io, t->deadline_ms);
}

/* Sets up a run. */
static void
run_init(struct run *t)
{
	memset(t, 0, sizeof *t);
	new_stream(t);
}

/* Tears a run down. */
static void
run_done(struct run *t)
{
	smtp_io_free(t->io);
	close(t->sv[0]);
	if (t->sv[1] >= 0)
		close(t->sv[1]);
	pt_buf_free(&t->rec.head);
	pt_buf_free(&t->rec.body);
	smtp_reply_free(&t->res.reply);
}

/* Feeds data (written by a child, gap_us between bytes if nonzero) through the reader. */
static void
run_msg(struct run *t, const char *data, size_t len, const struct smtp_data_opts *opts,
    long gap_us, bool close_after)
{
	struct smtp_data_sink sink = { rec_line, &t->rec };
	int status;
	pid_t pid;

	new_stream(t);
	pt_buf_reset(&t->rec.head);
	pt_buf_reset(&t->rec.body);
	t->rec.pieces = t->rec.calls = 0;
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, gap_us * 1000 };
		size_t i, step = gap_us ? 1 : len;

		close(t->sv[0]);
		for (i = 0; i < len; i += step) {
			size_t n = len - i < step ? len - i : step;

			if (write(t->sv[1], data + i, n) != (ssize_t)n)
				_exit(1);
			if (gap_us)
				nanosleep(&ts, NULL);
		}
		if (close_after)
			close(t->sv[1]);
		else
			pause();
		_exit(0);
	}
	if (close_after) {
		close(t->sv[1]);
		t->sv[1] = -1;
	}
	smtp_data_read(t->io, opts, &sink, &t->res);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* The reply of a result as "CODE STATUS TEXT" (static storage). */
static const char *
reply_of(const struct smtp_data_result *res)
{
	static struct pt_buf b;

	pt_buf_reset(&b);
	smtp_reply_summary(&res->reply, &b);
	return pt_buf_str(&b);
}

/* Runs one message (written in one go) and returns a fresh run to inspect. */
#define MSG(t, s, o) run_msg((t), (s), sizeof(s) - 1, (o), 0, false)

/* The default line ends: only CR LF; bare LF and CR end the session at once. */
static void
test_default(void)
{
	struct smtp_data_opts o = { 0 };
	struct pt_buf line = PT_BUF_INIT;
	struct run t;

	run_init(&t);
	MSG(&t, "Subject: t\r\n\r\nhello\r\n.\r\nQUIT\r\n", &o);
	is_int(t.res.status, SMTP_DATA_OK, "a plain message is accepted");
	is_str(t.rec.head.s, "H:Subject: t\nEOH\n", "its header and the end of the header");
	is_str(t.rec.body.s, "hello\n", "its body");
	is_int(t.res.msg_bytes, 18, "its size as upstream counts it");
	is_int(t.res.wire_bytes, 24, "the bytes read stop at the final dot line");
	smtp_io_getline(t.io, &line, 2047, NULL);
	is_str(line.s, "QUIT", "a command pipelined after the message stays for the server");

	MSG(&t, "Subject: t\r\n\r\nhello\nworld\r\n.\r\n", &o);
	is_int(t.res.status, SMTP_DATA_ABORT, "a bare LF aborts");
	is_str(reply_of(&t.res), "421 4.5.0 Bare linefeed (LF) not allowed", "with upstream's 421");
	is_int(t.res.wire_bytes, 19, "at once, at the bare LF");

	MSG(&t, "Subject: t\r\n\r\nhello\rworld\r\n.\r\n", &o);
	is_str(reply_of(&t.res), "421 4.5.0 Bare carriage return (CR) not allowed",
	    "a bare CR aborts with upstream's 421");

	MSG(&t, "Subject: t\r\n\r\nhello\r\r\n.\r\n", &o);
	is_int(t.res.status, SMTP_DATA_ABORT, "CR CR LF holds a bare CR");

	MSG(&t, "Subject: t\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\n.\r\n", &o);
	is_int(t.res.status, SMTP_DATA_ABORT, "LF . LF cannot end the message: smuggling refused");

	MSG(&t, "Subject: t\r\n\r\nhello\r\n.\nRSET\r\nMAIL FROM:<evil@x>\r\n.\r\n", &o);
	is_int(t.res.status, SMTP_DATA_ABORT, "CR LF . LF cannot end the message");

	MSG(&t, "Subject: t\r\n\r\nhello\r\n.\rRSET\r\n.\r\n", &o);
	is_int(t.res.status, SMTP_DATA_ABORT, "CR LF . CR cannot end the message");
	pt_buf_free(&line);
	run_done(&t);
}

/* Dot-stuffing and NUL handling. */
static void
test_dots_nul(void)
{
	struct smtp_data_opts o = { 0 };
	struct run t;

	run_init(&t);
	MSG(&t, "Subject: t\r\n\r\n..hello\r\n..\r\n.x\r\n...\r\n.\r\n", &o);
	is_str(t.rec.body.s, ".hello\n.\nx\n..\n", "a leading dot is removed from every line");
	MSG(&t, "Subject: t\r\n\r\nhello\0world\r\n.\r\n", &o);
	is_int(t.res.status, SMTP_DATA_OK, "a NUL in the body is accepted without RejectNUL");
	ok(t.rec.body.len == 12 && memcmp(t.rec.body.s, "hello\0world\n", 12) == 0,
	    "and kept in the body");
	ok(t.res.has_nul, "the result says a NUL came");
	MSG(&t, "Subj\0ect: t\r\n\r\nhello\r\n.\r\n", &o);
	is_str(t.rec.head.s, "H:Subject: t\nEOH\n", "a NUL in a header line is dropped");
	o.reject_nul = true;
	MSG(&t, "Subject: t\r\n\r\nhello\0world\r\n.\r\n", &o);
	is_int(t.res.status, SMTP_DATA_REJECT, "with RejectNUL a NUL is refused");
	is_str(reply_of(&t.res), "554 5.6.1 NUL byte not allowed", "after the end, with upstream's 554");
	MSG(&t, ".\r\n", &o);
	is_int(t.res.status, SMTP_DATA_OK, "an empty message is a message");
	is_str(t.rec.head.s, "EOH\n", "its header ends at once");
	run_done(&t);
}

/* The relaxed modes of srv_features (G, g2, U, u2, O). */
static void
test_modes(void)
{
	struct smtp_data_opts o = { 0 };
	struct pt_buf line = PT_BUF_INIT;
	struct run t;

	run_init(&t);
	o.bare_lf = SMTP_BARE_LF_KEEP;
	MSG(&t, "Subject: t\r\n\r\nhello\nworld\r\n.\r\n", &o);
	is_str(t.rec.body.s, "hello\nworld\n", "G: the bare LF is kept");
	is_int(t.res.lines, 2, "G: and it does not end a line");
	MSG(&t, "Subject: t\r\n\r\nhello\r\n.\nworld\r\n.\r\n", &o);
	is_str(t.rec.body.s, "hello\n\nworld\n", "G: the line \".LF world\" loses its dot, no end");
	MSG(&t, "Subject: t\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\n.\r\n", &o);
	is_str(t.rec.body.s, "hello\n.\nMAIL FROM:<evil@x>\n", "G: LF . LF stays in the message");
	o.bare_lf = SMTP_BARE_LF_SPACE;
	o.bare_cr = SMTP_BARE_CR_SPACE;
	MSG(&t, "Subject: t\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\n.\r\n", &o);
	is_str(t.rec.body.s, "hello . MAIL FROM:<evil@x>\n", "g2: bare LFs become spaces");
	MSG(&t, "Subject: t\r\nX: a\rb\nc\r\n\r\nhello\r\n.\r\n", &o);
	is_str(t.rec.head.s, "H:Subject: t\nH:X: a b c\nEOH\n", "u2 g2: in headers too");
	o.bare_cr = SMTP_BARE_CR_KEEP;
	o.bare_lf = SMTP_BARE_LF_REJECT;
	MSG(&t, "Subject: t\r\n\r\nhello\r\n.\r\r\n.\rx\r\n.\r\n", &o);
	is_str(t.rec.body.s, "hello\n\r\n\rx\n", "U: bare CRs are kept, dots still removed");
	o.bare_lf = SMTP_BARE_LF_EOL;
	MSG(&t, "Subject: t\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\n.\r\n", &o);
	is_int(t.res.status, SMTP_DATA_OK, "O with G: LF . LF ends the message (upstream's old way)");
	is_str(t.rec.body.s, "hello\n", "O with G: the body up to it");
	smtp_io_getline(t.io, &line, 2047, NULL);
	is_str(line.s, "MAIL FROM:<evil@x>", "O with G: what follows is read as commands, as upstream does");
	MSG(&t, "Subject: t\r\nX: a\rb\nc\r\n\r\nhello\r\n.\r\n", &o);
	is_str(t.rec.head.s, "H:Subject: t\nH:X: a\rb\nEOH\n", "O U G: the header ends at a non-header line");
	is_str(t.rec.body.s, "c\n\nhello\n", "O U G: which starts the body, as upstream's df shows");
	pt_buf_free(&line);
	run_done(&t);
}

/* Headers and the start of the body. */
static void
test_headers(void)
{
	struct smtp_data_opts o = { 0 };
	struct run t;

	run_init(&t);
	MSG(&t, "From foo@bar Mon Jan 1\r\nSubject: t\r\n\r\nhello\r\n.\r\n", &o);
	is_str(t.rec.head.s, "F:From foo@bar Mon Jan 1\nH:Subject: t\nEOH\n", "a leading From line");
	MSG(&t, "X y: z\r\nSubject: t\r\n\r\nhello\r\n.\r\n", &o);
	is_str(t.rec.head.s, "EOH\n", "a first line that is no header starts the body");
	is_str(t.rec.body.s, "X y: z\nSubject: t\n\nhello\n", "the whole message is body");
	MSG(&t, "Subject: t\r\n  cont\r\nX:\r\n:x\r\nY: 1\r\n\r\nhello\r\n.\r\n", &o);
	is_str(t.rec.head.s, "H:Subject: t\nC:  cont\nH:X:\nEOH\n", "continuations and empty values");
	is_str(t.rec.body.s, ":x\nY: 1\n\nhello\n", "a line with an empty name ends the header");
	MSG(&t, " lead\r\nSubject: t\r\n\r\nhello\r\n.\r\n", &o);
	is_str(t.rec.head.s, "EOH\n", "a continuation with nothing to continue is body");
	MSG(&t, "Subject: t\r\nX\t: y\r\nZ : w\r\n\r\nhello\r\n.\r\n", &o);
	is_str(t.rec.head.s, "H:Subject: t\nH:X\t: y\nH:Z : w\nEOH\n", "blanks before the colon");
	MSG(&t, "Subject: t\r\n\xe9X: y\r\n\r\nb\r\n.\r\n", &o);
	is_str(t.rec.body.s, "\xe9X: y\n\nb\n", "an 8-bit header name is body");
	ok(t.res.has_8bit, "8-bit bytes are noticed");
	MSG(&t, "Subject: t\r\n.\r\n", &o);
	is_str(t.rec.head.s, "H:Subject: t\nEOH\n", "a message of headers only still ends its header");
	run_done(&t);
}

/* Fills buf with n bytes of c and returns buf. */
static char *
fill(char *buf, int c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* MaxMessageSize and MaxHeadersLength, at upstream's exact boundaries. */
static void
test_limits(void)
{
	struct smtp_data_opts o = { 0 };
	struct pt_buf m = PT_BUF_INIT;
	struct run t;
	char x[4000];
	int i, n;

	run_init(&t);
	o.max_size = 1000;
	for (n = 987; n <= 988; n++) {
		pt_buf_reset(&m);
		pt_buf_printf(&m, "Subject: t\r\n\r\n%s\r\n.\r\n", fill(x, 'x', (size_t)n));
		run_msg(&t, m.s, m.len, &o, 0, false);
		is_int(t.res.status, n == 987 ? SMTP_DATA_OK : SMTP_DATA_REJECT,
		    "MaxMessageSize 1000 with a %d-byte body line after a header", n);
	}
	is_str(reply_of(&t.res), "552 5.2.3 Message exceeds maximum fixed size (1000)", "upstream's 552");
	for (n = 999; n <= 1000; n++) {
		pt_buf_reset(&m);
		pt_buf_printf(&m, "%s\r\n.\r\n", fill(x, 'x', (size_t)n));
		run_msg(&t, m.s, m.len, &o, 0, false);
		is_int(t.res.status, n == 999 ? SMTP_DATA_OK : SMTP_DATA_REJECT,
		    "MaxMessageSize 1000 with a single %d-byte line", n);
	}
	o.max_size = 0;
	o.max_headers = 32768;
	for (n = 2461; n <= 2462; n++) {
		pt_buf_reset(&m);
		for (i = 0; i < 300; i++)
			pt_buf_printf(&m, "X-A%03d: %s\r\n", i, fill(x, 'v', 92));
		pt_buf_printf(&m, "X-P: %s\r\n\r\nhello\r\n.\r\n", fill(x, 'p', (size_t)n));
		run_msg(&t, m.s, m.len, &o, 0, false);
		is_int(t.res.status, n == 2461 ? SMTP_DATA_OK : SMTP_DATA_REJECT,
		    "MaxHeadersLength 32768 with %d bytes of headers", 30000 + 5 + n + 301);
	}
	is_str(reply_of(&t.res), "552 5.6.0 Headers too large (32768 max)", "upstream's 552 for headers");
	pt_buf_free(&m);
	run_done(&t);
}

/* Long lines stream in pieces; input split at every byte reads the same. */
static void
test_streaming(void)
{
	struct smtp_data_opts o = { 0 };
	struct pt_buf m = PT_BUF_INIT;
	static char big[200001];
	struct run t;
	const char *tricky = "Subject: t\r\n\r\n..a\r\nb\r\n.\r\n";

	run_init(&t);
	pt_buf_printf(&m, "Subject: t\r\n\r\n.%s\r\n.\r\n", fill(big, 'y', 200000));
	run_msg(&t, m.s, m.len, &o, 0, false);
	is_int(t.res.status, SMTP_DATA_OK, "a 200000-byte line is read");
	is_int(t.rec.body.len, 200001, "whole, dot removed");
	is_int(t.rec.pieces, 3, "in pieces of 65536 bytes");
	run_msg(&t, tricky, strlen(tricky), &o, 1000, false);
	is_str(t.rec.body.s, ".a\nb\n", "a message arriving one byte at a time reads the same");
	run_msg(&t, "Subject: t\r\n\r\nhello\r\r\n.\r\n", 26, &o, 1000, false);
	is_int(t.res.status, SMTP_DATA_ABORT, "a bare CR split from its successor is still bare");
	pt_buf_free(&m);
	run_done(&t);
}

/* The stream failing, and the sink giving up. */
static void
test_failures(void)
{
	struct smtp_data_opts o = { 0 };
	struct run t;

	run_init(&t);
	run_msg(&t, "Subject: t\r\n\r\nhello\r\n", 21, &o, 0, true);
	is_int(t.res.status, SMTP_DATA_IO, "a client that disconnects mid-message");
	is_int(t.res.io, SMTP_IO_EOF, "is end of file");
	t.deadline_ms = 200;
	run_msg(&t, "Subject: t\r\n\r\nhel", 17, &o, 0, false);
	is_int(t.res.io, SMTP_IO_TIMEOUT, "a stalled message hits the deadline");
	t.deadline_ms = 0;
	t.rec.fail_after = 2;
	MSG(&t, "Subject: t\r\n\r\na\r\nb\r\nc\r\n.\r\nNOOP\r\n", &o);
	is_int(t.res.status, SMTP_DATA_SINK, "a sink that gives up is reported");
	is_int(t.rec.calls, 2, "and hears nothing more");
	is_int(t.res.lines, 4, "while the message is still read to its end");
	run_done(&t);
}

/* The client's dot-stuffer, and a round trip through the reader. */
static void
test_stuff(void)
{
	struct smtp_stuffer st = { false };
	struct smtp_data_opts o = { 0 };
	struct pt_buf b = PT_BUF_INIT;
	struct run t;

	smtp_data_stuff(&st, "Subject: x\n\na\n.b\n", 17, &b);
	smtp_data_stuff(&st, "..c\nla", 6, &b);
	smtp_data_stuff(&st, ".st", 3, &b);
	smtp_data_stuff_end(&st, &b);
	is_str(b.s, "Subject: x\r\n\r\na\r\n..b\r\n...c\r\nla.st\r\n.\r\n",
	    "leading dots doubled, LF made CR LF, the last line ended, the dot added");
	run_init(&t);
	run_msg(&t, b.s, b.len, &o, 0, false);
	is_str(t.rec.body.s, "a\n.b\n..c\nla.st\n", "the reader undoes exactly what the stuffer did");
	pt_buf_free(&b);
	run_done(&t);
}

int
main(void)
{
	test_default();
	test_dots_nul();
	test_modes();
	test_headers();
	test_limits();
	test_streaming();
	test_failures();
	test_stuff();
	return tap_done();
}
