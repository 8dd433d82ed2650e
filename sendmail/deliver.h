/*
 * deliver.h: delivering one queued message: what deliver.c (the attempt
 * and the queue update), deliver_expand.c (aliases, :include:, .forward),
 * deliver_prog.c (program and file mailers), deliver_msg.c (the message as
 * a mailer gets it) and dsn.c (bounces) share.
 */
#ifndef DELIVER_H
#define DELIVER_H

#include <stdbool.h>
#include <poll.h>
#include <sys/types.h>

#include "cf.h"
#include "queue.h"
#include "rw.h"
#include "sendmail.h"
#include "smtp_io.h"
#include "smtp_reply.h"
#include "tls.h"

/* Where one delivery target stands after an attempt. */
enum dlv_state {
	DLV_PENDING = 0,
	DLV_SENT,
	DLV_DEFERRED,
	DLV_FAILED,
};

/* One place a message goes: a (mailer, host, user) and who owns the delivery. */
struct dlv_target {
	const struct cf_mailer *mailer;
	char *host;		/* "" for none */
	char *user;		/* the user part, as the mailer gets it in $u */
	char *addr;		/* the address, as written back to the queue */
	int rcpt;		/* the queued recipient it came from */
	bool from_alias;	/* reached through an alias, :include: or .forward */
	bool refused;		/* refused by the submission's parse (sm_refused; rcpt -1):
				 * bounced, never logged with to= */
	bool primary;		/* the queued recipient itself, not an expansion */
	bool failed_early;	/* failed while the recipients were expanded (an unknown user) */
	uid_t uid;		/* the identity a program or file delivery takes */
	gid_t gid;
	char *owner;		/* that identity's login name, or NULL */
	char *parent;		/* reached through an alias, :include: or .forward: the address
				 * expanded, as written (the alias file's "inner", the
				 * envelope's "<list@host>"), the last part of its C record */
	char *alias;		/* running as DefaultUser for an alias: that alias's name (the
				 * user part of its C record), or NULL */
	char *list_owner;	/* reached through a list with an owner- alias: that owner's
				 * address, the envelope sender of this delivery and where its
				 * errors go; NULL for the envelope's own sender */
	int state;		/* enum dlv_state */
	int code;		/* the reply code of a failure (550, 451 ...) */
	int exitcode;		/* a failed mailer program's sysexits status, or 0 */
	char *status;		/* the DSN status, "5.1.1" */
	char *text;		/* what happened, for the log and the DSN */
	bool reported;		/* the transcript (-v) has told its outcome */
	bool expired;		/* failed because Timeout.queuereturn passed (text: why deferred) */
	bool by_failed;		/* failed for Deliver-By's R mode at a server (xscript: why) */
	bool by_expired;	/* failed because Deliver-By's R deadline passed: not tried */
	bool by_hop;		/* given to a server that offered DELIVERBY */
	char by_relayed;	/* a Deliver-By success notice is due: 'T' (trace: relayed to a
				 * server with DELIVERBY), 'N' (notify: delivered where
				 * Deliver-By ends), or 0 */
	bool dsn_passed;	/* relayed to a server that took NOTIFY: success is its to report */
	bool moved;		/* deferred, and queued in a message of its own (its list owner's) */
	bool remote;		/* text is a server's reply (logged as reply=) */
	bool remote_rcpt;	/* ... to the target's RCPT */
	char *relay;		/* the host tried last, as logged: "mx.example.net. [192.0.2.1]" */
	/* what a bounce says where upstream's differs from the log line: */
	char *diag;		/* reason and Diagnostic-Code ("550 Host unknown"); "" for none;
				 * NULL: the reply (remote) or "code status text" */
	char *dsn_status;	/* Status:, when not dsn= (NULL) */
	char *mta;		/* Remote-MTA: the server that was given the recipient (or the
				 * host that was not found); NULL for none */
	/* what upstream's transcript (its xf file) holds of this target's outcome: */
	char *xscript;		/* "... while talking to HOST:", ">>> COMMAND", "<<< REPLY" lines */
	char *xscript_after;	/* the session's lines after this target's error line: the
				 * reply to a pipelined DATA when every RCPT was refused */
	char *output;		/* what a mailer program wrote, or NULL */
	int exit_code;		/* a mailer program's exit status when it failed or deferred (the
				 * bounce's Diagnostic-Code), 0 otherwise */
	char *rcpt_reply;	/* the reply that accepted the RCPT (a relayed success notice's
				 * Diagnostic-Code), or NULL */
};

