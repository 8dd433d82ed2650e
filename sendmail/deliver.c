/*
 * deliver: one delivery attempt of one queued message, and the queue
 * update that follows: sent and failed recipients leave the queue, deferred
 * ones stay with their status, expansions of aliases are written back so a
 * retry never delivers twice, bounces and delay warnings go out (dsn.c),
 * and a finished message is removed.
 *
 * Runs in a delivery process forked as root by the daemon, a queue run or
 * sendmail itself.  It holds the qf lock for the whole attempt, so no other
 * process (Petrel's or upstream's) delivers the same message meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "deliver.h"
#include "headers.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"

void
dlv_verbose(const struct dlv *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->run->verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void
dlv_verbose_reply(const struct dlv *d, const struct smtp_reply *r)
{
	struct pt_buf b = PT_BUF_INIT;

	if (!d->run->verbose || !smtp_reply_is_set(r))
		return;
	smtp_reply_format(r, &b);
	for (size_t i = 0; i < b.len; i++)
		if (b.s[i] != '\r')
			putchar(b.s[i]);
	fflush(stdout);
	pt_buf_free(&b);
}

void
dlv_report(const struct dlv *d, struct dlv_target *t)
{
	const char *text = t->text ? t->text : "";

	if (t->reported || t->state == DLV_PENDING)
		return;
	t->reported = true;
	if (t->state == DLV_SENT && *text && strcmp(text, "Sent") != 0)
		dlv_verbose(d, "%s... Sent (%s)", t->addr, text);
	else if (t->state == DLV_SENT)
		dlv_verbose(d, "%s... Sent", t->addr);
	else if (t->state == DLV_DEFERRED)
		dlv_verbose(d, "%s... Deferred: %s", t->addr, text);
	else if (t->state == DLV_FAILED)
		dlv_verbose(d, "%s... %s", t->addr, text);
}

/* Formats a duration as upstream logs it: [D+]HH:MM:SS. */
static void
duration(long secs, char out[32])
{
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		snprintf(out, 32, "%ld+%02ld:%02ld:%02ld", secs / 86400, secs % 86400 / 3600,
		    secs % 3600 / 60, secs % 60);
	else
		snprintf(out, 32, "%02ld:%02ld:%02ld", secs / 3600, secs % 3600 / 60, secs % 60);
}

/*
 * What upstream's stat= says of a server's permanent refusal: the text of
 * the sysexits status the reply maps to (a RCPT refused with 550, 551 or
 * 553: an unknown user).
 */
const char *
dlv_refusal_stat(const struct dlv_target *t)
{
	return t->remote_rcpt && (t->code == 550 || t->code == 551 || t->code == 553) ?
	    "User unknown" : "Service unavailable";
}

/*
 * The envelope sender's local account, when the sender is a user of this
 * host ("user", or "user@host" with host in class w), as upstream finds
 * it; NULL otherwise.
 */
static const struct passwd *
sender_account(const struct dlv *d)
{
	const char *s = d->e->sender;
	char *user, *at;
	const struct passwd *pw = NULL;
	size_t n;

	if (s == NULL || *s == '\0' || strcmp(s, "<>") == 0)
		return NULL;
	n = strlen(s);
	user = s[0] == '<' && n >= 2 && s[n - 1] == '>' ? pt_strndup(s + 1, n - 2) : pt_strdup(s);
	if ((at = strrchr(user, '@')) != NULL)
		*at++ = '\0';
	if (*user != '\0' && (at == NULL || cf_class_has(d->cfg, 'w', at)))
		pw = getpwnam(user);
	free(user);
	return pw;
}

/* The group of the first AliasFile: upstream's for the members of an alias; else DefaultUser's. */
static long
alias_file_gid(const struct dlv *d)
{
	struct stat st;
	const char *f;

	if (d->cfg->opt.alias_file.n == 0)
		return (long)d->default_gid;
	f = d->cfg->opt.alias_file.v[0];
	if (f[0] != '/' && strchr(f, ':') != NULL)	/* "hash:/etc/mail/aliases" */
		f = strchr(f, ':') + 1;
	return stat(f, &st) == 0 ? (long)st.st_gid : (long)d->default_gid;
}

/* The account of t when it is a local user's mailbox (a mailer with F=w), as upstream's recipient() finds it; else NULL. */
static const struct passwd *
target_account(const struct dlv_target *t)
{
	if (t->mailer == NULL || !cf_mflag(&t->mailer->flags, 'w') || t->user[0] == '\0')
		return NULL;
	return getpwnam(t->user);
}

/*
 * The controlling user of target t as upstream 8.17 records it (the user
 * part of its C record, and the ids): a local user's mailbox has the
 * user's own account; a program or file of a .forward or :include:, the
 * file's owner; one of an alias, the alias's name with DefaultUser's uid
 * and the aliases file's group.  False if t has none (it is no expansion).
 */
