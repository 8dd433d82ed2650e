/*
 * deliver_auth: SMTP AUTH as a client, so that Petrel can relay through a
 * smart host that demands it: the credentials for this server from the
 * authinfo ruleset (FEATURE(authinfo) or AuthInfo: entries in the access
 * map) or else the DefaultAuthInfo file, a mechanism both sides allow (the
 * entry's M:, else AuthMechanisms), the exchange, upstream's log lines.
 *
 * Runs in a delivery process, after STARTTLS when the server offered it.
 * Credentials never reach a log line.  A refused authentication is logged
 * and the transaction goes on without it (the server decides); a
 * temporary failure or a lost connection ends the session.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth.h"
#include "deliver.h"
#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_log.h"
#include "rscheck.h"

#define AUTH_DEFAULT_MECHS "GSSAPI KERBEROS_V4 DIGEST-MD5 CRAM-MD5 PLAIN LOGIN"

/* Reads DefaultAuthInfo when it is safe (not readable by group or others). */
static bool
default_creds(struct dlv *d, struct auth_creds *c)
{
	const char *path = d->cfg->opt.default_auth_info;
	struct pt_buf text = PT_BUF_INIT, err = PT_BUF_INIT;
	struct stat st;
	bool good = false;

	if (path == NULL || *path == '\0')
		return false;
	if (stat(path, &st) < 0 || pt_file_read(path, &text) != 0)
		pt_log(LOG_WARNING, "AUTH=client, error: can't open %s: %s", path, strerror(errno));
	else if (st.st_mode & (S_IRWXG | S_IRWXO))
		pt_log(LOG_WARNING, "AUTH=client, error: file %s unsafe: readable by others", path);
	else if (!(good = auth_creds_lines(pt_buf_str(&text), c, &err)))
		pt_log(LOG_WARNING, "AUTH=client, error: can't read %s: %s", path, pt_buf_str(&err));
	if (text.s != NULL)
		memset(text.s, 0, text.len);
	pt_buf_free(&text);
	pt_buf_free(&err);
	return good;
}

/* The credentials for this server; false when there are none. */
static bool
creds_for(struct dlv *d, const char *host, struct auth_creds *c)
{
	struct pt_buf v = PT_BUF_INIT, err = PT_BUF_INIT;
	bool good = false;

	if (rscheck(&d->rw, "authinfo", host, NULL, NULL, NULL, &v) == RSCHECK_MAILER) {
		good = auth_creds_parse(pt_buf_str(&v), c, &err);
		if (!good)
			pt_log(LOG_WARNING, "AUTH=client, relay=%.64s, authinfo failed: %s", host,
			    pt_buf_str(&err));
	}
	if (v.s != NULL)
		memset(v.s, 0, v.len);
	pt_buf_free(&v);
	pt_buf_free(&err);
	return good || default_creds(d, c);
}

/* Mixes string v (NULL counts as empty) and a separator into FNV-1a hash h. */
static unsigned long long
mix(unsigned long long h, const char *v)
{
	for (const char *p = v ? v : ""; ; p++) {
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		if (*p == '\0')
			return h;
	}
}

unsigned long long
dlv_auth_tag(struct dlv *d, const char *host)
{
	struct auth_creds c;
	unsigned long long h = 14695981039346656037ULL;

	if (!creds_for(d, host, &c))
		return 0;
	h = mix(mix(mix(mix(mix(h, c.user), c.authzid), c.pass), c.realm), c.mechs);
	auth_creds_free(&c);
	return h ? h : 1;
}

/* The mechanisms to try: the server's offer within M: (or AuthMechanisms). */
static void
choose(struct dlv *d, const char *offer, const struct auth_creds *c, struct pt_buf *out)
{
	const char *allowed = c->mechs != NULL ? c->mechs : d->cfg->opt.auth_mechanisms != NULL ?
	    d->cfg->opt.auth_mechanisms : AUTH_DEFAULT_MECHS;
	char *copy = pt_strdup(offer), *rest = copy, *m;

	while ((m = strsep(&rest, " ")) != NULL)
		if (*m && auth_word_in(m, strlen(m), allowed)) {
			if (out->len)
				pt_buf_addc(out, ' ');
			pt_buf_adds(out, m);
		}
	free(copy);
}

