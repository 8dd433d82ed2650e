/*
 * rscheck.h: running a named ruleset of the cf over one or two arguments
 * and reading its result as upstream's rscheck does: an error with its
 * reply, a discard, an explicit OK or RELAY, or a value.  Shared by the
 * server's check_* calls (smtpd_check.c) and the SMTP client's TLS and AUTH
 * rulesets (deliver_tls.c, deliver_auth.c).
 */
#ifndef RSCHECK_H
#define RSCHECK_H

#include "pt_buf.h"
#include "rw.h"
#include "smtp_reply.h"

/* What a ruleset said. */
enum rscheck_result {
	RSCHECK_NONE = -1,	/* the configuration has no such ruleset */
	RSCHECK_OK = 0,		/* ran, ended in something other than $# */
	RSCHECK_ERROR,		/* $#error: the reply is filled */
	RSCHECK_DISCARD,	/* $#discard */
	RSCHECK_RELAY,		/* $#OK or $#RELAY */
	RSCHECK_MAILER,		/* $# with anything else: the value is what follows $# */
	RSCHECK_QUARANTINE,	/* $#error $@ quarantine $: reason; r's only line is the reason */
};

/*
 * Runs ruleset name over arg1, or "arg1 $| arg2" when arg2 is not NULL (the
 * $| is made here, never parsed from the arguments).  For RSCHECK_ERROR, r
 * (may be NULL) gets the code, enhanced status and text of "$#error $@
 * status $: text", the text prefixed by "echo... " when echo is not NULL.  As
 * upstream's, a lookup that failed for now changes nothing: only the result
 * counts (the cf turns a map's <TMPF> into its own 451).  value (may be NULL)
 * gets the result's tokens joined without separators, a leading $# left
 * out.  Strings of the rewriting live in rw's arena.
 */
int rscheck(struct rw_ctx *rw, const char *name, const char *arg1, const char *arg2,
    const char *echo, struct smtp_reply *r, struct pt_buf *value);

#endif
