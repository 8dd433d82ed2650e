/*
 * smtpd.h: the SMTP server session, shared by the files that implement it
 * (smtpd.c: the loop and the session; smtpd_cmds.c: the simple verbs;
 * smtpd_mail.c: MAIL and RCPT; smtpd_data.c: DATA and the commit;
 * smtpd_check.c: the check_* rulesets).
 */
#ifndef SMTPD_H
#define SMTPD_H

#include <stdbool.h>
#include <sys/socket.h>

#include "cf.h"
#include "cf_daemon.h"
#include "queue.h"
#include "rw.h"
#include "sendmail.h"
#include "smtp_cmd.h"
#include "smtp_io.h"
#include "smtp_param.h"
#include "smtp_reply.h"
#include "tls.h"
#include "auth.h"
#include "smtpd_milter.h"

#define SMTPD_MAXBADCMDS 25	/* upstream's MAXBADCOMMANDS */
#define SMTPD_MAXHELOS 3	/* upstream's MAXHELOCOMMANDS */

/* One SMTP session. */
struct smtpd {
	struct sm_run *run;
	const struct cf_config *cfg;
	const struct cf_daemon *daemon;	/* NULL for -bs */
	struct smtp_io *io;
	struct rw_ctx rw;		/* rw.macros: the session's macros */
	int reqfd;			/* where queue ids for delivery go, or -1 */
	struct queue_dir *qd;
	/*
	 * The queue id generator: the session process's (smtpd_proc), which
	 * outlives the connection, so that the ids of two connections served by
	 * one process in the same second differ; own_idgen for -bs.
	 */
	struct queue_idgen *idgen;
	struct queue_idgen own_idgen;
	/*
	 * The envelope id of the session, as upstream's: made after check_relay
	 * and again after each transaction; the next message takes it as its
	 * queue id, and the session's log lines (ETRN, VRFY, refusals) show it.
	 */
	char sid[QUEUE_ID_MAX];
	unsigned sid_seq;		/* the generator's counter that made it */
	long long sid_time;		/* and its time */
	bool sid_used;			/* a message took it: make the next one */
	bool la_logged;			/* DelayLA's wait was logged */
	/* the client */
	char client_addr[64];		/* "1.2.3.4" or "IPv6:..." */
	char client_name[256];		/* resolved name, or "[addr]" */
	char relay[320];		/* "name [addr]" for log lines */
	bool forged;			/* the address's name did not map back to it */
	char *helo;			/* the HELO/EHLO argument */
	bool esmtp;
	bool verbose;			/* VERB */
	/* the transaction */
	struct queue_env *env;		/* NULL until MAIL */
	struct smtp_mail_params mp;
	int nrcpts;
	char **rkeys;			/* per recipient: "mailer host user" (sameaddr) */
	char **raddrs;			/* and the address as the client gave it */
	int nrkeys;
	bool discard;			/* a check said $#discard */
	unsigned long long size;	/* of the message being read */
	/* counters and state */
	int badcmds, noops, badrcpts, helos;
	int ncmds;			/* commands read so far */
	bool reject_all;		/* check_relay refused the connection */
	bool quit;
	bool used;			/* MAIL, EXPN, VRFY or ETRN was given */
	char last_verb[16];		/* the last command's verb in lower case, "" before any */
	bool from_logged;		/* the transaction's from= line is logged */
	struct smtp_reply reply;	/* the reply being built */
	struct pt_buf shortbuf;		/* smtpd_short's result */
	struct smtp_reply nullserver;	/* when set, the reply to every refused command */
	char features[64];		/* what srv_features returned ("S V ...") */
	/* STARTTLS (smtpd_tls.c) */
	struct tls_ctx *tls_ctx;	/* the server context, NULL when TLS is unavailable */
	struct tls_session *tls;	/* the active TLS session, or NULL */
	bool tls_done;			/* STARTTLS was used: not offered again */
	/* SMTP AUTH (smtpd_auth.c) */
	struct auth_server *auth;	/* the SASL state, NULL when AUTH is unavailable */
	char *auth_mech;		/* the mechanism the client authenticated with, or NULL */
	struct smtpd_milter *milter;	/* the session's mail filters, or NULL (smtpd_milter.c) */
};