static bool
target_ctl(const struct dlv *d, const struct dlv_target *t, const char **user, long *uid,
    long *gid)
{
	const struct passwd *pw = t->from_alias ? target_account(t) : NULL;

	if (pw != NULL) {
		*user = pw->pw_name;
		*uid = (long)pw->pw_uid;
		*gid = (long)pw->pw_gid;
	} else if (t->owner != NULL) {
		*user = t->owner;
		*uid = (long)t->uid;
		*gid = (long)t->gid;
	} else if (t->from_alias) {
		*user = t->alias;
		*uid = t->uid != (uid_t)-1 ? (long)t->uid : (long)d->default_uid;
		*gid = alias_file_gid(d);
	} else
		return false;
	return true;
}

/*
 * Upstream's ctladdr= of t, the controlling user of its delivery, into b:
 * for a program, file or failed address reached through an alias (now or
 * on an earlier run), the address expanded and the ids of the delivery
 * (target_ctl); for a local user's mailbox, as for any other recipient, the
 * envelope sender when it is a local user, but not for a recipient that
 * failed before any delivery (early).
 */
static void
log_ctladdr(struct dlv *d, const struct dlv_target *t, bool early, struct pt_buf *b)
{
	const struct queue_rcpt *r = t->rcpt >= 0 ? &d->e->rcpts[t->rcpt] : NULL;
	const struct queue_ctl *c = r != NULL && r->ctl >= 0 ? &d->e->ctls[r->ctl] : NULL;
	const struct passwd *pw;
	const char *user;
	long uid, gid;

	if (r == NULL)
		return;
	if ((!t->primary || c != NULL) && target_account(t) == NULL) {
		pt_buf_printf(b, "ctladdr=%s", t->parent != NULL ? t->parent :
		    c != NULL && c->alias != NULL ? c->alias : r->addr);
		if (target_ctl(d, t, &user, &uid, &gid))
			pt_buf_printf(b, " (%ld/%ld)", uid, gid);
		pt_buf_adds(b, ", ");
	} else if (!early && (pw = sender_account(d)) != NULL)
		pt_buf_printf(b, "ctladdr=%s (%ld/%ld), ", d->e->sender, (long)pw->pw_uid,
		    (long)pw->pw_gid);
}

/*
 * Logs the outcome of one target: "to=..., delay=..., mailer=...,
 * relay=mx.example.net. [192.0.2.1], dsn=..., reply=..., stat=...".  A
 * target that failed before any delivery (tried false: an unknown local
 * user) is logged as upstream logs it while resolving recipients: no
 * xdelay, the priority a retry would have, the error as reply=.
 */
static void
log_target(struct dlv *d, const struct dlv_target *t, time_t started, bool tried)
{
	char delay[32], xdelay[32];
	bool early = !tried && t->state == DLV_FAILED;
	const char *stat = t->state == DLV_SENT ? "Sent" :
	    t->state == DLV_FAILED && t->remote ? dlv_refusal_stat(t) : t->text;
	bool detail = t->state == DLV_SENT && t->text != NULL && strcmp(t->text, "Sent") != 0;
	struct pt_buf b = PT_BUF_INIT;

	if (t->refused)	/* logged by the submission as it refused the address */
		return;
	if (early && d->errmode != 0)	/* the submission's own expansion: its error line too */
		pt_log_id(LOG_NOTICE, d->e->id, "%s... %s", t->addr, t->text ? t->text : "");
	duration((long)(d->now - (time_t)d->e->ctime), delay);
	duration((long)(time(NULL) - started), xdelay);
	pt_buf_printf(&b, "to=%s, ", t->addr);
	log_ctladdr(d, t, early, &b);
	pt_buf_printf(&b, "delay=%s, ", delay);
	if (!early)
		pt_buf_printf(&b, "xdelay=%s, ", xdelay);
	pt_buf_printf(&b, "mailer=%s, pri=%ld, ", t->mailer ? t->mailer->name : "*error*",
	    early ? d->early_priority : d->e->priority);
	if (t->relay != NULL)
		pt_buf_printf(&b, "relay=%s, ", t->relay);
	else if (t->host[0] != '\0')
		pt_buf_printf(&b, "relay=%s, ", t->host);
	pt_buf_printf(&b, "dsn=%s, ", t->status && *t->status ? t->status : "5.0.0");
	if (t->remote && t->state != DLV_SENT)
		pt_buf_printf(&b, "reply=%s, ", t->text);
	else if (early)
		pt_buf_printf(&b, "reply=%d %s %s, ", t->code, t->status ? t->status : "",
		    t->text ? t->text : "");
	pt_buf_printf(&b, "stat=%s%s", t->state != DLV_DEFERRED ? "" : stat && *stat ?
	    "Deferred: " : "Deferred", stat ? stat : "");
	if (detail)
		pt_buf_printf(&b, " (%s)", t->text);
	/* upstream's levels: successes 8, deferrals 9, failures 7; all at syslog's info */
	pt_log_id_lv(t->state == DLV_SENT ? 8 : t->state == DLV_DEFERRED ? 9 : 7, LOG_INFO,
	    d->e->id, "%s", b.s);
	pt_buf_free(&b);
}