/* The targets of one attempt. */
struct dlv_list {
	struct dlv_target *v;
	int n, cap;
};

/* One delivery attempt of one message. */
struct dlv {
	struct sm_run *run;
	const struct cf_config *cfg;
	struct queue_dir *qd;
	struct queue_msg *m;
	struct queue_env *e;
	struct rw_ctx rw;
	struct dlv_list targets;
	time_t now;
	const char *aliasing[32];	/* the aliases being expanded, outermost first */
	int naliasing;
	const char *list_owner;	/* while expanding: the innermost owner- list's address, or NULL */
	const char *sender;	/* while delivering: the envelope sender that replaces the
				 * envelope's (a target's list_owner), or NULL */
	const char *notice_owner;	/* while building a notice: the list_owner of the targets it
					 * reports (NULL: those without one) */
	bool notice_sent_too;	/* while building a failure notice: it also reports the
				 * successes that asked for a notice, as upstream's does */
	uid_t default_uid;	/* DefaultUser: programs from the aliases file run as this */
	gid_t default_gid;
	struct dlv_cache *cache;	/* connections kept between messages, or NULL */
	const char *relay;	/* the host being talked to as logs name it ("mx.example.net."), or NULL */
	char errmode;		/* the submitting process's own attempt: the ErrorMode letter
				 * that says how the sender learns of failures
				 * (deliver_errmode.c); 0 for any other attempt */
	int pass;		/* with errmode: enum dlv_pass */
	bool bg_child;		/* the background child of -odb: the submission logged the
				 * expansion's failures and from= before it forked */
	int exit_status;	/* the sysexits status of the last failure, or EX_OK */
	bool by_warning;	/* the delay warning being made is Deliver-By's (N mode) */
	int origin;		/* enum dlv_origin */
	long early_priority;	/* pri= of a target failed while expanding: as queued plus
				 * RetryFactor, as upstream logs it while reading the queue */
	long msgsize;		/* the size notices count for the returned message: as
				 * received, or (read back as upstream reads it) the df's size
				 * and the H records'; -1 until known */
};

/* Adds a target; strings are copied.  Returns it (valid until the next add). */
struct dlv_target *dlv_add(struct dlv_list *l, const struct cf_mailer *m, const char *host,
    const char *user, const char *addr, int rcpt);
/*
 * What upstream's stat= says of a server's permanent refusal of t: the
 * words of the sysexits status the reply maps to ("User unknown" for a RCPT
 * refused with 550, 551 or 553, else "Service unavailable").
 */
const char *dlv_refusal_stat(const struct dlv_target *t);
/* Marks a target failed or deferred with code, status and text. */
void dlv_set(struct dlv_target *t, int state, int code, const char *status, const char *text);
void dlv_list_free(struct dlv_list *l);
/* True if targets a and b have the same list owner (or none): one envelope sender. */
bool dlv_same_owner(const struct dlv_target *a, const struct dlv_target *b);

/* Expands queued recipient i of d->e into targets (aliases, :include:, .forward). */
void dlv_expand(struct dlv *d, int i);

/*
 * Delivers targets idx[0..n) of d (one [IPC] mailer, one host) over SMTP in
 * one transaction; sets their states (deliver_smtp.c).
 */
void dlv_smtp(struct dlv *d, const int *idx, int n);

/* STARTTLS on one client connection (deliver_tls.c). */
struct dlv_tls {
	struct tls_session *sess;	/* the TLS session, NULL in clear */
};

/* What dlv_starttls made of a connection. */
enum dlv_tls_result {
	DLV_TLS_PLAIN = 0,	/* go on in clear (not offered, not tried, or refused with 4xx) */
	DLV_TLS_ACTIVE,		/* TLS is up: say EHLO again */
	DLV_TLS_RETRY,		/* the handshake failed and fallback is allowed: reconnect in clear */
	DLV_TLS_REFUSED,	/* tls_server refused the session: r filled, QUIT and stop */
	DLV_TLS_BROKEN,		/* the handshake failed: r filled, drop the connection */
	DLV_TLS_LOST,		/* the connection was lost */
};

