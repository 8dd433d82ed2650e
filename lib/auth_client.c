/*
 * auth_client: the client side of SMTP AUTH over Cyrus SASL: one exchange
 * with a server, the credentials handed to SASL through its callbacks, the
 * mechanism chosen among those both sides allow.
 *
 * Runs in a delivery process.  Credentials are borrowed from the caller and
 * never logged; never exits, never logs.  No security layer is negotiated.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>

#include "auth.h"
#include "auth_int.h"
#include "pt_alloc.h"

struct auth_client {
	sasl_conn_t *conn;
	const struct auth_creds *creds;
	sasl_secret_t *secret;
	sasl_callback_t cb[5];
};

/* SASL_CB_USER and SASL_CB_AUTHNAME: the authorization and authentication ids. */
static int
get_simple(void *ctx, int id, const char **result, unsigned *len)
{
	const struct auth_client *a = ctx;
	const char *v = a->creds->user;

	if (id == SASL_CB_USER)
		v = a->creds->authzid != NULL ? a->creds->authzid : "";
	else if (id != SASL_CB_AUTHNAME)
		return SASL_BADPARAM;
	*result = v;
	if (len != NULL)
		*len = (unsigned)strlen(v);
	return SASL_OK;
}

/* SASL_CB_PASS: the password. */
static int
get_secret(sasl_conn_t *conn, void *ctx, int id, sasl_secret_t **psecret)
{
	struct auth_client *a = ctx;

	(void)conn;
	if (id != SASL_CB_PASS)
		return SASL_BADPARAM;
	*psecret = a->secret;
	return SASL_OK;
}

/* SASL_CB_GETREALM: R:, or the first realm the server offers. */
static int
get_realm(void *ctx, int id, const char **avail, const char **result)
{
	const struct auth_client *a = ctx;

	if (id != SASL_CB_GETREALM)
		return SASL_BADPARAM;
	*result = a->creds->realm != NULL ? a->creds->realm :
	    avail != NULL && avail[0] != NULL ? avail[0] : "";
	return SASL_OK;
}

bool
auth_client_init(struct pt_buf *err)
{
	int r = sasl_client_init(NULL);

	if (r != SASL_OK) {
		pt_buf_printf(err, "sasl_client_init failed: %s", sasl_errstring(r, NULL, NULL));
		return false;
	}
	return true;
}

struct auth_client *
auth_client_new(const char *host, const struct auth_creds *creds, unsigned ext_ssf,
    struct pt_buf *err)
{
	struct auth_client *a = pt_calloc(1, sizeof *a);
	size_t plen = strlen(creds->pass);
	sasl_security_properties_t sp;
	sasl_ssf_t ext = ext_ssf;
	int r;

	a->creds = creds;
	a->secret = pt_calloc(1, sizeof *a->secret + plen + 1);
	a->secret->len = plen;
	memcpy(a->secret->data, creds->pass, plen);
	a->cb[0] = (sasl_callback_t){ SASL_CB_USER, AUTH_CALLBACK(get_simple), a };
	a->cb[1] = (sasl_callback_t){ SASL_CB_AUTHNAME, AUTH_CALLBACK(get_simple), a };
	a->cb[2] = (sasl_callback_t){ SASL_CB_PASS, AUTH_CALLBACK(get_secret), a };
	a->cb[3] = (sasl_callback_t){ SASL_CB_GETREALM, AUTH_CALLBACK(get_realm), a };
	a->cb[4] = (sasl_callback_t){ SASL_CB_LIST_END, NULL, NULL };
	r = sasl_client_new("smtp", host, NULL, NULL, a->cb, 0, &a->conn);
	if (r != SASL_OK) {
		pt_buf_printf(err, "sasl_client_new failed=%d", r);
		auth_client_free(a);
		return NULL;
	}
	memset(&sp, 0, sizeof sp);
	sp.max_ssf = 0;
	sasl_setprop(a->conn, SASL_SEC_PROPS, &sp);
	if (ext > 0)
		sasl_setprop(a->conn, SASL_SSF_EXTERNAL, &ext);
	return a;
}

void
auth_client_free(struct auth_client *a)
{
	if (a == NULL)
		return;
	if (a->conn != NULL)
		sasl_dispose(&a->conn);
	if (a->secret != NULL) {
		memset(a->secret->data, 0, a->secret->len);
		free(a->secret);
	}
	free(a);
}

int
auth_client_start(struct auth_client *a, const char *mechs, const char **mech,
    struct pt_buf *resp, bool *has_resp, struct pt_buf *why)
{
	sasl_interact_t *interact = NULL;
	const char *out = NULL;
	unsigned outlen = 0;
	int r = sasl_client_start(a->conn, mechs, &interact, &out, &outlen, mech);

	*has_resp = false;
	if (r != SASL_OK && r != SASL_CONTINUE) {
		pt_buf_printf(why, "%s (%d) %s", sasl_errstring(r, NULL, NULL), r,
		    sasl_errdetail(a->conn));
		return r == SASL_NOMECH ? AUTH_NOMECH : AUTH_FAIL;
	}
	if (out != NULL) {
		pt_buf_add(resp, out, outlen);
		*has_resp = true;
	}
	return AUTH_OK;
}

int
auth_client_step(struct auth_client *a, const char *chal, size_t len, struct pt_buf *resp,
    struct pt_buf *why)
{
	sasl_interact_t *interact = NULL;
	const char *out = NULL;
	unsigned outlen = 0;
	int r;

	if (len > 65535)
		len = 65535;
	r = sasl_client_step(a->conn, chal, (unsigned)len, &interact, &out, &outlen);
	if (r != SASL_OK && r != SASL_CONTINUE) {
		pt_buf_printf(why, "%s (%d) %s", sasl_errstring(r, NULL, NULL), r,
		    sasl_errdetail(a->conn));
		return AUTH_FAIL;
	}
	if (out != NULL)
		pt_buf_add(resp, out, outlen);
	return AUTH_OK;
}