/* Sets up the attempt's macros from the envelope's saved ones. */
static void
attempt_macros(struct dlv *d)
{
	for (size_t i = 0; i < d->e->nmacros; i++)
		mac_set_name(d->rw.macros, d->e->macros[i].name, d->e->macros[i].value, 0);
	mac_set(d->rw.macros, 'i', d->e->id, 0);
	mac_set(d->rw.macros, 'f', d->e->sender ? d->e->sender : "<>", 0);
}

/* Resolves DefaultUser (default: 1:1, as upstream). */
static void
resolve_default_user(const char *spec, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	*uid = 1;
	*gid = 1;
	if (spec == NULL) {
		if ((pw = getpwnam("mailnull")) != NULL || (pw = getpwnam("daemon")) != NULL) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
		}
		return;
	}
	if ((pw = getpwnam(spec)) != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	} else {
		const char *colon = strchr(spec, ':');

		*uid = (uid_t)strtoul(spec, NULL, 10);
		if (colon != NULL)
			*gid = (gid_t)strtoul(colon + 1, NULL, 10);
	}
}

/*
 * DefaultUser, looked up once per process and option value, as upstream
 * resolves it when it reads the cf: a delivery process of the daemon's pool
 * serves many messages, and a missing "mailnull" costs a walk of every
 * password source each time.
 */
static void
default_user(struct dlv *d)
{
	static bool known;
	static char *spec_seen;
	static uid_t uid;
	static gid_t gid;
	const char *spec = d->cfg->opt.default_user;

	if (!known || (spec == NULL) != (spec_seen == NULL) ||
	    (spec != NULL && strcmp(spec, spec_seen) != 0)) {
		resolve_default_user(spec, &uid, &gid);
		free(spec_seen);
		spec_seen = spec != NULL ? pt_strdup(spec) : NULL;
		known = true;
	}
	d->default_uid = uid;
	d->default_gid = gid;
}

/* True if target t goes over SMTP (or LMTP). */
static bool
is_smtp(const struct dlv_target *t)
{
	return t->mailer != NULL && dlv_speaks_smtp(t->mailer);
}

/* Delivers the pending SMTP targets that share t's mailer and host, together. */
static void
run_smtp_group(struct dlv *d, int first)
{
	const struct dlv_target *t = &d->targets.v[first];
	int *idx = pt_calloc((size_t)d->targets.n, sizeof(int)), n = 0;

	for (int k = first; k < d->targets.n; k++) {
		const struct dlv_target *u = &d->targets.v[k];

		if (u->state == DLV_PENDING && is_smtp(u) && u->mailer == t->mailer &&
		    pt_strcasecmp(u->host, t->host) == 0 && dlv_same_owner(u, t) &&
		    (k == first || cf_mflag(&t->mailer->flags, 'm')))
			idx[n++] = k;
	}
	dlv_smtp(d, idx, n);
	free(idx);
}

/* The recipients the expansion ended with, failed ones too, but not those refused while parsing. */
static int
expanded_count(const struct dlv *d)
{
	int n = 0;

	for (int k = 0; k < d->targets.n; k++)
		n += !d->targets.v[k].refused;
	return n;
}

/* The submission's from= line (sm_run.from_line), once its expansion's failures are logged. */
static void
log_submission(struct dlv *d)
{
	const char *line = d->run->from_line, *at = NULL;
	size_t skip;

	if (d->errmode == 0 || line == NULL)
		return;
	/* as upstream: nrcpts= counts the recipients the expansion ended with */
	skip = strlen("from=") + strlen(d->e->sender);
	if (strncmp(line, "from=", 5) == 0 && strlen(line) > skip)
		at = strstr(line + skip, ", nrcpts=");
	if (at != NULL)
		pt_log_id(LOG_INFO, d->e->id, "%.*s, nrcpts=%d%s", (int)(at - line), line,
		    expanded_count(d), at + 9 + strspn(at + 9, "0123456789"));
	else
		pt_log_id(LOG_INFO, d->e->id, "%s", line);
	free(d->run->from_line);
	d->run->from_line = NULL;
}

/*
 * Logs what -odq and -odd leave for a queue run as upstream does: a line
 * "stat=queued" per target, after the from= line.
 */
static void
log_queued(struct dlv *d)
{
	char delay[32];

	duration((long)(d->now - (time_t)d->e->ctime), delay);
	for (int k = 0; k < d->targets.n; k++) {
		const struct dlv_target *t = &d->targets.v[k];

		if (t->state == DLV_PENDING)
			pt_log_id_lv(9, LOG_INFO, d->e->id, "to=%s, delay=%s, mailer=%s, pri=%ld, stat=queued",
			    t->addr, delay, t->mailer ? t->mailer->name : "*error*", d->e->priority);
	}
}

/*
 * Delivers every pending target.  Those settled while the recipients were
 * expanded (an unknown user) are logged first, as upstream logs them then,
 * and then a submission's from= line.
 */
