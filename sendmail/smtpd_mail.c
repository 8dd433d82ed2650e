/*
 * smtpd_mail: MAIL and RCPT: the envelope of a transaction, each address
 * parsed through the rulesets and checked by check_mail and check_rcpt, the
 * ESMTP parameters, the limits on recipients.
 *
 * Runs in the session process.  A recipient that resolves to a program or a
 * file is refused: those come only from aliases and .forward files.
 */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alias.h"
#include "map.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"
#include "pt_time.h"
#include "smtpd.h"

/* What the parameters may be: DSN offered, the size limit. */
static void
param_opts(const struct smtpd *s, struct smtp_param_opts *o)
{
	memset(o, 0, sizeof *o);
	o->dsn = !smtpd_privacy(s, "noreceipts");
	o->max_size = s->cfg->opt.max_message_size > 0 ?
	    (unsigned long long)s->cfg->opt.max_message_size : 0;
	o->by_min = s->cfg->opt.deliver_by_min;
}

/*
 * Refuses an address as upstream's prescan and address checks do before any
 * rewriting; true if refused (reply sent).  raw is the argument from the
 * address on, parameters included: upstream echoes that text (shortened)
 * while it is still parsing.  In order: a token over ADDR_MAXTOKLEN bytes;
 * an address over ADDR_MAXLEN bytes (the text named and echoed cut there);
 * a byte from 0x80 to 0x9f, named with each such byte as '?'.
 */
static bool
addr_refused(struct smtpd *s, bool rcpt, const struct pt_slice *addr, const char *raw,
    size_t rawlen)
{
	struct pt_buf b = PT_BUF_INIT, echo = PT_BUF_INIT;
	bool c1 = false, refused = true;

	if (addr_token_maxlen(&s->cfg->toktab, addr->p, addr->len) > ADDR_MAXTOKLEN) {
		pt_buf_add(&b, raw, rawlen);
		smtp_echo_short(&echo, pt_buf_str(&b), SMTP_SHORTSTR);
		smtpd_say(s, 553, "5.1.0", "%s... prescan: token too long", pt_buf_str(&echo));
	} else if (addr->len > ADDR_MAXLEN) {
		pt_buf_add(&b, addr->p, ADDR_MAXLEN);
		smtp_echo_short(&echo, pt_buf_str(&b), SMTP_SHORTSTR);
		smtpd_say(s, 553, "5.1.0", "%s... Address \"%s\" too long (%d bytes max)",
		    pt_buf_str(&echo), pt_buf_str(&b), ADDR_MAXLEN);
	} else {
		for (size_t i = 0; i < addr->len; i++) {
			unsigned char ch = (unsigned char)addr->p[i];

			c1 = c1 || (ch & 0xe0) == 0x80;
			pt_buf_addc(&b, (ch & 0xe0) == 0x80 ? '?' : (char)ch);
		}
		if (c1)
			smtpd_say(s, 501, rcpt ? "5.1.3" : "5.1.7",
			    "8-bit character in mailbox address \"%s\"", pt_buf_str(&b));
		refused = c1;
	}
	pt_buf_free(&echo);
	pt_buf_free(&b);
	return refused;
}

/* Splits "FROM:<addr> params" into the address text (with <>) and parameters. */
static bool
split(struct smtpd *s, const struct smtp_cmd *c, char **addr, struct pt_slice *params)
{
	struct smtp_reply err = SMTP_REPLY_INIT;
	struct smtp_path path;

	if (!smtp_cmd_split_path(c, &path, &err)) {
		smtpd_send(s, &err);
		smtp_reply_free(&err);
		return false;
	}
	if (addr_refused(s, c->verb == SMTP_VERB_RCPT, &path.addr, path.addr.p,
	    (size_t)(c->arg.p + c->arg.len - path.addr.p)))
		return false;
	*addr = pt_strndup(path.addr.p, path.addr.len);
	*params = path.params;
	return true;
}

/*
 * Parses addr through the rulesets; replies and returns false on an error.
 * *tempfail (when not NULL) tells whether a lookup failed for now.
 */
