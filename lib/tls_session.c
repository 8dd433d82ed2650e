/*
 * tls_session: one STARTTLS session over an smtp_io: the handshake in either
 * role, the TLS transport the stream then reads and writes through, the
 * macro values and upstream's log lines, the per-session features.
 *
 * Owns the SSL object and the strings of the session's facts.  Before the
 * handshake it drops everything the stream had buffered, so that nothing
 * sent in plain text behind STARTTLS (or before the server's 220) is ever
 * read as if it came over TLS.  Never exits; logs through pt_log.  Runs in
 * the SMTP server process of one connection, or in an SMTP client process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"
#include "tls.h"
#include "tls_int.h"

/* The facts of a session, one owned string each. */
enum fact {
	F_VERIFY, F_SUBJECT, F_ISSUER, F_CN_SUBJECT, F_CN_ISSUER, F_CIPHER, F_BITS, F_ALG_BITS,
	F_VERSION, F_SERVER_NAME, F_VERIFY_MSG, F_COUNT
};

struct tls_session {
	struct tls_ctx *ctx;
	SSL *ssl;
	bool request_cert;	/* the server asks this client for a certificate */
	char *facts[F_COUNT];
	struct tls_info info;
};

/* The role's name in log lines. */
static const char *
who(const struct tls_session *s)
{
	return s->ctx->role == TLS_SERVER ? "server" : "client";
}

/* Replaces one fact. */
static void
set_fact(struct tls_session *s, enum fact f, const char *v)
{
	free(s->facts[f]);
	s->facts[f] = pt_strdup(v != NULL ? v : "");
}

/* Points the public view at the facts. */
static void
refresh_info(struct tls_session *s)
{
	s->info.verify = s->facts[F_VERIFY];
	s->info.cert_subject = s->facts[F_SUBJECT];
	s->info.cert_issuer = s->facts[F_ISSUER];
	s->info.cn_subject = s->facts[F_CN_SUBJECT];
	s->info.cn_issuer = s->facts[F_CN_ISSUER];
	s->info.cipher = s->facts[F_CIPHER];
	s->info.cipher_bits = s->facts[F_BITS];
	s->info.alg_bits = s->facts[F_ALG_BITS];
	s->info.tls_version = s->facts[F_VERSION];
	s->info.server_name = s->facts[F_SERVER_NAME];
	s->info.verify_msg = s->facts[F_VERIFY_MSG];
}

void
tls_macro_encode(const char *s, struct pt_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c >= 127 || strchr("\\<>()\"+", c) != NULL) {
			pt_buf_addc(out, '+');
			pt_buf_addc(out, hex[c >> 4]);
			pt_buf_addc(out, hex[c & 15]);
		} else
			pt_buf_addc(out, c);
	}
}

/* Sets fact f to the encoding of s. */
static void
set_encoded(struct tls_session *s, enum fact f, const char *v)
{
	struct pt_buf b = PT_BUF_INIT;

	tls_macro_encode(v, &b);
	set_fact(s, f, pt_buf_str(&b));
	pt_buf_free(&b);
}

/* The common name of a name, encoded, or "" when it has none usable. */
static void
set_cn(struct tls_session *s, enum fact f, X509_NAME *name)
{
	char cn[256];
	int n = X509_NAME_get_text_by_NID(name, NID_commonName, cn, sizeof cn);

	if (n <= 0 || (size_t)n >= sizeof cn - 1 || strlen(cn) != (size_t)n)
		set_fact(s, f, "");	/* none, too long, or holding a NUL */
	else
		set_encoded(s, f, cn);
}