static void
run_targets(struct dlv *d)
{
	bool *settled = pt_calloc((size_t)d->targets.n + 1, sizeof(bool));

	for (int i = 0; i < d->targets.n; i++) {
		struct dlv_target *t = &d->targets.v[i];

		if (t->state == DLV_FAILED) {
			settled[i] = t->failed_early = true;
			/* upstream logs only the notice of an expired Deliver-By; the
			 * submission logged the rest before -odb's child was made */
			if (!t->by_expired && !d->bg_child)
				log_target(d, t, time(NULL), false);
			dlv_report(d, t);
		}
	}
	log_submission(d);
	for (int i = 0; i < d->targets.n; i++) {
		struct dlv_target *t = &d->targets.v[i];
		time_t started = time(NULL);

		if (settled[i])
			continue;
		d->sender = t->list_owner;	/* an owner- list's mail goes out from its owner */
		if (t->state == DLV_PENDING && is_smtp(t))
			run_smtp_group(d, i);
		else if (t->state == DLV_PENDING && t->mailer != NULL)
			dlv_prog(d, t);
		d->sender = NULL;
		dlv_by_delivered(d, t);
		log_target(d, t, started, true);
		dlv_report(d, t);
	}
	free(settled);
}

struct queue_idgen *
dlv_idgen(time_t now)
{
	static struct queue_idgen g;
	static pid_t owner;

	if (owner != getpid()) {
		owner = getpid();
		queue_idgen_init(&g, (long)owner, (unsigned)now ^ 0x5a5a);
	}
	return &g;
}

/* The state of queued recipient i after the attempt: sent, failed or deferred. */
static int
rcpt_outcome(const struct dlv *d, int i, bool *expanded)
{
	int sent = 0, failed = 0, deferred = 0;

	*expanded = false;
	for (int k = 0; k < d->targets.n; k++) {
		const struct dlv_target *t = &d->targets.v[k];

		if (t->rcpt != i || t->moved)
			continue;
		if (!t->primary)
			*expanded = true;
		if (t->state == DLV_SENT)
			sent++;
		else if (t->state == DLV_FAILED)
			failed++;
		else
			deferred++;
	}
	if (deferred > 0)
		return DLV_DEFERRED;
	return failed > 0 && sent == 0 ? DLV_FAILED : DLV_SENT;
}

/*
 * The M record of a recipient deferred as t was, into e: upstream keeps
 * "Deferred: " and a server's reply, and nothing for a mailer program's
 * status (the message's own M says it).
 */
static const char *
deferred_message(struct queue_env *e, const struct dlv_target *t)
{
	struct pt_buf b = PT_BUF_INIT;
	const char *m;

	if (!t->remote || t->text == NULL)
		return NULL;
	pt_buf_printf(&b, "Deferred: %s", t->text);
	m = queue_env_str(e, b.s);
	pt_buf_free(&b);
	return m;
}

/*
 * True if t is the only target that its queued recipient became, leaving
 * out those that failed while it was expanded, as upstream counts them.
 */
static bool
sole_target(const struct dlv *d, const struct dlv_target *t)
{
	int n = 0;

	for (int k = 0; k < d->targets.n; k++)
		n += d->targets.v[k].rcpt == t->rcpt && !d->targets.v[k].failed_early;
	return n == 1;
}

/*
 * Adds target t to envelope e as a deferred recipient with its controlling
 * user; from (a recipient of d's envelope, which may be e) gives the ORCPT,
 * the NOTIFY flags and the Final-Recipient of its notices.  Its R flags are
 * upstream's: from's NOTIFY (S, F, D, N), A for a member of an alias, and
 * P when it is all that a primary recipient became (a .forward or
 * :include: with one address).
 */
static struct queue_rcpt *
requeue_target(struct dlv *d, struct queue_env *e, const struct queue_rcpt *from,
    const struct dlv_target *t)
{
	const char *addr = from->addr, *orcpt = from->orcpt, *user;
	unsigned flags = from->flags & ~(QRF_PRIMARY | QRF_ALIAS);
	struct queue_rcpt *r;
	struct pt_buf final = PT_BUF_INIT;
	int ctl = -1;
	long uid, gid;

	dsn_final_rcpt(d->cfg, from, &final);
	if ((from->flags & QRF_PRIMARY) && sole_target(d, t))
		flags |= QRF_PRIMARY;
	if (t->from_alias && t->owner == NULL)
		flags |= QRF_ALIAS;

	/*
	 * from may move when e grows: what it gives is taken first.  The C
	 * record as upstream's: "user:uid:gid:parent", or ":parent" for uid 0
	 */
	if (target_ctl(d, t, &user, &uid, &gid))
		ctl = queue_env_add_ctl(e, uid != 0 ? user : NULL, uid, gid,
		    t->parent != NULL ? t->parent : addr);
	r = queue_env_add_rcpt(e, t->addr);
	r->ctl = ctl;
	r->state = QRS_DEFERRED;
	r->message = deferred_message(e, t);
	r->orcpt = orcpt ? queue_env_str(e, orcpt) : NULL;
	r->final_rcpt = queue_env_str(e, final.s);
	r->flags = flags;
	pt_buf_free(&final);
	return r;
}