static bool
parse(struct smtpd *s, const char *addr, unsigned flags, struct rw_triple *t, bool *tempfail)
{
	int st;

	s->rw.msgs = NULL;
	st = rw_parse(&s->rw, addr, flags, 0, NULL, t);
	if (tempfail != NULL)
		*tempfail = st == EX_TEMPFAIL;
	if (st != EX_OK && st != EX_TEMPFAIL) {
		smtpd_say(s, 553, "5.1.0", "%s... Address could not be parsed", smtpd_short(s, addr));
		return false;
	}
	if (t->error) {
		const char *status = t->error_status;

		/* upstream: no valid status (as "error:nouser 550 ...") is x.0.0 */
		if (!smtp_status_valid(status, strlen(status), t->error_code))
			status = t->error_code / 100 == 4 ? "4.0.0" : "5.0.0";
		smtpd_say(s, t->error_code, status, "%s... %s", smtpd_short(s, addr), t->error_text);
		return false;
	}
	return true;
}

/* Starts the envelope of a transaction with sender addr. */
static void
start_envelope(struct smtpd *s, const char *addr, const struct rw_triple *t)
{
	struct queue_env *e = queue_env_new();
	char date[32];

	e->ctime = (long long)time(NULL);
	e->sender = queue_env_str(e, addr);
	if (s->mp.envid)
		e->envid = queue_env_str(e, s->mp.envid);
	if (s->mp.ret != SMTP_RET_NONE) {
		e->flags |= QEF_RET_PARAM;
		if (s->mp.ret == SMTP_RET_HDRS)
			e->flags |= QEF_NO_BODY_RETURN;
	}
	if (s->mp.body == SMTP_BODY_8BITMIME)
		e->bodytype = queue_env_str(e, "8BITMIME");
	if (s->mp.auth)
		e->auth = queue_env_str(e, s->mp.auth);
	if (s->mp.has_by) {	/* the qf's ! record */
		e->has_deliverby = true;
		e->deliverby = (long)s->mp.by_time;
		e->deliverby_flags = (s->mp.by_mode == 'R' ? QUEUE_DLVR_RETURN : QUEUE_DLVR_NOTIFY) |
		    (s->mp.by_trace ? QUEUE_DLVR_TRACE : 0);
	}
	queue_env_set_macro(e, "r", smtpd_proto(s));
	if (s->helo)
		queue_env_set_macro(e, "s", s->helo);
	queue_env_set_macro(e, "_", s->relay);
	queue_env_set_macro(e, "{daemon_flags}",
	    s->daemon != NULL ? s->daemon->flags : sm_direct_flags(s->run));
	snprintf(date, sizeof date, "%lld", e->ctime);
	(void)date;
	(void)t;
	s->env = e;
	/* logged now, as upstream; the header joins the message's at DATA (smtpd_data.c) */
	if (s->helo == NULL && smtpd_privacy(s, "authwarnings"))
		smtpd_log(s, LOG_INFO, "Authentication-Warning: %s: %s didn't use HELO protocol",
		    mac_get(s->cfg->macros, 'j', NULL), s->relay);
}

/* The sender's macros: {mail_addr}, {mail_host}, {mail_mailer}, $f; t NULL for <>. */
static void
sender_macros(struct smtpd *s, const char *addr, const struct rw_triple *t)
{
	char *f = pt_strdup(addr);
	size_t n = strlen(f);

	smtpd_macro(s, "{mail_addr}", t == NULL ? "" : t->user);
	smtpd_macro(s, "{mail_host}", t == NULL ? "" : t->host);
	smtpd_macro(s, "{mail_mailer}", t == NULL ? "" : t->mailer_name);
	if (n >= 2 && f[0] == '<' && f[n - 1] == '>') {
		memmove(f, f + 1, n - 2);
		f[n - 2] = '\0';
	}
	smtpd_macro(s, "f", t == NULL ? "<>" : f);
	free(f);
}

/* check_mail: false (reply sent) when it refuses; *held when it quarantines. */
static bool
check_mail(struct smtpd *s, const char *addr, struct smtp_reply *r, bool *held)
{
	*held = false;
	switch (smtpd_check(s, "check_mail", addr, NULL, smtpd_short(s, addr), r)) {
	case SMTPD_CHECK_REJECT:
		smtpd_send(s, r);
		return false;
	case SMTPD_CHECK_DISCARD:
		s->discard = true;
		break;
	case SMTPD_CHECK_QUARANTINE:
		*held = true;
		break;
	default:
		break;
	}
	return true;
}

