/*
 * test_auth: the auth module: base64 as RFC 4954 uses it, AuthOptions,
 * mechanism lists, the credentials of AuthInfo: entries and DefaultAuthInfo,
 * and a whole SASL exchange between auth_client and auth_server in this
 * process (PLAIN and LOGIN against a private sasldb made with saslpasswd2,
 * the configuration found through SASL_CONF_PATH): right and wrong
 * passwords, mechanisms AuthMechanisms leaves out, and the "p" option
 * hiding plaintext mechanisms unless a TLS layer is there.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "tap.h"

/* Decodes s; the result as a C string, or "(invalid)". */
static const char *
dec(const char *s)
{
	static char out[256];
	struct pt_buf b = PT_BUF_INIT;

	if (!auth_b64_decode(s, strlen(s), &b))
		snprintf(out, sizeof out, "(invalid)");
	else
		snprintf(out, sizeof out, "%.*s", (int)b.len, pt_buf_str(&b));
	pt_buf_free(&b);
	return out;
}

static void
test_base64(void)
{
	struct pt_buf b = PT_BUF_INIT;
	unsigned char all[256];

	auth_b64_encode("\0alice\0secret", 13, &b);
	is_str(pt_buf_str(&b), "AGFsaWNlAHNlY3JldA==", "PLAIN's response encodes as swaks sends it");
	is_str(dec("VXNlcm5hbWU6"), "Username:", "LOGIN's prompt decodes");
	is_str(dec("YQ=="), "a", "one byte with two pads");
	is_str(dec("YWI="), "ab", "two bytes with one pad");
	is_str(dec(""), "", "empty is valid and empty");
	is_str(dec("YQ"), "(invalid)", "missing padding is refused");
	is_str(dec("Y=Q="), "(invalid)", "padding inside is refused");
	is_str(dec("YQ==YQ=="), "(invalid)", "padding before the end is refused");
	is_str(dec("!!!!"), "(invalid)", "non-alphabet bytes are refused");
	is_str(dec("YW Jj"), "(invalid)", "whitespace is refused");
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (size_t n = 0; n <= 256; n += 37) {
		struct pt_buf e = PT_BUF_INIT, d = PT_BUF_INIT;

		auth_b64_encode(all, n, &e);
		ok(auth_b64_decode(e.s ? e.s : "", e.len, &d) && d.len == n &&
		    (n == 0 || memcmp(d.s, all, n) == 0), "%zu bytes round-trip", n);
		pt_buf_free(&e);
		pt_buf_free(&d);
	}
	pt_buf_free(&b);
}

static void
test_lists(void)
{
	is_int(auth_options("p,y"), AUTH_NOPLAINTEXT | AUTH_NOANONYMOUS, "AuthOptions p,y");
	is_int(auth_options("A p"), AUTH_NOPLAINTEXT, "the client option A is not a server flag");
	ok(auth_word_in("plain", 5, "LOGIN PLAIN"), "mechanisms compare without case");
	ok(!auth_word_in("PLAI", 4, "LOGIN PLAIN"), "a prefix is not a mechanism");
	ok(auth_word_in("CRAM-MD5", 8, "LOGIN,CRAM-MD5"), "commas separate too");
}

static void
test_creds(void)
{
	struct auth_creds c;
	struct pt_buf err = PT_BUF_INIT;

	ok(auth_creds_parse("\"U:alice\" \"I:boss\" \"P:se cret\" \"R:example.test\" \"M:PLAIN LOGIN\"",
	    &c, &err), "an AuthInfo: value parses");
	is_str(c.user, "alice", "U: is the user");
	is_str(c.authzid, "boss", "I: the authorization id");
	is_str(c.pass, "se cret", "P: the password, spaces kept inside quotes");
	is_str(c.realm, "example.test", "R: the realm");
	is_str(c.mechs, "PLAIN LOGIN", "M: the mechanisms");
	auth_creds_free(&c);
	ok(auth_creds_parse("\"I:bob\" \"P=c2VjcmV0\"", &c, &err), "P= is base64, I: stands for U:");
	is_str(c.pass, "secret", "P= decoded");
	is_str(c.user, "bob", "the user defaults to the authorization id");
	auth_creds_free(&c);
	ok(!auth_creds_parse("\"U:alice\"", &c, &err), "no password: refused");
	ok(!auth_creds_parse("\"U:alice\" \"P=!!\"", &c, &err), "a P= that is not base64: refused");
	ok(!auth_creds_parse("\"U:alice\" \"P:x", &c, &err), "an unbalanced quote: refused");
	ok(auth_creds_lines("carol\n\nhunter2\nexample.test\nPLAIN\n", &c, &err),
	    "DefaultAuthInfo's five lines");
	is_str(c.user, "carol", "line 1: the user");
	ok(c.authzid == NULL, "an empty line 2: no authorization id");
	is_str(c.pass, "hunter2", "line 3: the password");
	is_str(c.mechs, "PLAIN", "line 5: the mechanisms");
	auth_creds_free(&c);
	pt_buf_free(&err);
}

