/*
 * deliver_tls: the client side of STARTTLS for the SMTP mailers: whether
 * to try it (offered by the server, a client context, the try_tls
 * ruleset), the per-server features (tls_clt_features), the command and the
 * handshake, the {verify} {cipher} ... macros and upstream's log line, the
 * tls_server ruleset's verdict on the session and tls_rcpt's on each
 * recipient, and upstream's fallback to a clear connection after a failed
 * handshake when TLSFallbacktoClear (or the feature flag C) allows it.
 *
 * Runs in a delivery process.  The handshake first drops whatever the
 * server sent behind its 220 (the tls module does), so that nothing read in
 * plain text is taken for an answer given over TLS.
 */
#include "config.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "deliver.h"
#include "pt_log.h"
#include "rscheck.h"
#include "tlsconf.h"

#define TLS_CLOSE_MS 2000	/* how long a close_notify may take */

/* The numeric address of the peer of io, or "" when unknown. */
static void
peer_addr(struct smtp_io *io, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	out[0] = '\0';
	if (getpeername(smtp_io_rfd(io), (struct sockaddr *)&ss, &sl) == 0 &&
	    ss.ss_family != AF_UNIX)
		getnameinfo((struct sockaddr *)&ss, sl, out, (socklen_t)len, NULL, 0, NI_NUMERICHOST);
}

/* Sets one delivery macro for tls_info_macros. */
static void
set_macro(void *ctx, const char *name, const char *value)
{
	struct dlv *d = ctx;

	mac_set_name(d->rw.macros, name, value, 0);
}

/* The client context of this process, made on first use (NULL: STARTTLS unusable). */
static struct tls_ctx *
client_ctx(struct dlv *d)
{
	if (!d->run->tls_client_tried) {
		d->run->tls_client_tried = true;
		d->run->tls_client = tlsconf_ctx(d->cfg, TLS_CLIENT);
	}
	return d->run->tls_client;
}

/* tls_clt_features for this server: the session's overrides; false on a bad result. */
static bool
clt_features(struct dlv *d, const char *host, const char *addr, struct tls_features *f)
{
	struct pt_buf out = PT_BUF_INIT, err = PT_BUF_INIT;
	bool good = true;

	memset(f, 0, sizeof *f);
	if (rscheck(&d->rw, "tls_clt_features", host, addr, NULL, NULL, &out) != RSCHECK_NONE) {
		rw_stripquotes(&out);
		if (out.len > 0 && !(good = tls_features_parse(pt_buf_str(&out), f, &err)))
			pt_log(LOG_WARNING, "tls_clt_features=%s, relay=%s [%s]", pt_buf_str(&err),
			    host, addr);
	}
	pt_buf_free(&out);
	pt_buf_free(&err);
	return good;
}

/* Sends STARTTLS and reads the reply: the {verify} word for a refusal, NULL for 220. */
static const char *
command(struct dlv *d, struct smtp_io *io, bool *lost)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf err = PT_BUF_INIT;
	long to = d->cfg->opt.timeout.starttls;
	const char *verify = NULL;

	smtp_io_puts(io, "STARTTLS\r\n");
	smtp_io_set_timeout(io, to > 0 ? to * 1000 : 3600000);
	if (smtp_io_flush(io) != SMTP_IO_OK || smtp_reply_read(io, &r, &err) != SMTP_IO_OK)
		*lost = true;
	else if (r.code / 100 == 4)
		verify = "TEMP";
	else if (r.code == 501)
		verify = "USAGE";
	else if (r.code != 220)
		verify = "PROTOCOL";
	smtp_reply_free(&r);
	pt_buf_free(&err);
	return verify;
}

/* The handshake on an answered STARTTLS; false (logged, {verify} SOFTWARE) if it failed. */
static bool
handshake(struct dlv *d, struct smtp_io *io, const char *host, const char *addr,
    struct dlv_tls *t, const struct tls_features *f)
{
	struct pt_buf err = PT_BUF_INIT, relay = PT_BUF_INIT;
	long to = d->cfg->opt.timeout.starttls;

