/*
 * smtpd: the SMTP server: a session's setup, greeting and command loop.
 *
 * Runs in the process forked for one connection (or in sendmail -bs).  By
 * the time it reads a byte from the client it no longer runs as root when
 * the queue folder belongs to a mail user.  Every command is read under a
 * deadline for the whole command; replies come from the verb handlers
 * through one table.  Nothing accepted is acknowledged before it is on disk
 * (smtpd_data.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "deliver.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"
#include "pt_time.h"
#include "smtpd.h"

void
smtpd_send(struct smtpd *s, const struct smtp_reply *r)
{
	smtp_reply_send(r, s->io);
	smtp_io_flush(s->io);
}

void
smtpd_say(struct smtpd *s, int code, const char *status, const char *fmt, ...)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	va_list ap;

	va_start(ap, fmt);
	smtp_reply_vset(&r, code, status, fmt, ap);
	va_end(ap);
	smtp_reply_send(&r, s->io);
	smtp_io_flush(s->io);
	smtp_reply_free(&r);
}

const char *
smtpd_log_id(const struct smtpd *s)
{
	if (s->env != NULL && s->env->id[0] != '\0')
		return s->env->id;
	return s->sid[0] != '\0' ? s->sid : NULL;
}

void
smtpd_log(const struct smtpd *s, int prio, const char *fmt, ...)
{
	struct pt_buf b = PT_BUF_INIT;
	const char *id = smtpd_log_id(s);
	va_list ap;

	va_start(ap, fmt);
	pt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (id != NULL)
		pt_log_id(prio, id, "%s", pt_buf_str(&b));
	else
		pt_log(prio, "%s", pt_buf_str(&b));
	pt_buf_free(&b);
}

void
smtpd_new_sid(struct smtpd *s)
{
	s->sid_time = (long long)time(NULL);
	s->sid_seq = s->idgen->seq;
	queue_id_make(s->idgen, (time_t)s->sid_time, s->sid);
	s->sid_used = false;
}

const char *
smtpd_short(struct smtpd *s, const char *text)
{
	if (strlen(text) <= SMTP_SHORTSTR)
		return text;
	pt_buf_reset(&s->shortbuf);
	smtp_echo_short(&s->shortbuf, text, SMTP_SHORTSTR);
	return pt_buf_str(&s->shortbuf);
}

void
smtpd_macro(struct smtpd *s, const char *name, const char *value)
{
	mac_set_name(s->rw.macros, name, value, 0);
}

void
smtpd_reset(struct smtpd *s)
{
	/* as upstream: a transaction ended before its message logs its from= line */
	if (s->env != NULL)
		smtpd_log_from(s, 0);
	s->from_logged = false;
	/* as upstream: a transaction ends its envelope; the next has a new id */
	if (s->sid[0] != '\0' && (s->env != NULL || s->sid_used))
		smtpd_new_sid(s);
	smtpd_milter_abort(s);
	queue_env_free(s->env);
	s->env = NULL;
	smtp_mail_params_free(&s->mp);
	s->nrcpts = 0;
	for (int i = 0; i < s->nrkeys; i++) {
		free(s->rkeys[i]);
		free(s->raddrs[i]);
	}
	free(s->rkeys);
	free(s->raddrs);
	s->rkeys = s->raddrs = NULL;
	s->nrkeys = 0;
	s->discard = false;
	s->size = 0;
	smtpd_macro(s, "f", NULL);
	smtpd_macro(s, "{mail_addr}", NULL);
	smtpd_macro(s, "{nrcpts}", "0");
}

bool
smtpd_privacy(const struct smtpd *s, const char *name)
{
	return sm_privacy(s->cfg, name);
}