/* Copies the body of d's message into the new message m. */
static int
copy_body(struct dlv *d, struct queue_msg *m)
{
	char buf[65536];
	int fd = queue_msg_df(d->m);
	off_t off = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = pread(fd, buf, sizeof buf, off)) > 0) {
		if (queue_msg_write(m, buf, (size_t)n) != QUEUE_OK)
			return -1;
		off += n;
	}
	return n < 0 ? -1 : 0;
}

/*
 * Queues the deferred targets that came through the list of owner as a
 * message of their own, a copy of this one from that owner (upstream splits
 * the envelope likewise), so that the retries keep the owner as envelope
 * sender and as the recipient of errors.  Marks them moved.
 */
static void
split_owner(struct dlv *d, const char *owner)
{
	struct pt_buf qf = PT_BUF_INIT, err = PT_BUF_INIT;
	struct queue_env *e = NULL;
	struct queue_msg *m = NULL;

	queue_qf_format(d->e, &qf);
	if (queue_qf_parse(qf.s, qf.len, d->e->id, &e, &err) != QUEUE_OK)
		goto out;
	e->nrcpts = 0;
	e->nctls = 0;
	e->sender = queue_env_str(e, owner);
	e->flags |= QEF_SPLIT;
	for (int k = 0; k < d->targets.n; k++) {
		const struct dlv_target *t = &d->targets.v[k];

		if (t->state == DLV_DEFERRED && !t->moved && t->list_owner != NULL &&
		    pt_strcasecmp(t->list_owner, owner) == 0)
			requeue_target(d, e, &d->e->rcpts[t->rcpt], t);
	}
	if (queue_msg_create(d->qd, dlv_idgen(d->now), d->now, &m, &err) != QUEUE_OK)
		goto out;
	if (copy_body(d, m) < 0 || queue_msg_commit(m, e, &err) != QUEUE_OK) {
		queue_msg_abort(m);
		goto out;
	}
	pt_log_id_lv(5, LOG_INFO, d->e->id, "%s: clone: owner=%s", queue_msg_id(m), owner);
	queue_msg_close(m);
	for (int k = 0; k < d->targets.n; k++) {
		struct dlv_target *t = &d->targets.v[k];

		if (t->state == DLV_DEFERRED && t->list_owner != NULL &&
		    pt_strcasecmp(t->list_owner, owner) == 0)
			t->moved = true;
	}
out:
	if (err.len)	/* they stay in this message, from its sender */
		pt_log_id(LOG_ERR, d->e->id, "cannot queue the deferred mail of %s: %s", owner,
		    err.s);
	queue_env_free(e);
	pt_buf_free(&qf);
	pt_buf_free(&err);
}

/* Splits the deferred targets of each list owner into a message of their own. */
static void
split_owners(struct dlv *d)
{
	for (int k = 0; k < d->targets.n; k++) {
		const struct dlv_target *t = &d->targets.v[k];

		if (t->state == DLV_DEFERRED && !t->moved && t->list_owner != NULL)
			split_owner(d, t->list_owner);
	}
}

/* Writes back the deferred expansions of recipient i as recipients of their own. */
static void
requeue_expansions(struct dlv *d, int i)
{
	for (int k = 0; k < d->targets.n; k++) {
		const struct dlv_target *t = &d->targets.v[k];

		if (t->rcpt != i || t->state != DLV_DEFERRED || t->moved)
			continue;
		requeue_target(d, d->e, &d->e->rcpts[i], t);
	}
}

/*
 * Puts the recipients that the first n of d's envelope expanded to (those
 * of recipient i at [first[i], first[i + 1]), appended to the envelope) in
 * its place, as upstream writes them, and renumbers the targets.
 */
static void
order_expansions(struct dlv *d, const size_t *first, size_t n)
{
	struct queue_env *e = d->e;
	struct queue_rcpt *old;
	int *where;
	size_t k = 0;

	if (e->nrcpts == n)	/* nothing was expanded */
		return;
	old = pt_reallocarray(NULL, e->nrcpts, sizeof *old);
	where = pt_calloc(e->nrcpts, sizeof *where);
	memcpy(old, e->rcpts, e->nrcpts * sizeof *old);
	for (size_t i = 0; i < n; i++) {
		where[i] = (int)k;
		e->rcpts[k++] = old[i];
		for (size_t j = first[i]; j < first[i + 1]; j++) {
			where[j] = (int)k;
			e->rcpts[k++] = old[j];
		}
	}
	for (int t = 0; t < d->targets.n; t++)
		if (d->targets.v[t].rcpt >= 0 && (size_t)d->targets.v[t].rcpt < e->nrcpts)
			d->targets.v[t].rcpt = where[d->targets.v[t].rcpt];
	free(where);
	free(old);
}

/*
 * Applies the outcome to the envelope's recipients.  A recipient deferred
 * again is written with P, as upstream writes every recipient it read back
 * from the queue.
 */