/*
 * Runs the client side of STARTTLS after EHLO on io, to host: the command
 * when offered (the server's EHLO said STARTTLS), the client may (a client
 * context, try_tls) and clear is false; the handshake (what the server sent
 * behind its 220 is dropped); the macros {server_name} {server_addr}
 * {verify} {cipher} ... and the STARTTLS=client log line; then the
 * tls_server ruleset.  t receives the session.  Returns enum dlv_tls_result.
 */
int dlv_starttls(struct dlv *d, struct smtp_io *io, bool offered, bool clear, const char *host,
    struct dlv_tls *t, struct smtp_reply *r);
/* Runs tls_rcpt for recipient rcpt: 0 to send it, -1 with r filled to refuse it. */
int dlv_tls_rcpt(struct dlv *d, const char *rcpt, struct smtp_reply *r);
/* Ends the TLS session of a connection (close_notify), if any. */
void dlv_tls_end(struct dlv_tls *t, struct smtp_io *io);
/* Sets the TLS macros ({cipher}, {cert_subject} ...) of an open session again, for a reused connection. */
void dlv_tls_macros(struct dlv *d, const struct dlv_tls *t);

/*
 * A mailer connection kept between messages (deliver_cache.c): an SMTP or
 * LMTP session with a host, or with a mailer program on a pipe, whose last
 * transaction ended cleanly, so that the next one may start with MAIL.
 */
struct dlv_conn {
	char *key;		/* what it leads to: mailer, host, port (or the program and identity) */
	struct smtp_io *io;
	int rfd, wfd;		/* the socket (both), or the program's output and input */
	pid_t pid;		/* the mailer program, or -1 */
	bool lmtp;
	struct smtp_ehlo ehlo;	/* what the server offered */
	struct dlv_tls tls;
	char *addr;		/* its address as logged: "[192.0.2.1]", "[IPv6:0:0:0:0:0:0:0:1]" */
	char *server_addr;	/* {server_addr} and {verify} as set when it was opened */
	char *verify;
	unsigned long long auth_tag;	/* dlv_auth_tag when it was opened (the server offered AUTH) */
	time_t last;		/* when it was last used */
};

/* The connections of one delivery process: ConnectionCacheSize of them at most. */
struct dlv_cache {
	struct dlv_conn **v;	/* least recently used first */
	int n;
	int max;		/* ConnectionCacheSize (0: nothing is kept) */
	long timeout;		/* ConnectionCacheTimeout, seconds */
	long quit_timeout;	/* Timeout.quit, seconds */
};

/* Makes an empty cache sized by cfg's ConnectionCacheSize and ConnectionCacheTimeout. */
void dlv_cache_init(struct dlv_cache *c, const struct cf_config *cfg);
/* A new connection record for key (no descriptors yet; rfd = wfd = pid = -1). */
struct dlv_conn *dlv_conn_new(const char *key);
/* Frees the record k only (its descriptors and program are the caller's now). */
void dlv_conn_free(struct dlv_conn *k);
/* Says QUIT (waiting quit_timeout seconds), ends TLS, closes, reaps the program, frees k. */
void dlv_conn_close(struct dlv_conn *k, long quit_timeout);
/* Takes the cached connection for key out of c (expired ones closed first), or NULL; c may be NULL. */
struct dlv_conn *dlv_cache_take(struct dlv_cache *c, const char *key, time_t now);
/* Keeps k in c (closing the least recently used when c is full); with c NULL or sized 0, closes k. */
void dlv_cache_put(struct dlv_cache *c, struct dlv_conn *k, time_t now);
/* Closes the connections unused for ConnectionCacheTimeout. */
void dlv_cache_expire(struct dlv_cache *c, time_t now);
/* Seconds until the next connection expires, or -1 when none is held. */
long dlv_cache_wait(const struct dlv_cache *c, time_t now);
/* Closes every connection and frees the cache's storage. */
void dlv_cache_close(struct dlv_cache *c);

/* One long-lived delivery process of a pool (deliver_pool.c). */
struct dlv_worker {
	pid_t pid;
	int fd;			/* its socket, -1 once let go (until it is reaped) */
	bool busy;		/* it holds id */
	char id[QUEUE_ID_MAX];
	time_t idle_since;
};

