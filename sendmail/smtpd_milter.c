/*
 * smtpd_milter: the SMTP server's mail filters: opening the filters a
 * session uses (InputMailFilters, or its daemon's InputMailFilters=) from
 * their X lines, the stages outside the message itself (connect, HELO,
 * MAIL, RCPT, DATA, unknown commands, abort, quit) with the macros of
 * Milter.macros.* or of each filter's own lists, and every answer turned
 * into upstream's reply and log line.  A filter that breaks or cannot be
 * reached answers for itself through its F= flag: T fails each command for
 * now, R refuses it, none leaves it out; the session goes on either way.
 *
 * Runs in the session process, with the session's privileges; the filters'
 * sockets are opened after the greeting's checks.  Never touches the queue
 * (smtpd_milter_msg.c applies the message's modifications).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"
#include "smtpd_milter_int.h"

/* The Milter.macros.* option of each stage (enum milter_stage order). */
static const char *
option_macros(const struct smtpd *s, int stage)
{
	const struct cf_options *o = &s->cfg->opt;
	const char *const v[MILTER_STAGE_COUNT] = {
		[MILTER_STAGE_CONNECT] = o->milter_macros_connect,
		[MILTER_STAGE_HELO] = o->milter_macros_helo,
		[MILTER_STAGE_ENVFROM] = o->milter_macros_envfrom,
		[MILTER_STAGE_ENVRCPT] = o->milter_macros_envrcpt,
		[MILTER_STAGE_DATA] = o->milter_macros_data,
		[MILTER_STAGE_EOM] = o->milter_macros_eom,
		[MILTER_STAGE_EOH] = o->milter_macros_eoh,
	};

	return stage >= 0 && stage < MILTER_STAGE_COUNT ? v[stage] : NULL;
}

/* The macros of one call: names and values, owned. */
struct macro_set {
	struct milter_macro *v;
	size_t n;
};

/* Fills ms with the macros named in list ("j, _, {daemon_name}") that have values. */
static void
macros_build(struct smtpd *s, const char *list, struct macro_set *ms)
{
	struct mac_names *names = mac_table_names(s->rw.macros);
	struct pt_buf val = PT_BUF_INIT;
	const char *p = list;

	memset(ms, 0, sizeof *ms);
	while (p != NULL && *p != '\0') {
		size_t len;
		int id;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len == 0)
			break;
		id = mac_id(names, p, len, false);
		if (id != MAC_NONE && mac_get(s->rw.macros, id, NULL) != NULL) {
			pt_buf_reset(&val);
			mac_expand_id(s->rw.macros, id, &val);
			ms->v = pt_reallocarray(ms->v, ms->n + 1, sizeof *ms->v);
			ms->v[ms->n].name = pt_strndup(p, len);
			ms->v[ms->n].value = pt_strdup(pt_buf_str(&val));
			ms->n++;
		}
		p += len;
	}
	pt_buf_free(&val);
}

/* Frees what macros_build made. */
static void
macros_free(struct macro_set *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		free((char *)ms->v[i].name);
		free((char *)ms->v[i].value);
	}
	free(ms->v);
}

bool
smtpd_filter_active(const struct smtpd_filter *f)
{
	if (f->failed || f->m == NULL)
		return f->spec.fail != MILTER_FAIL_CONTINUE;
	return milter_alive(f->m);
}

/* What a broken filter answers, by its F= flag. */
static enum milter_action
fail_answer(const struct smtpd_filter *f)
{
	switch (f->spec.fail) {
	case MILTER_FAIL_TEMPFAIL:
		return MILTER_TEMPFAIL;
	case MILTER_FAIL_REJECT:
		return MILTER_REJECT;
	default:
		return MILTER_NOREPLY;
	}
}