/* Runs a client against a server with mechanism mech; the last result. */
static int
exchange(struct auth_server *srv, const char *user, const char *pass, const char *mech)
{
	struct auth_creds c = { (char *)user, NULL, (char *)pass, NULL, NULL };
	struct pt_buf err = PT_BUF_INIT, resp = PT_BUF_INIT, chal = PT_BUF_INIT, why = PT_BUF_INIT;
	struct auth_client *cl = auth_client_new("localhost", &c, 0, &err);
	const char *chosen = NULL;
	bool has = false;
	int r = AUTH_FAIL;

	if (cl != NULL && auth_client_start(cl, mech, &chosen, &resp, &has, &why) == AUTH_OK) {
		r = auth_server_start(srv, chosen, has ? resp.s ? resp.s : "" : NULL, resp.len, &chal,
		    &why);
		for (int i = 0; i < 5 && r == AUTH_CONTINUE; i++) {
			pt_buf_reset(&resp);
			if (auth_client_step(cl, chal.s ? chal.s : "", chal.len, &resp, &why) != AUTH_OK)
				break;
			pt_buf_reset(&chal);
			r = auth_server_step(srv, resp.s ? resp.s : "", resp.len, &chal, &why);
		}
	}
	auth_client_free(cl);
	pt_buf_free(&err);
	pt_buf_free(&resp);
	pt_buf_free(&chal);
	pt_buf_free(&why);
	return r;
}

/* A server session named example.test (the realm of the sasldb) with flags and a TLS layer of ssf bits. */
static struct auth_server *
server(unsigned flags, unsigned ssf)
{
	struct auth_server_conf c = { "example.test", NULL, NULL, NULL, flags, ssf, NULL };
	struct pt_buf err = PT_BUF_INIT;
	struct auth_server *s = auth_server_new(&c, &err);

	pt_buf_free(&err);
	return s;
}

static void
test_sasl(const char *dir)
{
	struct pt_buf err = PT_BUF_INIT, m = PT_BUF_INIT;
	struct auth_server *s;

	ok(auth_server_init(&err) && auth_client_init(&err), "SASL initialises (%s)", pt_buf_str(&err));
	s = server(0, 0);
	ok(s != NULL, "a server session is made");
	auth_server_mechs(s, "GSSAPI CRAM-MD5 LOGIN plain", &m);
	is_str(pt_buf_str(&m), "CRAM-MD5 LOGIN plain", "offered: what SASL has of AuthMechanisms, in its order");
	is_int(exchange(s, "alice", "secret", "PLAIN"), AUTH_OK, "PLAIN with the right password");
	is_str(auth_server_user(s), "alice", "the authenticated user");
	is_str(auth_server_authzid(s), "alice", "the authorization id defaults to it");
	auth_server_free(s);
	{
		struct auth_server_conf c = { "mx.example.test", "example.test", NULL, NULL, 0, 0, NULL };

		s = auth_server_new(&c, &err);
		is_int(exchange(s, "alice", "secret", "PLAIN"), AUTH_OK,
		    "AuthRealm other than the host name: PLAIN in that realm");
		is_str(auth_server_user(s), "alice@example.test", "the user then carries the realm");
		auth_server_free(s);
	}
	s = server(0, 0);
	is_int(exchange(s, "alice", "wrong", "PLAIN"), AUTH_FAIL, "PLAIN with a wrong password fails");
	auth_server_free(s);
	s = server(0, 0);
	is_int(exchange(s, "alice", "secret", "LOGIN"), AUTH_OK, "LOGIN with the right password");
	auth_server_free(s);
	s = server(0, 0);
	is_int(exchange(s, "mallory", "secret", "LOGIN"), AUTH_FAIL, "LOGIN as an unknown user fails");
	auth_server_free(s);
	s = server(0, 0);
	is_int(exchange(s, "alice", "secret", "CRAM-MD5"), AUTH_OK, "CRAM-MD5 with the right password");
	auth_server_free(s);
	s = server(AUTH_NOPLAINTEXT, 0);
	pt_buf_reset(&m);
	auth_server_mechs(s, "PLAIN LOGIN CRAM-MD5", &m);
	is_str(pt_buf_str(&m), "CRAM-MD5", "AuthOptions p without TLS: no PLAIN, no LOGIN");
	auth_server_free(s);
	s = server(AUTH_NOPLAINTEXT, 256);
	pt_buf_reset(&m);
	auth_server_mechs(s, "PLAIN LOGIN CRAM-MD5", &m);
	is_str(pt_buf_str(&m), "PLAIN LOGIN CRAM-MD5", "AuthOptions p over TLS: PLAIN and LOGIN too");
	auth_server_free(s);
	(void)dir;
	pt_buf_free(&err);
	pt_buf_free(&m);
}

/* Makes a SASL configuration and a sasldb with alice:secret in dir; false if it cannot. */
static bool
make_sasldb(const char *dir)
{
	char path[512], cmd[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/Sendmail.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		return false;
	fprintf(f, "pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: %s/sasldb2\n"
	    "mech_list: PLAIN LOGIN CRAM-MD5\n", dir);
	fclose(f);
	snprintf(cmd, sizeof cmd, "echo secret | saslpasswd2 -p -c -f %s/sasldb2 -u example.test "
	    "alice 2>/dev/null", dir);
	return system(cmd) == 0 && setenv("SASL_CONF_PATH", dir, 1) == 0;
}

int
main(void)
{
	char dir[] = "/tmp/test_auth.XXXXXX";
	char cmd[256];

	test_base64();
	test_lists();
	test_creds();
	if (mkdtemp(dir) != NULL && access("/usr/sbin/saslpasswd2", X_OK) == 0 && make_sasldb(dir))
		test_sasl(dir);
	else
		printf("ok %d # SKIP saslpasswd2 (sasl2-bin) is not installed\n", ++tap_n);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		perror("rm");
	return tap_done();
}
