/*
 * tls_ctx: OpenSSL contexts for the SMTP server and client, made from the cf
 * options, with upstream's checks of certificate and key files, SSL option
 * names, CA and CRL stores, Diffie-Hellman parameters and cipher lists.
 *
 * Owns the SSL_CTX of each role.  It reads certificate and key files only
 * after they pass the file-safety checks (a key file may be read by its
 * owner only), logs refusals in upstream's shape through pt_log, never exits.
 * Runs in the daemon before it accepts connections (as root, so it can read
 * keys that only root may read) and in each SMTP client process.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_log.h"
#include "pt_str.h"
#include "tls.h"
#include "tls_int.h"

/* The session id context of the server's sessions (see configure). */
#define TLS_SID_CTX "Petrel SMTP server"

/* The SSL option names upstream accepts (those this OpenSSL has). */
static const struct {
	const char *name;
	unsigned long long value;
} ssl_options[] = {
#define OPT(n) { #n, (unsigned long long)(n) }
	OPT(SSL_OP_ALL),
#ifdef SSL_OP_TLSEXT_PADDING
	OPT(SSL_OP_TLSEXT_PADDING),
#endif
#ifdef SSL_OP_NO_SSLv2
	OPT(SSL_OP_NO_SSLv2),
#endif
	OPT(SSL_OP_NO_SSLv3),
	OPT(SSL_OP_NO_TLSv1),
	OPT(SSL_OP_NO_TLSv1_1),
	OPT(SSL_OP_NO_TLSv1_2),
#ifdef SSL_OP_NO_TLSv1_3
	OPT(SSL_OP_NO_TLSv1_3),
#endif
	OPT(SSL_OP_CIPHER_SERVER_PREFERENCE),
	OPT(SSL_OP_NO_COMPRESSION),
	OPT(SSL_OP_NO_TICKET),
#ifdef SSL_OP_NO_RENEGOTIATION
	OPT(SSL_OP_NO_RENEGOTIATION),
#endif
	OPT(SSL_OP_LEGACY_SERVER_CONNECT),
	OPT(SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION),
	OPT(SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS),
	OPT(SSL_OP_NO_QUERY_MTU),
	OPT(SSL_OP_COOKIE_EXCHANGE),
	OPT(SSL_OP_SINGLE_DH_USE),
	OPT(SSL_OP_SINGLE_ECDH_USE),
	OPT(SSL_OP_TLS_ROLLBACK_BUG),
	OPT(SSL_OP_CRYPTOPRO_TLSEXT_BUG),
	OPT(SSL_OP_MICROSOFT_SESS_ID_BUG),
	OPT(SSL_OP_NETSCAPE_CHALLENGE_BUG),
	OPT(SSL_OP_NETSCAPE_REUSE_CIPHER_CHANGE_BUG),
	OPT(SSL_OP_SSLREF2_REUSE_CERT_TYPE_BUG),
	OPT(SSL_OP_MICROSOFT_BIG_SSLV3_BUFFER),
	OPT(SSL_OP_SSLEAY_080_CLIENT_DH_BUG),
	OPT(SSL_OP_TLS_D5_BUG),
	OPT(SSL_OP_TLS_BLOCK_PADDING_BUG),
#ifdef SSL_OP_SAFARI_ECDHE_ECDSA_BUG
	OPT(SSL_OP_SAFARI_ECDHE_ECDSA_BUG),
#endif
#ifdef SSL_OP_NO_ENCRYPT_THEN_MAC
	OPT(SSL_OP_NO_ENCRYPT_THEN_MAC),
#endif
#ifdef SSL_OP_PRIORITIZE_CHACHA
	OPT(SSL_OP_PRIORITIZE_CHACHA),
#endif
#ifdef SSL_OP_ENABLE_MIDDLEBOX_COMPAT
	OPT(SSL_OP_ENABLE_MIDDLEBOX_COMPAT),
#endif
#ifdef SSL_OP_NO_ANTI_REPLAY
	OPT(SSL_OP_NO_ANTI_REPLAY),
#endif
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	OPT(SSL_OP_IGNORE_UNEXPECTED_EOF),
#endif
#ifdef SSL_OP_NO_EXTENDED_MASTER_SECRET
	OPT(SSL_OP_NO_EXTENDED_MASTER_SECRET),
#endif
#undef OPT
};

/* Looks an option word up by name or number; false if unknown. */
static bool
option_value(const char *w, size_t n, unsigned long long *v)
{
	char buf[64];
	char *end;
	size_t i;

	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, w, n);
	buf[n] = '\0';
	if (buf[0] >= '0' && buf[0] <= '9') {
		errno = 0;
		*v = strtoull(buf, &end, 0);
		return errno == 0 && *end == '\0';
	}
	for (i = 0; i < sizeof ssl_options / sizeof ssl_options[0]; i++)
		if (pt_strcasecmp(buf, ssl_options[i].name) == 0) {
			*v = ssl_options[i].value;
			return true;
		}
	return false;
}

