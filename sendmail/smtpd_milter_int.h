/*
 * smtpd_milter_int.h: what smtpd_milter.c (the session's filters and the
 * envelope stages) and smtpd_milter_msg.c (the message stages and the
 * modifications) share, and nothing else sees.
 */
#ifndef SMTPD_MILTER_INT_H
#define SMTPD_MILTER_INT_H

#include "milter.h"
#include "smtpd.h"
#include "smtpd_milter.h"

/*
 * Milter.LogLevel thresholds: a line is logged when the level is above the
 * number, as upstream (found by running it at each level).
 */
enum {
	MLOG_ERRORS = 0,	/* a filter breaks or cannot be reached */
	MLOG_REFUSALS = 8,	/* a filter refuses; every modification */
	MLOG_SUMMARY = 9,	/* filters opened; message accepted by the filters */
	MLOG_ACTIONS = 10,	/* "milter=NAME, action=STAGE, reject" */
	MLOG_CONTINUE = 12,	/* "milter=NAME, action=STAGE, continue" */
	MLOG_ENVELOPE = 14,	/* "Milter: sender: ...", "Milter: rcpts: ..." */
	MLOG_TRACE = 17,	/* headers and body sent, quit */
};

/* One configured filter in a session. */
struct smtpd_filter {
	struct milter_spec spec;
	struct milter *m;	/* NULL when it could not be opened */
	bool failed;		/* broke or unreachable: its F= flag answers for it */
};

/* The session's refusal set by the filters at connect or HELO time. */
enum smtpd_milter_gate {
	GATE_OPEN = 0,
	GATE_REFUSE,		/* every command but HELO EHLO NOOP RSET QUIT refused */
	GATE_TEMPFAIL,		/* MAIL fails for now */
};

/* The filters of one SMTP session (s->milter). */
struct smtpd_milter {
	struct smtpd_filter *f;
	size_t n;
	int loglevel;			/* Milter.LogLevel, else LogLevel */
	enum smtpd_milter_gate gate;
	struct smtp_reply gate_reply;	/* GATE_REFUSE: the filter's own reply, when it gave one */
	struct milter_result res;	/* the answer being handled */
};

/* The arguments of one stage call (only those of the stage are used). */
struct smtpd_stage_args {
	const char *str;		/* helo name, unknown line */
	const char *const *argv;	/* MAIL/RCPT address and parameters */
	size_t argc;
	const char *host, *addr;	/* connect */
	char family;
	unsigned port;
};

/* One stage, for the stage runner: the call and how to name it. */
struct smtpd_stage {
	const char *name;		/* for "milter=NAME, action=STAGE, ..." */
	int macros;			/* enum milter_stage of its macros, or -1 */
	enum milter_action (*call)(struct milter *, const struct milter_macro *, size_t,
	    const struct smtpd_stage_args *, struct milter_result *);
};

/* One place of the header list as filters change it (smtpd_milter_hdr.c). */
struct smtpd_hdr {
	char *name;
	char *value;		/* as the qf keeps it (blank after the colon); NULL: empty place */
	char *cond;		/* the qf condition ("" none) */
	bool tmpl;		/* the place of an H line of the configuration */
};

struct smtpd_hdrs {
	struct smtpd_hdr *v;
	size_t n;
};

/* Builds the list from e, whose first ntempl headers came from the H lines, in order. */
void smtpd_hdrs_load(struct smtpd_hdrs *h, const struct cf_config *cfg, const struct queue_env *e,
    size_t ntempl);
/* Replaces e's headers by the list's non-empty places. */
void smtpd_hdrs_store(const struct smtpd_hdrs *h, struct queue_env *e);
void smtpd_hdrs_free(struct smtpd_hdrs *h);
/*
 * Applies an add, insert or change of header from filter (its name for log
 * lines; leadspc: it negotiated HDR_LEADSPC) with upstream's placement.
 */
void smtpd_hdrs_apply(struct smtpd *s, struct smtpd_hdrs *h, const char *filter,
    const struct milter_mod *m, bool leadspc);

/* True when Milter.LogLevel is above level. */
static inline bool
smtpd_milter_logs(const struct smtpd *s, int level)
{
	return s->milter->loglevel > level;
}

/*
 * Calls one stage on filter f (the macros of the stage, f's own list or the
 * option's), logs the answer, and turns a broken filter into what its F=
 * flag asks for (TEMPFAIL, REJECT, or NOREPLY to go on without it).  The
 * answer's details are in s->milter->res.
 */
enum milter_action smtpd_milter_call(struct smtpd *s, struct smtpd_filter *f,
    const struct smtpd_stage *st, const struct smtpd_stage_args *a);
/* True when the filter takes part (alive, or failed with an F= flag that answers for it). */
bool smtpd_filter_active(const struct smtpd_filter *f);
/*
 * The reply of a refusal: REJECT gives code/status/"Command rejected",
 * TEMPFAIL "451 4.3.2 Please try again later", REPLY the filter's own
 * reply (in s->milter->res); prefix goes before the first line's text.
 */
void smtpd_milter_refusal(struct smtpd *s, enum milter_action a, int code, const char *status,
    const char *prefix, struct smtp_reply *r);
/* A reply as upstream logs it: "550 5.7.1 text", lines joined by a literal \r\n. */
void smtpd_milter_reply_text(const struct smtp_reply *r, struct pt_buf *out);
/* Ends the session at a filter's request: 421 and quit. */
void smtpd_milter_shutdown(struct smtpd *s);

#endif
