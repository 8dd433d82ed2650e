/*
 * smtpd_milter_msg: a received message through the session's filters, one
 * filter after the other as upstream does: its headers, end of headers,
 * the body read back from the df (CR LF line ends), end of message, and
 * the modifications it answered with applied before the next filter is
 * sent the message, so that each filter sees the changes of the ones
 * before.  Modifications are values until a filter's final answer: a
 * filter that breaks in the middle of its answer changes nothing, and its
 * F= flag decides.  Header changes go to the envelope's header list
 * (smtpd_milter_hdr.c); recipients and sender to the envelope; a new body
 * to a new df that queue_msg_commit puts in place; a quarantine reason to
 * the envelope (the commit then queues the message as hf).  Nothing is on
 * disk as queued until the commit that follows, so a refusal leaves no
 * trace.
 *
 * Runs in the session process, with the session's privileges.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"
#include "smtp_param.h"
#include "smtpd_milter_int.h"

#include <libmilter/mfapi.h>

#define BODY_BLOCK 32768	/* df bytes read at a time (at most twice that sent) */

/* What the message phase is working on. */
struct msgrun {
	struct smtpd *s;
	struct queue_msg *m;
	struct smtpd_hdrs hdrs;
	bool failed;		/* a df could not be read or written */
};

/* The header stage's call: argv[0] name, argv[1] value. */
static enum milter_action
call_header(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	(void)mac;
	(void)n;
	return milter_header(m, a->argv[0], a->argv[1], res);
}

/* The end-of-header stage's call. */
static enum milter_action
call_eoh(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	(void)a;
	return milter_eoh(m, mac, n, res);
}

/* The body stage's call: str/argc is one piece of the body. */
static enum milter_action
call_body(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	(void)mac;
	(void)n;
	return milter_body(m, a->str, a->argc, res);
}

/* The end-of-message stage's call. */
static enum milter_action
call_eom(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	(void)a;
	return milter_eom(m, mac, n, res);
}

static const struct smtpd_stage st_header = { "header", -1, call_header };
static const struct smtpd_stage st_eoh = { "eoh", MILTER_STAGE_EOH, call_eoh };
static const struct smtpd_stage st_body = { "body", -1, call_body };
static const struct smtpd_stage st_eom = { "eom", MILTER_STAGE_EOM, call_eom };

/* True if a is a final answer that ends the message's run through the filters. */
static bool
stops(enum milter_action a)
{
	return a == MILTER_REJECT || a == MILTER_TEMPFAIL || a == MILTER_REPLY ||
	    a == MILTER_DISCARD || a == MILTER_SHUTDOWN || a == MILTER_CONN_FAIL;
}

/* Sends the headers the filter may see (the message's, and filters'). */
static enum milter_action
send_headers(struct msgrun *r, struct smtpd_filter *f)
{
	struct smtpd_stage_args a;
	const char *argv[2];
	enum milter_action res = MILTER_CONTINUE;

	memset(&a, 0, sizeof a);
	a.argv = argv;
	a.argc = 2;
	if (smtpd_milter_logs(r->s, MLOG_TRACE))
		pt_log(LOG_INFO, "Milter (%s): headers, send", f->spec.name);
	for (size_t i = 0; i < r->hdrs.n && !stops(res) && res != MILTER_ACCEPT; i++) {
		if (r->hdrs.v[i].tmpl || r->hdrs.v[i].value == NULL)
			continue;
		argv[0] = r->hdrs.v[i].name;
		argv[1] = r->hdrs.v[i].value;
		res = smtpd_milter_call(r->s, f, &st_header, &a);
	}
	if (smtpd_milter_logs(r->s, MLOG_TRACE))
		pt_log(LOG_INFO, "Milter (%s): headers, sent", f->spec.name);
	return res;
}

/* Sends the body as it now stands, LF turned into CR LF. */
static enum milter_action
send_body(struct msgrun *r, struct smtpd_filter *f)
{
	char in[BODY_BLOCK], out[2 * BODY_BLOCK];
	struct smtpd_stage_args a;
	enum milter_action res = MILTER_CONTINUE;
	int fd = queue_msg_df(r->m);
	ssize_t n;

	if (fd < 0) {
		pt_log(LOG_ERR, "Milter (%s): cannot read the body: %s", f->spec.name,
		    strerror(errno));
		r->failed = true;
		return MILTER_TEMPFAIL;
	}
	memset(&a, 0, sizeof a);
	a.str = out;
	if (smtpd_milter_logs(r->s, MLOG_TRACE))
		pt_log(LOG_INFO, "Milter (%s): body, send", f->spec.name);
	while ((n = read(fd, in, sizeof in)) > 0 && !stops(res) && res != MILTER_ACCEPT &&
	    res != MILTER_SKIP && (f->m == NULL || milter_alive(f->m))) {
		size_t k = 0;

		for (ssize_t i = 0; i < n; i++) {
			if (in[i] == '\n')
				out[k++] = '\r';
			out[k++] = in[i];
		}
		a.argc = k;
		res = smtpd_milter_call(r->s, f, &st_body, &a);
	}
	if (n < 0) {
		pt_log(LOG_ERR, "Milter (%s): cannot read the body: %s", f->spec.name,
		    strerror(errno));
		r->failed = true;
		return MILTER_TEMPFAIL;
	}
	if (smtpd_milter_logs(r->s, MLOG_TRACE))
		pt_log(LOG_INFO, "Milter (%s): body, sent", f->spec.name);
	return res == MILTER_SKIP ? MILTER_CONTINUE : res;
}