bool
tls_parse_ssl_options(const char *s, unsigned long long *opts, struct pt_buf *err)
{
	unsigned long long v;
	size_t n;
	bool clear;

	while (s != NULL && *s) {
		s += strspn(s, " \t,");
		if (*s == '\0')
			break;
		clear = *s == '-';
		if (*s == '-' || *s == '+')
			s++;
		n = strcspn(s, " \t,");
		if (!option_value(s, n, &v)) {
			pt_buf_printf(err, "unknown SSL option %.*s", (int)n, s);
			return false;
		}
		if (clear)
			*opts &= ~v;
		else
			*opts |= v;
		s += n;
	}
	return true;
}

/* Logs an OpenSSL error queue as upstream does ("STARTTLS=server: error:..."). */
void
tls_log_errors(const char *who, int log_level)
{
	unsigned long e;
	const char *file, *data;
	int line, flags;
	char buf[256];

	while ((e = ERR_get_error_all(&file, &line, NULL, &data, &flags)) != 0) {
		if (log_level <= 9)
			continue;
		ERR_error_string_n(e, buf, sizeof buf);
		pt_log(LOG_WARNING, "STARTTLS=%s: %s:%s:%d:%s", who, buf, file, line,
		    (flags & ERR_TXT_STRING) ? data : "");
	}
}

/*
 * Checks one certificate or key file as upstream does: the folders on its
 * path, the file itself, its modes (a key may be read only by its owner,
 * who must be uid or root).  Logs and returns false when it is unsafe.
 */
bool
tls_file_safe(const char *who, const char *path, bool is_key, uid_t uid, struct pt_buf *err)
{
	static const struct {
		mode_t bits;
		bool key_only;
		const char *why;
	} modes[] = {
		{ S_IWGRP, false, "Group writable file" },
		{ S_IWOTH, false, "World writable file" },
		{ S_IRGRP, true, "Group readable file" },
		{ S_IROTH, true, "World readable file" },
	};
	const char *why = NULL;
	struct stat st;
	size_t i;
	int rc;

	rc = pt_safefile(path, uid, PT_SFF_SAFEDIRPATH | PT_SFF_NOSTICKY, &st, &why);
	if (rc == 0 && is_key && st.st_uid != uid && st.st_uid != 0)
		why = strerror(EACCES);
	for (i = 0; rc == 0 && why != NULL && *why == '\0' && i < sizeof modes / sizeof modes[0]; i++)
		if ((st.st_mode & modes[i].bits) && (is_key || !modes[i].key_only))
			why = modes[i].why;
	if (why == NULL || *why == '\0')
		return true;
	pt_log(LOG_WARNING, "STARTTLS=%s: file %s unsafe: %s", who, path, why);
	pt_buf_printf(err, "file %s unsafe: %s", path, why);
	return false;
}

/* Loads one "cert[,cert2]" / "key[,key2]" pair of options into ctx. */
static bool
load_pairs(SSL_CTX *ctx, const char *who, const char *certs, const char *keys,
    const struct tls_settings *s, struct pt_buf *err)
{
	char *cl = pt_strdup(certs), *kl = pt_strdup(keys);
	char *cs = cl, *ks = kl, *c, *k;
	bool good = true;

	while (good && (c = strsep(&cs, ",")) != NULL && (k = strsep(&ks, ",")) != NULL) {
		if (!tls_file_safe(who, c, false, s->uid, err) || !tls_file_safe(who, k, true, s->uid, err))
			good = false;
		else if (SSL_CTX_use_certificate_chain_file(ctx, c) != 1) {
			pt_log(LOG_WARNING, "STARTTLS=%s, error: SSL_CTX_use_certificate_file(%s) failed",
			    who, c);
			pt_buf_printf(err, "cannot load certificate %s", c);
			good = false;
		} else if (SSL_CTX_use_PrivateKey_file(ctx, k, SSL_FILETYPE_PEM) != 1) {
			pt_log(LOG_WARNING, "STARTTLS=%s, error: SSL_CTX_use_PrivateKey_file(%s) failed",
			    who, k);
			pt_buf_printf(err, "cannot load key %s", k);
			good = false;
		} else if (SSL_CTX_check_private_key(ctx) != 1) {
			pt_log(LOG_WARNING, "STARTTLS=%s, error: SSL_CTX_check_private_key failed(%s): 0",
			    who, k);
			pt_buf_printf(err, "key %s does not match certificate %s", k, c);
			good = false;
		}
	}
	if (!good)
		tls_log_errors(who, s->log_level);
	free(cl);
	free(kl);
	return good;
}