enum milter_action
smtpd_milter_call(struct smtpd *s, struct smtpd_filter *f, const struct smtpd_stage *st,
    const struct smtpd_stage_args *a)
{
	struct smtpd_milter *sm = s->milter;
	struct macro_set ms = { NULL, 0 };
	enum milter_action r;

	milter_result_reset(&sm->res);
	if (f->failed || f->m == NULL)
		return fail_answer(f);
	if (!milter_alive(f->m))
		return MILTER_NOREPLY;
	if (st->macros >= 0) {
		const char *own = milter_wanted_macros(f->m, (enum milter_stage)st->macros);

		macros_build(s, own != NULL ? own : option_macros(s, st->macros), &ms);
	}
	r = st->call(f->m, ms.v, ms.n, a, &sm->res);
	macros_free(&ms);
	if (r == MILTER_FAILED) {
		pt_log(LOG_INFO, "%s", pt_buf_str(&sm->res.err));
		pt_log(LOG_INFO, "Milter (%s): to error state", f->spec.name);
		f->failed = true;
		return fail_answer(f);
	}
	if (r != MILTER_NOREPLY && smtpd_milter_logs(s, r == MILTER_CONTINUE ? MLOG_CONTINUE :
	    MLOG_ACTIONS))
		pt_log(LOG_INFO, "milter=%s, action=%s, %s", f->spec.name, st->name,
		    milter_action_name(r));
	return r;
}

void
smtpd_milter_reply_text(const struct smtp_reply *r, struct pt_buf *out)
{
	for (size_t i = 0; i < r->nlines; i++) {
		if (i > 0)
			pt_buf_adds(out, "\\r\\n");
		pt_buf_printf(out, "%d%c%s%s%s", r->code, i + 1 < r->nlines ? '-' : ' ', r->status,
		    r->status[0] ? " " : "", r->lines[i]);
	}
}

void
smtpd_milter_refusal(struct smtpd *s, enum milter_action a, int code, const char *status,
    const char *prefix, struct smtp_reply *r)
{
	const struct smtp_reply *own = &s->milter->res.reply;

	if (a == MILTER_TEMPFAIL)
		smtp_reply_set(r, 451, "4.3.2", "Please try again later");
	else if (a == MILTER_REPLY && smtp_reply_is_set(own)) {
		smtp_reply_set(r, own->code, own->status[0] ? own->status : NULL, "%s%s",
		    prefix ? prefix : "", own->nlines > 0 ? own->lines[0] : "");
		for (size_t i = 1; i < own->nlines; i++)
			smtp_reply_add(r, "%s", own->lines[i]);
	} else
		smtp_reply_set(r, code, status, "%sCommand rejected", prefix ? prefix : "");
}

void
smtpd_milter_shutdown(struct smtpd *s)
{
	smtpd_say(s, 421, "4.7.0", "%s closing connection", mac_get(s->cfg->macros, 'j', NULL));
	s->quit = true;
}

/* Finds the X line called name. */
static const struct cf_named *
find_xline(const struct cf_config *cfg, const char *name, size_t len)
{
	for (int i = 0; i < cfg->nmilters; i++)
		if (strlen(cfg->milters[i].name) == len &&
		    pt_strncasecmp(cfg->milters[i].name, name, len) == 0)
			return &cfg->milters[i];
	return NULL;
}

/* Opens and negotiates one filter; a failure leaves f->failed set. */
static void
open_filter(struct smtpd *s, struct smtpd_filter *f)
{
	struct pt_buf err = PT_BUF_INIT;

	f->m = milter_open(&f->spec, &err);
	if (f->m != NULL && milter_negotiate(f->m, &err) != 0) {
		milter_free(f->m);
		f->m = NULL;
	}
	if (f->m == NULL) {
		pt_log(LOG_ERR, "%s", pt_buf_str(&err));
		pt_log(LOG_INFO, "Milter (%s): to error state", f->spec.name);
		f->failed = true;
	} else if (smtpd_milter_logs(s, MLOG_SUMMARY))
		pt_log(LOG_INFO, "Milter (%s): init success to negotiate", f->spec.name);
	pt_buf_free(&err);
}

