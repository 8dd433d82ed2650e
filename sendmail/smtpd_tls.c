/*
 * smtpd_tls: the server side of STARTTLS: when it is offered, the verb with
 * upstream's replies, the handshake (after the 220, or before the greeting
 * on an smtps port), what follows it (the session reset, the TLS macros,
 * the STARTTLS log line, the tls_client ruleset) and the close at the end.
 *
 * Runs in the session process, with the context the daemon made as root
 * before it forked.  Nothing the client sent in plain text behind STARTTLS
 * survives: the handshake drops the stream's buffered input first (the tls
 * module does), and the session forgets its HELO and transaction after it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pt_log.h"
#include "smtpd.h"

#define TLS_CLOSE_MS 2000	/* how long a close_notify may take at the end */

bool
smtpd_tls_offered(const struct smtpd *s)
{
	return s->tls_ctx != NULL && s->tls == NULL && !s->tls_done && !smtpd_feature(s, 'S') &&
	    !(s->daemon != NULL && cf_daemon_has(s->daemon, 'S'));
}

/* Sets one session macro for tls_info_macros. */
static void
set_macro(void *ctx, const char *name, const char *value)
{
	smtpd_macro(ctx, name, value);
}

/* The per-client overrides of tls_srv_features; false (logged) on a bad result. */
static bool
srv_features(struct smtpd *s, struct tls_features *f, bool *have)
{
	struct pt_buf out = PT_BUF_INIT, err = PT_BUF_INIT;
	bool good = true;

	*have = false;
	if (smtpd_ruleset(s, "tls_srv_features", s->client_name, s->client_addr, &out) >= 0) {
		rw_stripquotes(&out);
		if (out.len > 0) {
			good = tls_features_parse(pt_buf_str(&out), f, &err);
			*have = good;
			if (!good)
				pt_log(LOG_WARNING, "tls_srv_features=%s, relay=%s", pt_buf_str(&err),
				    s->relay);
		}
	}
	pt_buf_free(&out);
	pt_buf_free(&err);
	return good;
}

/* Forgets what the client said before TLS: its HELO and any transaction. */
static void
forget_session(struct smtpd *s)
{
	smtpd_reset(s);
	free(s->helo);
	s->helo = NULL;
	s->esmtp = false;
	smtpd_macro(s, "s", NULL);
	smtpd_auth_setup(s);	/* RFC 3207: nothing learnt before TLS counts, AUTH included */
	smtpd_macro(s, "r", smtpd_proto(s));
}

/* Runs tls_client over the new session; a refusal turns the session away. */
static void
check_client(struct smtpd *s)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	const struct tls_info *i = tls_session_info(s->tls);

	if (smtpd_check(s, "tls_client", i->verify, "STARTTLS", NULL, &r) == SMTPD_CHECK_REJECT) {
		s->reject_all = true;
		smtp_reply_free(&s->nullserver);
		s->nullserver = r;
		return;
	}
	smtp_reply_free(&r);
}

/* Makes the TLS session of this client (tls_srv_features applied); false if none can be. */
static bool
prepare(struct smtpd *s)
{
	struct tls_features f;
	struct pt_buf err = PT_BUF_INIT;
	bool have = false, good;

	memset(&f, 0, sizeof f);
	good = srv_features(s, &f, &have) &&
	    (s->tls = tls_session_new(s->tls_ctx, NULL, have ? &f : NULL, &err)) != NULL;
	if (good && smtpd_feature(s, 'V'))
		tls_session_no_client_cert(s->tls);	/* srv_features V */
	tls_features_free(&f);
	pt_buf_free(&err);
	return good;
}

/* Runs the handshake and what follows it; false when the session must end. */
static bool
handshake(struct smtpd *s)
{
	struct pt_buf err = PT_BUF_INIT;
	const struct cf_timeouts *to = &s->cfg->opt.timeout;

	s->tls_done = true;
	if (tls_handshake(s->tls, s->io, to->starttls > 0 ? to->starttls * 1000 : 3600000, NULL,
	    &err) < 0) {
		pt_log(LOG_WARNING, "%s, relay=%s", pt_buf_str(&err), s->relay);
		tls_session_free(s->tls);
		s->tls = NULL;
		pt_buf_free(&err);
		return false;
	}
	pt_buf_free(&err);
	tls_log_session(s->tls, s->relay);
	tls_info_macros(tls_session_info(s->tls), set_macro, s);
	forget_session(s);
	check_client(s);
	return true;
}

bool
smtpd_tls_start(struct smtpd *s)
{
	return s->tls_ctx != NULL && prepare(s) && handshake(s);
}

void
smtpd_starttls(struct smtpd *s, const struct smtp_cmd *c)
{
	if (c->arg.len > 0) {
		smtpd_say(s, 501, "5.5.2", "Syntax error (no parameters allowed)");
		return;
	}
	if (smtpd_feature(s, 'S') || (s->daemon != NULL && cf_daemon_has(s->daemon, 'S'))) {
		smtpd_say(s, 503, "5.5.0", "TLS not available");
		return;
	}
	if (s->tls_ctx == NULL || s->tls_done) {
		smtpd_say(s, 454, "4.3.3", "TLS not available after start");
		return;
	}
	if (s->env != NULL) {
		smtpd_say(s, 503, "5.5.0", "TLS not permitted during a mail transaction");
		return;
	}
	if (!prepare(s)) {
		smtpd_say(s, 454, "4.3.3", "TLS not available right now");
		return;
	}
	smtpd_say(s, 220, "2.0.0", "Ready to start TLS");
	/* RFC 3207: after a failed handshake there is nothing left to talk over */
	if (!handshake(s))
		s->quit = true;
}

void
smtpd_tls_end(struct smtpd *s)
{
	if (s->tls == NULL)
		return;
	smtp_io_flush(s->io);
	tls_shutdown(s->tls, s->io, TLS_CLOSE_MS);
	tls_session_free(s->tls);
	s->tls = NULL;
}