/* Sets up the CA store and, for a server, the list of CAs sent to clients. */
static bool
load_cas(SSL_CTX *ctx, enum tls_role role, const char *who, const struct tls_settings *s,
    struct pt_buf *err)
{
	if (s->ca_cert_file != NULL && !tls_file_safe(who, s->ca_cert_file, false, s->uid, err))
		return false;
	if ((s->ca_cert_file != NULL || s->ca_cert_path != NULL) &&
	    SSL_CTX_load_verify_locations(ctx, s->ca_cert_file, s->ca_cert_path) != 1) {
		pt_log(LOG_WARNING, "STARTTLS=%s, error: load verify locs %s, %s failed", who,
		    s->ca_cert_path ? s->ca_cert_path : "", s->ca_cert_file ? s->ca_cert_file : "");
		tls_log_errors(who, s->log_level);
		pt_buf_printf(err, "cannot load the CA certificates");
		return false;
	}
	if (role == TLS_SERVER && s->ca_cert_file != NULL) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(s->ca_cert_file);

		if (names != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
	}
	return true;
}

/* Adds CRLFile and CRLPath to the store; a CRLFile that cannot be used disables STARTTLS. */
static bool
load_crls(SSL_CTX *ctx, const char *who, const struct tls_settings *s, struct pt_buf *err)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	X509_LOOKUP *lookup;

	if (s->crl_file != NULL) {
		if (!tls_file_safe(who, s->crl_file, false, s->uid, err))
			return false;
		lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
		if (lookup == NULL ||
		    X509_load_crl_file(lookup, s->crl_file, X509_FILETYPE_PEM) <= 0) {
			pt_log(LOG_WARNING, "STARTTLS=%s, error: PEM_read_bio_X509_CRL(%s)=failed", who,
			    s->crl_file);
			tls_log_errors(who, s->log_level);
			pt_buf_printf(err, "cannot load CRLFile %s", s->crl_file);
			return false;
		}
	}
	if (s->crl_path != NULL) {
		lookup = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
		if (lookup == NULL ||
		    X509_LOOKUP_add_dir(lookup, s->crl_path, X509_FILETYPE_PEM) != 1) {
			pt_log(LOG_WARNING, "STARTTLS=%s, error: X509_LOOKUP_add_dir(%s)=failed", who,
			    s->crl_path);
			pt_buf_printf(err, "cannot use CRLPath %s", s->crl_path);
			return false;
		}
	}
	if (s->crl_file != NULL || s->crl_path != NULL)
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	return true;
}

/* Applies DHParameters (server only): none, 1, 2, 5, i (default) or a PEM file. */
static bool
load_dh(SSL_CTX *ctx, const struct tls_settings *s, struct pt_buf *err)
{
	const char *dh = s->dh_parameters != NULL ? s->dh_parameters : "i";
	EVP_PKEY *pkey;
	BIO *bio;

	if (pt_strcasecmp(dh, "none") == 0)
		return true;
	if (dh[0] != '/') {
		if (strchr("125iI", dh[0]) == NULL || dh[1] != '\0') {
			pt_log(LOG_WARNING, "STARTTLS=server, error: illegal value '%s' for DHParameters",
			    dh);
			pt_buf_printf(err, "illegal value '%s' for DHParameters", dh);
			return false;
		}
		SSL_CTX_set_dh_auto(ctx, 1);
		if (s->log_level > 13)
			pt_log(LOG_INFO, "STARTTLS=server, Diffie-Hellman init, key=%d bit (%c)",
			    dh[0] == '5' ? 512 : dh[0] == '1' ? 1024 : 2048, pt_toupper(dh[0]));
		return true;
	}
	bio = BIO_new_file(dh, "r");
	pkey = bio != NULL ? PEM_read_bio_Parameters(bio, NULL) : NULL;
	BIO_free(bio);
	if (pkey == NULL || SSL_CTX_set0_tmp_dh_pkey(ctx, pkey) != 1) {
		EVP_PKEY_free(pkey);
		pt_log(LOG_WARNING, "STARTTLS=server, error: cannot read DH parameters(%s)", dh);
		tls_log_errors("server", s->log_level);
		pt_buf_printf(err, "cannot read DH parameters from %s", dh);
		return false;
	}
	return true;
}

/* Accepts every peer certificate during the handshake; the result is read afterwards. */
static int
verify_any(int ok, X509_STORE_CTX *store)
{
	(void)ok;
	(void)store;
	return 1;
}

