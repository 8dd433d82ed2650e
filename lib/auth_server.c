/*
 * auth_server: the server side of SMTP AUTH over Cyrus SASL: library
 * initialisation for the application "Sendmail", one SASL connection per
 * session with the security flags of AuthOptions and the strength of the
 * TLS layer, the permitted mechanisms, the exchange, the identities.
 *
 * Runs in the daemon (initialisation, as root, before it forks) and in each
 * session process.  Never exits, never logs: the session logs failures in
 * upstream's words from the texts returned here.  No SASL security layer is
 * ever negotiated.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>

#include "auth.h"
#include "auth_int.h"
#include "pt_alloc.h"
#include "pt_str.h"

struct auth_server {
	sasl_conn_t *conn;
};

/* SASL's own log messages: the session logs what matters in upstream's words. */
static int
quiet_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
	return SASL_OK;
}

static const sasl_callback_t server_callbacks[] = {
	{ SASL_CB_LOG, AUTH_CALLBACK(quiet_log), NULL },
	{ SASL_CB_LIST_END, NULL, NULL },
};

unsigned
auth_options(const char *s)
{
	static const struct {
		char c;
		unsigned flag;
	} letters[] = {
		{ 'p', AUTH_NOPLAINTEXT }, { 'a', AUTH_NOACTIVE }, { 'd', AUTH_NODICTIONARY },
		{ 'f', AUTH_FORWARD_SECRECY }, { 'y', AUTH_NOANONYMOUS },
		{ 'c', AUTH_PASS_CREDENTIALS }, { 'm', AUTH_MUTUAL },
	};
	unsigned mask = 0;

	for (; s != NULL && *s; s++)
		for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
			if (*s == letters[i].c)
				mask |= letters[i].flag;
	return mask;
}

/* SASL's security flags for a mask of enum auth_flag. */
static unsigned
sasl_flags(unsigned f)
{
	unsigned s = 0;

	s |= (f & AUTH_NOPLAINTEXT) ? SASL_SEC_NOPLAINTEXT : 0;
	s |= (f & AUTH_NOACTIVE) ? SASL_SEC_NOACTIVE : 0;
	s |= (f & AUTH_NODICTIONARY) ? SASL_SEC_NODICTIONARY : 0;
	s |= (f & AUTH_FORWARD_SECRECY) ? SASL_SEC_FORWARD_SECRECY : 0;
	s |= (f & AUTH_NOANONYMOUS) ? SASL_SEC_NOANONYMOUS : 0;
	s |= (f & AUTH_PASS_CREDENTIALS) ? SASL_SEC_PASS_CREDENTIALS : 0;
	s |= (f & AUTH_MUTUAL) ? SASL_SEC_MUTUAL_AUTH : 0;
	return s;
}

bool
auth_server_init(struct pt_buf *err)
{
	int r = sasl_server_init(server_callbacks, "Sendmail");

	if (r != SASL_OK) {
		pt_buf_printf(err, "sasl_server_init failed: %s", sasl_errstring(r, NULL, NULL));
		return false;
	}
	return true;
}

struct auth_server *
auth_server_new(const struct auth_server_conf *c, struct pt_buf *err)
{
	struct auth_server *a = pt_calloc(1, sizeof *a);
	sasl_security_properties_t sp;
	sasl_ssf_t ext = c->ext_ssf;
	int r;

	r = sasl_server_new("smtp", c->hostname, c->realm,
	    c->local, c->remote, NULL, 0, &a->conn);
	if (r != SASL_OK) {
		pt_buf_printf(err, "sasl_server_new failed=%d", r);
		free(a);
		return NULL;
	}
	memset(&sp, 0, sizeof sp);
	sp.min_ssf = 0;
	sp.max_ssf = 0;		/* no security layer: the stream stays as it is */
	sp.maxbufsize = 0;
	sp.security_flags = sasl_flags(c->flags);
	sasl_setprop(a->conn, SASL_SEC_PROPS, &sp);
	if (ext > 0) {
		sasl_setprop(a->conn, SASL_SSF_EXTERNAL, &ext);
		if (c->ext_id != NULL && *c->ext_id)
			sasl_setprop(a->conn, SASL_AUTH_EXTERNAL, c->ext_id);
	}
	return a;
}

