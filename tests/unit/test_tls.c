/*
 * test_tls: STARTTLS contexts and sessions with certificates this test makes
 * with the openssl command: upstream's refusals of unsafe key and
 * certificate files, options, the handshake both ways over socketpairs
 * (TLS 1.3 and 1.2, with and without client certificates), the discard of
 * what was pipelined behind STARTTLS on either side, the macro values and
 * their encoding, upstream's log lines, and interoperation on loopback with
 * `openssl s_server` (Petrel as client) and `openssl s_client -starttls
 * smtp` (Petrel as server).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "pt_file.h"
#include "pt_log.h"
#include "smtp_io.h"
#include "smtp_reply.h"
#include "tap.h"
#include "tls.h"

static char dir[512];		/* the certificates' folder */

/* Names of the test's files, filled by make_certs. */
static char f_ca[600], f_srv_crt[600], f_srv_key[600], f_cli_crt[600], f_cli_key[600],
    f_self_crt[600], f_self_key[600], f_tmp_key[600], f_tmp_crt[600], f_log[600];

/* Runs a shell command in the certificates' folder; true on success. */
static bool __attribute__((format(printf, 1, 2)))
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n;

	n = snprintf(cmd, sizeof cmd, "cd '%s' && (", dir);
	va_start(ap, fmt);
	n += vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
	va_end(ap);
	snprintf(cmd + n, sizeof cmd - (size_t)n, ") >/dev/null 2>&1");
	return system(cmd) == 0;
}

/* Makes a CA, a server and a client certificate (EC keys: fast), and a stranger's. */
static bool
make_certs(void)
{
	const char *base = getenv("PETREL_BUILDDIR");

	snprintf(dir, sizeof dir, "%s/tests/tls-XXXXXX", base != NULL ? base : ".");
	if (mkdtemp(dir) == NULL)
		return false;
	chmod(dir, 0755);
#define NAME(v, n) snprintf(v, sizeof v, "%s/%s", dir, n)
	NAME(f_ca, "ca.crt");
	NAME(f_srv_crt, "srv.crt");
	NAME(f_srv_key, "srv.key");
	NAME(f_cli_crt, "cli.crt");
	NAME(f_cli_key, "cli.key");
	NAME(f_self_crt, "self.crt");
	NAME(f_self_key, "self.key");
	NAME(f_tmp_key, "tmp.key");
	NAME(f_tmp_crt, "tmp.crt");
	NAME(f_log, "log");
#undef NAME
	return sh("E='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';"
	    "openssl req -x509 $E -keyout ca.key -out ca.crt -days 2 -subj '/C=US/O=Petrel Test/CN=Petrel Test CA' &&"
	    "openssl req $E -keyout srv.key -out srv.csr -subj '/C=US/O=Petrel (Srv)/CN=mx.example.test' &&"
	    "openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 &&"
	    "openssl req $E -keyout cli.key -out cli.csr -subj '/C=US/O=Client Org/CN=Darth Mail (Cert)/emailAddress=darth\\+cert@example.test' &&"
	    "openssl x509 -req -in cli.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out cli.crt -days 2 &&"
	    "openssl req -x509 $E -keyout self.key -out self.crt -days 2 -subj '/CN=stranger.example' &&"
	    "chmod 600 *.key && chmod 644 *.crt");
}

/* Settings with the test's files (server and client), LogLevel 9. */
static struct tls_settings
settings(void)
{
	struct tls_settings s;

	memset(&s, 0, sizeof s);
	s.ca_cert_file = f_ca;
	s.server_cert_file = f_srv_crt;
	s.server_key_file = f_srv_key;
	s.client_cert_file = f_cli_crt;
	s.client_key_file = f_cli_key;
	s.log_level = 9;
	return s;
}

static int saved_stderr = -1;