/* Fills the facts from a finished handshake. */
static void
read_facts(struct tls_session *s)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(s->ssl);
	X509 *peer = SSL_get1_peer_certificate(s->ssl);
	char buf[1024];
	int bits = 0, alg = 0;
	long vr;

	set_fact(s, F_VERSION, SSL_get_version(s->ssl));
	set_fact(s, F_CIPHER, c != NULL ? SSL_CIPHER_get_name(c) : "");
	if (c != NULL)
		bits = SSL_CIPHER_get_bits(c, &alg);
	snprintf(buf, sizeof buf, "%d", bits);
	set_fact(s, F_BITS, buf);
	snprintf(buf, sizeof buf, "%d", alg);
	set_fact(s, F_ALG_BITS, buf);
	vr = SSL_get_verify_result(s->ssl);
	set_fact(s, F_VERIFY_MSG, X509_verify_cert_error_string(vr));
	if (peer == NULL) {
		set_fact(s, F_VERIFY, s->request_cert ? "NO" : "NOT");
		return;
	}
	set_fact(s, F_VERIFY, vr == X509_V_OK ? "OK" : "FAIL");
	set_encoded(s, F_SUBJECT, X509_NAME_oneline(X509_get_subject_name(peer), buf, sizeof buf));
	set_encoded(s, F_ISSUER, X509_NAME_oneline(X509_get_issuer_name(peer), buf, sizeof buf));
	set_cn(s, F_CN_SUBJECT, X509_get_subject_name(peer));
	set_cn(s, F_CN_ISSUER, X509_get_issuer_name(peer));
	X509_free(peer);
}

/* Maps an SSL result to the transport's convention. */
static ssize_t
ssl_result(struct tls_session *s, int r, int *want, struct pt_buf *errmsg)
{
	int e = SSL_get_error(s->ssl, r);
	char buf[256];

	*want = 0;
	switch (e) {
	case SSL_ERROR_WANT_READ: *want = POLLIN; return -1;
	case SSL_ERROR_WANT_WRITE: *want = POLLOUT; return -1;
	case SSL_ERROR_ZERO_RETURN: return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 && (r == 0 || errno == 0))
			return 0;	/* the peer went away without close_notify */
		pt_buf_printf(errmsg, "TLS: %s", errno ? strerror(errno) : "syscall error");
		return -1;
	default:
		ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
		pt_buf_printf(errmsg, "TLS: %s", buf);
		ERR_clear_error();
		return -1;
	}
}

/* The TLS transport's read. */
static ssize_t
tls_read(void *ctx, void *buf, size_t n, int *want, struct pt_buf *errmsg)
{
	struct tls_session *s = ctx;
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_read(s->ssl, buf, n > 1 << 30 ? 1 << 30 : (int)n);
	if (r > 0) {
		*want = 0;
		return r;
	}
	return ssl_result(s, r, want, errmsg);
}

/* The TLS transport's write. */
static ssize_t
tls_write(void *ctx, const void *buf, size_t n, int *want, struct pt_buf *errmsg)
{
	struct tls_session *s = ctx;
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_write(s->ssl, buf, n > 1 << 30 ? 1 << 30 : (int)n);
	if (r > 0) {
		*want = 0;
		return r;
	}
	r = (int)ssl_result(s, r, want, errmsg);
	return r == 0 ? -1 : r;	/* no end of file when writing */
}

/* Decoded bytes the session holds. */
static size_t
tls_pending(void *ctx)
{
	struct tls_session *s = ctx;
	int n = SSL_pending(s->ssl);

	return n > 0 ? (size_t)n : 0;
}

static const struct smtp_transport tls_transport = { "tls", tls_read, tls_write, tls_pending };

/* Applies per-session features (files, ciphers, options) to the SSL object. */
static bool
apply_features(struct tls_session *s, const struct tls_features *f, struct pt_buf *err)
{
	unsigned long long cur, opts;

	if (f->cert_file != NULL && f->key_file != NULL) {
		if (!tls_file_safe(who(s), f->cert_file, false, s->ctx->uid, err) ||
		    !tls_file_safe(who(s), f->key_file, true, s->ctx->uid, err))
			return false;
		if (SSL_use_certificate_chain_file(s->ssl, f->cert_file) != 1 ||
		    SSL_use_PrivateKey_file(s->ssl, f->key_file, SSL_FILETYPE_PEM) != 1) {
			pt_log(LOG_WARNING, "STARTTLS=%s, error: SSL_use_PrivateKey_file(%s) failed",
			    who(s), f->key_file);
			tls_log_errors(who(s), s->ctx->log_level);
			pt_buf_printf(err, "cannot load %s / %s", f->cert_file, f->key_file);
			return false;
		}
	}
	if (f->cipher_list != NULL && SSL_set_cipher_list(s->ssl, f->cipher_list) != 1) {
		pt_log(LOG_WARNING, "STARTTLS=%s, error: SSL_set_cipher_list(%s) failed", who(s),
		    f->cipher_list);
		pt_buf_printf(err, "bad CipherList %s", f->cipher_list);
		return false;
	}
	if (f->options != NULL) {
		cur = opts = SSL_get_options(s->ssl);
		if (!tls_parse_ssl_options(f->options, &opts, err))
			return false;
		SSL_clear_options(s->ssl, (uint64_t)(cur & ~opts));
		SSL_set_options(s->ssl, (uint64_t)opts);
	}
	return true;
}