void
auth_server_free(struct auth_server *a)
{
	if (a == NULL)
		return;
	sasl_dispose(&a->conn);
	free(a);
}

void
auth_server_mechs(struct auth_server *a, const char *allowed, struct pt_buf *out)
{
	const char *list = NULL, *w, *order;
	unsigned len = 0;
	int count = 0;
	char *have;
	size_t start = out->len, n;

	if (sasl_listmech(a->conn, NULL, "", " ", "", &list, &len, &count) != SASL_OK ||
	    list == NULL)
		return;
	have = pt_strndup(list, len);
	/* in AuthMechanisms' order, as upstream lists them; SASL's when there is none */
	order = allowed != NULL ? allowed : have;
	for (w = order; *w; w += n) {
		w += strspn(w, " ,\t");
		n = strcspn(w, " ,\t");
		if (n == 0 || !auth_word_in(w, n, have) || (out->len > start &&
		    auth_word_in(w, n, pt_buf_str(out) + start)))
			continue;
		if (out->len > start)
			pt_buf_addc(out, ' ');
		pt_buf_add(out, w, n);
	}
	free(have);
}

/* Maps a SASL result; fills why for failures. */
static int
result(struct auth_server *a, int r, const char *out, unsigned outlen, struct pt_buf *challenge,
    struct pt_buf *why)
{
	switch (r) {
	case SASL_OK:
		return AUTH_OK;
	case SASL_CONTINUE:
		if (out != NULL)
			pt_buf_add(challenge, out, outlen);
		return AUTH_CONTINUE;
	default:
		break;
	}
	pt_buf_printf(why, "%s (%d) %s", sasl_errstring(r, NULL, NULL), r,
	    sasl_errdetail(a->conn));
	switch (r) {
	case SASL_NOMECH:
	case SASL_TOOWEAK:
		return AUTH_NOMECH;
	case SASL_TRYAGAIN:
	case SASL_UNAVAIL:
		return AUTH_TEMPFAIL;
	case SASL_BADPROT:
		return AUTH_BADPROT;
	default:
		return AUTH_FAIL;
	}
}

int
auth_server_start(struct auth_server *a, const char *mech, const char *resp, size_t len,
    struct pt_buf *challenge, struct pt_buf *why)
{
	const char *out = NULL;
	unsigned outlen = 0;
	int r;

	if (len > 65535)
		len = 65535;
	r = sasl_server_start(a->conn, mech, resp, (unsigned)len, &out, &outlen);
	return result(a, r, out, outlen, challenge, why);
}

int
auth_server_step(struct auth_server *a, const char *resp, size_t len,
    struct pt_buf *challenge, struct pt_buf *why)
{
	const char *out = NULL;
	unsigned outlen = 0;
	int r;

	if (len > 65535)
		len = 65535;
	r = sasl_server_step(a->conn, resp, (unsigned)len, &out, &outlen);
	return result(a, r, out, outlen, challenge, why);
}

/* A string property of the connection, or "". */
static const char *
prop(const struct auth_server *a, int which)
{
	const void *p = NULL;

	if (sasl_getprop(a->conn, which, &p) != SASL_OK || p == NULL)
		return "";
	return p;
}

const char *
auth_server_user(const struct auth_server *a)
{
	const char *u = prop(a, SASL_AUTHUSER);

	return *u ? u : prop(a, SASL_USERNAME);
}

const char *
auth_server_authzid(const struct auth_server *a)
{
	const char *u = prop(a, SASL_USERNAME);

	return *u ? u : auth_server_user(a);
}

unsigned
auth_server_ssf(const struct auth_server *a)
{
	const void *p = NULL;

	if (sasl_getprop(a->conn, SASL_SSF, &p) != SASL_OK || p == NULL)
		return 0;
	return *(const sasl_ssf_t *)p;
}
