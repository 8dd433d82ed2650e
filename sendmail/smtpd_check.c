/*
 * smtpd_check: running the check_* rulesets of the configuration and
 * turning their results into replies, discards and relaying, as upstream's
 * rscheck does, with its log line shape for rejections.
 *
 * Runs in the session process.  Client data reaches the rulesets only as
 * tokens: the "$|" between two arguments is made here, never parsed from
 * what the client sent.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"
#include "smtpd.h"

/* Appends the tokens of text to v. */
static void
push_tokens(struct smtpd *s, const char *text, struct addr_vec *v)
{
	struct addr_vec t = { NULL, 0, 0, NULL };
	struct pt_buf err = PT_BUF_INIT;

	if (rw_tokenize(&s->rw, text, 0, &t, NULL, &err) != ADDR_TOK_FAIL)
		for (int i = 0; i < t.n; i++)
			addr_vec_push(v, t.tok[i]);
	addr_vec_free(&t);
	pt_buf_free(&err);
}

/* Joins tokens [from, to) of v without separators into out. */
static void
join(const struct addr_vec *v, int from, int to, struct pt_buf *out)
{
	for (int i = from; i < to; i++)
		addr_tok_print(v->tok[i], out);
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

/* Builds the reply of a "$#error $@ status $: text" result. */
static void
error_reply(const struct addr_vec *v, const char *echo, struct smtp_reply *r)
{
	struct pt_buf status = PT_BUF_INIT, text = PT_BUF_INIT;
	int at = find(v, 2, '@'), colon = find(v, 2, ':'), code = 0;
	const char *t;

	if (at < colon)
		join(v, at + 1, colon, &status);
	if (colon < v->n)
		join(v, colon + 1, v->n, &text);
	rw_stripquotes(&text);
	t = pt_buf_str(&text);
	if (isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) &&
	    isdigit((unsigned char)t[2]) && (t[3] == ' ' || t[3] == '\0')) {
		code = atoi(t);
		t += t[3] ? 4 : 3;
	}
	if (!smtp_status_valid(status.s ? status.s : "", status.len, code))
		pt_buf_reset(&status);
	if (code == 0)
		code = status.len && status.s[0] == '4' ? 451 : 553;
	if (echo != NULL)
		smtp_reply_set(r, code, status.len ? status.s : NULL, "%s... %s", echo, t);
	else
		smtp_reply_set(r, code, status.len ? status.s : NULL, "%s", t);
	pt_buf_free(&status);
	pt_buf_free(&text);
}

/* Logs a rejection: "ruleset=..., arg1=..., relay=..., reject=...". */
static void
log_reject(struct smtpd *s, const char *name, const char *arg1, const char *arg2,
    const struct smtp_reply *r)
{
	struct pt_buf b = PT_BUF_INIT, sum = PT_BUF_INIT;

	smtp_reply_summary(r, &sum);
	pt_buf_printf(&b, "ruleset=%s, arg1=%s", name, arg1);
	if (arg2 != NULL)
		pt_buf_printf(&b, ", arg2=%s", arg2);
	pt_buf_printf(&b, ", relay=%s, reject=%s", s->relay, pt_buf_str(&sum));
	pt_log_id(LOG_NOTICE, s->env != NULL && s->env->id[0] ? s->env->id : NULL, "%s", b.s);
	pt_buf_free(&b);
	pt_buf_free(&sum);
}

int
smtpd_check(struct smtpd *s, const char *name, const char *arg1, const char *arg2,
    const char *echo, struct smtp_reply *r)
{
	int set = cf_ruleset_find(s->cfg, name), st, rc = SMTPD_CHECK_OK;
	struct addr_vec v = { NULL, 0, 0, NULL };

	if (set < 0)
		return SMTPD_CHECK_OK;
	s->rw.msgs = NULL;
	push_tokens(s, arg1 != NULL ? arg1 : "", &v);
	if (arg2 != NULL) {
		addr_vec_push(&v, "\001|");
		push_tokens(s, arg2, &v);
	}
	st = rw_run(&s->rw, set, &v);
	if (v.n >= 2 && strcmp(v.tok[0], "\001#") == 0) {
		const char *mailer = v.tok[1];

		if (pt_strcasecmp(mailer, "error") == 0) {
			error_reply(&v, echo, r);
			rc = SMTPD_CHECK_REJECT;
		} else if (pt_strcasecmp(mailer, "discard") == 0)
			rc = SMTPD_CHECK_DISCARD;
		else if (pt_strcasecmp(mailer, "OK") == 0 || pt_strcasecmp(mailer, "RELAY") == 0)
			rc = SMTPD_CHECK_RELAY;
	} else if (st == EX_TEMPFAIL) {
		smtp_reply_set(r, 451, "4.3.0", "Temporary system failure. Please try again later.");
		rc = SMTPD_CHECK_REJECT;
	}
	if (rc == SMTPD_CHECK_REJECT)
		log_reject(s, name, arg1 != NULL ? arg1 : "", arg2, r);
	addr_vec_free(&v);
	return rc;
}

int
smtpd_ruleset(struct smtpd *s, const char *name, const char *arg1, const char *arg2,
    struct pt_buf *out)
{
	int set = cf_ruleset_find(s->cfg, name), from = 0;
	struct addr_vec v = { NULL, 0, 0, NULL };

	if (set < 0)
		return -1;
	s->rw.msgs = NULL;
	push_tokens(s, arg1 != NULL ? arg1 : "", &v);
	if (arg2 != NULL) {
		addr_vec_push(&v, "\001|");
		push_tokens(s, arg2, &v);
	}
	rw_run(&s->rw, set, &v);
	if (v.n >= 1 && strcmp(v.tok[0], "\001#") == 0)
		from = 1;
	addr_vec_join(&v, from, v.n, NULL, out);
	addr_vec_free(&v);
	return from;
}
