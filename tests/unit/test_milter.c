/*
 * test_milter: the MTA side of the milter protocol against a real filter
 * built on Debian's libmilter (tests/tools/test_milter_filter), and against
 * canned bytes for what a well-behaved filter never sends: negotiation with
 * and without macro lists and protocol bits, every stage, every answer,
 * every modification, skip, no-send and no-reply bits, abort, unknown
 * commands, a filter that sleeps past its timeout, one that dies, one that
 * is not there, bogus replies, and the X line equates.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "milter.h"
#include "pt_file.h"
#include "pt_str.h"
#include "tap.h"

static char dir[512], sock[600], logpath[600], filter[600];
static pid_t filter_pid = -1;

/* Stops the running filter, if any. */
static void
stop_filter(void)
{
	int status;

	if (filter_pid > 0) {
		kill(filter_pid, SIGKILL);
		waitpid(filter_pid, &status, 0);
	}
	filter_pid = -1;
}

/* Starts the test filter with extra arguments (NULL-terminated); waits for its socket. */
static bool
start_filter(const char *a1, const char *a2, const char *a3, const char *a4)
{
	struct timespec ts = { 0, 20000000 };
	struct stat st;
	char conn[700];
	int i;

	stop_filter();
	unlink(sock);
	unlink(logpath);
	snprintf(conn, sizeof conn, "unix:%s", sock);
	filter_pid = fork();
	if (filter_pid == 0) {
		execl(filter, filter, "-p", conn, "-l", logpath, a1, a2, a3, a4, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 250; i++) {
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* The filter's log so far (static storage). */
static const char *
flog(void)
{
	static struct pt_buf b;
	struct timespec ts = { 0, 30000000 };

	nanosleep(&ts, NULL);	/* the filter writes after it answers */
	pt_buf_reset(&b);
	pt_file_read(logpath, &b);
	return pt_buf_str(&b);
}

/* Records that the filter's log holds a line. */
static void
logged(const char *line, const char *what)
{
	const char *log = flog(), *p = strstr(log, line);
	size_t n = strlen(line);

	ok(p != NULL && (p == log || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'), "%s", what);
	if (p == NULL)
		printf("#   wanted line: %s\n#   log:\n%s", line, log);
}

/* A spec for the test filter's socket with short timeouts. */
static struct milter_spec
spec(void)
{
	struct milter_spec s;
	struct pt_buf err = PT_BUF_INIT;
	char eq[800];

	snprintf(eq, sizeof eq, "S=unix:%s, F=T, T=C:2s;S:2s;R:2s;E:3s", sock);
	milter_spec_parse("test", eq, &s, &err);
	pt_buf_free(&err);
	return s;
}

/* Opens and negotiates with the running filter. */
static struct milter *
open_filter(void)
{
	struct milter_spec s = spec();
	struct pt_buf err = PT_BUF_INIT;
	struct milter *m = milter_open(&s, &err);

	if (m != NULL && milter_negotiate(m, &err) != 0) {
		milter_free(m);
		m = NULL;
	}
	if (m == NULL)
		printf("# open_filter: %s\n", pt_buf_str(&err));
	milter_spec_free(&s);
	pt_buf_free(&err);
	return m;
}

/* Sends MAIL with one address and no arguments. */
static enum milter_action
mail(struct milter *m, const char *addr, struct milter_result *r)
{
	const char *argv[] = { addr, "SIZE=42" };

	return milter_mail(m, NULL, 0, argv, 2, r);
}

/* Sends RCPT with one address. */
static enum milter_action
rcpt(struct milter *m, const char *addr, struct milter_result *r)
{
	const char *argv[] = { addr };

	return milter_rcpt(m, NULL, 0, argv, 1, r);
}

/* Sends the headers of a message, then EOH and a body, and ends it. */
static enum milter_action
message(struct milter *m, const char *const *hdrs, const char *body, struct milter_result *r)
{
	size_t i;

	milter_data(m, NULL, 0, r);
	for (i = 0; hdrs[i] != NULL; i += 2)
		milter_header(m, hdrs[i], hdrs[i + 1], r);
	milter_eoh(m, NULL, 0, r);
	milter_body(m, body, strlen(body), r);
	return milter_eom(m, NULL, 0, r);
}

/* Negotiation, connection, HELO and the envelope, with every answer. */
static void
test_envelope(void)
{
	struct milter_result r = MILTER_RESULT_INIT;
	struct milter_macro mac[] = { { "j", "mx.example.test" }, { "{daemon_name}", "MTA" },
		{ "{client_addr}", "127.0.0.1" } };
	struct milter *m;

	ok(start_filter(NULL, NULL, NULL, NULL), "the libmilter test filter starts");
	m = open_filter();
	ok(m != NULL, "connect and negotiate with a libmilter 8.17 filter");
	if (m == NULL)
		return;
	is_int(milter_version(m), 6, "it speaks protocol version 6");
	ok((milter_actions(m) & SMFIF_CHGFROM) && (milter_actions(m) & SMFIF_QUARANTINE),
	    "it announces the actions it registered");
	logged("negotiate offered actions=0x1ff protocol=0x1fffff", "we offer every action and protocol bit");
	is_int(milter_connect(m, mac, 3, "client.test", '4', 4321, "127.0.0.1", &r), MILTER_CONTINUE,
	    "connect: continue");
	logged("connect host=client.test family=2", "the filter saw the host and an IPv4 address");
	logged("connect macro {daemon_name}=MTA", "and the connect macros");
	is_int(milter_helo(m, NULL, 0, "client.test", &r), MILTER_CONTINUE, "helo: continue");
	is_int(milter_helo(m, NULL, 0, "reply", &r), MILTER_REPLY, "helo: a reply code");
	is_int(r.reply.code, 553, "the filter's code");
	is_str(r.reply.status, "5.7.1", "its enhanced status");
	is_str(r.reply.lines[0], "refused by the test filter", "its text");
	is_int(mail(m, "<reject@example.test>", &r), MILTER_REJECT, "mail: reject");
	milter_abort(m);
	is_int(mail(m, "<tempfail@example.test>", &r), MILTER_TEMPFAIL, "mail: tempfail");
	milter_abort(m);
	is_int(mail(m, "<mlreply@example.test>", &r), MILTER_REPLY, "mail: a multi-line reply");
	ok(r.reply.nlines == 2 && strcmp(r.reply.lines[1], "second line") == 0, "with both lines");
	milter_abort(m);
	is_int(mail(m, "<a@example.test>", &r), MILTER_CONTINUE, "mail: continue");
	logged("mail arg1=SIZE=42", "ESMTP arguments reach the filter");
	is_int(rcpt(m, "<ok@example.test>", &r), MILTER_CONTINUE, "rcpt: continue");
	milter_abort(m);
	logged("abort", "abort (RSET) reaches the filter in a message");
	mail(m, "<a@example.test>", &r);
	is_int(rcpt(m, "<reject@example.test>", &r), MILTER_REJECT, "rcpt: reject");
	is_int(rcpt(m, "<ok@example.test>", &r), MILTER_CONTINUE, "another rcpt is still asked");
	is_int(rcpt(m, "<discard@example.test>", &r), MILTER_DISCARD, "rcpt: discard");
	is_int(milter_data(m, NULL, 0, &r), MILTER_NOREPLY, "after discard the filter hears no more of the message");
	milter_abort(m);
	is_int(mail(m, "<accept@example.test>", &r), MILTER_ACCEPT, "mail: accept");
	is_int(rcpt(m, "<x@example.test>", &r), MILTER_NOREPLY, "an accepted message is not filtered further");
	milter_abort(m);
	is_int(mail(m, "<b@example.test>", &r), MILTER_CONTINUE, "the next message is filtered again");
	is_int(milter_unknown(m, NULL, 0, "XYZZY plugh", &r), MILTER_REJECT, "an unknown command");
	logged("unknown XYZZY plugh", "reaches the filter");
	milter_result_reset(&r);
	pt_buf_free(&r.err);
	milter_free(m);
	logged("close", "quit closes the filter's session");
}

/* Headers, body, and every end-of-message modification. */
static void
test_message(void)
{
	struct milter_result r = MILTER_RESULT_INIT;
	const char *hdrs[] = { "Subject", " hello", "X-Mods",
		" progress,addheader,insheader,chgheader,delheader,addrcpt,addrcpt_par,delrcpt,chgfrom,replbody,quarantine",
		NULL };
	const char *hdrs2[] = { "X-Eom", " reply", NULL };
	struct milter *m = open_filter();
	size_t i;

	if (m == NULL)
		return;
	milter_connect(m, NULL, 0, "client.test", 'U', 0, NULL, &r);
	mail(m, "<a@example.test>", &r);
	rcpt(m, "<gone@example.test>", &r);
	is_int(message(m, hdrs, "line one\r\nline two\r\n", &r), MILTER_CONTINUE, "eom: continue");
	logged("header Subject=[hello]", "a header's leading blank is dropped");
	logged("body 20 [line one\r\nline two\r\n]", "the body arrives with CR LF");
	is_int(r.nmods, 10, "ten modifications came back");
	if (r.nmods == 10) {
		static const enum milter_mod_kind kinds[] = { MILTER_MOD_ADDHEADER, MILTER_MOD_INSHEADER,
			MILTER_MOD_CHGHEADER, MILTER_MOD_CHGHEADER, MILTER_MOD_ADDRCPT,
			MILTER_MOD_ADDRCPT_PAR, MILTER_MOD_DELRCPT, MILTER_MOD_CHGFROM,
			MILTER_MOD_REPLBODY, MILTER_MOD_QUARANTINE };

		for (i = 0; i < 10 && r.mods[i].kind == kinds[i]; i++)
			;
		is_int(i, 10, "in the order the filter made them");
		ok(!strcmp(r.mods[0].name, "X-Added") && !strcmp(r.mods[0].value, "by the filter"),
		    "add header: name and value");
		ok(r.mods[1].index == 1 && !strcmp(r.mods[1].name, "X-Inserted"), "insert header: index");
		ok(r.mods[2].index == 1 && !strcmp(r.mods[2].value, "changed subject"), "change header");
		ok(!strcmp(r.mods[3].name, "X-Mods") && r.mods[3].value[0] == '\0',
		    "delete header: an empty value");
		is_str(r.mods[4].value, "<added@example.test>", "add recipient");
		ok(!strcmp(r.mods[5].value, "<addedpar@example.test>") && r.mods[5].args &&
		    !strcmp(r.mods[5].args, "NOTIFY=NEVER"), "add recipient with arguments");
		is_str(r.mods[6].value, "<gone@example.test>", "delete recipient");
		ok(!strcmp(r.mods[7].value, "<newfrom@example.test>") && r.mods[7].args &&
		    !strcmp(r.mods[7].args, "SIZE=1"), "change sender with arguments");
		ok(r.mods[8].len == 10 && !memcmp(r.mods[8].value, "new body\r\n", 10), "replace body");
		is_str(r.mods[9].value, "held by the test filter", "quarantine with its reason");
		ok(!r.mods[0].lied && !r.mods[7].lied, "the filter had announced these actions");
	}
	mail(m, "<a@example.test>", &r);
	rcpt(m, "<b@example.test>", &r);
	is_int(message(m, hdrs2, "x\r\n", &r), MILTER_REPLY, "eom: a reply code");
	is_int(r.reply.code, 553, "with the filter's code");
	milter_result_reset(&r);
	pt_buf_free(&r.err);
	milter_free(m);
}

/* Negotiated bits: leading space, skip, no reply, no send; macro lists. */
static void
test_bits(void)
{
	struct milter_result r = MILTER_RESULT_INIT;
	const char *hdrs[] = { "Subject", " hello", NULL };
	char flags[32], big[70000];
	struct milter *m;

	snprintf(flags, sizeof flags, "0x%lx", (unsigned long)(SMFIP_HDR_LEADSPC | SMFIP_SKIP |
	    SMFIP_NR_HDR | SMFIP_NOHELO));
	start_filter("-n", flags, "-s", "2:{mail_addr} i;5:{test_macro}");
	m = open_filter();
	if (m == NULL)
		return;
	ok((milter_protocol(m) & SMFIP_SKIP) && (milter_protocol(m) & SMFIP_NR_HDR),
	    "the filter's protocol bits are kept");
	is_str(milter_wanted_macros(m, MILTER_STAGE_ENVFROM), "{mail_addr} i", "its macro list for MAIL");
	is_str(milter_wanted_macros(m, MILTER_STAGE_EOM), "{test_macro}", "and for end of message");
	ok(milter_wanted_macros(m, MILTER_STAGE_HELO) == NULL, "none asked for HELO");
	milter_connect(m, NULL, 0, "client.test", 'U', 0, NULL, &r);
	is_int(milter_helo(m, NULL, 0, "client.test", &r), MILTER_NOREPLY, "NOHELO: helo is not sent");
	ok(strstr(flog(), "helo ") == NULL, "and the filter never saw it");
	{
		struct milter_macro mm[] = { { "{mail_addr}", "a@example.test" }, { "i", "QID1" } };
		const char *argv[] = { "<a@example.test>" };

		milter_mail(m, mm, 2, argv, 1, &r);
		logged("mail macro {mail_addr}=a@example.test", "stage macros reach the filter");
	}
	rcpt(m, "<b@example.test>", &r);
	milter_data(m, NULL, 0, &r);
	is_int(milter_header(m, "Subject", " hello", &r), MILTER_NOREPLY, "NR_HDR: no reply awaited");
	logged("header Subject=[ hello]", "HDR_LEADSPC: the leading blank is kept");
	milter_eoh(m, NULL, 0, &r);
	is_int(milter_body(m, "SKIPME\r\n", 8, &r), MILTER_SKIP, "SKIP: the filter skips the body");
	memset(big, 'z', sizeof big);
	is_int(milter_body(m, big, sizeof big, &r), MILTER_NOREPLY, "the rest of the body is not sent");
	{
		struct milter_macro mm[] = { { "{test_macro}", "at-eom" } };

		is_int(milter_eom(m, mm, 1, &r), MILTER_CONTINUE, "end of message after a skip");
	}
	logged("eom macro {test_macro}=at-eom", "end-of-message macros reach the filter");
	ok(strstr(flog(), "body 65535") == NULL, "no chunk of the skipped body reached the filter");
	(void)hdrs;
	milter_result_reset(&r);
	pt_buf_free(&r.err);
	milter_free(m);

	start_filter(NULL, NULL, NULL, NULL);
	m = open_filter();
	if (m == NULL)
		return;
	milter_connect(m, NULL, 0, "client.test", 'U', 0, NULL, &r);
	mail(m, "<a@example.test>", &r);
	rcpt(m, "<b@example.test>", &r);
	milter_data(m, NULL, 0, &r);
	milter_eoh(m, NULL, 0, &r);
	is_int(milter_body(m, big, sizeof big, &r), MILTER_CONTINUE, "a long body goes in chunks");
	{
		char want[300];

		snprintf(want, sizeof want, "body 65535 [%.200s]", big);
		logged(want,"of 65535 bytes at most");
	}
	milter_result_reset(&r);
	pt_buf_free(&r.err);
	milter_free(m);
}

/* A filter that sleeps, dies, rejects the connection, or is not there. */
static void
test_failures(void)
{
	struct milter_result r = MILTER_RESULT_INIT;
	const char *sleep_h[] = { "X-Sleep", " 5", NULL }, *crash_h[] = { "X-Crash", " yes", NULL };
	struct milter_spec s;
	struct pt_buf err = PT_BUF_INIT;
	struct milter *m;
	time_t t0;

	start_filter(NULL, NULL, NULL, NULL);
	m = open_filter();
	if (m == NULL)
		return;
	milter_connect(m, NULL, 0, "client.test", 'U', 0, NULL, &r);
	mail(m, "<a@example.test>", &r);
	rcpt(m, "<b@example.test>", &r);
	t0 = time(NULL);
	is_int(message(m, sleep_h, "x\r\n", &r), MILTER_FAILED, "a filter that sleeps past T=R fails");
	ok(time(NULL) - t0 <= 4, "within its timeout");
	ok(strstr(r.err.s, "timeout") != NULL, "saying so: %s", r.err.s);
	is_int(milter_fail_mode(m), MILTER_FAIL_TEMPFAIL, "its F=T flag is at hand");
	ok(!milter_alive(m), "it is not used again");
	is_int(mail(m, "<a@example.test>", &r), MILTER_NOREPLY, "later calls do nothing");
	milter_free(m);
	m = open_filter();
	if (m == NULL)
		return;
	milter_connect(m, NULL, 0, "client.test", 'U', 0, NULL, &r);
	mail(m, "<a@example.test>", &r);
	rcpt(m, "<b@example.test>", &r);
	is_int(message(m, crash_h, "x\r\n", &r), MILTER_FAILED, "a filter that dies mid-message fails");
	ok(strstr(r.err.s, "closed") != NULL, "saying so: %s", r.err.s);
	milter_free(m);
	start_filter(NULL, NULL, NULL, NULL);	/* the crash took the whole filter down */
	m = open_filter();
	if (m == NULL)
		return;
	is_int(milter_connect(m, NULL, 0, "reject.test", 'U', 0, NULL, &r), MILTER_REJECT,
	    "connect: reject");
	is_int(milter_helo(m, NULL, 0, "x", &r), MILTER_NOREPLY, "a refused connection is not filtered further");
	milter_free(m);
	stop_filter();
	unlink(sock);
	s = spec();
	m = milter_open(&s, &err);
	ok(m == NULL, "a filter that is not running cannot be opened");
	ok(strstr(err.s, "Milter (test)") != NULL, "the error names it: %s", err.s);
	milter_spec_free(&s);
	milter_result_reset(&r);
	pt_buf_free(&r.err);
	pt_buf_free(&err);
}

/* Writes a canned filter conversation into fd from a child; returns its pid. */
static pid_t
canned(int fd, int other, const char *bytes, size_t len)
{
	pid_t pid = fork();

	if (pid == 0) {
		char buf[4096];

		close(other);
		if (write(fd, bytes, len) < 0)
			_exit(1);
		while (read(fd, buf, sizeof buf) > 0)
			;
		_exit(0);
	}
	return pid;
}

/* Negotiates over a socketpair with canned bytes, then sends MAIL; returns the MAIL action. */
static enum milter_action
canned_run(const char *bytes, size_t len, int *neg, struct milter_result *r)
{
	struct milter_spec s = spec();
	struct pt_buf err = PT_BUF_INIT;
	struct milter *m;
	int sv[2], status;
	enum milter_action a = MILTER_FAILED;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	pid = canned(sv[1], sv[0], bytes, len);
	close(sv[1]);
	m = milter_attach(&s, sv[0]);
	*neg = milter_negotiate(m, &err);
	if (*neg == 0)
		a = mail(m, "<a@b>", r);
	milter_free(m);
	waitpid(pid, &status, 0);
	milter_spec_free(&s);
	pt_buf_free(&err);
	return a;
}

#define NEG6 "\0\0\0\x0d" "O" "\0\0\0\x06" "\0\0\x01\xff" "\0\0\0\0"
/* A canned string and its length. */
#define C(s) s, sizeof(s) - 1

/* Replies a libmilter filter would never send are refused. */
static void
test_bogus(void)
{
	struct milter_result r = MILTER_RESULT_INIT;
	int neg;

	is_int(canned_run(C(NEG6 "\0\0\0\x01" "c"), &neg, &r), MILTER_CONTINUE, "canned: continue");
	canned_run(C("\0\0\0\x0d" "O" "\0\0\0\x06" "\0\0\x02\x00" "\0\0\0\0"), &neg, &r);
	is_int(neg, -1, "negotiation: actions we did not offer are refused");
	canned_run(C("\0\0\0\x0d" "O" "\0\0\0\x01" "\0\0\0\0" "\0\0\0\0"), &neg, &r);
	is_int(neg, -1, "negotiation: version 1 is refused");
	canned_run(C("\0\0\0\x01" "c"), &neg, &r);
	is_int(neg, -1, "negotiation: a reply that is not O is refused");
	is_int(canned_run(C(NEG6 "\0\0\0\x05" "h" "a\0b\0"), &neg, &r), MILTER_FAILED,
	    "a modification before end of message is bogus");
	is_int(canned_run(C(NEG6 "\0\0\0\x08" "y" "250 ok\0"), &neg, &r), MILTER_FAILED,
	    "a reply code that is not 4xx or 5xx is bogus");
	is_int(canned_run(C(NEG6 "\0\0\0\x01" "s"), &neg, &r), MILTER_FAILED,
	    "skip outside the body is bogus");
	is_int(canned_run(C(NEG6 "\x7f\0\0\0" "c"), &neg, &r), MILTER_FAILED,
	    "an absurd length is refused");
	is_int(canned_run(C(NEG6 "\0\0\0\x01" "p" "\0\0\0\x01" "t"), &neg, &r), MILTER_TEMPFAIL,
	    "progress then tempfail");
	is_int(canned_run(C(NEG6 "\0\0\0\x01" "4"), &neg, &r), MILTER_SHUTDOWN,
	    "shutdown ('4') ends the connection");
	is_int(canned_run(C(NEG6 "\0\0\0\x01" "f"), &neg, &r), MILTER_CONN_FAIL,
	    "connection failure ('f')");
	is_int(canned_run(C(NEG6 "\0\0\0\x01" "d"), &neg, &r), MILTER_DISCARD, "canned: discard");
	is_int(canned_run(C(NEG6 "\0\0\0\x01" "Z"), &neg, &r), MILTER_FAILED, "an unknown reply letter");
	is_int(canned_run(NEG6 "\0\0\0\x01" "c", 20, &neg, &r), MILTER_FAILED, "a short packet");
	milter_result_reset(&r);
	pt_buf_free(&r.err);
}

/* Fills the listen queue of a local socket with backlog 0; returns how many clients wait. */
static int
fill_queue(const char *path, int *fds, int max)
{
	struct sockaddr_un sun;
	int n = 0;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	pt_strlcpy(sun.sun_path, path, sizeof sun.sun_path);
	while (n < max) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
			close(fd);
			break;
		}
		fds[n++] = fd;
	}
	return n;
}

/* A filter whose listen queue is full: the MTA waits for room within T=C. */
static void
test_full_queue(void)
{
	char path[700], eq[800];
	struct sockaddr_un sun;
	struct milter_spec s;
	struct pt_buf err = PT_BUF_INIT;
	struct milter *m;
	int lfd, fds[16], n, status;
	pid_t pid;

	snprintf(path, sizeof path, "%s/q.sock", dir);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	pt_strlcpy(sun.sun_path, path, sizeof sun.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof sun) != 0 || listen(lfd, 0) != 0)
		abort();
	n = fill_queue(path, fds, 16);
	ok(n >= 1 && n < 16, "a listen queue of backlog 0 fills (%d waiting)", n);
	snprintf(eq, sizeof eq, "S=unix:%s, T=C:1s", path);
	milter_spec_parse("full", eq, &s, &err);
	m = milter_open(&s, &err);
	ok(m == NULL && strstr(err.s, "error connecting to filter"), "nobody accepting: no connection within T=C:1s");
	milter_spec_free(&s);
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 300000000 };

		nanosleep(&ts, NULL);
		for (int i = 0; i < 40; i++)
			close(accept(lfd, NULL, NULL));
		_exit(0);
	}
	snprintf(eq, sizeof eq, "S=local:%s, T=C:20s", path);
	milter_spec_parse("full", eq, &s, &err);
	pt_buf_reset(&err);
	m = milter_open(&s, &err);
	ok(m != NULL, "a queue that frees up within T=C: connected (not refused at once) %s", pt_buf_str(&err));
	milter_free(m);
	milter_spec_free(&s);
	while (n > 0)
		close(fds[--n]);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(lfd);
	unlink(path);
	pt_buf_free(&err);
}