/* Makes s->milter from the names in list (separated by commas, semicolons or blanks). */
static void
open_filters(struct smtpd *s, const char *list)
{
	struct smtpd_milter *sm = pt_calloc(1, sizeof *sm);
	struct pt_buf err = PT_BUF_INIT;
	const char *p = list;

	s->milter = sm;
	sm->loglevel = s->cfg->opt.milter_log_level >= 0 ? s->cfg->opt.milter_log_level :
	    s->cfg->opt.log_level;
	while (*p != '\0') {
		const struct cf_named *x;
		size_t len;

		p += strspn(p, ",; \t");
		len = strcspn(p, ",; \t");
		if (len == 0)
			break;
		x = find_xline(s->cfg, p, len);
		if (x == NULL)
			pt_log(LOG_ERR, "InputMailFilters: filter %.*s not defined", (int)len, p);
		else {
			struct smtpd_filter *f;

			sm->f = pt_reallocarray(sm->f, sm->n + 1, sizeof *sm->f);
			f = &sm->f[sm->n++];
			memset(f, 0, sizeof *f);
			pt_buf_reset(&err);
			if (!milter_spec_parse(x->name, x->equates, &f->spec, &err)) {
				pt_log(LOG_ERR, "%s", pt_buf_str(&err));
				f->failed = true;
			} else
				open_filter(s, f);
		}
		p += len;
	}
	pt_buf_free(&err);
}

/* The connect stage's call. */
static enum milter_action
call_connect(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	return milter_connect(m, mac, n, a->host, a->family, a->port, a->addr, res);
}

/* The client's socket address as the connect stage sends it. */
static void
peer_of(struct smtpd *s, struct smtpd_stage_args *a, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	a->family = 'U';
	a->port = 0;
	a->addr = NULL;
	a->host = s->daemon != NULL ? s->client_name : "localhost";
	if (s->daemon == NULL ||
	    getpeername(smtp_io_rfd(s->io), (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

		a->family = '4';
		a->port = ntohs(in->sin_port);
		a->addr = inet_ntop(AF_INET, &in->sin_addr, buf, (socklen_t)len);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

		a->family = '6';
		a->port = ntohs(in6->sin6_port);
		a->addr = inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)len);
	} else if (ss.ss_family == AF_UNIX) {
		a->family = 'L';
		a->addr = ((const struct sockaddr_un *)&ss)->sun_path;
	}
	if (a->addr == NULL)
		a->family = 'U';
}

/* Sets the session's refusal after a connect or HELO answer; false to stop asking filters. */
static bool
set_gate(struct smtpd *s, enum milter_action a)
{
	struct smtpd_milter *sm = s->milter;

	switch (a) {
	case MILTER_REJECT:
		sm->gate = GATE_REFUSE;
		return false;
	case MILTER_REPLY:
		sm->gate = GATE_REFUSE;
		smtp_reply_copy(&sm->gate_reply, &sm->res.reply);
		return false;
	case MILTER_TEMPFAIL:
		sm->gate = GATE_TEMPFAIL;
		return false;
	default:
		return true;
	}
}

enum smtpd_milter_greet
smtpd_milter_connect(struct smtpd *s)
{
	static const struct smtpd_stage st = { "connect", MILTER_STAGE_CONNECT, call_connect };
	const char *list = s->cfg->opt.input_mail_filters;
	struct smtpd_stage_args a;
	struct pt_buf why = PT_BUF_INIT;
	char abuf[INET6_ADDRSTRLEN + 1];
	enum milter_action r = MILTER_CONTINUE;

	if (s->daemon != NULL && s->daemon->input_filters != NULL)
		list = s->daemon->input_filters;
	if (list == NULL || strspn(list, ",; \t") == strlen(list))
		return SMTPD_MILTER_GREET;
	open_filters(s, list);
	if (smtpd_milter_logs(s, MLOG_SUMMARY))
		pt_log(LOG_INFO, "Milter: connect to filters");
	memset(&a, 0, sizeof a);
	peer_of(s, &a, abuf, sizeof abuf);
	for (size_t i = 0; i < s->milter->n; i++) {
		r = smtpd_milter_call(s, &s->milter->f[i], &st, &a);
		if (r == MILTER_SHUTDOWN || r == MILTER_CONN_FAIL || !set_gate(s, r))
			break;
	}
	if (r == MILTER_REPLY)
		smtpd_milter_reply_text(&s->milter->res.reply, &why);
	if (smtpd_milter_logs(s, MLOG_REFUSALS) && s->milter->gate != GATE_OPEN)
		pt_log(LOG_INFO, "Milter: connect: host=%s, addr=%s, %s%s", s->client_name,
		    s->client_addr, r == MILTER_TEMPFAIL ? "temp failing commands" : r ==
		    MILTER_REPLY ? "rejecting=" : "rejecting commands", pt_buf_str(&why));
	pt_buf_free(&why);
	if (r == MILTER_SHUTDOWN || r == MILTER_CONN_FAIL) {
		if (smtpd_milter_logs(s, MLOG_REFUSALS))
			pt_log(LOG_INFO, "Milter: connect: host=%s, addr=%s, shutdown", s->client_name,
			    s->client_addr);
		return SMTPD_MILTER_CLOSE;
	}
	return s->milter->gate == GATE_REFUSE ? SMTPD_MILTER_NULLSERVER : SMTPD_MILTER_GREET;
}