bool
sm_privacy(const struct cf_config *cfg, const char *name)
{
	const struct cf_strlist *l = &cfg->opt.privacy_options;
	/* the guide: all flags but noreceipts, restrict*, noetrn and nobodyreturn */
	static const char *const goaway[] = { "needmailhelo", "needexpnhelo", "needvrfyhelo",
		"noexpn", "novrfy", "noverb", "authwarnings", "noactualrecipient", NULL };

	for (int i = 0; i < l->n; i++) {
		if (pt_strcasecmp(l->v[i], name) == 0)
			return true;
		if (pt_strcasecmp(l->v[i], "goaway") == 0)
			for (int k = 0; goaway[k]; k++)
				if (pt_strcasecmp(goaway[k], name) == 0)
					return true;
		if (pt_strcasecmp(l->v[i], "public") == 0)
			continue;
	}
	return false;
}

bool
smtpd_feature(const struct smtpd *s, char c)
{
	return strchr(s->features, c) != NULL;
}

const char *
smtpd_proto(const struct smtpd *s)
{
	static const char *const names[] = { "ESMTP", "ESMTPA", "ESMTPS", "ESMTPSA" };

	if (!s->esmtp)
		return "SMTP";
	return names[(s->tls != NULL ? 2 : 0) + (s->auth_mech != NULL ? 1 : 0)];
}

/*
 * The verb table: handler, whether it is refused in a refused session,
 * whether it makes the connection more than a probe (upstream's "did not
 * issue MAIL/EXPN/VRFY/ETRN" line is written for sessions with none of
 * them), and whether it waits a second while the load is at DelayLA (as
 * upstream: all but RSET and VERB; unknown commands do not wait either).
 */
static const struct {
	enum smtp_verb verb;
	void (*fn)(struct smtpd *, const struct smtp_cmd *);
	bool in_refused;	/* still served after check_relay refused */
	bool uses;		/* MAIL, EXPN, VRFY, ETRN */
	bool la_delay;		/* slowed down at DelayLA */
} verbs[] = {
	{ SMTP_VERB_HELO, smtpd_helo, true, false, true },
	{ SMTP_VERB_EHLO, smtpd_ehlo, true, false, true },
	{ SMTP_VERB_MAIL, smtpd_mail, false, true, true },
	{ SMTP_VERB_RCPT, smtpd_rcpt, false, false, true },
	{ SMTP_VERB_DATA, smtpd_data, false, false, true },
	{ SMTP_VERB_RSET, smtpd_rset, true, false, false },
	{ SMTP_VERB_NOOP, smtpd_noop, true, false, true },
	{ SMTP_VERB_QUIT, smtpd_quit, true, false, true },
	{ SMTP_VERB_VRFY, smtpd_vrfy, false, true, true },
	{ SMTP_VERB_EXPN, smtpd_expn, false, true, true },
	{ SMTP_VERB_HELP, smtpd_help, false, false, true },
	{ SMTP_VERB_ETRN, smtpd_etrn, false, true, true },
	{ SMTP_VERB_VERB, smtpd_verb, false, false, false },
	{ SMTP_VERB_STARTTLS, smtpd_starttls, false, false, true },
	{ SMTP_VERB_AUTH, smtpd_auth, false, false, true },
};

/*
 * DelayLA: while the load average is at or above it, a command waits one
 * second before it is served; the first wait of a session is logged as
 * upstream logs it (LogLevel above 8).
 */
static void
la_delay(struct smtpd *s, const struct smtp_cmd *c)
{
	const struct cf_options *o = &s->cfg->opt;
	int la = sm_la_delay(o);

	if (la < 0)
		return;
	if (!s->la_logged && o->log_level > 8)
		smtpd_log(s, LOG_INFO, "delaying=%s, load average=%d >= %ld",
		    c->info != NULL ? c->info->name : "", la, (long)o->delay_la);
	s->la_logged = true;
	pt_sleep_whole(1);
}

/* Counts a bad command; true when the session must end. */
static bool
bad_command(struct smtpd *s)
{
	if (++s->badcmds < SMTPD_MAXBADCMDS)
		return false;
	pt_log(LOG_NOTICE, "%s: too many bad commands; closing connection", s->relay);
	smtpd_say(s, 421, "4.7.0", "%s Too many bad commands; closing connection",
	    mac_get(s->cfg->macros, 'j', NULL));
	return true;
}