/* Delivery processes that take queue ids one at a time and keep their connections. */
struct dlv_pool {
	struct sm_run *run;
	int max;			/* workers at most */
	struct dlv_worker *w;		/* max slots, n used */
	int n;
	char **pending;			/* ids waiting for a worker: [head, npending) */
	size_t head, npending, cap;
	size_t max_pending;		/* 0: no limit; beyond it ids wait in the queue */
	bool closing;			/* no new work: workers go once idle */
	void (*setup)(void *ctx);	/* run in each new worker: closes the parent's descriptors */
	void *ctx;
};

/* Makes an empty pool of at most max workers; setup(ctx) runs in each worker first. */
void dlv_pool_init(struct dlv_pool *p, struct sm_run *run, int max, void (*setup)(void *),
    void *ctx);
/* Delivers queued message id soon: in an idle or new worker, else after the ids before it. */
void dlv_pool_submit(struct dlv_pool *p, const char *id);
/* Fills v (room for p->max) with one entry per worker to poll; returns the count. */
int dlv_pool_fds(const struct dlv_pool *p, struct pollfd *v);
/* Takes the answers poll found in v[0..n) and hands waiting ids to freed workers. */
void dlv_pool_ready(struct dlv_pool *p, const struct pollfd *v, int n);
/* A child ended with status: true if it was a worker of p (forgotten, its slot reused). */
bool dlv_pool_reaped(struct dlv_pool *p, pid_t pid, int status);
/* Lets workers idle too long go; returns seconds until the next may go, or -1. */
long dlv_pool_tick(struct dlv_pool *p, time_t now);
/* Messages being delivered or waiting. */
size_t dlv_pool_load(const struct dlv_pool *p);
/* No more work: idle workers go now, busy ones when they are done. */
void dlv_pool_shutdown(struct dlv_pool *p);
/* Closes the pool's sockets in a forked child that is not a worker. */
void dlv_pool_close_fds(const struct dlv_pool *p);
/* Frees the pool's memory (workers still alive get end of file). */
void dlv_pool_free(struct dlv_pool *p);

/*
 * SMTP AUTH as a client (deliver_auth.c), after EHLO (and STARTTLS): when
 * the server offers AUTH (offer: its mechanisms) and the authinfo ruleset
 * or DefaultAuthInfo has credentials for it, authenticates with a mechanism
 * both allow.  ext_ssf: the TLS layer's strength.  Returns 0 to go on
 * (authenticated or not), -1 when the session must end (connection lost,
 * temporary failure; r holds the last reply if any).
 */
int dlv_auth(struct dlv *d, struct smtp_io *io, const char *offer, const char *host,
    unsigned ext_ssf, struct smtp_reply *r);
/*
 * A fingerprint of the credentials the authinfo ruleset or DefaultAuthInfo
 * give for host (0: none), so that a cached connection authenticated with
 * other credentials (or none) is not reused; the credentials are not kept.
 */
unsigned long long dlv_auth_tag(struct dlv *d, const char *host);

/* Opens the configuration's queue directory (logs why not). */
int dlv_open_queue(struct sm_run *run, struct queue_dir **qd);
/*
 * Where the message an attempt opens comes from, which decides its
 * priority (the P record, pri= in the log lines) as upstream's:
 *
 * | origin          | priority of the attempt                               |
 * |-----------------|-------------------------------------------------------|
 * | DLV_ORIGIN_NEW  | as queued (a submission's own attempt, a notice)      |
 * | DLV_ORIGIN_SMTP | as queued; but when a recipient went to a mailer with |
 * |                 | F=A (upstream expands those after queueing and reads  |
 * |                 | the message back): the size of the df and the H      |
 * |                 | records, less class times ClassFactor, plus           |
 * |                 | RecipientFactor per target of the expansion           |
 * | DLV_ORIGIN_QUEUE| as queued plus RetryFactor (a queue run)              |
 *
 * A deferred message is written back with the priority of the attempt.
 */
enum dlv_origin { DLV_ORIGIN_NEW = 0, DLV_ORIGIN_SMTP, DLV_ORIGIN_QUEUE };