/* The certificate and key options of a role. */
static void
role_files(enum tls_role role, const struct tls_settings *s, const char **cert, const char **key)
{
	*cert = role == TLS_SERVER ? s->server_cert_file : s->client_cert_file;
	*key = role == TLS_SERVER ? s->server_key_file : s->client_key_file;
}

/* Configures ctx from the settings; false (logged, err set) if STARTTLS must stay off. */
static bool
configure(struct tls_ctx *t, const struct tls_settings *s, struct pt_buf *err)
{
	const char *who = t->role == TLS_SERVER ? "server" : "client", *cert, *key;
	unsigned long long opts = SSL_OP_ALL & ~(unsigned long long)SSL_OP_TLSEXT_PADDING;
	bool no_cert_ok = t->role == TLS_CLIENT ||
	    (s->tls_srv_options != NULL && strchr(s->tls_srv_options, 'C') != NULL);

	role_files(t->role, s, &cert, &key);
	if (!tls_parse_ssl_options(t->role == TLS_SERVER ? s->server_ssl_options :
	    s->client_ssl_options, &opts, err)) {
		pt_log(LOG_WARNING, "STARTTLS=%s, error: %s", who, pt_buf_str(err));
		return false;
	}
	SSL_CTX_set_options(t->ssl, (uint64_t)opts);
	SSL_CTX_set_min_proto_version(t->ssl, TLS1_VERSION);
	if ((cert == NULL || key == NULL) && !no_cert_ok) {
		if (s->log_level > 12)
			pt_log(LOG_WARNING, "STARTTLS: %s missing",
			    cert == NULL ? "ServerCertFile" : "ServerKeyFile");
		pt_buf_printf(err, "%s missing", cert == NULL ? "ServerCertFile" : "ServerKeyFile");
		return false;
	}
	if (cert != NULL && key != NULL && !load_pairs(t->ssl, who, cert, key, s, err))
		return false;
	if (!load_cas(t->ssl, t->role, who, s, err) || !load_crls(t->ssl, who, s, err))
		return false;
	if (s->crl_file == NULL && s->log_level > 12)
		pt_log(LOG_WARNING, "STARTTLS: CRLFile missing");
	if (t->role == TLS_SERVER && !load_dh(t->ssl, s, err))
		return false;
	if (s->cipher_list != NULL && SSL_CTX_set_cipher_list(t->ssl, s->cipher_list) != 1) {
		pt_log(LOG_WARNING, "STARTTLS=%s, error: SSL_CTX_set_cipher_list(%s) failed", who,
		    s->cipher_list);
		pt_buf_printf(err, "bad CipherList %s", s->cipher_list);
		return false;
	}
	t->request_cert = t->role == TLS_CLIENT ||
	    s->tls_srv_options == NULL || strchr(s->tls_srv_options, 'V') == NULL;
	if (t->request_cert)
		SSL_CTX_set_verify(t->ssl, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, verify_any);
	else
		SSL_CTX_set_verify(t->ssl, SSL_VERIFY_NONE, NULL);
	/*
	 * A server that asks for certificates must name the context its sessions
	 * belong to, or OpenSSL ends every resumed handshake with an internal
	 * error alert (clients such as Postfix keep sessions by default).  The
	 * tickets' key is made with the context, in the daemon, so every session
	 * process it forks can resume what another one started.
	 */
	if (t->role == TLS_SERVER &&
	    SSL_CTX_set_session_id_context(t->ssl, (const unsigned char *)TLS_SID_CTX,
		sizeof TLS_SID_CTX - 1) != 1) {
		pt_buf_adds(err, "SSL_CTX_set_session_id_context failed");
		return false;
	}
	if (s->log_level > 12)
		pt_log(LOG_INFO, "STARTTLS=%s, init=1", who);
	return true;
}

struct tls_ctx *
tls_ctx_new(enum tls_role role, const struct tls_settings *s, struct pt_buf *err)
{
	struct tls_ctx *t = pt_calloc(1, sizeof *t);

	t->role = role;
	t->log_level = s->log_level;
	t->uid = s->uid;
	t->ssl = SSL_CTX_new(role == TLS_SERVER ? TLS_server_method() : TLS_client_method());
	if (t->ssl == NULL) {
		pt_log(LOG_WARNING, "STARTTLS=%s, error: SSL_CTX_new failed",
		    role == TLS_SERVER ? "server" : "client");
		pt_buf_adds(err, "SSL_CTX_new failed");
		free(t);
		return NULL;
	}
	if (!configure(t, s, err)) {
		if (s->log_level > 12)
			pt_log(LOG_INFO, "STARTTLS=%s, init=0", role == TLS_SERVER ? "server" : "client");
		tls_ctx_free(t);
		return NULL;
	}
	return t;
}

void
tls_ctx_free(struct tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}