/* Dispatches one command line. */
static void
dispatch(struct smtpd *s, const char *line, size_t len)
{
	struct smtp_cmd c;
	struct pt_buf echo = PT_BUF_INIT;

	smtp_cmd_parse(line, len, &c);
	/* as upstream: an HTTP verb is a proxy probe only as the first command */
	if (s->ncmds++ == 0 && c.info != NULL && (c.info->flags & SMTP_VF_HTTP)) {
		pt_log(LOG_NOTICE, "%s: possible SMTP attack: command=%.*s", s->relay,
		    (int)c.word.len, c.word.p);
		smtpd_say(s, 421, "4.7.0", "%s Rejecting open proxy %s",
		    mac_get(s->cfg->macros, 'j', NULL), s->relay);
		s->quit = true;
		return;
	}
	if (smtpd_milter_refuse(s, c.verb))
		return;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (verbs[i].verb != c.verb)
			continue;
		if (s->reject_all && !verbs[i].in_refused) {
			if (smtp_reply_is_set(&s->nullserver))
				smtpd_send(s, &s->nullserver);
			else
				smtpd_say(s, 550, "5.0.0", "Command rejected");
			return;
		}
		s->used = s->used || verbs[i].uses;
		pt_strlcpy(s->last_verb, "", sizeof s->last_verb);
		for (size_t k = 0; k < c.word.len && k + 1 < sizeof s->last_verb; k++)
			s->last_verb[k] = pt_tolower(c.word.p[k]);
		if (verbs[i].la_delay)
			la_delay(s, &c);
		verbs[i].fn(s, &c);
		return;
	}
	smtpd_milter_unknown(s, line);
	smtp_cmd_echo(&c, &echo);
	smtpd_say(s, 500, "5.5.1", "Command unrecognized: \"%s\"", pt_buf_str(&echo));
	pt_buf_free(&echo);
	if (bad_command(s))
		s->quit = true;
}

/* The daemon's Name= for log lines ("stdin" for -bs, as upstream). */
static const char *
daemon_name(const struct smtpd *s)
{
	return s->daemon != NULL ? s->daemon->name : "stdin";
}

/* Reads and runs commands until QUIT, end of input or a fatal error. */
static void
command_loop(struct smtpd *s)
{
	struct pt_buf line = PT_BUF_INIT;
	const struct cf_timeouts *to = &s->cfg->opt.timeout;
	const char *host = mac_get(s->cfg->macros, 'j', NULL);

	while (!s->quit) {
		unsigned flags = 0;
		enum smtp_io_status st;

		smtp_io_set_deadline(s->io, to->command > 0 ? to->command * 1000 : 3600000);
		st = smtp_io_getline(s->io, &line, SMTP_CMD_MAXLINE, &flags);
		smtp_io_clear_deadline(s->io);
		if (st == SMTP_IO_TOOLONG) {
			/* as upstream: taken for an attack, the session ends */
			pt_log(LOG_NOTICE, "%s: possible SMTP attack: command too long", s->relay);
			smtpd_say(s, 421, "4.7.0", "%s Command too long, possible attack %s", host,
			    s->relay);
			break;
		}
		if (st == SMTP_IO_TIMEOUT) {
			pt_log(LOG_NOTICE, "timeout waiting for input from %s during server cmd read",
			    s->relay);
			smtpd_say(s, 421, "4.4.1", "%s Lost input channel from %s", host, s->relay);
			break;
		}
		if (st != SMTP_IO_OK) {
			/*
			 * as upstream: said within a transaction (after MAIL, until
			 * it ends) at LogLevel 2 and above, else only at 20, with the
			 * envelope id and the last command
			 */
			if (s->cfg->opt.log_level > (s->env != NULL ? 1 : 19))
				smtpd_log(s, LOG_NOTICE, "lost input channel from %s to %s after %s",
				    s->relay, daemon_name(s),
				    s->last_verb[0] ? s->last_verb : "connect");
			break;
		}
		dispatch(s, pt_buf_str(&line), line.len);
	}
	if (!s->used && !smtp_reply_is_set(&s->nullserver) && s->cfg->opt.log_level > 5)
		smtpd_log(s, LOG_INFO, "%s did not issue MAIL/EXPN/VRFY/ETRN during connection to %s",
		    s->relay, daemon_name(s));
	pt_buf_free(&line);
}

