/*
 * tls: STARTTLS for the SMTP server and client, the only code in Petrel that
 * touches OpenSSL.
 *
 * A struct tls_ctx is made once per process and role from the settings the
 * cf gives (plain strings: the loader fills struct tls_settings).  Making it
 * checks every certificate and key file as upstream does and logs upstream's
 * lines; when it fails, STARTTLS is simply not offered (server) or not tried
 * (client), as upstream behaves.
 *
 * A struct tls_session runs the handshake over an smtp_io in either role:
 * it first drops everything buffered on the stream (what a peer pipelined
 * behind STARTTLS, or what a server sent before its 220), then on success
 * switches the stream's transport to TLS, so the SMTP code above goes on
 * reading and writing the same stream.  The session's facts are given as the
 * values of upstream's macros ({verify}, {cert_subject}, {cert_issuer},
 * {cn_subject}, {cn_issuer}, {cipher}, {cipher_bits}, {tls_version},
 * {server_name}), encoded as op.txt section 6.7 says, and as upstream's log
 * lines:
 *
 *   STARTTLS=server, relay=host [addr], version=TLSv1.3, verify=OK, cipher=TLS_AES_256_GCM_SHA384, bits=256/256
 *   STARTTLS=server, cert-subject=/C=US/CN=a+20b, cert-issuer=/C=US/CN=ca, verifymsg=ok
 *   STARTTLS=server: file /etc/mail/tls/key.pem unsafe: Group readable file
 *
 * (the first at LogLevel 9 and up, the second at 12 and up, the last always,
 * at LOG_WARNING).
 */
#ifndef TLS_H
#define TLS_H

#include <stdbool.h>
#include <sys/types.h>

#include "pt_buf.h"
#include "smtp_io.h"

/* Which side of the handshake. */
enum tls_role {
	TLS_SERVER = 0,
	TLS_CLIENT,
};

/*
 * The cf options that govern STARTTLS, as strings (NULL when unset).  A cert
 * or key option may name two files separated by a comma (two key types).
 */
struct tls_settings {
	const char *ca_cert_file;	/* CACertFile */
	const char *ca_cert_path;	/* CACertPath */
	const char *server_cert_file;	/* ServerCertFile */
	const char *server_key_file;	/* ServerKeyFile */
	const char *client_cert_file;	/* ClientCertFile */
	const char *client_key_file;	/* ClientKeyFile */
	const char *crl_file;		/* CRLFile */
	const char *crl_path;		/* CRLPath */
	const char *dh_parameters;	/* DHParameters: none, 1, 2, 5, i (default) or a file */
	const char *cipher_list;	/* CipherList (TLS 1.2 and below) */
	const char *server_ssl_options;	/* ServerSSLOptions */
	const char *client_ssl_options;	/* ClientSSLOptions */
	const char *tls_srv_options;	/* TLSSrvOptions: V (no client cert request), C (no server cert) */
	uid_t uid;			/* the owner key files must have (RunAsUser, or 0) */
	int log_level;			/* LogLevel */
};

/*
 * Per-session overrides, as the tls_srv_features / tls_clt_features
 * rulesets return them ("CertFile=...; KeyFile=...; CipherList=...;
 * Options=...; Flags=..."); NULL members keep the context's values.
 */
struct tls_features {
	char *cert_file;
	char *key_file;
	char *cipher_list;
	char *options;
	char *flags;
};

struct tls_ctx;
struct tls_session;

/*
 * Makes the context of one role.  Returns NULL when STARTTLS cannot be used
 * in that role (no certificate for a server without TLSSrvOptions C, an
 * unsafe or unusable file, a bad option); the reasons are logged in
 * upstream's shapes and also put in err.  A client context without a
 * certificate is fine (it just presents none).
 */
struct tls_ctx *tls_ctx_new(enum tls_role role, const struct tls_settings *s, struct pt_buf *err);
/* Frees a context (after every session made from it). */
void tls_ctx_free(struct tls_ctx *ctx);