static void
update_rcpts(struct dlv *d)
{
	size_t n = d->e->nrcpts;
	size_t *first = pt_calloc(n + 1, sizeof *first);

	for (size_t i = 0; i < n; i++) {
		struct queue_rcpt *r = &d->e->rcpts[i];
		bool expanded;
		int st;

		first[i] = d->e->nrcpts;
		if (r->state != QRS_PENDING && r->state != QRS_DEFERRED)
			continue;
		st = rcpt_outcome(d, (int)i, &expanded);
		if (st == DLV_DEFERRED && expanded) {
			requeue_expansions(d, (int)i);
			r = &d->e->rcpts[i];
			r->state = QRS_EXPANDED;
		} else if (st == DLV_DEFERRED) {
			r->state = QRS_DEFERRED;
			r->flags |= QRF_PRIMARY;
			for (int k = 0; k < d->targets.n; k++)
				if (d->targets.v[k].rcpt == (int)i &&
				    d->targets.v[k].state == DLV_DEFERRED)
					r->message = deferred_message(d->e, &d->targets.v[k]);
			if (r->final_rcpt == NULL) {	/* upstream keeps it once tried */
				struct pt_buf final = PT_BUF_INIT;

				dsn_final_rcpt(d->cfg, r, &final);
				r->final_rcpt = queue_env_str(d->e, final.s);
				pt_buf_free(&final);
			}
		} else
			r->state = st == DLV_SENT ? QRS_SENT : QRS_FAILED;
	}
	first[n] = d->e->nrcpts;
	order_expansions(d, first, n);
	free(first);
}

/*
 * Gives up on deferred targets older than Timeout.queuereturn: they fail
 * with status 4.4.7 and keep the reason they were deferred for the bounce
 * (whose log line says "Cannot send message for ...", as upstream's).
 */
static void
expire(struct dlv *d)
{
	long limit = (d->e->flags & QEF_RESPONSE) ? d->cfg->opt.timeout.queuereturn_dsn :
	    d->cfg->opt.timeout.queuereturn_normal;

	if (limit <= 0 || d->now - (time_t)d->e->ctime < limit)
		return;
	for (int k = 0; k < d->targets.n; k++) {
		struct dlv_target *t = &d->targets.v[k];

		if (t->state != DLV_DEFERRED)
			continue;
		t->state = DLV_FAILED;
		t->expired = true;
		free(t->status);
		t->status = pt_strdup("4.4.7");
	}
}

/*
 * Notes the exit status of the submitting program from the failed targets
 * (the last one's); a recipient refused while parsing makes it EX_USAGE
 * only when nothing failed later (submit.c).
 */
static void
note_failures(struct dlv *d)
{
	for (int k = 0; k < d->targets.n; k++)
		if (d->targets.v[k].state == DLV_FAILED && !d->targets.v[k].refused)
			d->exit_status = dlv_errmode_exit(&d->targets.v[k]);
	if (d->errmode == 'e')	/* BERKNET: the notice is mailed and the program succeeds */
		d->exit_status = EX_OK;
}

/* Writes the pending expansions of recipient i back as recipients of their own, to deliver later. */
static void
queue_expansions(struct dlv *d, int i)
{
	for (int k = 0; k < d->targets.n; k++) {
		const struct dlv_target *t = &d->targets.v[k];

		if (t->rcpt == i && t->state == DLV_PENDING)
			requeue_target(d, d->e, &d->e->rcpts[i], t)->state = QRS_PENDING;
	}
}

/*
 * Ends an expansion pass (DLV_PASS_QUEUE, DLV_PASS_FORK): when something
 * failed, it is logged and told, a recipient all of whose targets failed
 * leaves the queue, and one with failed and pending targets is replaced by
 * its pending expansions, so that the later delivery does not fail them
 * again.  What stays queued (DLV_PASS_QUEUE) is the expansion, as upstream
 * queues it: a queue run's -qR then selects the members, not the alias.
 * Otherwise, without a failure, the queue file is left as it was.
 */
static int
expansion_done(struct dlv *d, bool *left)
{
	struct pt_buf err = PT_BUF_INIT;
	bool failed = false, expanded_any = false;
	int rc = EX_OK;

	*left = false;
	for (int k = 0; k < d->targets.n; k++) {
		failed |= d->targets.v[k].state == DLV_FAILED;
		*left |= d->targets.v[k].state == DLV_PENDING;
		expanded_any |= !d->targets.v[k].primary && !d->targets.v[k].refused;
	}
	for (int k = 0; k < d->targets.n; k++)
		if (d->targets.v[k].state == DLV_FAILED)
			log_target(d, &d->targets.v[k], d->now, false);
	log_submission(d);
	if (d->pass == DLV_PASS_QUEUE)
		log_queued(d);
	if (!failed && !(expanded_any && d->pass == DLV_PASS_QUEUE))
		return EX_OK;
	if (failed) {
		note_failures(d);
		dsn_send(d);
	}
	for (size_t i = 0, n = d->e->nrcpts; i < n; i++) {
		struct queue_rcpt *r = &d->e->rcpts[i];
		bool expanded;

		if (r->state != QRS_PENDING && r->state != QRS_DEFERRED)
			continue;
		if (rcpt_outcome(d, (int)i, &expanded) == DLV_FAILED)
			r->state = QRS_FAILED;
		else if (expanded) {
			queue_expansions(d, (int)i);
			d->e->rcpts[i].state = QRS_EXPANDED;
		}
	}
	if (queue_env_open_rcpts(d->e) == 0)
		rc = queue_msg_remove(d->m, &err);
	else
		rc = queue_msg_update(d->m, d->e, &err);
	if (rc != QUEUE_OK) {
		pt_log_id(LOG_ERR, d->e->id, "cannot update the queue file: %s", pt_buf_str(&err));
		d->exit_status = EX_TEMPFAIL;
	}
	pt_buf_free(&err);
	return EX_OK;
}