/* Starts capturing pt_log's lines (standard error) into the log file. */
static void
capture_start(void)
{
	int fd = open(f_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

/* Stops capturing; returns what was logged (static storage). */
static const char *
capture_end(void)
{
	static struct pt_buf b;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	pt_buf_reset(&b);
	pt_file_read(f_log, &b);
	return pt_buf_str(&b);
}

/* Tries a server context under settings s; returns what it logged, and whether it was made. */
static const char *
try_ctx(const struct tls_settings *s, enum tls_role role, bool *made)
{
	struct pt_buf err = PT_BUF_INIT;
	struct tls_ctx *ctx;

	capture_start();
	ctx = tls_ctx_new(role, s, &err);
	*made = ctx != NULL;
	tls_ctx_free(ctx);
	pt_buf_free(&err);
	return capture_end();
}

/* Key and certificate files with unsafe modes are refused with upstream's words. */
static void
test_unsafe(void)
{
	static const struct {
		mode_t mode;
		bool key;
		const char *why;
	} cases[] = {
		{ 0644, true, "Group readable file" },
		{ 0640, true, "Group readable file" },
		{ 0604, true, "World readable file" },
		{ 0660, true, "Group writable file" },
		{ 0600, true, NULL },
		{ 0400, true, NULL },
		{ 0666, false, "Group writable file" },
		{ 0602, false, "World writable file" },
		{ 0644, false, NULL },
		{ 0640, false, NULL },
	};
	struct tls_settings s = settings();
	char want[1024];
	const char *log;
	bool made;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *f = cases[i].key ? f_tmp_key : f_tmp_crt;

		sh("cp %s %s", cases[i].key ? "srv.key" : "srv.crt", f);
		chmod(f, cases[i].mode);
		s = settings();
		if (cases[i].key)
			s.server_key_file = f_tmp_key;
		else
			s.server_cert_file = f_tmp_crt;
		log = try_ctx(&s, TLS_SERVER, &made);
		if (cases[i].why == NULL) {
			ok(made, "a %s with mode %03o is accepted", cases[i].key ? "key" : "certificate",
			    (unsigned)cases[i].mode);
			continue;
		}
		snprintf(want, sizeof want, "STARTTLS=server: file %s unsafe: %s", f, cases[i].why);
		ok(!made && strstr(log, want) != NULL, "a %s with mode %03o is refused: %s",
		    cases[i].key ? "key" : "certificate", (unsigned)cases[i].mode, want);
	}
	s = settings();
	s.server_key_file = "/nonexistent/none.key";
	log = try_ctx(&s, TLS_SERVER, &made);
	ok(!made && strstr(log, "file /nonexistent/none.key unsafe: No such file or directory"),
	    "a missing key file is refused as upstream words it");
	s.server_key_file = f_tmp_key;
	if (getuid() == 0) {
		sh("cp srv.key tmp.key && chmod 600 tmp.key && chown 65534 tmp.key");
		log = try_ctx(&s, TLS_SERVER, &made);
		ok(!made && strstr(log, "unsafe: Permission denied"),
		    "a key owned by another user is refused");
		sh("chown 0 tmp.key");
	} else
		printf("ok %d # SKIP changing a file's owner needs root\n", ++tap_n);
	sh("chmod 775 .");
	log = try_ctx(&s, TLS_SERVER, &made);
	ok(!made && strstr(log, "unsafe: Group writable directory"),
	    "a key in a group-writable folder is refused");
	sh("chmod 755 .");
	s = settings();
	s.server_key_file = f_cli_key;
	log = try_ctx(&s, TLS_SERVER, &made);
	ok(!made && strstr(log, f_cli_key) != NULL, "a key that does not match is refused, naming the key");
}

/* Options, missing certificates, DH parameters and cipher lists. */
static void
test_options(void)
{
	struct tls_settings s = settings();
	struct pt_buf err = PT_BUF_INIT;
	unsigned long long o = 0;
	struct tls_features f;
	bool made;

	ok(tls_parse_ssl_options("SSL_OP_NO_TLSv1_3, SSL_OP_NO_TICKET +0x4", &o, &err),
	    "SSL options by name and number");
	ok((o & SSL_OP_NO_TLSv1_3) && (o & SSL_OP_NO_TICKET) && (o & 4), "all set");
	ok(tls_parse_ssl_options("-SSL_OP_NO_TICKET", &o, &err) && !(o & SSL_OP_NO_TICKET),
	    "a minus clears an option");
	ok(!tls_parse_ssl_options("SSL_OP_BOGUS", &o, &err), "an unknown option is refused");
	s.server_cert_file = NULL;
	try_ctx(&s, TLS_SERVER, &made);
	ok(!made, "no server certificate: no STARTTLS");
	s.tls_srv_options = "C";
	try_ctx(&s, TLS_SERVER, &made);
	ok(made, "TLSSrvOptions C: a server without certificate");
	s = settings();
	s.dh_parameters = "x";
	ok(strstr(try_ctx(&s, TLS_SERVER, &made), "illegal value 'x' for DHParameters") && !made,
	    "a bad DHParameters value is refused with upstream's words");
	s.dh_parameters = "none";
	try_ctx(&s, TLS_SERVER, &made);
	ok(made, "DHParameters none");
	s = settings();
	s.cipher_list = "NO-SUCH-CIPHER";
	try_ctx(&s, TLS_SERVER, &made);
	ok(!made, "a cipher list that selects nothing is refused");
	s = settings();
	s.client_cert_file = s.client_key_file = NULL;
	try_ctx(&s, TLS_CLIENT, &made);
	ok(made, "a client needs no certificate");
	ok(tls_features_parse("CertFile=/a ; KeyFile = /b;CipherList=HIGH; Options=SSL_OP_NO_TLSv1_2;",
	    &f, &err), "a tls_srv_features result parses");
	ok(f.cert_file && strcmp(f.cert_file, "/a") == 0 && f.key_file && strcmp(f.key_file, "/b") == 0 &&
	    f.cipher_list && strcmp(f.cipher_list, "HIGH") == 0 && f.options != NULL, "into its fields");
	tls_features_free(&f);
	ok(!tls_features_parse("Bogus=1", &f, &err), "an unknown feature is a syntax error");
	pt_buf_free(&err);
}

/* What each side of a handshake reports back to the test. */
struct side {
	char verify[16], subject[512], cn[128], issuer_cn[128], version[16], cipher[64];
	char line[128];		/* the first line read after the handshake */
	size_t discarded;
	int rc;
};

/* Runs one side: handshake on fd, then exchange a line; fills r. */
static void
run_side(enum tls_role role, int fd, const struct tls_settings *s, const char *pre, const char *post,
    struct side *r)
{
	struct pt_buf err = PT_BUF_INIT, line = PT_BUF_INIT;
	struct tls_ctx *ctx = tls_ctx_new(role, s, &err);
	struct smtp_io *io = smtp_io_new(fd, fd);
	struct tls_session *ses;
	const struct tls_info *in;

	memset(r, 0, sizeof *r);
	r->rc = -1;
	smtp_io_set_timeout(io, 5000);
	/* The plain-text part: the client sends STARTTLS (and what rides behind
	 * it), the server reads it and answers 220 (and what rides behind that). */
	if (pre != NULL && role == TLS_SERVER)
		smtp_io_getline(io, &line, 2047, NULL);
	if (pre != NULL) {
		smtp_io_puts(io, pre);
		smtp_io_flush(io);
	}
	if (pre != NULL && role == TLS_CLIENT)
		smtp_io_getline(io, &line, 2047, NULL);
	ses = ctx != NULL ? tls_session_new(ctx, "mx.example.test", NULL, &err) : NULL;
	if (ses != NULL && tls_handshake(ses, io, 5000, &r->discarded, &err) == 0) {
		in = tls_session_info(ses);
		snprintf(r->verify, sizeof r->verify, "%s", in->verify);
		snprintf(r->subject, sizeof r->subject, "%s", in->cert_subject);
		snprintf(r->cn, sizeof r->cn, "%s", in->cn_subject);
		snprintf(r->issuer_cn, sizeof r->issuer_cn, "%s", in->cn_issuer);
		snprintf(r->version, sizeof r->version, "%s", in->tls_version);
		snprintf(r->cipher, sizeof r->cipher, "%s", in->cipher);
		smtp_io_puts(io, post);
		smtp_io_flush(io);
		if (smtp_io_getline(io, &line, 2047, NULL) == SMTP_IO_OK)
			snprintf(r->line, sizeof r->line, "%s", line.s);
		else
			snprintf(r->line, sizeof r->line, "error: %s", smtp_io_error(io));
		tls_shutdown(ses, io, 1000);
		r->rc = 0;
	}
	tls_session_free(ses);
	tls_ctx_free(ctx);
	smtp_io_free(io);
	pt_buf_free(&err);
	pt_buf_free(&line);
}

/* Records that text holds want as a whole line. */
static void
like_line(const char *text, const char *want, const char *what)
{
	const char *p = strstr(text, want);
	size_t n = strlen(want);

	ok(p != NULL && (p[n] == '\n' || p[n] == '\0'), "%s", what);
	if (p == NULL)
		printf("#   wanted: %s\n#   log:\n%s\n", want, text);
}

/* A struct side shared with a child process. */
static struct side *
mmap_side(void)
{
	static struct side *p;

	if (p == NULL) {
		p = mmap(NULL, sizeof *p, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			abort();
	}
	return p;
}

/* A handshake between a Petrel server and a Petrel client over a socketpair. */
static void
pair_handshake(const struct tls_settings *srv, const struct tls_settings *cli, const char *spre,
    const char *cpre, struct side *sr, struct side *cr)
{
	struct side *shared = mmap_side();
	int sv[2], status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		run_side(TLS_CLIENT, sv[1], cli, cpre, "QUIT from client\r\n", shared);
		_exit(0);
	}
	close(sv[1]);
	run_side(TLS_SERVER, sv[0], srv, spre, "221 from server\r\n", sr);
	close(sv[0]);
	waitpid(pid, &status, 0);
	*cr = *shared;
}

/* Petrel to Petrel: TLS 1.3 and 1.2, client certificates, the macros. */
static void
test_pair(void)
{
	struct tls_settings srv = settings(), cli = settings();
	struct side sr, cr;

	pair_handshake(&srv, &cli, NULL, NULL, &sr, &cr);
	ok(sr.rc == 0 && cr.rc == 0, "a Petrel server and client complete a handshake");
	is_str(sr.version, "TLSv1.3", "TLS 1.3 by default");
	is_str(sr.verify, "OK", "{verify} is OK for a client certificate signed by CACertFile");
	is_str(sr.subject, "/C=US/O=Client+20Org/CN=Darth+20Mail+20+28Cert+29/emailAddress=darth+5C+2Bcert@example.test",
	    "{cert_subject} is encoded as upstream encodes it");
	is_str(sr.cn, "Darth+20Mail+20+28Cert+29", "{cn_subject}");
	is_str(sr.issuer_cn, "Petrel+20Test+20CA", "{cn_issuer}");
	is_str(cr.verify, "OK", "the client verifies the server against CACertFile");
	is_str(cr.cn, "mx.example.test", "the client sees the server's name");
	is_str(sr.line, "QUIT from client", "the server reads what the client wrote over TLS");
	is_str(cr.line, "221 from server", "the client reads what the server wrote over TLS");
	cli.client_ssl_options = "SSL_OP_NO_TLSv1_3";
	pair_handshake(&srv, &cli, NULL, NULL, &sr, &cr);
	is_str(sr.version, "TLSv1.2", "ClientSSLOptions can force TLS 1.2");
	ok(strchr(sr.cipher, '-') != NULL, "with a TLS 1.2 cipher (%s)", sr.cipher);
	cli = settings();
	cli.client_cert_file = cli.client_key_file = NULL;
	pair_handshake(&srv, &cli, NULL, NULL, &sr, &cr);
	is_str(sr.verify, "NO", "{verify} is NO when the client presents no certificate");
	is_str(sr.subject, "", "and {cert_subject} is empty");
	srv.tls_srv_options = "V";
	cli = settings();
	pair_handshake(&srv, &cli, NULL, NULL, &sr, &cr);
	is_str(sr.verify, "NOT", "{verify} is NOT when TLSSrvOptions V asks for no certificate");
	srv = settings();
	cli = settings();
	cli.ca_cert_file = NULL;
	pair_handshake(&srv, &cli, NULL, NULL, &sr, &cr);
	is_str(cr.verify, "FAIL", "{verify} is FAIL for a server certificate the client cannot verify");
}

/* What rode behind STARTTLS in plain text is dropped on both sides. */
static void
test_discard(void)
{
	struct tls_settings srv = settings(), cli = settings();
	struct side sr, cr;

	pair_handshake(&srv, &cli, "220 2.0.0 Ready to start TLS\r\n",
	    "STARTTLS\r\nMAIL FROM:<evil@example>\r\n", &sr, &cr);
	is_int(sr.discarded, 26, "the server drops the command pipelined behind STARTTLS");
	is_str(sr.line, "QUIT from client", "and reads only what came over TLS");
	pair_handshake(&srv, &cli, "220 2.0.0 Ready to start TLS\r\n250 2.0.0 injected\r\n",
	    "STARTTLS\r\n", &sr, &cr);
	is_int(cr.discarded, 20, "the client drops what the server sent behind its 220");
	is_str(cr.line, "221 from server", "and reads only what came over TLS");
}

/* Encoding of certificate macros (op.txt 6.7) and upstream's log lines. */
static void
test_encode_log(void)
{
	struct pt_buf b = PT_BUF_INIT;
	struct tls_settings srv = settings(), cli = settings();
	struct side sr, cr;
	const char *log;

	tls_macro_encode("/C=US/ST=California/O=endmail.org/OU=private/CN=Darth Mail (Cert)/Email=darth+cert@endmail.org", &b);
	is_str(b.s, "/C=US/ST=California/O=endmail.org/OU=private/CN=Darth+20Mail+20+28Cert+29/Email=darth+2Bcert@endmail.org",
	    "the guide's example encodes as the guide shows");
	pt_buf_reset(&b);
	tls_macro_encode("a\\b<c>\"d\"\x01\xe9", &b);
	is_str(b.s, "a+5Cb+3Cc+3E+22d+22+01+E9", "backslash, brackets, quotes and unprintables");
	pt_buf_free(&b);
	srv.log_level = 12;
	capture_start();
	{
		struct pt_buf err = PT_BUF_INIT;
		struct tls_ctx *ctx = tls_ctx_new(TLS_SERVER, &srv, &err);
		int sv[2], status;
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
			abort();
		pid = fork();
		if (pid == 0) {
			close(sv[0]);
			run_side(TLS_CLIENT, sv[1], &cli, NULL, "x\r\n", mmap_side());
			_exit(0);
		}
		close(sv[1]);
		{
			struct smtp_io *io = smtp_io_new(sv[0], sv[0]);
			struct tls_session *ses = tls_session_new(ctx, NULL, NULL, &err);

			if (tls_handshake(ses, io, 5000, NULL, &err) == 0) {
				tls_log_session(ses, "client.example [127.0.0.1]");
				smtp_io_puts(io, "y\r\n");
				smtp_io_flush(io);
				tls_shutdown(ses, io, 1000);
			}
			tls_session_free(ses);
			smtp_io_free(io);
		}
		close(sv[0]);
		waitpid(pid, &status, 0);
		tls_ctx_free(ctx);
		pt_buf_free(&err);
	}
	log = capture_end();
	like_line(log, "STARTTLS=server, relay=client.example [127.0.0.1], version=TLSv1.3, verify=OK, cipher=TLS_AES_256_GCM_SHA384, bits=256/256",
	    "upstream's STARTTLS line");
	like_line(log, "STARTTLS=server, cert-subject=/C=US/O=Client+20Org/CN=Darth+20Mail+20+28Cert+29/emailAddress=darth+5C+2Bcert@example.test, cert-issuer=/C=US/O=Petrel+20Test/CN=Petrel+20Test+20CA, verifymsg=ok",
	    "upstream's certificate line at LogLevel 12");
	(void)sr;
	(void)cr;
}

/* A free loopback port. */
static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		abort();
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Connects to a loopback port, retrying for a while (the server may still be starting). */
static int
connect_port(int port)
{
	struct sockaddr_in a;
	struct timespec ts = { 0, 50000000 };
	int fd, i;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	for (i = 0; i < 100; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
			return fd;
		close(fd);
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Runs argv in the certificates' folder with stdin from in_fd (or /dev/null); returns its pid. */
static pid_t
spawn(char *const argv[], int in_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (chdir(dir) != 0)
			_exit(127);
		dup2(in_fd >= 0 ? in_fd : null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Petrel as client against `openssl s_server`. */
static void
test_s_server(void)
{
	struct tls_settings cli = settings();
	struct pt_buf err = PT_BUF_INIT, line = PT_BUF_INIT;
	char port_s[16];
	int port = free_port(), fd, status, round;

	snprintf(port_s, sizeof port_s, "127.0.0.1:%d", port);
	for (round = 0; round < 2; round++) {
		char *argv[] = { "openssl", "s_server", "-accept", port_s, "-cert",
		    round == 0 ? "srv.crt" : "self.crt", "-key", round == 0 ? "srv.key" : "self.key",
		    "-rev", "-quiet", "-naccept", "1", NULL };
		pid_t pid = spawn(argv, -1);
		struct tls_ctx *ctx = tls_ctx_new(TLS_CLIENT, &cli, &err);
		struct tls_session *ses = tls_session_new(ctx, "mx.example.test", NULL, &err);
		struct smtp_io *io;

		fd = connect_port(port);
		io = smtp_io_new(fd, fd);
		smtp_io_set_timeout(io, 5000);
		ok(fd >= 0 && tls_handshake(ses, io, 5000, NULL, &err) == 0,
		    "Petrel's client completes a handshake with openssl s_server (%s)", pt_buf_str(&err));
		is_str(tls_session_info(ses)->verify, round == 0 ? "OK" : "FAIL",
		    round == 0 ? "a server certificate signed by CACertFile verifies" :
		    "a stranger's self-signed certificate does not");
		is_str(tls_session_info(ses)->server_name, "mx.example.test", "{server_name}");
		smtp_io_puts(io, "hello over tls\n");
		smtp_io_flush(io);
		smtp_io_getline(io, &line, 2047, NULL);
		is_str(line.s, "slt revo olleh", "data goes both ways through s_server");
		tls_shutdown(ses, io, 1000);
		tls_session_free(ses);
		tls_ctx_free(ctx);
		smtp_io_free(io);
		close(fd);
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		port = free_port();
		snprintf(port_s, sizeof port_s, "127.0.0.1:%d", port);
	}
	pt_buf_free(&err);
	pt_buf_free(&line);
}

/* Petrel as a STARTTLS server for `openssl s_client -starttls smtp`. */
static void
serve_s_client(const char *extra, const char *want_version, const char *want_verify)
{
	struct tls_settings srv = settings();
	struct pt_buf err = PT_BUF_INIT, line = PT_BUF_INIT;
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fd, in[2], status, one = 1;
	char port_s[32];

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 1) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) != 0 || pipe(in) != 0)
		abort();
	snprintf(port_s, sizeof port_s, "127.0.0.1:%d", ntohs(a.sin_port));
	{
		char *argv[] = { "openssl", "s_client", "-starttls", "smtp", "-connect", port_s,
		    "-quiet", "-no_ign_eof", "-crlf", NULL, NULL, NULL, NULL, NULL };
		int n = 9;
		pid_t pid;
		struct tls_ctx *ctx = tls_ctx_new(TLS_SERVER, &srv, &err);
		struct tls_session *ses = tls_session_new(ctx, NULL, NULL, &err);
		struct smtp_io *io;

		if (strcmp(extra, "cert") == 0) {
			argv[n++] = "-cert";
			argv[n++] = "cli.crt";
			argv[n++] = "-key";
			argv[n++] = "cli.key";
		} else if (*extra)
			argv[n++] = (char *)extra;
		pid = spawn(argv, in[0]);
		close(in[0]);
		fd = accept(lfd, NULL, NULL);
		io = smtp_io_new(fd, fd);
		smtp_io_set_timeout(io, 5000);
		smtp_io_puts(io, "220 mx.example.test ESMTP Petrel\r\n");
		smtp_io_flush(io);
		smtp_io_getline(io, &line, 2047, NULL);
		smtp_io_puts(io, "250-mx.example.test Hello\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
		smtp_io_flush(io);
		smtp_io_getline(io, &line, 2047, NULL);
		is_str(line.s, "STARTTLS", "openssl s_client asks for STARTTLS");
		smtp_io_puts(io, "220 2.0.0 Ready to start TLS\r\n");
		smtp_io_flush(io);
		ok(tls_handshake(ses, io, 5000, NULL, &err) == 0, "s_client %s: the handshake completes", extra);
		if (write(in[1], "NOOP over tls\n", 14) != 14)
			abort();
		smtp_io_getline(io, &line, 2047, NULL);
		is_str(line.s, "NOOP over tls", "s_client %s: its input arrives over TLS", extra);
		is_str(tls_session_info(ses)->tls_version, want_version, "s_client %s: version", extra);
		is_str(tls_session_info(ses)->verify, want_verify, "s_client %s: {verify}", extra);
		close(in[1]);
		tls_shutdown(ses, io, 1000);
		tls_session_free(ses);
		tls_ctx_free(ctx);
		smtp_io_free(io);
		close(fd);
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
	}
	close(lfd);
	pt_buf_free(&err);
	pt_buf_free(&line);
}

/* A peer that never answers the handshake is cut off by the timeout. */
static void
test_timeout(void)
{
	struct tls_settings cli = settings();
	struct pt_buf err = PT_BUF_INIT;
	struct tls_ctx *ctx = tls_ctx_new(TLS_CLIENT, &cli, &err);
	struct tls_session *ses = tls_session_new(ctx, NULL, NULL, &err);
	int sv[2];
	struct smtp_io *io;
	time_t t0 = time(NULL);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	io = smtp_io_new(sv[0], sv[0]);
	ok(tls_handshake(ses, io, 300, NULL, &err) != 0, "a silent peer fails the handshake");
	ok(time(NULL) - t0 < 3, "within the timeout");
	is_str(tls_session_info(ses)->verify, "SOFTWARE", "{verify} is SOFTWARE after a failed handshake");
	tls_session_free(ses);
	tls_ctx_free(ctx);
	smtp_io_free(io);
	close(sv[0]);
	close(sv[1]);
	pt_buf_free(&err);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	pt_log_open("test_tls", PT_LOG_STDERR);
	if (!make_certs()) {
		printf("ok 1 # SKIP the openssl command could not make certificates\n1..1\n");
		return 0;
	}
	test_unsafe();
	test_options();
	test_pair();
	test_discard();
	test_encode_log();
	test_s_server();
	serve_s_client("", "TLSv1.3", "NO");
	serve_s_client("-tls1_2", "TLSv1.2", "NO");
	serve_s_client("cert", "TLSv1.3", "OK");
	test_timeout();
	sh("rm -rf '%s'", dir);
	return tap_done();
}