/*
 * One delivery attempt of message id in qd (origin: enum dlv_origin); an
 * exit status.  cache (may be NULL) holds the connections the process
 * keeps between messages.
 */
int dlv_message_id(struct sm_run *run, struct queue_dir *qd, const char *id,
    struct dlv_cache *cache, int origin);
/*
 * Waits for the delivery processes this one forked for the notices it made
 * (dsn.c), so that a queue run ends, as upstream's, only when the bounces
 * and warnings it made have been delivered too.
 */
void dlv_wait_notices(void);

/* How far the submitting process takes the message it queued (dlv_submitted). */
enum dlv_pass {
	DLV_PASS_QUEUE,		/* expansion only (aliases, :include:, .forward, local users):
				 * what fails now fails, the rest stays queued, expanded
				 * (-odq, -odd) */
	DLV_PASS_FORK,		/* the same; then, when something is left, a child delivers it
				 * in the background and mails one notice of every failure,
				 * the expansion's too, whatever the ErrorMode (-odb) */
	DLV_PASS_DELIVER,	/* a whole attempt in the foreground (-odi) */
};

/*
 * The submitting process's own attempt at the message id it queued: pass
 * says how far, errmode (the ErrorMode letter: p, q, m, w, e) how the sender
 * learns of the failures it finds (deliver_errmode.c).  *left (may be NULL)
 * says whether targets are still to be delivered.  Returns the status the
 * program exits with: EX_OK, the sysexits status of a failure (EX_NOUSER
 * for an unknown user; EX_OK with ErrorMode e), or EX_TEMPFAIL when an
 * expansion's failures could not be written to the queue file.
 */
int dlv_submitted(struct sm_run *run, struct queue_dir *qd, const char *id, int pass, char errmode,
    bool *left);

/*
 * ErrorMode for the submitting process (deliver_errmode.c).  A failure
 * found before any mailer ran (an unknown local user, an error: alias) is
 * told at once: on standard output in ErrorMode p, and for every mode with
 * -t, as "address... reason".
 */
void dlv_errmode_early(const struct dlv *d, const struct dlv_target *t);
/*
 * Handles the sender's failure notice of the submitting process's attempt
 * other than by mail, as the ErrorMode says: true when nothing is to be
 * mailed (q: nobody is told; p: the message was saved in the sender's
 * ~/dead.letter, and "Saved message in" printed); false to mail it (m, w,
 * e, and p when the sender has no local home or the file cannot be written).
 */
bool dlv_errmode_return(struct dlv *d);
/*
 * Adds the recipients that the submission refused while parsing them
 * (d->run->refused) as failed targets of the message it queued, so that the
 * sender's notice reports them with the rest, as ErrorMode says.
 */
void dlv_errmode_refused(struct dlv *d);
/* The sysexits status a failed target gives the submitting program (EX_NOUSER ...). */
int dlv_errmode_exit(const struct dlv_target *t);

/* True if mailer m speaks SMTP or LMTP: [IPC], or a program without $u in A=. */
bool dlv_speaks_smtp(const struct cf_mailer *m);
/*
 * Starts the program of t's mailer as a delivery of t would (identity,
 * environment, folder); *in is its standard input, *out its standard
 * output.  Returns its pid, or -1.
 */
pid_t dlv_spawn(struct dlv *d, const struct dlv_target *t, int *in, int *out);
/* Waits for a mailer program; returns its exit status (EX_OSERR for a signal). */
int dlv_reap(pid_t pid);

/* Delivers target t with a program or file mailer; sets its state. */
void dlv_prog(struct dlv *d, struct dlv_target *t);

/*
 * Writes the message as mailer m gets it into out: the headers (templates
 * kept for the mailer's flags, $g as the mailer's form of the sender,
 * address headers rewritten by the mailer's header rulesets), the empty
 * line, and the body read from the df, with the mailer's line end.  With
 * from_line, a UNIX "From " line comes first.  Returns 0 or -1 (df unreadable).
 */
int dlv_message(struct dlv *d, const struct cf_mailer *m, bool from_line, struct pt_buf *out);
/* The same with the line end eol instead of the mailer's E= (the SMTP client stuffs LF text). */
int dlv_message_eol(struct dlv *d, const struct cf_mailer *m, bool from_line, const char *eol,
    struct pt_buf *out);
