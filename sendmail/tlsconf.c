/*
 * tlsconf: the bridge between the loaded cf and the tls module: the TLS
 * options as struct tls_settings, and a context per role.
 *
 * Runs in the daemon before it accepts connections (the server context is
 * made as root, so that key files only root may read can be loaded, and is
 * inherited by every session) and in delivery processes (the client
 * context).  Never exits; the tls module logs every refusal.
 */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "pt_buf.h"
#include "tlsconf.h"

/* The uid of RunAsUser ("user", "uid", "user:group"), or 0. */
static uid_t
run_as_uid(const char *spec)
{
	struct passwd *pw;
	char name[256];
	size_t n;

	if (spec == NULL || *spec == '\0')
		return 0;
	n = strcspn(spec, ":");
	if (n >= sizeof name)
		return 0;
	memcpy(name, spec, n);
	name[n] = '\0';
	if (isdigit((unsigned char)name[0]))
		return (uid_t)strtoul(name, NULL, 10);
	pw = getpwnam(name);
	return pw != NULL ? pw->pw_uid : 0;
}

void
tlsconf_settings(const struct cf_config *cfg, struct tls_settings *s)
{
	const struct cf_options *o = &cfg->opt;

	memset(s, 0, sizeof *s);
	s->ca_cert_file = o->ca_cert_file;
	s->ca_cert_path = o->ca_cert_path;
	s->server_cert_file = o->server_cert_file;
	s->server_key_file = o->server_key_file;
	s->client_cert_file = o->client_cert_file;
	s->client_key_file = o->client_key_file;
	s->crl_file = o->crl_file;
	s->crl_path = o->crl_path;
	s->dh_parameters = o->dh_parameters;
	s->cipher_list = o->cipher_list;
	s->server_ssl_options = o->server_ssl_options;
	s->client_ssl_options = o->client_ssl_options;
	s->tls_srv_options = o->tls_srv_options;
	s->uid = run_as_uid(o->run_as_user);
	s->log_level = (int)o->log_level;
}

struct tls_ctx *
tlsconf_ctx(const struct cf_config *cfg, enum tls_role role)
{
	struct tls_settings s;
	struct pt_buf err = PT_BUF_INIT;
	struct tls_ctx *ctx;

	tlsconf_settings(cfg, &s);
	ctx = tls_ctx_new(role, &s, &err);
	pt_buf_free(&err);
	return ctx;
}