void
smtpd_milter_close(struct smtpd *s)
{
	struct smtpd_milter *sm = s->milter;

	if (sm == NULL)
		return;
	for (size_t i = 0; i < sm->n; i++) {
		if (sm->f[i].m != NULL && smtpd_milter_logs(s, MLOG_TRACE))
			pt_log(LOG_INFO, "Milter (%s): quit filter", sm->f[i].spec.name);
		milter_free(sm->f[i].m);
		milter_spec_free(&sm->f[i].spec);
	}
	free(sm->f);
	smtp_reply_free(&sm->gate_reply);
	milter_result_reset(&sm->res);
	pt_buf_free(&sm->res.err);
	free(sm);
	s->milter = NULL;
}

bool
smtpd_milter_refuse(struct smtpd *s, enum smtp_verb verb)
{
	struct smtpd_milter *sm = s->milter;

	if (sm == NULL || sm->gate == GATE_OPEN)
		return false;
	if (sm->gate == GATE_TEMPFAIL) {
		if (verb == SMTP_VERB_MAIL)
			smtpd_say(s, 451, "4.3.2", "Please try again later");
		else if (verb == SMTP_VERB_VRFY || verb == SMTP_VERB_EXPN)
			smtpd_say(s, 550, "5.7.1", "Please try again later");
		else
			return false;
		return true;
	}
	switch (verb) {
	case SMTP_VERB_HELO: case SMTP_VERB_EHLO: case SMTP_VERB_NOOP: case SMTP_VERB_RSET:
	case SMTP_VERB_QUIT:
		return false;
	default:
		break;
	}
	if (smtp_reply_is_set(&sm->gate_reply))
		smtpd_send(s, &sm->gate_reply);
	else
		smtpd_say(s, 550, "5.0.0", "Command rejected");
	return true;
}

/* The HELO stage's call. */
static enum milter_action
call_helo(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	return milter_helo(m, mac, n, a->str, res);
}

void
smtpd_milter_helo(struct smtpd *s)
{
	static const struct smtpd_stage st = { "helo", MILTER_STAGE_HELO, call_helo };
	struct smtpd_stage_args a;
	struct pt_buf why = PT_BUF_INIT;
	enum milter_action r = MILTER_CONTINUE;

	if (s->milter == NULL || s->milter->gate != GATE_OPEN)
		return;
	memset(&a, 0, sizeof a);
	a.str = s->helo;
	for (size_t i = 0; i < s->milter->n; i++) {
		r = smtpd_milter_call(s, &s->milter->f[i], &st, &a);
		if (r == MILTER_SHUTDOWN || r == MILTER_CONN_FAIL) {
			smtpd_milter_shutdown(s);
			return;
		}
		if (!set_gate(s, r))
			break;
	}
	if (s->milter->gate == GATE_OPEN)
		return;
	if (r == MILTER_REPLY)
		smtpd_milter_reply_text(&s->milter->res.reply, &why);
	else if (r == MILTER_TEMPFAIL)
		pt_buf_adds(&why, "451 4.3.2 Please try again later");
	else
		pt_buf_adds(&why, "Command rejected");
	if (smtpd_milter_logs(s, MLOG_REFUSALS))
		pt_log(LOG_INFO, "Milter: helo=%s, reject=%s", s->helo, pt_buf_str(&why));
	pt_buf_free(&why);
}