struct tls_session *
tls_session_new(struct tls_ctx *ctx, const char *server_name, const struct tls_features *f,
    struct pt_buf *err)
{
	struct tls_session *s = pt_calloc(1, sizeof *s);
	int i;

	s->ctx = ctx;
	s->request_cert = ctx->request_cert;
	for (i = 0; i < F_COUNT; i++)
		s->facts[i] = pt_strdup("");
	set_fact(s, F_VERIFY, "NONE");
	set_fact(s, F_SERVER_NAME, server_name);
	refresh_info(s);
	s->ssl = SSL_new(ctx->ssl);
	if (s->ssl == NULL) {
		pt_log(LOG_WARNING, "STARTTLS=%s, error: SSL_new failed", who(s));
		pt_buf_adds(err, "SSL_new failed");
		tls_session_free(s);
		return NULL;
	}
	if (ctx->role == TLS_CLIENT && server_name != NULL && *server_name != '\0' &&
	    server_name[0] != '[')
		SSL_set_tlsext_host_name(s->ssl, server_name);
	if (f != NULL && !apply_features(s, f, err)) {
		tls_session_free(s);
		return NULL;
	}
	return s;
}

void
tls_session_no_client_cert(struct tls_session *s)
{
	if (s->ctx->role != TLS_SERVER)
		return;
	SSL_set_verify(s->ssl, SSL_VERIFY_NONE, NULL);
	s->request_cert = false;
}

/* Makes a descriptor non-blocking. */
static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The error text of a failed handshake, in upstream's shape ("accept failed=-1, reason=..."). */
static void
handshake_error(struct tls_session *s, int r, int sslerr, int err, unsigned long code,
    const char *why, struct pt_buf *out)
{
	const char *reason = code != 0 ? ERR_reason_error_string(code) : NULL;

	if (reason == NULL)
		reason = *why ? why : err != 0 ? strerror(err) : "connection closed";
	pt_buf_printf(out, "STARTTLS=%s, error: %s failed=%d, reason=%s, SSL_error=%d, errno=%d, "
	    "retry=-1", who(s), s->ctx->role == TLS_SERVER ? "accept" : "connect", r, reason,
	    sslerr, err);
}

int
tls_handshake(struct tls_session *s, struct smtp_io *io, long timeout_ms, size_t *discarded,
    struct pt_buf *err)
{
	size_t n = smtp_io_discard(io);
	int r, want, sslerr, e;
	unsigned long code;
	struct pt_buf why = PT_BUF_INIT;

	if (discarded != NULL)
		*discarded = n;
	set_nonblock(smtp_io_rfd(io));
	set_nonblock(smtp_io_wfd(io));
	SSL_set_rfd(s->ssl, smtp_io_rfd(io));
	SSL_set_wfd(s->ssl, smtp_io_wfd(io));
	if (s->ctx->role == TLS_SERVER)
		SSL_set_accept_state(s->ssl);
	else
		SSL_set_connect_state(s->ssl);
	for (;;) {
		ERR_clear_error();
		errno = 0;
		r = SSL_do_handshake(s->ssl);
		if (r == 1)
			break;
		sslerr = SSL_get_error(s->ssl, r);
		e = errno;
		code = ERR_peek_error();
		ssl_result(s, r, &want, &why);
		if (want == 0 || smtp_io_wait(io, want, timeout_ms) != SMTP_IO_OK) {
			if (want != 0)
				pt_buf_printf(&why, "%s", smtp_io_error(io));
			set_fact(s, F_VERIFY, "SOFTWARE");
			refresh_info(s);
			handshake_error(s, r, sslerr, e, code, pt_buf_str(&why), err);
			pt_buf_free(&why);
			return -1;
		}
	}
	pt_buf_free(&why);
	read_facts(s);
	refresh_info(s);
	smtp_io_set_transport(io, &tls_transport, s);
	return 0;
}