/* The X line equates. */
static void
test_spec(void)
{
	struct milter_spec s;
	struct pt_buf err = PT_BUF_INIT;

	ok(milter_spec_parse("f1", "S=inet:8891@127.0.0.1, F=R, T=C:10s;S:1s;R:2m;E:1h", &s, &err),
	    "an X line's equates parse");
	ok(!strcmp(s.socket, "inet:8891@127.0.0.1") && s.fail == MILTER_FAIL_REJECT, "socket and F=R");
	ok(s.t.connect == 10000 && s.t.send == 1000 && s.t.read == 120000 && s.t.eom == 3600000,
	    "T= with units");
	milter_spec_free(&s);
	ok(milter_spec_parse("f2", "S=local:/run/f.sock", &s, &err), "defaults");
	ok(s.fail == MILTER_FAIL_CONTINUE && s.t.connect == 300000 && s.t.send == 10000 &&
	    s.t.read == 10000 && s.t.eom == 300000, "upstream's default timeouts");
	milter_spec_free(&s);
	ok(!milter_spec_parse("f3", "S=inet:1@h, T=X:1s", &s, &err), "an unknown timeout is refused");
	milter_spec_free(&s);
	ok(milter_spec_parse("f4", "S=tcp:1@h", &s, &err), "a socket type is checked at open");
	pt_buf_reset(&err);
	ok(milter_open(&s, &err) == NULL && strstr(err.s, "unknown socket type tcp"), "and refused there");
	milter_spec_free(&s);
	ok(milter_spec_parse("f5", "S=inet:nohost", &s, &err), "a port without host parses");
	pt_buf_reset(&err);
	ok(milter_open(&s, &err) == NULL && strstr(err.s, "expected port@host"), "and is refused at open");
	milter_spec_free(&s);
	pt_buf_free(&err);
}

int
main(void)
{
	const char *base = getenv("PETREL_BUILDDIR");

	signal(SIGPIPE, SIG_IGN);
	snprintf(filter, sizeof filter, "%s/tests/tools/test_milter_filter", base ? base : ".");
	snprintf(dir, sizeof dir, "/tmp/petrel-milter-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sock, sizeof sock, "%s/f.sock", dir);
	snprintf(logpath, sizeof logpath, "%s/log", dir);
	test_spec();
	test_bogus();
	test_full_queue();
	if (access(filter, X_OK) != 0)
		printf("ok %d # SKIP %s is not built\n", ++tap_n, filter);
	else {
		test_envelope();
		test_message();
		test_bits();
		test_failures();
	}
	stop_filter();
	unlink(sock);
	unlink(logpath);
	rmdir(dir);
	return tap_done();
}
