/*
 * sendmail.h: what the parts of the sendmail program share: the run (the
 * command line as parsed, the loaded configuration) and the mode table.
 */
#ifndef SENDMAIL_H
#define SENDMAIL_H

#include <stdbool.h>

#include <sys/types.h>

#include "cf.h"
#include "pt_buf.h"

struct tls_ctx;
struct hs_mem;

/* The configuration files compiled in: the MTA's and the submission program's. */
#define SM_DEFAULT_CF MAILDIR "/sendmail.cf"
#define SM_SUBMIT_CF MAILDIR "/submit.cf"

/* The command line and what was made of it. */
struct sm_run {
	const char *progname;	/* the name the program was run under */
	char **argv;		/* the original arguments, for re-execution */
	int argc;
	char mode;		/* the -b letter ('m' by default) */
	const char *cf_path;	/* -C, or the default */
	bool cf_given;		/* -C was given */
	const char *sender;	/* -f / -r */
	const char *fullname;	/* -F */
	const char *log_tag;	/* -L */
	const char *queue_arg;	/* -q's argument (after the q), or NULL */
	char **queue_args;	/* every -q argument, in order (selectors add up) */
	int nqueue_args;
	const char *queue_sel;	/* -A: "c" client queue, "m" MTA queue */
	bool ignore_dots;	/* -i / -oi */
	bool read_recipients;	/* -t */
	bool verbose;		/* -v */
	int debug;		/* -d level (max over categories) */
	struct pt_buf debug_spec;	/* every -d argument, space-separated */
	char **options;		/* -o/-O settings "name=value", in order */
	int noptions;
	char **defines;		/* -M macro definitions "xvalue" */
	int ndefines;
	char **rcpts;		/* the remaining arguments */
	int nrcpts;
	struct cf_config *cfg;	/* loaded by main for modes that need it */
	char *hostname;		/* the qualified host name */
	struct tls_ctx *tls_server;	/* the daemon's STARTTLS context (NULL: none) */
	struct tls_ctx *tls_client;	/* the SMTP client's, made on first use (deliver_tls.c) */
	bool tls_client_tried;
	struct hs_mem *hs_mem;	/* a queue run's host status in memory (hoststat.h), or NULL */
	bool sasl_ready;	/* SASL's server side is initialised (smtpd_auth.c offers AUTH) */
	bool sasl_client;	/* SASL's client side is initialised (deliver_auth.c) */
	bool sasl_client_tried;
	/* submission (submit.c) */
	uid_t real_uid;		/* who ran the program (before RunAsUser) */
	bool msp;		/* the configuration is the compiled-in submit.cf */
	bool unsafe;		/* -C or an option a user may not set without losing privileges */
	unsigned notify;	/* -N: QRF_HAS_NOTIFY and the QRF_NOTIFY_* flags, or 0 */
	int ret;		/* -R: 'f' full, 'h' headers, or 0 */
	const char *envid;	/* -V */
	const char *bodytype;	/* -B */
	const char *protocol;	/* -p protocol[:host] */
	bool relay_submission;	/* -G */
	bool fresh_smtp;	/* this process makes the first delivery attempt of mail just
				 * received over SMTP (the daemon's delivery processes): its
				 * notices name the client (Received-From-MTA), as upstream's
				 * session process does */
	const char *submitted_id;	/* the message this process read and queued: the
					 * failures its delivery finds now (not a later
					 * queue run's) also go to its Errors-To: header
					 * with UseErrorsTo, as upstream's in-memory envelope */
	struct sm_refused *refused;	/* the recipients the submission refused (ruleset 0's
					 * $#error): bounced as ErrorMode says */
	char *from_line;	/* the submission's from= line, waiting for its own attempt to
				 * log the failures it finds while expanding first (upstream
				 * expands the command line before it reads the message) */
	int nrefused;
};

/* A recipient that the submission refused while parsing it (ruleset 0 gave $#error). */
struct sm_refused {
	char *addr;		/* as given */
	char *user;		/* the error mailer's $: part (the bounce's X-Actual-Recipient) */
	char *status;		/* its $@ part, "5.1.3" */
	char *text;		/* its words, "Hostname required" */
	int code;		/* its reply code, 553 */
};

/* A mode of operation: what -b<letter> (or the program name) selects. */
struct sm_mode {
	char letter;
	bool needs_cf;		/* main loads the configuration first */
	int (*run)(struct sm_run *run);
};

/* The modes, implemented one per file. */
/*
 * ${daemon_flags} of a command-line submission or session (-bs): the
 * DirectSubmissionModifiers option, else "CC f" with -G and "c u" without
 * (submit.c).  Static or the configuration's storage.
 */
const char *sm_direct_flags(const struct sm_run *run);

int mode_test(struct sm_run *run);		/* -bt: mode_bt.c */
int mode_verify(struct sm_run *run);		/* -bv: mode_bv.c */
int mode_print_version(struct sm_run *run);	/* -bV: main.c */
int mode_print_queue(struct sm_run *run);	/* -bp, mailq: mode_bp.c */
int mode_print_count(struct sm_run *run);	/* -bP: mode_bp.c */
int mode_daemon(struct sm_run *run);		/* -bd, -bD: daemon.c */
int mode_smtp_stdio(struct sm_run *run);	/* -bs: smtpd.c */
int mode_queue_run(struct sm_run *run);		/* -q: queuerun.c */
int mode_newaliases(struct sm_run *run);	/* -bi, newaliases: mode_bi.c */
int mode_hoststat(struct sm_run *run);		/* -bh, hoststat: mode_bh.c */
int mode_purgestat(struct sm_run *run);		/* -bH, purgestat: mode_bh.c */
int mode_submit(struct sm_run *run);		/* -bm (the default), -t: submit.c */

/*
 * Privileges (privs.c).  privs_choose_cf sets run->cf_path and run->msp:
 * -C, else submit.cf for -Ac or for a user (not root) submitting mail with
 * -bm, -t or -bs when the file exists, else sendmail.cf.  privs_settle gives
 * up the set-group-ID group unless the run needs it (a submission, listing
 * or run of the submission queue with the compiled-in submit.cf and only
 * safe -o/-O options) and sets run->unsafe; -1 if it could not.
 * privs_after_load refuses -q under PrivacyOptions=restrictqrun to users
 * other than root and the queue's owner, and makes root running the
 * submission configuration its RunAsUser; returns an exit status.
 */
void privs_choose_cf(struct sm_run *run);
int privs_settle(struct sm_run *run);
int privs_after_load(struct sm_run *run);
/* The work is done: gives up the group for good (nothing after this point needs it). */
void privs_done(void);

/* Host identity (host.c): the qualified name and the names and literals for class w. */
char *host_qualified_name(void);
/* Adds this host's interface addresses as [a.b.c.d] to class w, as upstream probes them. */
void host_add_interfaces(struct cf_config *cfg);

/*
 * True if the PrivacyOptions of cfg include name ("novrfy",
 * "noactualrecipient" ...), directly or through goaway (smtpd.c).
 */
bool sm_privacy(const struct cf_config *cfg, const char *name);

#endif