	t->sess = tls_session_new(client_ctx(d), host, f, &err);
	if (t->sess == NULL || tls_handshake(t->sess, io, to > 0 ? to * 1000 : 3600000, NULL,
	    &err) < 0) {
		pt_log(LOG_WARNING, "%s, relay=%s [%s]", pt_buf_str(&err), host, addr);
		tls_session_free(t->sess);
		t->sess = NULL;
		pt_buf_free(&err);
		return false;
	}
	pt_buf_printf(&relay, "%s", d->relay != NULL ? d->relay : host);
	tls_log_session(t->sess, pt_buf_str(&relay));
	tls_info_macros(tls_session_info(t->sess), set_macro, d);
	pt_buf_free(&err);
	pt_buf_free(&relay);
	return true;
}

/* Runs STARTTLS with a server that offered it; the outcome for dlv_starttls. */
static int
negotiate(struct dlv *d, struct smtp_io *io, const char *host, const char *addr,
    struct dlv_tls *t, const char **verify)
{
	struct tls_features f;
	bool lost = false, fallback = d->cfg->opt.tls_fallback_to_clear;
	int rc = DLV_TLS_ACTIVE;

	if (!clt_features(d, host, addr, &f)) {
		*verify = "CONFIG";
		return DLV_TLS_PLAIN;
	}
	if (f.flags != NULL && strchr(f.flags, 'C') != NULL)
		fallback = true;
	if (f.flags != NULL && strchr(f.flags, 'c') != NULL)
		fallback = false;
	*verify = command(d, io, &lost);
	if (lost)
		rc = DLV_TLS_LOST;
	else if (*verify != NULL)
		rc = DLV_TLS_PLAIN;
	else if (!handshake(d, io, host, addr, t, &f)) {
		*verify = "SOFTWARE";
		rc = fallback ? DLV_TLS_RETRY : DLV_TLS_BROKEN;
	} else
		*verify = tls_session_info(t->sess)->verify;
	tls_features_free(&f);
	return rc;
}

int
dlv_starttls(struct dlv *d, struct smtp_io *io, bool offered, bool clear, const char *host,
    struct dlv_tls *t, struct smtp_reply *r)
{
	char addr[NI_MAXHOST];
	const char *verify = "NONE";
	int rc = DLV_TLS_PLAIN;

	memset(t, 0, sizeof *t);
	peer_addr(io, addr, sizeof addr);
	mac_set_name(d->rw.macros, "{server_name}", host, 0);
	mac_set_name(d->rw.macros, "{server_addr}", addr, 0);
	if (clear || (offered && rscheck(&d->rw, "try_tls", host, NULL, NULL, NULL, NULL) ==
	    RSCHECK_ERROR) || (offered && client_ctx(d) == NULL))
		verify = "CLEAR";
	else if (offered)
		rc = negotiate(d, io, host, addr, t, &verify);
	if (rc == DLV_TLS_RETRY)
		pt_log(LOG_INFO, "STARTTLS=client, relay=%s, tlsstate=%s, status=trying_again",
		    d->relay != NULL ? d->relay : host,
		    verify);
	if (rc == DLV_TLS_LOST || rc == DLV_TLS_RETRY)
		return rc;
	mac_set_name(d->rw.macros, "{verify}", verify, 0);
	if (rscheck(&d->rw, "tls_server", verify, NULL, NULL, r, NULL) == RSCHECK_ERROR)
		return rc == DLV_TLS_BROKEN ? DLV_TLS_BROKEN : DLV_TLS_REFUSED;
	if (rc == DLV_TLS_BROKEN)
		smtp_reply_set(r, 403, "4.7.0", "TLS handshake failed.");
	return rc;
}

int
dlv_tls_rcpt(struct dlv *d, const char *rcpt, struct smtp_reply *r)
{
	return rscheck(&d->rw, "tls_rcpt", rcpt, NULL, NULL, r, NULL) == RSCHECK_ERROR ? -1 : 0;
}

void
dlv_tls_end(struct dlv_tls *t, struct smtp_io *io)
{
	if (t->sess == NULL)
		return;
	tls_shutdown(t->sess, io, TLS_CLOSE_MS);
	tls_session_free(t->sess);
	t->sess = NULL;
}

void
dlv_tls_macros(struct dlv *d, const struct dlv_tls *t)
{
	if (t->sess != NULL)
		tls_info_macros(tls_session_info(t->sess), set_macro, d);
}
