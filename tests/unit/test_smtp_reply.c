/*
 * test_smtp_reply: reply values and their wire form, the client's reply
 * parser (multi-line, enhanced codes, malformed input), reading a reply from
 * a stream, the EHLO keyword list, and upstream's echo cleaning.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp_reply.h"
#include "tap.h"

/* Formats r into a fresh string (caller frees). */
static char *
fmt(const struct smtp_reply *r)
{
	struct pt_buf b = PT_BUF_INIT;

	smtp_reply_format(r, &b);
	return pt_buf_steal(&b);
}

/* Replies format as single and multi-line, with the status on every line. */
static void
test_format(void)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf b = PT_BUF_INIT;
	char *s;

	smtp_reply_set(&r, 550, "5.1.1", "<%s>... User unknown", "u@example");
	s = fmt(&r);
	is_str(s, "550 5.1.1 <u@example>... User unknown\r\n", "a one-line reply with a status");
	free(s);
	smtp_reply_set(&r, 250, NULL, "mx.example Hello");
	smtp_reply_add(&r, "PIPELINING");
	smtp_reply_add(&r, "HELP");
	s = fmt(&r);
	is_str(s, "250-mx.example Hello\r\n250-PIPELINING\r\n250 HELP\r\n",
	    "a multi-line reply without status: dashes on all but the last");
	free(s);
	smtp_reply_set(&r, 214, "2.0.0", "line one");
	smtp_reply_add(&r, "line two");
	s = fmt(&r);
	is_str(s, "214-2.0.0 line one\r\n214 2.0.0 line two\r\n",
	    "a multi-line reply repeats the status on each line, as sendmail does");
	free(s);
	smtp_reply_set(&r, 550, "5.7.1", "evil\r\n250 2.0.0 injected");
	s = fmt(&r);
	is_str(s, "550 5.7.1 evil  250 2.0.0 injected\r\n",
	    "CR and LF in the text cannot split a reply");
	free(s);
	smtp_reply_set(&r, 354, NULL, "End data with <CR><LF>.<CR><LF>");
	smtp_reply_summary(&r, &b);
	is_str(b.s, "354 End data with <CR><LF>.<CR><LF>", "summary for logs");
	ok(smtp_status_valid("5.1.1", 5, 550), "5.1.1 is valid for 550");
	ok(!smtp_status_valid("4.1.1", 5, 550), "a status of another class is refused");
	ok(!smtp_status_valid("5.1234.1", 8, 0), "four-digit subjects are refused");
	ok(!smtp_status_valid("3.1.1", 5, 0), "class 3 is not a status class");
	ok(smtp_status_valid("2.999.999", 9, 250), "three-digit parts are fine");
	pt_buf_free(&b);
	smtp_reply_free(&r);
}

/* Feeds lines to a fresh reply; returns the last feed result. */
static enum smtp_reply_feed
feed_all(struct smtp_reply *r, const char *const *lines)
{
	enum smtp_reply_feed f = SMTP_REPLY_BAD;

	smtp_reply_reset(r);
	for (; *lines; lines++) {
		f = smtp_reply_feed(r, *lines, strlen(*lines));
		if (f != SMTP_REPLY_MORE)
			break;
	}
	return f;
}

/* The parser takes multi-line replies, enhanced codes, and refuses junk. */
static void
test_parse(void)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	const char *one[] = { "250 2.1.0 <a@b>... Sender ok", NULL };
	const char *multi[] = { "250-mx Hello", "250-SIZE 1000", "250 HELP", NULL };
	const char *mixed[] = { "250-first", "251 second", NULL };
	const char *bare[] = { "354", NULL };
	const char *junk[] = { "hello", NULL };
	const char *noenh[] = { "550 4.1.1 looks like status of the wrong class", NULL };
	const char *sep[] = { "250x", NULL };

	is_int(feed_all(&r, one), SMTP_REPLY_DONE, "a one-line reply is complete");
	is_int(r.code, 250, "its code");
	is_str(r.status, "2.1.0", "its enhanced status");
	is_str(r.lines[0], "<a@b>... Sender ok", "its text without the status");
	is_int(feed_all(&r, multi), SMTP_REPLY_DONE, "a multi-line reply is complete at the last line");
	is_int(r.nlines, 3, "all its lines are kept");
	is_str(r.lines[1], "SIZE 1000", "continuation text");
	is_int(feed_all(&r, mixed), SMTP_REPLY_BAD, "a line with another code is malformed");
	is_int(feed_all(&r, bare), SMTP_REPLY_DONE, "a bare code is a complete reply");
	is_int(feed_all(&r, junk), SMTP_REPLY_BAD, "text without a code is malformed");
	feed_all(&r, noenh);
	is_str(r.status, "", "a status of the wrong class is left in the text");
	is_int(feed_all(&r, sep), SMTP_REPLY_BAD, "a code followed by junk is malformed");
	smtp_reply_free(&r);
}

