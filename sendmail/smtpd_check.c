/*
 * smtpd_check: running the check_* rulesets of the configuration and
 * turning their results into replies, discards and relaying, as upstream's
 * rscheck does, with its log line shape for rejections.
 *
 * Runs in the session process.  The rulesets run through rscheck, which
 * makes the "$|" between two arguments itself: client data reaches them
 * only as tokens.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_log.h"
#include "rscheck.h"
#include "smtpd.h"

/* Logs a rejection (LogLevel 4 and up): "ruleset=..., arg1=..., relay=..., reject=...". */
static void
log_reject(struct smtpd *s, const char *name, const char *arg1, const char *arg2,
    const struct smtp_reply *r)
{
	struct pt_buf b = PT_BUF_INIT, sum = PT_BUF_INIT;

	smtp_reply_summary(r, &sum);
	pt_buf_printf(&b, "ruleset=%s, arg1=%s", name, arg1);
	if (arg2 != NULL)
		pt_buf_printf(&b, ", arg2=%s", arg2);
	pt_buf_printf(&b, ", relay=%s, reject=%s", s->relay, pt_buf_str(&sum));
	/* as upstream: the session's envelope id; none yet for check_relay */
	if (smtpd_log_id(s) != NULL)
		pt_log_id_lv(4, LOG_NOTICE, smtpd_log_id(s), "%s", b.s);
	else
		pt_log_lv(4, LOG_NOTICE, "%s", b.s);
	pt_buf_free(&b);
	pt_buf_free(&sum);
}

int
smtpd_check(struct smtpd *s, const char *name, const char *arg1, const char *arg2,
    const char *echo, struct smtp_reply *r)
{
	switch (rscheck(&s->rw, name, arg1, arg2, echo, r, NULL)) {
	case RSCHECK_ERROR:
		log_reject(s, name, arg1 != NULL ? arg1 : "", arg2, r);
		return SMTPD_CHECK_REJECT;
	case RSCHECK_DISCARD:
		return SMTPD_CHECK_DISCARD;
	case RSCHECK_QUARANTINE:
		pt_log_id(LOG_INFO, smtpd_log_id(s),
		    "ruleset=%s, arg1=%s, relay=%s, quarantine=%s", name, arg1 != NULL ? arg1 : "",
		    s->relay, r->nlines > 0 ? r->lines[0] : "");
		return SMTPD_CHECK_QUARANTINE;
	case RSCHECK_RELAY:
		return SMTPD_CHECK_RELAY;
	default:
		return SMTPD_CHECK_OK;
	}
}

int
smtpd_ruleset(struct smtpd *s, const char *name, const char *arg1, const char *arg2,
    struct pt_buf *out)
{
	int rc = rscheck(&s->rw, name, arg1, arg2, NULL, NULL, out);

	if (rc == RSCHECK_NONE)
		return -1;
	return rc == RSCHECK_OK ? 0 : 1;
}