/* The greeting text: SmtpGreetingMessage expanded, with ESMTP in it. */
static void
greeting(struct smtpd *s, struct pt_buf *out)
{
	const char *msg = s->cfg->opt.smtp_greeting_message;
	struct pt_buf b = PT_BUF_INIT;
	const char *sp;

	mac_expand(s->rw.macros, msg ? msg : "$j Sendmail $v ready at $b", &b);
	if (strstr(pt_buf_str(&b), "ESMTP") == NULL && (sp = strchr(pt_buf_str(&b), ' ')) != NULL) {
		pt_buf_add(out, b.s, (size_t)(sp - b.s));
		pt_buf_adds(out, " ESMTP");
		pt_buf_adds(out, sp);
	} else
		pt_buf_adds(out, pt_buf_str(&b));
	pt_buf_free(&b);
}

/* Sets the date macros ($b, $d, $t) to now. */
static void
set_dates(struct smtpd *s)
{
	char buf[64];
	time_t now = time(NULL);
	struct tm tm;

	pt_str_date(now, buf);
	smtpd_macro(s, "b", buf);
	localtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);	/* ctime's form */
	smtpd_macro(s, "d", buf);
	strftime(buf, sizeof buf, "%Y%m%d%H%M", &tm);
	smtpd_macro(s, "t", buf);
}

/* srv_features: the option letters of this client's session. */
static void
server_features(struct smtpd *s)
{
	struct pt_buf out = PT_BUF_INIT;

	if (smtpd_ruleset(s, "srv_features", s->client_name, s->client_addr, &out) == 1 &&
	    strcmp(pt_buf_str(&out), "temp") != 0)
		pt_strlcpy(s->features, pt_buf_str(&out), sizeof s->features);
	pt_buf_free(&out);
}

/* greet_pause: waits the ruleset's milliseconds; true if the client talked first. */
static bool
greet_pause(struct smtpd *s)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct addr_vec v = { NULL, 0, 0, NULL };
	struct pt_buf err = PT_BUF_INIT;
	int set = cf_ruleset_find(s->cfg, "greet_pause");
	long ms = 0;

	if (set < 0 || s->daemon == NULL)
		return false;
	if (rw_tokenize(&s->rw, s->client_name, 0, &v, NULL, &err) != ADDR_TOK_FAIL) {
		addr_vec_push(&v, "\001|");
		struct addr_vec a = { NULL, 0, 0, NULL };

		rw_tokenize(&s->rw, s->client_addr, 0, &a, NULL, &err);
		for (int i = 0; i < a.n; i++)
			addr_vec_push(&v, a.tok[i]);
		addr_vec_free(&a);
		rw_run(&s->rw, set, &v);
		if (v.n >= 2 && strcmp(v.tok[0], "\001#") == 0)
			pt_str_to_long(v.tok[1], &ms);
	}
	addr_vec_free(&v);
	pt_buf_free(&err);
	smtp_reply_free(&r);
	if (ms <= 0)
		return false;
	if (smtp_io_wait_input(s->io, ms) == SMTP_IO_OK) {
		pt_log(LOG_NOTICE, "rejecting commands from %s due to pre-greeting traffic after %ld seconds",
		    s->relay, ms / 1000);
		return true;
	}
	return false;
}