/* Sends one line and reads the reply into r; false if the connection failed. */
static bool
talk(struct dlv *d, struct smtp_io *io, const char *line, struct smtp_reply *r)
{
	struct pt_buf err = PT_BUF_INIT;
	long to = d->cfg->opt.timeout.auth;
	bool good;

	smtp_io_puts(io, line);
	smtp_io_puts(io, "\r\n");
	smtp_io_set_timeout(io, to > 0 ? to * 1000 : 600000);
	good = smtp_io_flush(io) == SMTP_IO_OK && smtp_reply_read(io, r, &err) == SMTP_IO_OK;
	pt_buf_free(&err);
	return good;
}

/* The first command: "AUTH mech [initial-response]". */
static void
first_line(const char *mech, const struct pt_buf *resp, bool has, struct pt_buf *line)
{
	pt_buf_printf(line, "AUTH %s", mech);
	if (has) {
		pt_buf_addc(line, ' ');
		if (resp->len == 0)
			pt_buf_addc(line, '=');
		else
			auth_b64_encode(resp->s, resp->len, line);
	}
}

/* Answers 334 challenges until the server's final reply; false if the connection failed. */
static bool
steps(struct dlv *d, struct smtp_io *io, struct auth_client *a, struct smtp_reply *r,
    struct pt_buf *why)
{
	struct pt_buf chal = PT_BUF_INIT, resp = PT_BUF_INIT, line = PT_BUF_INIT;
	bool good = true;

	for (int n = 0; good && r->code == 334 && n < 16; n++) {
		const char *text = r->nlines > 0 ? r->lines[0] : "";

		pt_buf_reset(&chal);
		pt_buf_reset(&resp);
		pt_buf_reset(&line);
		if (!auth_b64_decode(text, strlen(text), &chal) ||
		    auth_client_step(a, pt_buf_str(&chal), chal.len, &resp, why) != AUTH_OK) {
			good = talk(d, io, "*", r);	/* cancel the exchange */
			break;
		}
		auth_b64_encode(resp.s, resp.len, &line);
		good = talk(d, io, pt_buf_str(&line), r);
	}
	pt_buf_free(&chal);
	pt_buf_free(&resp);
	pt_buf_free(&line);
	return good;
}

int
dlv_auth(struct dlv *d, struct smtp_io *io, const char *offer, const char *host,
    unsigned ext_ssf, struct smtp_reply *r)
{
	struct auth_creds c;
	struct pt_buf mechs = PT_BUF_INIT, resp = PT_BUF_INIT, line = PT_BUF_INIT, why = PT_BUF_INIT;
	struct auth_client *a = NULL;
	const char *mech = NULL;
	bool has = false;
	int rc = 0;

	if (offer == NULL || !creds_for(d, host, &c))
		return 0;
	if (!d->run->sasl_client_tried) {
		d->run->sasl_client_tried = true;
		d->run->sasl_client = auth_client_init(&why);
	}
	choose(d, offer, &c, &mechs);
	if (!d->run->sasl_client || mechs.len == 0 ||
	    (a = auth_client_new(host, &c, ext_ssf, &why)) == NULL ||
	    auth_client_start(a, pt_buf_str(&mechs), &mech, &resp, &has, &why) != AUTH_OK) {
		pt_log(LOG_NOTICE, "AUTH=client, available mechanisms=%s do not fulfill requirements",
		    offer);
		goto out;
	}
	first_line(mech, &resp, has, &line);
	if (!talk(d, io, pt_buf_str(&line), r) || !steps(d, io, a, r, &why))
		rc = -1;
	else if (r->code == 235) {
		if (d->cfg->opt.log_level > 9)	/* as upstream: above the default, no queue id */
			pt_log_id(LOG_INFO, "", "AUTH=client, relay=%.100s, mech=%.16s, bits=0",
			    d->relay != NULL ? d->relay : host, mech);
	} else if (r->code / 100 == 4) {
		pt_log(LOG_NOTICE, "AUTH=client, relay=%.100s, temporary failure, connection abort",
		    d->relay != NULL ? d->relay : host);
		rc = -1;
	} else
		pt_log(LOG_NOTICE, "AUTH=client, relay=%.64s, authinfo failed: %d",
		    d->relay != NULL ? d->relay : host, r->code);
out:
	auth_client_free(a);
	auth_creds_free(&c);
	pt_buf_free(&mechs);
	if (resp.s != NULL)
		memset(resp.s, 0, resp.len);
	if (line.s != NULL)
		memset(line.s, 0, line.len);
	pt_buf_free(&resp);
	pt_buf_free(&line);
	pt_buf_free(&why);
	return rc;
}
