/*
 * sendmail.h: what the parts of the sendmail program share: the run (the
 * command line as parsed, the loaded configuration) and the mode table.
 */
#ifndef SENDMAIL_H
#define SENDMAIL_H

#include <stdbool.h>

#include "cf.h"
#include "pt_buf.h"

struct tls_ctx;

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
};

/* A mode of operation: what -b<letter> (or the program name) selects. */
struct sm_mode {
	char letter;
	bool needs_cf;		/* main loads the configuration first */
	int (*run)(struct sm_run *run);
};

/* The modes, implemented one per file. */
int mode_test(struct sm_run *run);		/* -bt: mode_bt.c */
int mode_verify(struct sm_run *run);		/* -bv: mode_bv.c */
int mode_print_version(struct sm_run *run);	/* -bV: main.c */
int mode_print_queue(struct sm_run *run);	/* -bp, mailq: mode_bp.c */
int mode_print_count(struct sm_run *run);	/* -bP: mode_bp.c */
int mode_daemon(struct sm_run *run);		/* -bd, -bD: daemon.c */
int mode_smtp_stdio(struct sm_run *run);	/* -bs: smtpd.c */
int mode_queue_run(struct sm_run *run);		/* -q: queuerun.c */
int mode_newaliases(struct sm_run *run);	/* -bi, newaliases: mode_bi.c */

/* Host identity (host.c): the qualified name and the names and literals for class w. */
char *host_qualified_name(void);
/* Adds this host's interface addresses as [a.b.c.d] to class w, as upstream probes them. */
void host_add_interfaces(struct cf_config *cfg);

#endif