/*
 * The envelope sender (d->sender when set, else the envelope's) as mailer
 * m sees it ($g: headers, arguments, the From_ line); for the null sender,
 * MAILER-DAEMON ($n) so rewritten, as upstream.  dlv_envelope_sender: the
 * same for an SMTP client's MAIL command, empty for the null sender.
 */
void dlv_sender(struct dlv *d, const struct cf_mailer *m, struct pt_buf *out);
void dlv_envelope_sender(struct dlv *d, const struct cf_mailer *m, struct pt_buf *out);

/*
 * With -v: prints one line of the delivery transcript on standard output,
 * as upstream shows it ("user... Connecting to [127.0.0.1] via relay...",
 * ">>> MAIL From:<...>", the replies, "user... Sent (...)").
 */
void dlv_verbose(const struct dlv *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Tells the user what became of target t once (-v: "user... Sent (...)",
 * "user... Deferred: ..."; a failure of an interactive submission goes to
 * standard error even without -v).
 */
void dlv_report(const struct dlv *d, struct dlv_target *t);
/* With -v: prints the lines of an SMTP reply as they came. */
void dlv_verbose_reply(const struct dlv *d, const struct smtp_reply *r);

/*
 * Final-Recipient of a recipient: the one the message was given (for the
 * expansions of an alias kept for a retry, that alias: its r record),
 * "RFC822; user@host", an unqualified one qualified with $j.
 */
void dsn_final_rcpt(const struct cf_config *cfg, const struct queue_rcpt *r, struct pt_buf *out);
/*
 * Gives every primary recipient of a new message that has none its
 * Final-Recipient as the r record upstream writes when it queues the
 * message ("RFC822; user@host").
 */
void dsn_final_rcpts(const struct cf_config *cfg, struct queue_env *e);
/*
 * Sends the delivery status notifications the attempt calls for (dsn.c):
 * the delay warning when Timeout.queuewarn has passed and some target is
 * still deferred (once: sets QEF_WARNED in d->e), the bounce, the success
 * notice.
 */
void dsn_send(struct dlv *d);

/* The size a notice counts for the message d returns (d->msgsize, or worked back from its priority). */
long dsn_message_size(const struct dlv *d);
/* Writes an interval in upstream's words ("4 hours", "1 day, 2 hours") to out. */
void dsn_interval(long secs, struct pt_buf *out);

/* Deliver By (RFC 2852, deliver_by.c): */
/* The seconds left before the message's BY= deadline (negative once past). */
long dlv_by_left(const struct dlv *d);
/*
 * Appends " BY=<time left>;<R|N>[T]" to a MAIL command's parameters p when
 * the message has a BY= time and the server offers DELIVERBY (ext, its
 * extensions; min, its minimum or 0).
 */
void dlv_by_param(const struct dlv *d, unsigned ext, long min, struct pt_buf *p);
/*
 * R mode: when the server does not offer DELIVERBY or asks for more time
 * than is left, fails the pending targets idx[0..n) with upstream's 5.4.7
 * and returns true: no MAIL may be sent.  False otherwise.
 */
bool dlv_by_refuse(struct dlv *d, unsigned ext, long min, const int *idx, int n);
/*
 * R mode: when the deadline passed before this attempt, fails every pending
 * target untried ("delivery time expired Ns", 5.4.7; by_expired).
 */
void dlv_by_expire(struct dlv *d);
/* N mode: true when the deadline passed (a delay warning is due once). */
bool dlv_by_warn_due(const struct dlv *d);
/*
 * After t's delivery: notes the success notice Deliver By calls for
 * (t->by_relayed): T (trace) and given to a server with DELIVERBY, or N mode
 * and delivered where Deliver By ends (a server without it, a local mailer).
 */
void dlv_by_delivered(const struct dlv *d, struct dlv_target *t);

/*
 * The queue id generator of this process, for the messages a delivery
 * makes (notices, an owner- list's split envelope): one per process, so that
 * two of them never share an id (a generator per attempt, seeded with the
 * time, gave every notice of a second the same id); made again in a
 * forked child.
 */
struct queue_idgen *dlv_idgen(time_t now);

#endif