void
smtpd_mail(struct smtpd *s, const struct smtp_cmd *c)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct smtp_param_opts po;
	struct pt_slice params;
	struct rw_triple t;
	char *addr = NULL;
	bool null_sender, held;

	if (s->helo == NULL && smtpd_privacy(s, "needmailhelo")) {
		smtpd_say(s, 503, "5.0.0", "Polite people say HELO first");
		return;
	}
	if (s->env != NULL) {
		smtpd_say(s, 503, "5.5.0", "Sender already specified");
		return;
	}
	if (smtpd_auth_required(s))
		return;
	if (!split(s, c, &addr, &params))
		return;
	param_opts(s, &po);
	smtp_mail_params_free(&s->mp);
	if (!smtp_mail_params_parse(params, &po, &s->mp, &r)) {
		smtpd_send(s, &r);
		goto out;
	}
	smtpd_auth_param(s);
	null_sender = strcmp(addr, "<>") == 0;
	memset(&t, 0, sizeof t);
	if (!null_sender && !parse(s, addr, RW_SENDER, &t, NULL))
		goto out;
	sender_macros(s, addr, null_sender ? NULL : &t);
	if (!check_mail(s, addr, &r, &held) || !smtpd_milter_mail(s, addr, params))
		goto out;
	start_envelope(s, addr, &t);
	if (held)	/* as upstream: accepted, and the message will be held */
		s->env->quarantine = queue_env_str(s->env, r.nlines > 0 ? r.lines[0] : "");
	smtpd_say(s, 250, "2.1.0", "%s... Sender ok", smtpd_short(s, addr));
out:
	smtp_reply_free(&r);
	free(addr);
	pt_arena_reset(s->rw.arena);
}

unsigned
smtpd_rcpt_flags(const struct smtp_rcpt_params *rp)
{
	unsigned f = QRF_PRIMARY;

	if (rp->notify == 0)
		return f | QRF_NOTIFY_DEFAULT;
	f |= QRF_HAS_NOTIFY;
	if (rp->notify & SMTP_NOTIFY_SUCCESS)
		f |= QRF_NOTIFY_SUCCESS;
	if (rp->notify & SMTP_NOTIFY_FAILURE)
		f |= QRF_NOTIFY_FAILURE;
	if (rp->notify & SMTP_NOTIFY_DELAY)
		f |= QRF_NOTIFY_DELAY;
	return f;
}

/* Records a recipient in the envelope, with its DSN parameters. */
static void
add_rcpt(struct smtpd *s, const char *addr, const struct smtp_rcpt_params *rp)
{
	struct queue_rcpt *q = queue_env_add_rcpt(s->env, addr);

	q->flags |= smtpd_rcpt_flags(rp);
	if (rp->orcpt != NULL)
		q->orcpt = queue_env_str(s->env, rp->orcpt);
}

/*
 * The key that tells two recipients apart as upstream's sameaddr does: the
 * mailer, the host without case, the user without case unless F=u.
 */