/*
 * Parses SSL options ("SSL_OP_NO_TLSv1 -SSL_OP_TLSEXT_PADDING, +0x10") on top
 * of *opts: names or numbers, "-" clears, "+" or nothing sets.  Returns
 * false with err on an unknown name.
 */
bool tls_parse_ssl_options(const char *s, unsigned long long *opts, struct pt_buf *err);

/*
 * Parses a tls_*_features ruleset result into f (freed by tls_features_free).
 * Returns false with err on a syntax error ("tls_srv_features=invalid_syntax").
 */
bool tls_features_parse(const char *s, struct tls_features *f, struct pt_buf *err);
void tls_features_free(struct tls_features *f);

/*
 * Makes a session for one connection.  server_name (client role: the host
 * connected to, sent as SNI and kept for {server_name}) may be NULL.  f may
 * be NULL.  Returns NULL with err when the overrides cannot be applied.
 */
struct tls_session *tls_session_new(struct tls_ctx *ctx, const char *server_name,
    const struct tls_features *f, struct pt_buf *err);

/*
 * Server side, before the handshake: does not ask this client for a
 * certificate (srv_features V); {verify} is then NOT.
 */
void tls_session_no_client_cert(struct tls_session *s);

/*
 * Drops the stream's buffered input, then runs the handshake on its file
 * descriptors (made non-blocking), waiting at most timeout_ms in all (and
 * within the stream's deadline).  On success the stream's transport is the
 * session; *discarded (may be NULL) receives how many buffered bytes were
 * dropped.  Returns 0, or -1 with err ({verify} is then SOFTWARE).
 */
int tls_handshake(struct tls_session *s, struct smtp_io *io, long timeout_ms, size_t *discarded,
    struct pt_buf *err);

/*
 * Sends a TLS close_notify (best effort, within timeout_ms) and puts the
 * stream back on the plain transport.  The session may then be freed.
 */
void tls_shutdown(struct tls_session *s, struct smtp_io *io, long timeout_ms);
/* Frees a session; the stream must no longer use it (tls_shutdown, or the stream freed). */
void tls_session_free(struct tls_session *s);

/* The facts of a session, as macro values (never NULL; "" when unknown). */
struct tls_info {
	const char *verify;		/* OK, NO, NOT, FAIL, SOFTWARE, NONE */
	const char *cert_subject;	/* encoded (section 6.7) */
	const char *cert_issuer;
	const char *cn_subject;
	const char *cn_issuer;
	const char *cipher;
	const char *cipher_bits;	/* the effective key length */
	const char *alg_bits;		/* the algorithm's key length (the log's second number) */
	const char *tls_version;
	const char *server_name;
	const char *verify_msg;		/* OpenSSL's verification text ("ok", ...) */
};

/* The session's facts (borrowed; valid until tls_session_free). */
const struct tls_info *tls_session_info(const struct tls_session *s);

/*
 * Calls set(ctx, name, value) for each macro of a session: "{verify}",
 * "{cert_subject}", "{cert_issuer}", "{cn_subject}", "{cn_issuer}",
 * "{cipher}", "{cipher_bits}", "{tls_version}", "{server_name}".
 */
void tls_info_macros(const struct tls_info *info,
    void (*set)(void *ctx, const char *name, const char *value), void *ctx);

/*
 * Logs upstream's lines for a finished handshake (relay: "host [addr]"),
 * under the LogLevel of the context, without a queue id (as upstream).
 */
void tls_log_session(const struct tls_session *s, const char *relay);

/*
 * Appends s to out encoded as upstream encodes certificate and AUTH macros
 * (op.txt 6.7): '\\', '<', '>', '(', ')', '"', '+', ' ' and every byte that
 * is not printable ASCII become "+HH".
 */
void tls_macro_encode(const char *s, struct pt_buf *out);

#endif