/* {client_port} from the session's socket, {daemon_family} {daemon_addr} {daemon_port} from d. */
static void
socket_macros(struct smtpd *s, const struct cf_daemon *d)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char port[16];
	const struct servent *se;

	if (getpeername(smtp_io_rfd(s->io), (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)) {
		snprintf(port, sizeof port, "%u", ntohs(ss.ss_family == AF_INET ?
		    ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port));
		smtpd_macro(s, "{client_port}", port);
	}
	if (d == NULL || (d->family != AF_INET && d->family != AF_INET6))
		return;
	smtpd_macro(s, "{daemon_family}", d->family == AF_INET ? "inet" : "inet6");
	smtpd_macro(s, "{daemon_addr}", d->addr != NULL ? d->addr :
	    d->family == AF_INET ? "0.0.0.0" : "::");
	/* a number needs no services lookup (which loads NSS modules in every session) */
	if (d->port == NULL || d->port[strspn(d->port, "0123456789")] == '\0' ||
	    (se = getservbyname(d->port, "tcp")) == NULL)
		snprintf(port, sizeof port, "%s", d->port != NULL ? d->port : "25");
	else
		snprintf(port, sizeof port, "%u", ntohs((unsigned short)se->s_port));
	smtpd_macro(s, "{daemon_port}", port);
}

/*
 * The greeting, after check_relay, greet_pause and the filters' connect
 * stage; false when the session ends at once.
 */
static bool
greet(struct smtpd *s, const struct cf_daemon *d, const char *name, const char *addr)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf g = PT_BUF_INIT;
	bool refused, ok = true;

	refused = d != NULL &&
	    smtpd_check(s, "check_relay", name, addr, NULL, &r) == SMTPD_CHECK_REJECT;
	smtpd_new_sid(s);
	if (refused && r.code == 421) {
		smtpd_send(s, &r);	/* as upstream: a 421 is the greeting, then goodbye */
		ok = false;
	} else if (refused) {
		/* refused: greeted all the same, then every command gets the reply */
		s->reject_all = true;
		smtp_reply_copy(&s->nullserver, &r);
		greeting(s, &g);
		smtpd_say(s, 220, NULL, "%s", g.s);
	} else if (!(d != NULL && cf_daemon_has(d, 's')) && greet_pause(s)) {
		s->reject_all = true;
		smtpd_say(s, 554, NULL, "%s ESMTP not accepting messages",
		    mac_get(s->cfg->macros, 'j', NULL));
	} else {
		switch (smtpd_milter_connect(s)) {
		case SMTPD_MILTER_CLOSE:
			smtpd_say(s, 421, "4.7.0", "%s closing connection",
			    mac_get(s->cfg->macros, 'j', NULL));
			ok = false;
			break;
		case SMTPD_MILTER_NULLSERVER:
			smtpd_say(s, 554, NULL, "%s ESMTP not accepting messages",
			    mac_get(s->cfg->macros, 'j', NULL));
			break;
		default:
			greeting(s, &g);
			smtpd_say(s, 220, NULL, "%s", g.s);
			break;
		}
	}
	smtp_reply_free(&r);
	pt_buf_free(&g);
	return ok;
}

/* True (and qd closed) when a kept queue folder has been removed since it was opened. */
static bool
queue_dir_gone(struct queue_dir *qd)
{
	struct stat st;

	if (fstat(qd->fd, &st) == 0 && st.st_nlink > 0)
		return false;
	queue_dir_close(qd);
	return true;
}

int
smtpd_session(struct sm_run *run, struct smtp_io *io, const struct cf_daemon *d,
    const char *addr, const char *name, const char *resolve, const char *ptr, int reqfd,
    struct smtpd_proc *proc)
{
	struct smtpd s;
	struct pt_buf err = PT_BUF_INIT;

