/*
 * smtpd_auth: SMTP AUTH in the server: the mechanisms EHLO offers
 * (AuthMechanisms within what Cyrus SASL permits under AuthOptions and
 * srv_features), the AUTH verb with upstream's replies and log lines, the
 * {auth_type} {auth_authen} {auth_author} {auth_ssf} macros the rulesets
 * use to let authenticated clients relay, the AUTH= parameter of MAIL
 * checked by trust_auth, and AUTH required by srv_features l or M=a.
 *
 * Runs in the session process.  Passwords pass only through SASL; the logs
 * name the mechanism and the user, never a secret.  The SASL state is made
 * again after STARTTLS, which forgets an earlier authentication.
 */
#include "config.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"
#include "rscheck.h"
#include "smtpd.h"

#define AUTH_MAXLINE 12288	/* one response line of an exchange */
#define AUTH_DEFAULT_MECHS "EXTERNAL GSSAPI KERBEROS_V4 DIGEST-MD5 CRAM-MD5"

/* "addr;port" of one end of the session's socket, into out; false if unknown. */
static bool
endpoint(int fd, bool local, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[NI_MAXHOST], port[NI_MAXSERV];
	int r = local ? getsockname(fd, (struct sockaddr *)&ss, &sl) :
	    getpeername(fd, (struct sockaddr *)&ss, &sl);

	if (r < 0 || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, port, sizeof port,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return false;
	snprintf(out, len, "%s;%s", host, port);
	return true;
}

/* True if this session may offer AUTH at all (srv_features A, M=A). */
static bool
auth_allowed(const struct smtpd *s)
{
	return s->auth != NULL && !smtpd_feature(s, 'A') &&
	    !(s->daemon != NULL && cf_daemon_has(s->daemon, 'A'));
}

/* Encodes an identity as upstream's {auth_authen}: op.txt 6.7's encoding, and '=' as +3D. */
static void
auth_encode(const char *id, struct pt_buf *out)
{
	struct pt_buf part = PT_BUF_INIT;

	for (const char *p = id;; p++) {
		if (*p != '=' && *p != '\0') {
			pt_buf_addc(&part, *p);
			continue;
		}
		tls_macro_encode(pt_buf_str(&part), out);
		pt_buf_reset(&part);
		if (*p == '\0')
			break;
		pt_buf_adds(out, "+3D");
	}
	pt_buf_free(&part);
}

/* Sets or clears the session's AUTH macros. */
static void
auth_macros(struct smtpd *s, const char *mech, const char *authen, const char *author)
{
	struct pt_buf a = PT_BUF_INIT, b = PT_BUF_INIT;

	if (authen != NULL)
		auth_encode(authen, &a);
	if (author != NULL)
		auth_encode(author, &b);
	smtpd_macro(s, "{auth_type}", mech);
	smtpd_macro(s, "{auth_authen}", authen != NULL ? pt_buf_str(&a) : NULL);
	smtpd_macro(s, "{auth_author}", author != NULL ? pt_buf_str(&b) : NULL);
	smtpd_macro(s, "{auth_ssf}", mech != NULL ? "0" : NULL);
	pt_buf_free(&a);
	pt_buf_free(&b);
}

void
smtpd_auth_setup(struct smtpd *s)
{
	struct auth_server_conf c;
	struct pt_buf err = PT_BUF_INIT;
	char local[NI_MAXHOST + NI_MAXSERV + 2], remote[NI_MAXHOST + NI_MAXSERV + 2];
	const struct tls_info *ti = s->tls != NULL ? tls_session_info(s->tls) : NULL;
	long bits = 0;

	auth_server_free(s->auth);
	s->auth = NULL;
	free(s->auth_mech);
	s->auth_mech = NULL;
	auth_macros(s, NULL, NULL, NULL);
	if (!s->run->sasl_ready)
		return;
	memset(&c, 0, sizeof c);
	c.hostname = mac_get(s->cfg->macros, 'j', NULL);
	c.realm = s->cfg->opt.auth_realm;
	c.local = endpoint(smtp_io_rfd(s->io), true, local, sizeof local) ? local : NULL;
	c.remote = endpoint(smtp_io_rfd(s->io), false, remote, sizeof remote) ? remote : NULL;
	c.flags = auth_options(s->cfg->opt.auth_options);
	if (smtpd_feature(s, 'c'))
		c.flags |= AUTH_NOPLAINTEXT;
	if (ti != NULL && pt_str_to_long(ti->cipher_bits, &bits) && bits > 0) {
		c.ext_ssf = (unsigned)bits;
		if (strcmp(ti->verify, "OK") == 0)
			c.ext_id = ti->cert_subject;
	}
	s->auth = auth_server_new(&c, &err);
	if (s->auth == NULL)
		pt_log(LOG_WARNING, "AUTH error: %s", pt_buf_str(&err));
	pt_buf_free(&err);
}

/* The mechanisms offered now, into out (EXTERNAL among them once TLS verified the client). */
static void
offered(struct smtpd *s, struct pt_buf *out)
{
	const char *allowed = s->cfg->opt.auth_mechanisms;

	if (auth_allowed(s))
		auth_server_mechs(s->auth, allowed != NULL ? allowed : AUTH_DEFAULT_MECHS, out);
}

void
smtpd_auth_ehlo(struct smtpd *s, struct smtp_reply *r)
{
	struct pt_buf m = PT_BUF_INIT;

	offered(s, &m);
	if (m.len > 0)
		smtp_reply_add(r, "AUTH %s", m.s);
	pt_buf_free(&m);
}

/* Logs a failed exchange as upstream does (fail2ban reads it). */
static void
log_failure(struct smtpd *s, const char *mech, const char *why)
{
	pt_log(LOG_NOTICE, "AUTH failure (%s): %s, user=%s, relay=%s", mech, why,
	    auth_server_user(s->auth), s->relay);
}

/* The exchange went through: macros, log line, 235. */
static void
succeeded(struct smtpd *s, const char *mech)
{
	const char *user = auth_server_user(s->auth);
	struct pt_buf id = PT_BUF_INIT;

	s->auth_mech = pt_strdup(mech);
	auth_macros(s, mech, user, auth_server_authzid(s->auth));
	smtpd_macro(s, "r", smtpd_proto(s));
	auth_encode(user != NULL ? user : "", &id);
	if (s->cfg->opt.log_level > 8)
		pt_log(LOG_INFO, "AUTH=server, relay=%s, authid=%.128s, mech=%.16s, bits=%u", s->relay,
		    pt_buf_str(&id), mech, auth_server_ssf(s->auth));
	pt_buf_free(&id);
	smtpd_say(s, 235, "2.0.0", "OK Authenticated");
}

/* Reads the client's next response line; false (answered) if the exchange must stop. */
static bool
next_response(struct smtpd *s, struct pt_buf *line, struct pt_buf *dec)
{
	long to = s->cfg->opt.timeout.auth;
	enum smtp_io_status st;

	smtp_io_set_deadline(s->io, to > 0 ? to * 1000 : 600000);
	st = smtp_io_getline(s->io, line, AUTH_MAXLINE, NULL);
	smtp_io_clear_deadline(s->io);
	if (st != SMTP_IO_OK) {
		s->quit = true;
		return false;
	}
	if (strcmp(pt_buf_str(line), "*") == 0) {
		smtpd_say(s, 501, "5.0.0", "AUTH aborted");
		return false;
	}
	pt_buf_reset(dec);
	if (!auth_b64_decode(pt_buf_str(line), line->len, dec)) {
		smtpd_say(s, 501, "5.5.4", "cannot decode AUTH parameter %.100s", pt_buf_str(line));
		return false;
	}
	return true;
}

/* Runs an exchange from its first step's result to the end. */
static void
exchange(struct smtpd *s, const char *mech, int r, struct pt_buf *chal, struct pt_buf *why)
{
	struct pt_buf line = PT_BUF_INIT, dec = PT_BUF_INIT, enc = PT_BUF_INIT;

	while (r == AUTH_CONTINUE) {
		pt_buf_reset(&enc);
		auth_b64_encode(chal->s, chal->len, &enc);
		smtpd_say(s, 334, NULL, "%s", pt_buf_str(&enc));
		pt_buf_reset(chal);
		if (!next_response(s, &line, &dec))
			break;
		r = auth_server_step(s->auth, pt_buf_str(&dec), dec.len, chal, why);
	}
	if (r == AUTH_OK)
		succeeded(s, mech);
	else if (r == AUTH_TEMPFAIL)
		smtpd_say(s, 454, "4.5.4", "Temporary authentication failure");
	else if (r == AUTH_NOMECH)
		smtpd_say(s, 504, "5.3.3", "AUTH mechanism %.32s not available", mech);
	else if (r != AUTH_CONTINUE)
		smtpd_say(s, 535, "5.7.0", "authentication failed");
	if (r != AUTH_OK && r != AUTH_CONTINUE)
		log_failure(s, mech, pt_buf_str(why));
	if (r != AUTH_OK)
		smtpd_auth_setup(s);	/* a fresh SASL state for the next try */
	pt_buf_free(&line);
	pt_buf_free(&dec);
	pt_buf_free(&enc);
}

/* Checks the verb's preconditions; false when it was answered. */
static bool
may_start(struct smtpd *s, const struct smtp_cmd *c)
{
	if (!auth_allowed(s)) {
		smtpd_say(s, 503, "5.3.3", "AUTH not available");
		return false;
	}
	if (s->auth_mech != NULL) {
		smtpd_say(s, 503, "5.5.0", "Already Authenticated");
		return false;
	}
	if (s->env != NULL) {
		smtpd_say(s, 503, "5.5.0", "AUTH not permitted during a mail transaction");
		return false;
	}
	if (c->arg.len == 0) {
		smtpd_say(s, 501, "5.5.2", "AUTH mechanism must be specified");
		return false;
	}
	return true;
}

void
smtpd_auth(struct smtpd *s, const struct smtp_cmd *c)
{
	struct pt_buf mechs = PT_BUF_INIT, chal = PT_BUF_INIT, why = PT_BUF_INIT, dec = PT_BUF_INIT;
	char *arg, *mech, *resp;
	int r;

	if (!may_start(s, c))
		return;
	arg = pt_strndup(c->arg.p, c->arg.len);
	resp = arg + strcspn(arg, " ");
	if (*resp != '\0')
		*resp++ = '\0';
	mech = arg;
	resp += strspn(resp, " ");
	offered(s, &mechs);
	if (!auth_word_in(mech, strlen(mech), pt_buf_str(&mechs)))
		smtpd_say(s, 504, "5.3.3", "AUTH mechanism %.32s not available", mech);
	else if (*resp != '\0' && strcmp(resp, "=") != 0 &&
	    !auth_b64_decode(resp, strlen(resp), &dec)) {
		pt_log(LOG_WARNING, "AUTH decode64 error [1 for \"%.100s\"], relay=%.100s", resp,
		    s->relay);
		smtpd_say(s, 501, "5.5.4", "cannot BASE64 decode '%.100s'", resp);
	} else {
		r = auth_server_start(s->auth, mech, *resp != '\0' ? pt_buf_str(&dec) : NULL, dec.len,
		    &chal, &why);
		exchange(s, mech, r, &chal, &why);
	}
	free(arg);
	pt_buf_free(&mechs);
	pt_buf_free(&chal);
	pt_buf_free(&why);
	pt_buf_free(&dec);
}

bool
smtpd_auth_required(struct smtpd *s)
{
	bool required = smtpd_feature(s, 'l') || (s->daemon != NULL &&
	    cf_daemon_has(s->daemon, 'a') && !cf_daemon_has(s->daemon, 'A'));

	if (!required || s->auth_mech != NULL)
		return false;
	smtpd_say(s, 530, "5.7.0", "Authentication required");
	return true;
}

void
smtpd_auth_param(struct smtpd *s)
{
	struct pt_buf dec = PT_BUF_INIT;
	const char *p = s->mp.auth;

	if (p == NULL || strcmp(p, "<>") == 0)
		return;
	if (!smtp_xtext_decode(p, strlen(p), &dec) ||
	    rscheck(&s->rw, "trust_auth", pt_buf_str(&dec), NULL, NULL, NULL, NULL) ==
	    RSCHECK_ERROR) {
		free(s->mp.auth);
		s->mp.auth = pt_strdup("<>");	/* not passed on, as upstream does */
	}
	pt_buf_free(&dec);
}

void
smtpd_auth_end(struct smtpd *s)
{
	auth_server_free(s->auth);
	s->auth = NULL;
	free(s->auth_mech);
	s->auth_mech = NULL;
}