/* Writes the new body (the chunks of the b answers, CR LF turned into LF). */
static void
replace_body(struct msgrun *r, const char *filter, const struct milter_result *res)
{
	struct pt_buf err = PT_BUF_INIT, b = PT_BUF_INIT;
	bool cr = false;
	int rc = queue_msg_new_body(r->m, &err);

	for (size_t i = 0; i < res->nmods && rc == QUEUE_OK; i++) {
		const struct milter_mod *mod = &res->mods[i];

		if (mod->kind != MILTER_MOD_REPLBODY)
			continue;
		pt_buf_reset(&b);
		for (size_t k = 0; k < mod->len; k++) {
			if (cr && mod->value[k] != '\n')
				pt_buf_addc(&b, '\r');
			cr = mod->value[k] == '\r';
			if (!cr)
				pt_buf_addc(&b, mod->value[k]);
		}
		rc = queue_msg_write(r->m, b.s, b.len);
	}
	if (rc == QUEUE_OK && cr)
		rc = queue_msg_write(r->m, "\r", 1);
	if (rc != QUEUE_OK) {
		pt_log(LOG_ERR, "Milter (%s): cannot write the new body: %s", filter,
		    err.len ? pt_buf_str(&err) : strerror(errno));
		r->failed = true;
	} else if (smtpd_milter_logs(r->s, MLOG_REFUSALS))
		pt_log(LOG_INFO, "Milter (%s) message: body replaced", filter);
	pt_buf_free(&err);
	pt_buf_free(&b);
}

/* Addresses equal once their angle brackets are dropped (ASCII case ignored). */
static bool
same_addr(const char *a, const char *b)
{
	size_t la, lb;

	a += *a == '<';
	b += *b == '<';
	la = strcspn(a, ">");
	lb = strcspn(b, ">");
	return la == lb && pt_strncasecmp(a, b, la) == 0;
}

/* Adds recipient addr (with ESMTP args, or NULL) after checking it parses. */
static void
add_rcpt(struct msgrun *r, const char *filter, const char *addr, const char *args)
{
	struct smtpd *s = r->s;
	struct smtp_param_opts po = { true, false, 0, 0 };
	struct smtp_rcpt_params rp = { 0, NULL };
	struct smtp_reply err = SMTP_REPLY_INIT;
	struct queue_rcpt *q;
	struct rw_triple t;
	int st;

	s->rw.msgs = NULL;
	st = rw_parse(&s->rw, addr, 0, 0, NULL, &t);
	if ((st != 0 && st != 75) || t.error ||
	    (args != NULL && !smtp_rcpt_params_parse(pt_slice_of(args), &po, &rp, &err))) {
		pt_log(LOG_NOTICE, "Milter (%s) add: rcpt: %s: refused (cannot be parsed)", filter,
		    addr);
		goto out;
	}
	if (smtpd_milter_logs(s, MLOG_REFUSALS))
		pt_log(LOG_INFO, "Milter (%s) add: rcpt: %s", filter, addr);
	q = queue_env_add_rcpt(s->env, addr);
	q->flags |= smtpd_rcpt_flags(&rp);
	if (rp.orcpt != NULL)
		q->orcpt = queue_env_str(s->env, rp.orcpt);
out:
	smtp_rcpt_params_free(&rp);
	smtp_reply_free(&err);
	pt_arena_reset(s->rw.arena);
}

/* Removes every recipient that is addr. */
static void
del_rcpt(struct msgrun *r, const char *filter, const char *addr)
{
	struct queue_env *e = r->s->env;
	size_t i = 0, k = 0;
	int gone = 0;

	for (i = 0; i < e->nrcpts; i++) {
		if (same_addr(e->rcpts[i].addr, addr))
			gone++;
		else
			e->rcpts[k++] = e->rcpts[i];
	}
	e->nrcpts = k;
	if (smtpd_milter_logs(r->s, MLOG_REFUSALS))
		pt_log(LOG_INFO, "Milter (%s) delete: rcpt %s, naddrs=%d", filter, addr, gone);
}