	memset(&s, 0, sizeof s);
	s.run = run;
	s.cfg = run->cfg;
	s.daemon = d;
	s.io = io;
	s.reqfd = reqfd;
	rw_ctx_init(&s.rw, run->cfg);
	pt_strlcpy(s.client_addr, addr, sizeof s.client_addr);
	pt_strlcpy(s.client_name, name, sizeof s.client_name);
	if (strcmp(resolve, "FORGED") == 0 && ptr != NULL && *ptr != '\0')
		/* as upstream: the reverse name its forward lookup does not confirm */
		snprintf(s.relay, sizeof s.relay, "%s [%s] (may be forged)", ptr, addr);
	else if (name[0] == '[' || addr[0] == '\0')	/* no name: the address once */
		snprintf(s.relay, sizeof s.relay, "%s", name[0] != '\0' ? name : addr);
	else
		snprintf(s.relay, sizeof s.relay, "%s [%s]", name, addr);
	s.idgen = proc != NULL ? &proc->idgen : NULL;
	if (s.idgen == NULL) {
		queue_idgen_init(&s.own_idgen, (long)getpid(), (unsigned)time(NULL));
		s.idgen = &s.own_idgen;
	}
	smtpd_macro(&s, "{client_addr}", addr);
	smtpd_macro(&s, "{client_name}", name);
	smtpd_macro(&s, "{client_resolve}", resolve);
	if (ptr != NULL && *ptr != '\0')
		smtpd_macro(&s, "{client_ptr}", ptr);
	s.forged = strcmp(resolve, "FORGED") == 0;
	smtpd_macro(&s, "{daemon_name}", d ? d->name : "");
	smtpd_macro(&s, "{daemon_flags}", d ? d->flags : sm_direct_flags(run));
	socket_macros(&s, d);
	smtpd_macro(&s, "r", "SMTP");
	smtpd_macro(&s, "{nrcpts}", "0");
	set_dates(&s);
	if (proc != NULL && proc->qd != NULL && queue_dir_gone(proc->qd))
		proc->qd = NULL;
	if (proc != NULL && proc->qd != NULL)
		s.qd = proc->qd;
	else if (dlv_open_queue(run, &s.qd) != QUEUE_OK) {	/* the client queue's modes for -bs too */
		smtpd_say(&s, 421, "4.3.0", "%s Service unavailable: cannot open the queue",
		    mac_get(run->cfg->macros, 'j', NULL));
		goto out;
	}
	s.tls_ctx = run->tls_server;
	server_features(&s);
	if (d != NULL && cf_daemon_has(d, 's') && !smtpd_tls_start(&s))
		goto out;
	if (s.auth == NULL)
		smtpd_auth_setup(&s);
	if (greet(&s, d, name, addr))
		command_loop(&s);
out:
	smtpd_auth_end(&s);
	smtpd_tls_end(&s);
	smtpd_reset(&s);
	smtp_reply_free(&s.nullserver);
	smtpd_milter_close(&s);
	smtp_reply_free(&s.reply);
	pt_buf_free(&s.shortbuf);
	free(s.helo);
	if (proc != NULL)
		proc->qd = s.qd;	/* kept: no reopening and remapping per connection */
	else
		queue_dir_close(s.qd);
	rw_ctx_done(&s.rw);
	pt_buf_free(&err);
	pt_log_set_qid(NULL);
	return EX_OK;
}