void
smtpd_milter_ehlo_trim(struct smtpd *s, struct smtp_reply *r)
{
	char *first;

	if (s->milter == NULL || s->milter->gate != GATE_REFUSE || r->nlines == 0)
		return;
	first = pt_strdup(r->lines[0]);
	smtp_reply_set(r, r->code, NULL, "%s", first);
	smtp_reply_add(r, "ENHANCEDSTATUSCODES");
	free(first);
}

/* MAIL and RCPT: the address and each ESMTP parameter as strings. */
static const char **
envelope_argv(const char *addr, struct pt_slice params, size_t *argc)
{
	const char **argv = pt_calloc(1, sizeof *argv);
	const char *p = params.p, *end = params.p + params.len;

	argv[0] = pt_strdup(addr);
	*argc = 1;
	while (p != NULL && p < end) {
		const char *w = p;

		while (w < end && (*w == ' ' || *w == '\t'))
			w++;
		p = w;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (p == w)
			break;
		argv = pt_reallocarray(argv, *argc + 1, sizeof *argv);
		argv[(*argc)++] = pt_strndup(w, (size_t)(p - w));
	}
	return argv;
}

/* The MAIL stage's call. */
static enum milter_action
call_mail(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	return milter_mail(m, mac, n, a->argv, a->argc, res);
}

/* The RCPT stage's call. */
static enum milter_action
call_rcpt(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	return milter_rcpt(m, mac, n, a->argv, a->argc, res);
}

/* Runs MAIL or RCPT through the filters; false when refused (reply sent). */
static bool
envelope_stage(struct smtpd *s, const struct smtpd_stage *st, const char *who, const char *addr,
    struct pt_slice params)
{
	struct smtpd_stage_args a;
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf prefix = PT_BUF_INIT, why = PT_BUF_INIT;
	enum milter_action res = MILTER_CONTINUE;
	const char **argv;

	if (s->milter == NULL || s->discard)
		return true;
	memset(&a, 0, sizeof a);
	argv = envelope_argv(addr, params, &a.argc);
	a.argv = argv;
	if (smtpd_milter_logs(s, MLOG_ENVELOPE))
		pt_log(LOG_INFO, "Milter: %s: %s", st->macros == MILTER_STAGE_ENVFROM ? "sender" :
		    "rcpts", addr);
	for (size_t i = 0; i < s->milter->n; i++) {
		res = smtpd_milter_call(s, &s->milter->f[i], st, &a);
		if (res == MILTER_REJECT || res == MILTER_TEMPFAIL || res == MILTER_REPLY ||
		    res == MILTER_DISCARD || res == MILTER_SHUTDOWN || res == MILTER_CONN_FAIL)
			break;
	}
	for (size_t i = 0; i < a.argc; i++)
		free((char *)argv[i]);
	free(argv);
	if (res == MILTER_SHUTDOWN || res == MILTER_CONN_FAIL) {
		smtpd_milter_shutdown(s);
		return false;
	}
	if (res == MILTER_DISCARD) {
		if (smtpd_milter_logs(s, MLOG_REFUSALS))
			pt_log(LOG_INFO, "Milter: %s=%s, discard", who, addr);
		s->discard = true;
		return true;
	}
	if (res != MILTER_REJECT && res != MILTER_TEMPFAIL && res != MILTER_REPLY)
		return true;
	pt_buf_printf(&prefix, "%s... ", addr);
	smtpd_milter_refusal(s, res, 550, "5.7.1", prefix.s, &r);
	smtpd_send(s, &r);
	smtpd_milter_refusal(s, res, 550, "5.7.1", NULL, &r);
	smtpd_milter_reply_text(&r, &why);
	if (smtpd_milter_logs(s, MLOG_REFUSALS))
		pt_log(LOG_INFO, "Milter: %s=%s, reject=%s", who, addr, pt_buf_str(&why));
	smtp_reply_free(&r);
	pt_buf_free(&prefix);
	pt_buf_free(&why);
	return false;
}