/* The size of the message read back from the queue: the df's and the H records'. */
static long
queued_size(struct dlv *d)
{
	struct stat st;
	int fd = queue_msg_df(d->m);

	return (fd >= 0 && fstat(fd, &st) == 0 ? (long)st.st_size : 0) +
	    queue_qf_header_bytes(d->e);
}

/*
 * The priority of a message just received over SMTP that has a recipient
 * of a mailer with F=A: upstream queues it unexpanded and its delivery
 * reads it back, expands it and counts its priority afresh (dlv_origin).
 */
static void
reread_priority(struct dlv *d)
{
	long n = 0;
	bool aliasable = false;

	for (int k = 0; k < d->targets.n; k++) {
		const struct dlv_target *t = &d->targets.v[k];

		if (t->refused)
			continue;
		n++;
		aliasable |= t->from_alias || (t->mailer != NULL && cf_mflag(&t->mailer->flags, 'A'));
	}
	if (!aliasable)
		return;
	d->msgsize = queued_size(d);
	d->e->priority = d->msgsize - (long)hdr_class(d->cfg, d->e) * d->cfg->opt.class_factor +
	    n * d->cfg->opt.recipient_factor;
}

/*
 * The message's M record (what mailq shows) after an attempt that left
 * recipients deferred, as upstream's: the first error of the attempt, an
 * address that failed while the recipients were expanded ("User unknown")
 * or else the first deferral ("Deferred: reason").
 */
static void
envelope_message(struct dlv *d)
{
	const struct dlv_target *def = NULL;
	struct pt_buf m = PT_BUF_INIT;

	for (int k = 0; k < d->targets.n; k++) {
		const struct dlv_target *t = &d->targets.v[k];

		if (t->failed_early && !t->refused && !t->by_expired && t->text && *t->text) {
			d->e->message = queue_env_str(d->e, t->text);
			return;
		}
		if (def == NULL && t->state == DLV_DEFERRED)
			def = t;
	}
	if (def == NULL)
		return;
	pt_buf_printf(&m, "Deferred%s%s", *def->text ? ": " : "", def->text);
	d->e->message = queue_env_str(d->e, m.s);
	pt_buf_free(&m);
}

/*
 * -odb with targets left after the expansion: the submitting process logs
 * the expansion's failures and the from= line and notes its exit status,
 * then a child (in a session of its own) takes the message, whose lock it
 * shares, and makes the rest of the attempt, as upstream's background
 * child does: its deliveries, then one notice of every failure, mailed
 * (it has no ErrorMode).  True in the child; false in the submitting
 * process, which then leaves the message alone (when no child could be
 * made, the message stays queued as it came for a queue run).
 */
static bool
go_background(struct dlv *d)
{
	pid_t pid;

	for (int k = 0; k < d->targets.n; k++)
		if (d->targets.v[k].state == DLV_FAILED)
			log_target(d, &d->targets.v[k], d->now, false);
	log_submission(d);
	note_failures(d);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid != 0)
		return false;
	setsid();
	d->bg_child = true;
	d->errmode = 0;
	/* its pri= counts the recipients of the expansion, as upstream's (the size of the
	 * message a notice returns stays as it was worked out from the priority) */
	d->msgsize = dsn_message_size(d);
	d->e->priority += ((long)expanded_count(d) - (long)d->e->nrcpts) *
	    d->cfg->opt.recipient_factor;
	return true;
}

/* True when a target of the expansion is still to be delivered. */
static bool
targets_left(const struct dlv *d)
{
	for (int k = 0; k < d->targets.n; k++)
		if (d->targets.v[k].state == DLV_PENDING)
			return true;
	return false;
}

/*
 * One attempt on an opened message (with pass DLV_PASS_QUEUE, or _FORK
 * with nothing left to deliver, the expansion only).
 */