void
tls_shutdown(struct tls_session *s, struct smtp_io *io, long timeout_ms)
{
	int r, want, tries;
	struct pt_buf why = PT_BUF_INIT;

	for (tries = 0; tries < 4; tries++) {
		ERR_clear_error();
		r = SSL_shutdown(s->ssl);
		if (r != 0 && r != -1)
			break;
		if (r == 0)
			continue;	/* sent ours; one more call to see theirs */
		ssl_result(s, r, &want, &why);
		if (want == 0 || smtp_io_wait(io, want, timeout_ms) != SMTP_IO_OK)
			break;
	}
	ERR_clear_error();
	pt_buf_free(&why);
	smtp_io_set_transport(io, NULL, NULL);
}

void
tls_session_free(struct tls_session *s)
{
	int i;

	if (s == NULL)
		return;
	SSL_free(s->ssl);
	for (i = 0; i < F_COUNT; i++)
		free(s->facts[i]);
	free(s);
}

const struct tls_info *
tls_session_info(const struct tls_session *s)
{
	return &s->info;
}

void
tls_info_macros(const struct tls_info *info,
    void (*set)(void *ctx, const char *name, const char *value), void *ctx)
{
	set(ctx, "{verify}", info->verify);
	set(ctx, "{cert_subject}", info->cert_subject);
	set(ctx, "{cert_issuer}", info->cert_issuer);
	set(ctx, "{cn_subject}", info->cn_subject);
	set(ctx, "{cn_issuer}", info->cn_issuer);
	set(ctx, "{cipher}", info->cipher);
	set(ctx, "{cipher_bits}", info->cipher_bits);
	set(ctx, "{tls_version}", info->tls_version);
	set(ctx, "{server_name}", info->server_name);
}

void
tls_log_session(const struct tls_session *s, const char *relay)
{
	const struct tls_info *i = &s->info;

	/* without a queue id, as upstream, also when a delivery has one */
	if (s->ctx->log_level > 8)
		pt_log_id(LOG_INFO, "",
		    "STARTTLS=%s, relay=%.100s, version=%.16s, verify=%.16s, cipher=%.64s, bits=%.6s/%.6s",
		    who(s), relay != NULL ? relay : "", i->tls_version, i->verify, i->cipher,
		    i->cipher_bits, i->alg_bits);
	if (s->ctx->log_level > 11)
		pt_log_id(LOG_INFO, "", "STARTTLS=%s, cert-subject=%.256s, cert-issuer=%.256s, verifymsg=%s",
		    who(s), i->cert_subject, i->cert_issuer, i->verify_msg);
}

/* The keywords of a tls_*_features result, with where each goes. */
static char **
feature_slot(struct tls_features *f, const char *key, size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
		{ "CertFile", offsetof(struct tls_features, cert_file) },
		{ "KeyFile", offsetof(struct tls_features, key_file) },
		{ "CipherList", offsetof(struct tls_features, cipher_list) },
		{ "Options", offsetof(struct tls_features, options) },
		{ "Flags", offsetof(struct tls_features, flags) },
	};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i].name) == n && pt_strncasecmp(key, keys[i].name, n) == 0)
			return (char **)((char *)f + keys[i].off);
	return NULL;
}

/* The length of the keyword that ends before eq, blanks dropped. */
static size_t
key_len(const char *item, const char *eq)
{
	while (eq > item && (eq[-1] == ' ' || eq[-1] == '\t'))
		eq--;
	return (size_t)(eq - item);
}

bool
tls_features_parse(const char *s, struct tls_features *f, struct pt_buf *err)
{
	char *copy = pt_strdup(s), *rest = copy, *item, *eq, **slot;
	bool good = true;

	memset(f, 0, sizeof *f);
	while (good && (item = strsep(&rest, ";")) != NULL) {
		item = pt_str_trim(item);
		if (*item == '\0')
			continue;
		eq = strchr(item, '=');
		slot = eq != NULL ? feature_slot(f, item, key_len(item, eq)) : NULL;
		if (slot == NULL) {
			pt_buf_printf(err, "invalid_syntax, opt=%s", item);
			good = false;
			break;
		}
		free(*slot);
		*slot = pt_strdup(pt_str_trim(eq + 1));
	}
	free(copy);
	if (!good)
		tls_features_free(f);
	return good;
}

void
tls_features_free(struct tls_features *f)
{
	free(f->cert_file);
	free(f->key_file);
	free(f->cipher_list);
	free(f->options);
	free(f->flags);
	memset(f, 0, sizeof *f);
}