bool
smtpd_milter_mail(struct smtpd *s, const char *addr, struct pt_slice params)
{
	static const struct smtpd_stage st = { "mail", MILTER_STAGE_ENVFROM, call_mail };

	return envelope_stage(s, &st, "from", addr, params);
}

bool
smtpd_milter_rcpt(struct smtpd *s, const char *addr, struct pt_slice params)
{
	static const struct smtpd_stage st = { "rcpt", MILTER_STAGE_ENVRCPT, call_rcpt };

	return envelope_stage(s, &st, "to", addr, params);
}

/* The DATA stage's call. */
static enum milter_action
call_data(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	(void)a;
	return milter_data(m, mac, n, res);
}

bool
smtpd_milter_data(struct smtpd *s, const char *id)
{
	static const struct smtpd_stage st = { "data", MILTER_STAGE_DATA, call_data };
	struct smtpd_stage_args a;
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf why = PT_BUF_INIT;
	enum milter_action res = MILTER_CONTINUE;

	if (s->milter == NULL || s->discard)
		return true;
	smtpd_macro(s, "i", id);
	memset(&a, 0, sizeof a);
	for (size_t i = 0; i < s->milter->n; i++) {
		res = smtpd_milter_call(s, &s->milter->f[i], &st, &a);
		if (res == MILTER_REJECT || res == MILTER_TEMPFAIL || res == MILTER_REPLY ||
		    res == MILTER_DISCARD || res == MILTER_SHUTDOWN || res == MILTER_CONN_FAIL)
			break;
	}
	if (res == MILTER_SHUTDOWN || res == MILTER_CONN_FAIL) {
		smtpd_milter_shutdown(s);
		return false;
	}
	if (res == MILTER_DISCARD) {
		if (smtpd_milter_logs(s, MLOG_REFUSALS))
			pt_log(LOG_INFO, "Milter: cmd=data, discard");
		s->discard = true;
		return true;
	}
	if (res != MILTER_REJECT && res != MILTER_TEMPFAIL && res != MILTER_REPLY)
		return true;
	smtpd_milter_refusal(s, res, 550, "5.7.1", NULL, &r);
	smtpd_send(s, &r);
	smtpd_milter_reply_text(&r, &why);
	if (smtpd_milter_logs(s, MLOG_REFUSALS))
		pt_log(LOG_INFO, "Milter: cmd=data, reject=%s", pt_buf_str(&why));
	smtp_reply_free(&r);
	pt_buf_free(&why);
	return false;
}

/* The unknown command's call. */
static enum milter_action
call_unknown(struct milter *m, const struct milter_macro *mac, size_t n,
    const struct smtpd_stage_args *a, struct milter_result *res)
{
	return milter_unknown(m, mac, n, a->str, res);
}

void
smtpd_milter_unknown(struct smtpd *s, const char *line)
{
	static const struct smtpd_stage st = { "unknown", -1, call_unknown };
	struct smtpd_stage_args a;

	if (s->milter == NULL)
		return;
	memset(&a, 0, sizeof a);
	a.str = line;
	for (size_t i = 0; i < s->milter->n; i++) {
		enum milter_action r = smtpd_milter_call(s, &s->milter->f[i], &st, &a);

		if (r != MILTER_CONTINUE && r != MILTER_NOREPLY && r != MILTER_ACCEPT)
			break;
	}
}

void
smtpd_milter_abort(struct smtpd *s)
{
	if (s->milter == NULL)
		return;
	for (size_t i = 0; i < s->milter->n; i++)
		if (s->milter->f[i].m != NULL && !s->milter->f[i].failed)
			milter_abort(s->milter->f[i].m);
}