/* Gives up root for the owner of the queue folder, when that is not root. */
static int
drop_privileges(struct sm_run *run)
{
	const char *qdir = run->cfg->opt.queue_directory;
	struct stat st;

	if (geteuid() != 0 || stat(qdir ? qdir : LOCALSTATEDIR "/spool/mqueue", &st) < 0 ||
	    st.st_uid == 0)
		return 0;
	if (setgroups(0, NULL) < 0 || setgid(st.st_gid) < 0 || setuid(st.st_uid) < 0) {
		pt_log(LOG_CRIT, "cannot give up root privileges: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Opens one map before privileges go (map files may be readable by root only). */
static void
open_map(struct map *m, void *ctx)
{
	(void)ctx;
	map_open(m);
}

/* Finds the client's name: reverse lookup (into host) confirmed by a forward one. */
static void
client_identity(const struct sockaddr_storage *peer, socklen_t plen, char *addr, size_t alen,
    char *name, size_t nlen, const char **resolve, char host[NI_MAXHOST])
{
	struct addrinfo hints, *res = NULL;
	int rc;

	host[0] = '\0';
	*resolve = "FAIL";
	if (peer->ss_family == AF_UNIX) {
		pt_strlcpy(addr, "127.0.0.1", alen);
		pt_strlcpy(name, "localhost", nlen);
		*resolve = "OK";
		return;
	}
	getnameinfo((const struct sockaddr *)peer, plen, addr, (socklen_t)alen, NULL, 0,
	    NI_NUMERICHOST);
	if (nlen > 2 && strlen(addr) < nlen - 2) {
		name[0] = '[';
		memcpy(name + 1, addr, strlen(addr));
		name[strlen(addr) + 1] = ']';
		name[strlen(addr) + 2] = '\0';
	}
	rc = getnameinfo((const struct sockaddr *)peer, plen, host, NI_MAXHOST, NULL, 0, NI_NAMEREQD);
	if (rc != 0) {
		host[0] = '\0';
		if (rc == EAI_AGAIN)
			*resolve = "TEMP";	/* the PTR lookup failed for now, as upstream says */
		return;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = peer->ss_family;
	*resolve = "FORGED";
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		char a[NI_MAXHOST];

		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a, sizeof a, NULL, 0,
		    NI_NUMERICHOST) == 0 && strcmp(a, addr) == 0) {
			pt_strlcpy(name, host, nlen);
			*resolve = "OK";
			break;
		}
	}
	freeaddrinfo(res);
}

void
smtpd_prepare(struct sm_run *run, struct smtpd_proc *proc)
{
	memset(proc, 0, sizeof *proc);
	queue_idgen_init(&proc->idgen, (long)getpid(), (unsigned)time(NULL));
	map_set_each(run->cfg->maps, open_map, NULL);
}

bool
smtpd_reusable(struct sm_run *run)
{
	/* a map changed on disk is reopened by a new process, as root */
	return map_set_renew(run->cfg->maps);
}

int
smtpd_serve(struct sm_run *run, struct smtpd_proc *proc, int fd, const struct cf_daemon *d,
    const struct sockaddr_storage *peer, socklen_t plen, int reqfd)
{
	char addr[NI_MAXHOST], name[NI_MAXHOST], ptr[NI_MAXHOST];
	const char *resolve;
	struct smtp_io *io;
	int rc;

	client_identity(peer, plen, addr, sizeof addr, name, sizeof name, &resolve, ptr);
	map_set_each(run->cfg->maps, open_map, NULL);
	if (drop_privileges(run) < 0)
		return EX_OSERR;
	io = smtp_io_new(fd, fd);
	smtp_io_set_timeout(io, run->cfg->opt.timeout.command > 0 ?
	    run->cfg->opt.timeout.command * 1000 : 3600000);
	rc = smtpd_session(run, io, d, addr, name, resolve, ptr, reqfd, proc);
	smtp_io_flush(io);
	smtp_io_free(io);
	close(fd);
	return rc;
}

int
mode_smtp_stdio(struct sm_run *run)
{
	struct smtp_io *io = smtp_io_new(0, 1);
	struct passwd *pw = getpwuid(getuid());
	struct pt_buf err = PT_BUF_INIT;
	char who[300];
	int rc;

	snprintf(who, sizeof who, "%s@localhost", pw != NULL ? pw->pw_name : "root");
	/* as upstream: the session's log goes to syslog only, even with -v */
	pt_log_open(run->log_tag ? run->log_tag : "sendmail", PT_LOG_SYSLOG);
	run->sasl_ready = auth_server_init(&err);
	pt_buf_free(&err);
	rc = smtpd_session(run, io, NULL, "", who, "OK", NULL, -1, NULL);
	smtp_io_flush(io);
	smtp_io_free(io);
	return rc;
}