/* Reading a reply from a stream, and the EHLO keywords. */
static void
test_read_ehlo(void)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct smtp_ehlo e = { 0 };
	struct pt_buf err = PT_BUF_INIT;
	struct smtp_io *io;
	int sv[2];
	const char *ehlo = "250-mx.example Hello c [127.0.0.1], pleased to meet you\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n250-pipelining\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n"
	    "250-DSN\r\n250-AUTH DIGEST-MD5 cram-md5\r\n250-AUTH=LOGIN\r\n250-STARTTLS\r\n"
	    "250-X-UNKNOWN foo\r\n250 HELP\r\n220 next\r\n";

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	io = smtp_io_new(sv[0], sv[0]);
	smtp_io_set_timeout(io, 1000);
	if (write(sv[1], ehlo, strlen(ehlo)) < 0)
		abort();
	is_int(smtp_reply_read(io, &r, &err), SMTP_IO_OK, "an EHLO reply is read from the stream");
	is_int(r.nlines, 11, "every line of it");
	ok(smtp_io_pending(io) > 0, "the next reply stays buffered");
	smtp_ehlo_parse(&r, &e);
	ok(e.ext & SMTP_EXT_PIPELINING, "PIPELINING seen regardless of case");
	ok(e.ext & SMTP_EXT_STARTTLS, "STARTTLS seen");
	ok(e.ext & SMTP_EXT_DSN, "DSN seen");
	ok(e.ext & SMTP_EXT_ENHANCEDSTATUSCODES, "ENHANCEDSTATUSCODES seen");
	ok(!(e.ext & SMTP_EXT_SMTPUTF8), "SMTPUTF8 not claimed when absent");
	is_int(e.size, 10485760, "SIZE's limit");
	is_str(e.auth, "DIGEST-MD5 CRAM-MD5 LOGIN", "AUTH mechanisms from both forms, upper case");
	is_str(e.greeting, "mx.example Hello c [127.0.0.1], pleased to meet you", "the greeting line");
	is_int(smtp_reply_read(io, &r, &err), SMTP_IO_OK, "the pipelined next reply is read");
	is_int(r.code, 220, "with its own code");
	if (write(sv[1], "foo bar\r\n", 9) < 0)
		abort();
	is_int(smtp_reply_read(io, &r, &err), SMTP_IO_ERROR, "a malformed reply is an error");
	ok(strstr(err.s, "malformed") != NULL, "saying so: %s", err.s);
	close(sv[1]);
	pt_buf_reset(&err);
	is_int(smtp_reply_read(io, &r, &err), SMTP_IO_EOF, "a closed server is end of file");
	smtp_ehlo_free(&e);
	smtp_reply_free(&r);
	pt_buf_free(&err);
	smtp_io_free(io);
	close(sv[0]);
}

/* Echoes are cleaned and shortened as upstream does. */
static void
test_echo(void)
{
	struct pt_buf b = PT_BUF_INIT;
	char s[301];
	int i;

	smtp_echo_clean(&b, "XY\x01Z\xe9", 5);
	is_str(b.s, "XY\x01Zi", "eighth bit stripped, controls kept as upstream keeps them");
	pt_buf_reset(&b);
	smtp_echo_clean(&b, "AB\x80" "CD", 5);
	is_str(b.s, "AB", "a byte that strips to NUL ends the echo");
	for (i = 0; i < 300; i++)
		s[i] = (char)('a' + i % 26);
	s[300] = '\0';
	pt_buf_reset(&b);
	smtp_echo_short(&b, s, SMTP_SHORTSTR);
	is_int(b.len, 203, "a 300-byte echo is shortened to 203");
	ok(memcmp(b.s, s, 100) == 0 && memcmp(b.s + 100, "...", 3) == 0 &&
	    memcmp(b.s + 103, s + 200, 100) == 0, "first 100, ..., last 100");
	pt_buf_reset(&b);
	smtp_echo_short(&b, "short", SMTP_SHORTSTR);
	is_str(b.s, "short", "a short echo is left alone");
	pt_buf_free(&b);
}

int
main(void)
{
	test_format();
	test_parse();
	test_read_ehlo();
	test_echo();
	return tap_done();
}
