/*
 * tls_int: what the files of the tls module share and nothing else sees
 * (the context's layout, OpenSSL error logging, the file-safety check).
 */
#ifndef TLS_INT_H
#define TLS_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "pt_buf.h"
#include "tls.h"

struct tls_ctx {
	SSL_CTX *ssl;
	enum tls_role role;
	int log_level;
	uid_t uid;
	bool request_cert;	/* the server asks for a client certificate */
};

/* Logs and empties OpenSSL's error queue under who ("server", "client") when LogLevel > 9. */
void tls_log_errors(const char *who, int log_level);

/* Checks a certificate (is_key false) or key file; logs upstream's line and returns false if unsafe. */
bool tls_file_safe(const char *who, const char *path, bool is_key, uid_t uid, struct pt_buf *err);

#endif
