/*
 * rscheck: one named ruleset run over one or two arguments, its result read
 * as upstream's rscheck reads it ($#error with a reply, $#discard, $#OK and
 * $#RELAY, or a value).
 *
 * Runs in session and delivery processes.  Arguments reach the ruleset only
 * as tokens: the "$|" between two of them is made here, never parsed from
 * text that came from outside.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pt_exit.h"
#include "pt_str.h"
#include "rscheck.h"

/* Appends the tokens of text to v. */
static void
push_tokens(struct rw_ctx *rw, const char *text, struct addr_vec *v)
{
	struct addr_vec t = { NULL, 0, 0, NULL };
	struct pt_buf err = PT_BUF_INIT;

	if (rw_tokenize(rw, text, 0, &t, NULL, &err) != ADDR_TOK_FAIL)
		for (int i = 0; i < t.n; i++)
			addr_vec_push(v, t.tok[i]);
	addr_vec_free(&t);
	pt_buf_free(&err);
}

/* True for the reply codes whose text upstream prefixes with the address. */
static bool
names_address(int code)
{
	static const int codes[] = { 250, 252, 450, 550, 552, 553, 554 };

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i] == code)
			return true;
	return false;
}

/* Index of the first operator token c at or after from, or v->n. */
static int
find(const struct addr_vec *v, int from, int c)
{
	for (int i = from; i < v->n; i++)
		if (v->tok[i][0] == ADDR_META && v->tok[i][1] == c)
			return i;
	return v->n;
}

/*
 * Builds the reply of a "$#error $@ status $: text" result as upstream does:
 * the text's tokens joined as cataddr joins them (a space between words); a
 * status may also follow the reply code in the text ("421 4.7.0 text"); a
 * code without a status gets X.0.0; no code: 553 5.3.0, whatever $@ said;
 * the address (echo... ) named only for the codes upstream names it with.
 */
static void
error_reply(const struct rw_ctx *rw, const struct addr_vec *v, const char *echo,
    struct smtp_reply *r)
{
	struct pt_buf status = PT_BUF_INIT, text = PT_BUF_INIT;
	int at = find(v, 2, '@'), colon = find(v, 2, ':'), code = 0;
	const char *t;
	size_t n;

	if (at < colon)
		addr_vec_join(v, at + 1, colon, NULL, &status);
	if (colon < v->n)
		rw_cataddr(rw, v, colon + 1, v->n, ' ', &text);
	if (text.len > RW_ERRTEXT_MAX)
		pt_buf_truncate(&text, RW_ERRTEXT_MAX);
	rw_stripquotes(&text);
	t = pt_buf_str(&text);
	if (isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) &&
	    isdigit((unsigned char)t[2]) && (t[3] == ' ' || t[3] == '\0')) {
		code = atoi(t);
		t += t[3] ? 4 : 3;
		n = strcspn(t, " ");
		/* "421 4.7.0 text": the status may follow the code in the text */
		if (status.len == 0 && t[n] == ' ' && smtp_status_valid(t, n, code)) {
			pt_buf_add(&status, t, n);
			t += n + 1;
		}
	}
	if (!smtp_status_valid(status.s ? status.s : "", status.len, code))
		pt_buf_reset(&status);
	if (code == 0) {
		code = 553;
		pt_buf_reset(&status);
		pt_buf_adds(&status, "5.3.0");
	} else if (status.len == 0)
		pt_buf_printf(&status, "%d.0.0", code / 100);
	if (echo != NULL && names_address(code))
		smtp_reply_set(r, code, status.s, "%s... %s", echo, t);
	else
		smtp_reply_set(r, code, status.s, "%s", t);
	pt_buf_free(&status);
	pt_buf_free(&text);
}

/* True for "$#error $@ quarantine $: reason"; r (if not NULL) gets the reason. */
static bool
quarantine(const struct rw_ctx *rw, const struct addr_vec *v, struct smtp_reply *r)
{
	struct pt_buf host = PT_BUF_INIT, text = PT_BUF_INIT;
	int at = find(v, 2, '@'), colon = find(v, 2, ':');
	bool yes;

	if (at < colon)
		addr_vec_join(v, at + 1, colon, NULL, &host);
	yes = pt_strcasecmp(pt_buf_str(&host), "quarantine") == 0;
	if (yes && r != NULL) {
		if (colon < v->n)
			rw_cataddr(rw, v, colon + 1, v->n, ' ', &text);
		rw_stripquotes(&text);
		smtp_reply_set(r, 250, NULL, "%s", pt_buf_str(&text));
	}
	pt_buf_free(&host);
	pt_buf_free(&text);
	return yes;
}

/* Interprets a "$# mailer ..." result. */
static int
mailer_result(const struct rw_ctx *rw, const struct addr_vec *v, const char *echo,
    struct smtp_reply *r)
{
	const char *mailer = v->tok[1];

	if (pt_strcasecmp(mailer, "error") == 0 && quarantine(rw, v, r))
		return RSCHECK_QUARANTINE;
	if (pt_strcasecmp(mailer, "error") == 0) {
		if (r != NULL)
			error_reply(rw, v, echo, r);
		return RSCHECK_ERROR;
	}
	if (pt_strcasecmp(mailer, "discard") == 0)
		return RSCHECK_DISCARD;
	if (pt_strcasecmp(mailer, "OK") == 0 || pt_strcasecmp(mailer, "RELAY") == 0)
		return RSCHECK_RELAY;
	return RSCHECK_MAILER;
}

int
rscheck(struct rw_ctx *rw, const char *name, const char *arg1, const char *arg2,
    const char *echo, struct smtp_reply *r, struct pt_buf *value)
{
	int set = cf_ruleset_find(rw->cfg, name), rc = RSCHECK_OK;
	struct addr_vec v = { NULL, 0, 0, NULL };
	bool hash;

	if (set < 0)
		return RSCHECK_NONE;
	rw->msgs = NULL;
	push_tokens(rw, arg1 != NULL ? arg1 : "", &v);
	if (arg2 != NULL) {
		addr_vec_push(&v, "\001|");
		push_tokens(rw, arg2, &v);
	}
	/* as upstream: only the result counts, not a lookup that failed for now */
	(void)rw_run(rw, set, &v);
	hash = v.n >= 1 && strcmp(v.tok[0], "\001#") == 0;
	if (hash && v.n >= 2)
		rc = mailer_result(rw, &v, echo, r);
	if (value != NULL)
		addr_vec_join(&v, hash ? 1 : 0, v.n, NULL, value);
	addr_vec_free(&v);
	return rc;
}