static char *
rcpt_key(const struct rw_triple *t)
{
	struct pt_buf b = PT_BUF_INIT;
	bool keepcase = t->mailer != NULL && cf_mflag(&t->mailer->flags, 'u');

	pt_buf_printf(&b, "%s %s ", t->mailer_name ? t->mailer_name : "", t->host ? t->host : "");
	for (char *p = b.s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (const char *p = t->user ? t->user : ""; *p; p++)
		pt_buf_addc(&b, keepcase ? *p : (char)tolower((unsigned char)*p));
	return pt_buf_steal(&b);
}

/* The address of an earlier recipient of this transaction that is the same as key, or NULL. */
static const char *
same_rcpt(const struct smtpd *s, const char *key)
{
	for (int i = 0; i < s->nrkeys; i++)
		if (strcmp(s->rkeys[i], key) == 0)
			return s->raddrs[i];
	return NULL;
}

/* Remembers a recipient's key and address. */
static void
keep_rcpt(struct smtpd *s, char *key, const char *addr)
{
	s->rkeys = pt_reallocarray(s->rkeys, (size_t)s->nrkeys + 1, sizeof *s->rkeys);
	s->raddrs = pt_reallocarray(s->raddrs, (size_t)s->nrkeys + 1, sizeof *s->raddrs);
	s->rkeys[s->nrkeys] = key;
	s->raddrs[s->nrkeys++] = pt_strdup(addr);
}

/* Counts a refused recipient; at BadRcptThrottle, logs that RCPTs are slowed down. */
static void
bad_rcpt(struct smtpd *s)
{
	long throttle = s->cfg->opt.bad_rcpt_throttle;

	if (throttle > 0 && ++s->badrcpts == throttle)
		pt_log(LOG_NOTICE, "%s: Possible SMTP RCPT flood, throttling.", s->relay);
}

/* Once BadRcptThrottle recipients were refused, each RCPT waits a second first. */
static void
rcpt_throttle(struct smtpd *s)
{
	long throttle = s->cfg->opt.bad_rcpt_throttle;

	if (throttle > 0 && s->badrcpts >= throttle)
		pt_sleep_whole(1);
}

/*
 * True when t names a local user that does not exist: the local mailer
 * checks users (F=w) and the name is neither an alias (F=A) nor a user.
 */
static bool
unknown_local(struct smtpd *s, const struct rw_triple *t)
{
	struct pt_buf val = PT_BUF_INIT;
	struct rw_triple t5;
	bool alias;
	const char *user = t->user;

	if (t->mailer == NULL || !cf_mflag(&t->mailer->flags, 'l') ||
	    !cf_mflag(&t->mailer->flags, 'w') || strcmp(t->mailer->name, "local") != 0)
		return false;
	if (user[0] == '@' && user[1] != '\0')
		user++;		/* stickyhost's "@user": the user, without ruleset 5 */
	alias = cf_mflag(&t->mailer->flags, 'A') &&
	    alias_lookup(s->cfg->maps, user, &val) == MAP_FOUND;
	pt_buf_free(&val);
	if (alias || getpwnam(user) != NULL)
		return false;
	/* ruleset 5 (F=5) may send the name elsewhere: LUSER_RELAY, MAIL_HUB, LOCAL_RELAY */
	return user != t->user || !cf_mflag(&t->mailer->flags, '5') ||
	    !rw_localaddr(&s->rw, t, &t5) || t5.mailer == NULL ||
	    strcmp(t5.mailer->name, "local") == 0;
}

/* Refuses recipients an SMTP client may not name; true if refused. */
static bool
forbidden_mailer(struct smtpd *s, const char *addr, const struct rw_triple *t)
{
	if (t->mailer == NULL)
		return false;
	if (strcmp(t->mailer->name, "prog") == 0) {
		smtpd_say(s, 550, "5.7.1", "%s... Cannot mail directly to programs", smtpd_short(s, addr));
		return true;
	}
	if (strcmp(t->mailer->name, "*file*") == 0) {
		smtpd_say(s, 550, "5.7.1", "%s... Cannot mail directly to files", smtpd_short(s, addr));
		return true;
	}
	return false;
}

/*
 * A local name whose alias is one address that resolves to an error (such as
 * FEATURE(redirect)'s "new@host.REDIRECT") is refused at RCPT with that
 * error, as upstream expands aliases then; true if refused.
 */
static bool
alias_error(struct smtpd *s, const char *addr, const struct rw_triple *t)
{
	struct pt_buf val = PT_BUF_INIT;
	struct rw_triple a;
	bool refused = false;

	if (t->mailer == NULL || !cf_mflag(&t->mailer->flags, 'A') ||
	    !cf_mflag(&t->mailer->flags, 'l') ||
	    alias_lookup(s->cfg->maps, t->user, &val) != MAP_FOUND ||
	    strpbrk(pt_buf_str(&val), ",|/:\"") != NULL) {
		pt_buf_free(&val);
		return false;
	}
	s->rw.msgs = NULL;
	if (rw_parse(&s->rw, pt_str_trim(val.s), 0, 0, NULL, &a) == EX_OK && a.error) {
		smtpd_say(s, a.error_code, a.error_status[0] ? a.error_status : NULL, "%s... %s",
		    smtpd_short(s, addr), a.error_text);
		refused = true;
	}
	pt_buf_free(&val);
	return refused;
}

/*
 * check_rcpt and the local user check: false (reply sent) when refused.  An
 * address whose lookup failed for now (later) is not checked further: as
 * upstream, it is accepted and decided at delivery.
 */
static bool
check_rcpt(struct smtpd *s, const char *addr, const struct rw_triple *t, bool later,
    struct smtp_reply *r)
{
	switch (smtpd_check(s, "check_rcpt", addr, NULL, smtpd_short(s, addr), r)) {
	case SMTPD_CHECK_REJECT:
		smtpd_send(s, r);
		bad_rcpt(s);
		return false;
	case SMTPD_CHECK_DISCARD:
		s->discard = true;
		break;
	case SMTPD_CHECK_QUARANTINE:
		s->env->quarantine = queue_env_str(s->env, r->nlines > 0 ? r->lines[0] : "");
		break;
	default:
		break;
	}
	if (later)
		return true;
	if (unknown_local(s, t)) {
		/* as upstream: logged with the envelope id (LogLevel 4 and above) */
		if (s->cfg->opt.log_level >= 4)
			smtpd_log(s, LOG_NOTICE, "%s... User unknown", smtpd_short(s, addr));
		smtpd_say(s, 550, "5.1.1", "%s... User unknown", smtpd_short(s, addr));
		bad_rcpt(s);
		return false;
	}
	if (alias_error(s, addr, t)) {
		bad_rcpt(s);
		return false;
	}
	return true;
}

/* Adds an accepted recipient (a duplicate only answered) and replies. */
static void
accept_rcpt(struct smtpd *s, const char *addr, const struct rw_triple *t,
    const struct smtp_rcpt_params *rp, bool later)
{
	char *key = rcpt_key(t), n[16];
	const char *first = same_rcpt(s, key);

	if (first != NULL) {
		/* as upstream: a duplicate is not added, the reply names the first */
		smtpd_say(s, 250, "2.1.5", "%s... Recipient ok", smtpd_short(s, first));
		free(key);
		return;
	}
	keep_rcpt(s, key, addr);
	add_rcpt(s, addr, rp);
	s->nrcpts++;
	snprintf(n, sizeof n, "%d", s->nrcpts);
	smtpd_macro(s, "{nrcpts}", n);
	/* as upstream: only an address whose lookup failed for now "will queue" */
	if ((s->cfg->opt.delivery_mode == 'q' || s->cfg->opt.delivery_mode == 'd') && later)
		smtpd_say(s, 250, "2.1.5", "%s... Recipient ok (will queue)", smtpd_short(s, addr));
	else
		smtpd_say(s, 250, "2.1.5", "%s... Recipient ok", smtpd_short(s, addr));
}

void
smtpd_rcpt(struct smtpd *s, const struct smtp_cmd *c)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct smtp_rcpt_params rp;
	struct smtp_param_opts po;
	struct pt_slice params;
	struct rw_triple t;
	char *addr = NULL;
	long max = s->cfg->opt.max_rcpts_per_message;
	bool later = false;

	memset(&rp, 0, sizeof rp);
	if (s->env == NULL) {
		smtpd_say(s, 503, "5.0.0", "Need MAIL before RCPT");
		return;
	}
	rcpt_throttle(s);
	if (!split(s, c, &addr, &params))
		return;
	param_opts(s, &po);
	if (!smtp_rcpt_params_parse(params, &po, &rp, &r)) {
		smtpd_send(s, &r);
		goto out;
	}
	if (max > 0 && s->nrcpts >= max) {
		smtpd_say(s, 452, "4.5.3", "Too many recipients");
		goto out;
	}
	if (!parse(s, addr, 0, &t, &later) || forbidden_mailer(s, addr, &t)) {
		bad_rcpt(s);
		goto out;
	}
	smtpd_macro(s, "{rcpt_addr}", t.user);
	smtpd_macro(s, "{rcpt_host}", t.host);
	smtpd_macro(s, "{rcpt_mailer}", t.mailer_name);
	if (!check_rcpt(s, addr, &t, later, &r) || !smtpd_milter_rcpt(s, addr, params))
		goto out;
	accept_rcpt(s, addr, &t, &rp, later);
out:
	smtp_rcpt_params_free(&rp);
	smtp_reply_free(&r);
	free(addr);
	pt_arena_reset(s->rw.arena);
}