static int
attempt(struct dlv *d, bool *left)
{
	struct pt_buf err = PT_BUF_INIT;
	int rc = EX_OK;

	attempt_macros(d);
	default_user(d);
	for (size_t i = 0; i < d->e->nrcpts; i++)
		if (d->e->rcpts[i].state == QRS_PENDING || d->e->rcpts[i].state == QRS_DEFERRED)
			dlv_expand(d, (int)i);
	if (d->origin == DLV_ORIGIN_SMTP)
		reread_priority(d);
	dlv_errmode_refused(d);
	for (int k = 0; k < d->targets.n; k++)
		dlv_errmode_early(d, &d->targets.v[k]);
	if (d->errmode != 0 && d->pass == DLV_PASS_FORK && targets_left(d)) {
		if (!go_background(d))
			return EX_OK;
	} else if (d->errmode != 0 && d->pass != DLV_PASS_DELIVER)
		return expansion_done(d, left);
	dlv_by_expire(d);
	run_targets(d);
	expire(d);
	if (d->errmode != 0)
		note_failures(d);
	dsn_send(d);
	split_owners(d);
	update_rcpts(d);
	if (queue_env_open_rcpts(d->e) == 0) {
		if (queue_msg_remove(d->m, &err) != QUEUE_OK)
			pt_log_id(LOG_ERR, d->e->id, "cannot remove: %s", pt_buf_str(&err));
	} else {
		if (!d->by_warning)
			envelope_message(d);
		d->e->attempts++;
		d->e->last_attempt = (long long)d->now;
		if (queue_msg_update(d->m, d->e, &err) != QUEUE_OK) {
			pt_log_id(LOG_ERR, d->e->id, "cannot update the queue file: %s",
			    pt_buf_str(&err));
			rc = EX_TEMPFAIL;
		}
	}
	pt_buf_free(&err);
	return rc;
}

/* Opens the queue directory of the configuration. */
int
dlv_open_queue(struct sm_run *run, struct queue_dir **qd)
{
	struct pt_buf err = PT_BUF_INIT;
	const char *qdir = run->cfg->opt.queue_directory;
	/*
	 * The submission queue is written by every user: no shared state, no
	 * recycled inodes.  SuperSafe=False: no syncs, and no recycled inodes
	 * either, whose old contents a crash could leave under a new name.
	 */
	int mode = !cf_super_safe(&run->cfg->opt) ? QUEUE_SYNC_NONE :
	    run->cfg->opt.use_msp ? QUEUE_SYNC_PRIVATE : QUEUE_SYNC_GROUP;
	int rc = queue_dir_open(qdir ? qdir : LOCALSTATEDIR "/spool/mqueue", "mqueue", mode, qd,
	    &err);

	if (rc != QUEUE_OK)
		pt_log(LOG_ERR, "%s", pt_buf_str(&err));
	else if (run->cfg->opt.queue_file_mode > 0) {
		(*qd)->file_mode = (mode_t)run->cfg->opt.queue_file_mode & 0666;
		if (run->cfg->opt.use_msp)	/* group-readable for the queue runner (smmsp) */
			umask(0777 & ~(*qd)->file_mode);
	}
	pt_buf_free(&err);
	return rc;
}

/* Opens message id and makes one attempt at it with d (set up by the caller); an exit status. */
static int
open_and_attempt(struct dlv *d, const char *id, bool *left)
{
	struct pt_buf err = PT_BUF_INIT;
	int rc;

	d->cfg = d->run->cfg;
	d->now = time(NULL);
	rc = queue_msg_open(d->qd, id, false, &d->m, &err);
	if (rc != QUEUE_OK) {
		if (rc == QUEUE_BAD)
			pt_log_id(LOG_ERR, id, "%s", pt_buf_str(&err));
		pt_buf_free(&err);
		return rc == QUEUE_TEMPFAIL ? EX_TEMPFAIL : EX_OK;
	}
	d->e = queue_msg_env(d->m);
	/* the submission logs its expansion's failures before it has counted a priority */
	d->early_priority = d->errmode != 0 ? 0 : d->e->priority + d->cfg->opt.retry_factor;
	d->msgsize = -1;
	if (d->origin == DLV_ORIGIN_QUEUE) {
		d->e->priority += d->cfg->opt.retry_factor;
		d->msgsize = queued_size(d);
	}
	rw_ctx_init(&d->rw, d->run->cfg);
	pt_log_set_qid(id);
	rc = attempt(d, left);
	pt_log_set_qid(NULL);
	rw_ctx_done(&d->rw);
	dlv_list_free(&d->targets);
	queue_msg_close(d->m);
	pt_buf_free(&err);
	return rc;
}

int
dlv_message_id(struct sm_run *run, struct queue_dir *qd, const char *id, struct dlv_cache *cache,
    int origin)
{
	struct dlv d;
	bool left;

	memset(&d, 0, sizeof d);
	d.run = run;
	d.qd = qd;
	d.cache = cache;
	d.origin = origin;
	return open_and_attempt(&d, id, &left);
}

int
dlv_submitted(struct sm_run *run, struct queue_dir *qd, const char *id, int pass, char errmode,
    bool *left)
{
	struct dlv d;
	bool rest = false;

	memset(&d, 0, sizeof d);
	d.run = run;
	d.qd = qd;
	d.errmode = errmode;
	d.pass = pass;
	d.exit_status = EX_OK;
	/* the message is queued: one that cannot be opened now (a queue run holds
	 * it) waits for a later run, which is no failure of the submission */
	(void)open_and_attempt(&d, id, &rest);
	if (d.bg_child)	/* -odb's background delivery is done */
		_exit(EX_OK);
	if (left != NULL)
		*left = rest;
	return d.exit_status;
}

void
dlv_wait_notices(void)
{
	pid_t pid;

	while ((pid = waitpid(-1, NULL, 0)) > 0 || (pid < 0 && errno == EINTR))
		;
}