/* Applies one envelope modification. */
static void
apply_envelope(struct msgrun *r, const char *filter, const struct milter_mod *mod)
{
	struct queue_env *e = r->s->env;

	switch (mod->kind) {
	case MILTER_MOD_ADDRCPT:
		add_rcpt(r, filter, mod->value, NULL);
		break;
	case MILTER_MOD_ADDRCPT_PAR:
		add_rcpt(r, filter, mod->value, mod->args);
		break;
	case MILTER_MOD_DELRCPT:
		del_rcpt(r, filter, mod->value);
		break;
	case MILTER_MOD_CHGFROM:
		if (smtpd_milter_logs(r->s, MLOG_REFUSALS))
			pt_log(LOG_INFO, "Milter (%s) chgfrom: %s", filter, mod->value);
		e->sender = queue_env_str(e, mod->value);
		break;
	case MILTER_MOD_QUARANTINE:
		if (smtpd_milter_logs(r->s, MLOG_REFUSALS))
			pt_log(LOG_INFO, "milter=%s, quarantine=%s", filter, mod->value);
		e->quarantine = queue_env_str(e, mod->value);
		break;
	default:
		break;
	}
}

/* Applies a filter's modifications, in the order it sent them. */
static void
apply_mods(struct msgrun *r, struct smtpd_filter *f, const struct milter_result *res)
{
	bool leadspc = (milter_protocol(f->m) & SMFIP_HDR_LEADSPC) != 0, body = false;
	const char *name = f->spec.name;

	for (size_t i = 0; i < res->nmods; i++) {
		const struct milter_mod *mod = &res->mods[i];

		if (mod->lied)
			pt_log(LOG_NOTICE, "Milter (%s): modification %d not negotiated, applied anyway",
			    name, (int)mod->kind);
		switch (mod->kind) {
		case MILTER_MOD_ADDHEADER: case MILTER_MOD_INSHEADER: case MILTER_MOD_CHGHEADER:
			smtpd_hdrs_apply(r->s, &r->hdrs, name, mod, leadspc);
			break;
		case MILTER_MOD_REPLBODY:
			body = true;
			break;
		default:
			apply_envelope(r, name, mod);
			break;
		}
	}
	if (body)
		replace_body(r, name, res);
}

/* The message through one filter: headers, eoh, body, eom, then its modifications. */
static enum milter_action
one_filter(struct msgrun *r, struct smtpd_filter *f)
{
	struct smtpd_stage_args a;
	enum milter_action res;

	memset(&a, 0, sizeof a);
	res = send_headers(r, f);
	if (!stops(res) && res != MILTER_ACCEPT)
		res = smtpd_milter_call(r->s, f, &st_eoh, &a);
	if (!stops(res) && res != MILTER_ACCEPT)
		res = send_body(r, f);
	if (stops(res) || res == MILTER_ACCEPT)
		return res;
	res = smtpd_milter_call(r->s, f, &st_eom, &a);
	if ((res == MILTER_CONTINUE || res == MILTER_ACCEPT) && f->m != NULL && !f->failed)
		apply_mods(r, f, &r->s->milter->res);
	return res;
}

/* Sends the refusal of the message and logs it as upstream. */
static void
refuse(struct smtpd *s, enum milter_action a)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf why = PT_BUF_INIT;

	smtpd_milter_refusal(s, a, 554, "5.7.1", NULL, &r);
	smtpd_send(s, &r);
	smtpd_milter_reply_text(&r, &why);
	if (smtpd_milter_logs(s, MLOG_REFUSALS))
		pt_log(LOG_INFO, "Milter: data, reject=%s", pt_buf_str(&why));
	smtp_reply_free(&r);
	pt_buf_free(&why);
}

/* Sets {msg_id} (sent at end of message by default) from the Message-Id header. */
static void
set_msg_id(struct smtpd *s)
{
	const struct queue_header *h = queue_env_header(s->env, "Message-Id");
	char *v = h != NULL ? pt_strdup(h->value) : NULL;

	smtpd_macro(s, "{msg_id}", v != NULL ? pt_str_trim(v) : NULL);
	free(v);
}

bool
smtpd_milter_message(struct smtpd *s, struct queue_msg *m, size_t ntempl)
{
	struct msgrun r;
	enum milter_action res = MILTER_CONTINUE;

	if (s->milter == NULL || s->discard)
		return true;
	memset(&r, 0, sizeof r);
	r.s = s;
	r.m = m;
	set_msg_id(s);
	smtpd_hdrs_load(&r.hdrs, s->cfg, s->env, ntempl);
	for (size_t i = 0; i < s->milter->n && !stops(res) && !r.failed; i++)
		if (smtpd_filter_active(&s->milter->f[i]))
			res = one_filter(&r, &s->milter->f[i]);
	smtpd_hdrs_store(&r.hdrs, s->env);
	smtpd_hdrs_free(&r.hdrs);
	if (r.failed) {
		smtpd_say(s, 451, "4.3.0", "Temporary failure writing the message; try again later");
		return false;
	}
	if (res == MILTER_SHUTDOWN || res == MILTER_CONN_FAIL) {
		smtpd_milter_shutdown(s);
		return false;
	}
	if (res == MILTER_DISCARD) {
		if (smtpd_milter_logs(s, MLOG_REFUSALS))
			pt_log(LOG_INFO, "Milter: data, discard");
		s->discard = true;
		return true;
	}
	if (stops(res)) {
		refuse(s, res);
		return false;
	}
	if (smtpd_milter_logs(s, MLOG_SUMMARY))
		pt_log(LOG_INFO, "Milter accept: message");
	return true;
}