/* Sends a one-line reply now. */
void smtpd_say(struct smtpd *s, int code, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The id the session's log lines carry: the message's, the session's, or NULL. */
const char *smtpd_log_id(const struct smtpd *s);
/* Logs one line prefixed by smtpd_log_id (no prefix when there is none). */
void smtpd_log(const struct smtpd *s, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Logs the transaction's from= line in upstream's shape (with msgid= when
 * the envelope has a Message-Id), once: for an accepted message, and for a
 * transaction ended without one (RSET, HELO, QUIT, a lost connection) with
 * size 0 and the recipients accepted so far, as upstream does.
 */
void smtpd_log_from(struct smtpd *s, unsigned long long size);
/* Makes the session's next envelope id (after check_relay, after a transaction). */
void smtpd_new_sid(struct smtpd *s);
/* Sends s->reply. */
void smtpd_send(struct smtpd *s, const struct smtp_reply *r);
/*
 * text as upstream echoes a client's address in a reply: shortened (first
 * and last 100 bytes around "...") when longer than SMTP_SHORTSTR.  Returns
 * text itself or s->shortbuf's string, valid until the next call.
 */
const char *smtpd_short(struct smtpd *s, const char *text);
/* Sets a session macro (value copied; NULL undefines it). */
void smtpd_macro(struct smtpd *s, const char *name, const char *value);
/* Ends the transaction: drops the envelope and its parameters. */
void smtpd_reset(struct smtpd *s);
/*
 * The R flags of a recipient the client gives with parameters rp: primary,
 * and its NOTIFY (without one, upstream's default: failures and delays).
 */
unsigned smtpd_rcpt_flags(const struct smtp_rcpt_params *rp);

/* Results of running a check_* ruleset. */
enum smtpd_check {
	SMTPD_CHECK_OK = 0,	/* go on */
	SMTPD_CHECK_REJECT,	/* refused: reply filled */
	SMTPD_CHECK_DISCARD,	/* accept, then throw away */
	SMTPD_CHECK_RELAY,	/* accepted explicitly ($#OK, $#RELAY) */
	SMTPD_CHECK_QUARANTINE,	/* accept, hold the message: r's only line is the reason */
};

/*
 * Runs ruleset name over arg1 (and "arg1 $| arg2" when arg2 is not NULL).
 * A $#error result fills r with its code, status and text, prefixed by
 * "echo... " when echo is not NULL.  A ruleset the configuration does not
 * have accepts.  Logs rejections in upstream's shape.
 */
int smtpd_check(struct smtpd *s, const char *name, const char *arg1, const char *arg2,
    const char *echo, struct smtp_reply *r);

/*
 * Runs ruleset name like smtpd_check and appends its result to out, the
 * tokens joined without separators (a leading $# dropped).  Returns -1 if
 * the configuration has no such ruleset, 1 if the result started with $#,
 * else 0.
 */
int smtpd_ruleset(struct smtpd *s, const char *name, const char *arg1, const char *arg2,
    struct pt_buf *out);

/* The verbs. */
void smtpd_helo(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_ehlo(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_mail(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_rcpt(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_data(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_rset(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_noop(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_quit(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_vrfy(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_expn(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_help(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_etrn(struct smtpd *s, const struct smtp_cmd *c);
void smtpd_verb(struct smtpd *s, const struct smtp_cmd *c);

/* True if srv_features returned option letter c. */
bool smtpd_feature(const struct smtpd *s, char c);
/* The protocol name of the session for $r and logs: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA. */
const char *smtpd_proto(const struct smtpd *s);

/* STARTTLS (smtpd_tls.c). */
void smtpd_starttls(struct smtpd *s, const struct smtp_cmd *c);
/* True if EHLO offers STARTTLS now. */
bool smtpd_tls_offered(const struct smtpd *s);
/*
 * Runs the server side of the handshake (after STARTTLS's 220, or before
 * the greeting on an smtps port): on success the session speaks TLS, its
 * state is reset, the TLS macros are set, the STARTTLS line is logged and
 * tls_client has been consulted.  False when the session must end.
 */
bool smtpd_tls_start(struct smtpd *s);
/* Ends TLS at the end of a session (close_notify) and frees it. */
void smtpd_tls_end(struct smtpd *s);

/* SMTP AUTH (smtpd_auth.c). */
void smtpd_auth(struct smtpd *s, const struct smtp_cmd *c);
/* (Re)makes the session's SASL state, forgetting any authentication (at start, after STARTTLS). */
void smtpd_auth_setup(struct smtpd *s);
/* Adds "AUTH mechanisms" to an EHLO reply when AUTH is offered. */
void smtpd_auth_ehlo(struct smtpd *s, struct smtp_reply *r);
/* For MAIL: true (530 sent) when AUTH is required (srv_features l, M=a) and not done. */
bool smtpd_auth_required(struct smtpd *s);
/* For MAIL: an AUTH= parameter trust_auth does not accept becomes "<>". */
void smtpd_auth_param(struct smtpd *s);
/* Frees the session's SASL state. */
void smtpd_auth_end(struct smtpd *s);

/*
 * Answers VRFY (expand false) or EXPN arg as upstream does once the privacy
 * options allowed it: full names of local users, aliases expanded by EXPN.
 */
void smtpd_vrfy_answer(struct smtpd *s, const char *arg, bool expand);

/* True if PrivacyOptions has flag name (goaway implies the need* and no* flags). */
bool smtpd_privacy(const struct smtpd *s, const char *name);

/*
 * Runs a session on io with the given client identity (name and address
 * strings, either may be empty for -bs; resolve is ${client_resolve}: OK,
 * FAIL, FORGED or TEMP; ptr is what the PTR lookup gave, ${client_ptr}, or
 * NULL; with FORGED, relay= and the Hello reply show it with "(may be
 * forged)").  proc is the daemon's session process (its queue id
 * generator and its open queue folder, kept for its next connection), or
 * NULL for -bs, whose session has its own.  Everything else the session sets
 * up (macros, envelope, TLS, SASL, filters, counters) lives in the session
 * and is freed before it returns, so that the process may serve another
 * connection.  Returns an exit status.
 */
struct smtpd_proc;
int smtpd_session(struct sm_run *run, struct smtp_io *io, const struct cf_daemon *d,
    const char *addr, const char *name, const char *resolve, const char *ptr, int reqfd,
    struct smtpd_proc *proc);

#endif
