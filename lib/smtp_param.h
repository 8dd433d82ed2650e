/*
 * smtp_param: the ESMTP parameters of MAIL and RCPT, and xtext.
 *
 * The parameters after the address are read as sendmail 8.17 reads them: a
 * keyword is a run of letters, digits and '-'; "=" starts its value, which
 * runs to the next blank, control character or "="; the one byte after that
 * is a separator whatever it is.  So "SIZE=10,BODY=8BITMIME" is SIZE with the
 * value "10,BODY" followed by the keyword "8BITMIME", which is refused.
 * Keywords are matched without regard to case, through one table per
 * command.  The replies, found by experiment with Debian's 8.17.1.9:
 *
 *   unknown keyword                 555 5.5.4 KEY parameter unrecognized
 *   keyword without "=value"        501 5.5.2 KEY requires a value   ("AUTH= requires a value")
 *   SIZE=-1                         552 5.2.3 Message size invalid
 *   SIZE beyond 2^63-1              552 5.2.3 Message size exceeds maximum value
 *   SIZE beyond MaxMessageSize      552 5.2.3 Message size exceeds fixed maximum message size (N)
 *   BODY=other                      501 5.5.4 Unknown BODY type other
 *   RET=other                       501 5.5.2 Bad argument "other" to RET
 *   ENVID, AUTH, ORCPT not xtext    501 5.5.4 Syntax error in KEY parameter value
 *   ENVID, RET, AUTH, ORCPT twice   501 5.5.0 Duplicate KEY parameter
 *   NOTIFY=bad / NEVER with others  501 5.5.4 Bad argument "bad"  to NOTIFY
 *   DSN params while DSN is off     504 5.7.0 Sorry, KEY not supported, we do not allow DSN
 *   BY=n (no ;)                     501 5.5.2 BY= missing ';'
 *   BY=0;R                          501 5.5.4 mode R requires BY time > 0
 *   BY=1;X  BY=1;RX                 501 5.5.2 illegal by-mode 'X'   illegal by-trace 'X'
 *   BY= beyond +-999999999          501 5.5.2 BY=VALUE out of range
 *   BY=n;R, n under DeliverByMin    555 5.5.2 time n less than MIN
 *   BY while DeliverByMin < 0       555 5.5.4 BY parameter unrecognized
 * SIZE, BODY, NOTIFY and BY may repeat (the last one counts); SMTPUTF8 is
 * recognized only when the caller supports it (Debian's 8.17 does not).
 * The check of SIZE against free disk space (452 4.4.5) is the server's.
 */
#ifndef SMTP_PARAM_H
#define SMTP_PARAM_H

#include <stdbool.h>
#include <stddef.h>

#include "pt_buf.h"
#include "pt_str.h"
#include "smtp_reply.h"

/* What the server offers, which decides which parameters it accepts. */
struct smtp_param_opts {
	bool dsn;			/* DSN offered: ENVID, RET, NOTIFY, ORCPT */
	bool smtputf8;			/* SMTPUTF8 supported */
	unsigned long long max_size;	/* MaxMessageSize; 0: no limit */
	long by_min;			/* DeliverByMin: R needs BY= at least that; < 0: no BY */
};

/* BODY= values. */
enum smtp_body {
	SMTP_BODY_NONE = 0,
	SMTP_BODY_7BIT,
	SMTP_BODY_8BITMIME,
};

/* RET= values. */
enum smtp_ret {
	SMTP_RET_NONE = 0,
	SMTP_RET_FULL,
	SMTP_RET_HDRS,
};

/* NOTIFY= values (a mask; 0 when not given). */
enum smtp_notify {
	SMTP_NOTIFY_NEVER = 1u << 0,
	SMTP_NOTIFY_SUCCESS = 1u << 1,
	SMTP_NOTIFY_FAILURE = 1u << 2,
	SMTP_NOTIFY_DELAY = 1u << 3,
};

/* The parameters of one MAIL command.  Strings are owned; NULL when absent. */
struct smtp_mail_params {
	bool has_size;
	unsigned long long size;	/* SIZE=, when has_size */
	enum smtp_body body;
	enum smtp_ret ret;
	char *envid;			/* ENVID= as sent (xtext; qf's Z line keeps it so) */
	char *auth;			/* AUTH= as sent (xtext or "<>") */
	bool smtputf8;
	bool has_by;
	long long by_time;		/* BY= seconds */
	char by_mode;			/* 'R' or 'N' */
	bool by_trace;			/* the T flag */
};

/* The parameters of one RCPT command. */
struct smtp_rcpt_params {
	unsigned notify;		/* enum smtp_notify */
	char *orcpt;			/* ORCPT= as sent: "addr-type;xtext" */
};

/* One keyword and value as the scanner cut them (slices of the input). */
struct smtp_param {
	struct pt_slice key;
	struct pt_slice value;
	bool has_value;			/* an "=" followed the keyword */
};

/*
 * Cuts the next parameter from *p (which advances) before end.  Returns false
 * when only blanks are left.
 */
bool smtp_param_next(const char **p, const char *end, struct smtp_param *out);

/*
 * Parses the parameters of a MAIL command (smtp_path.params) into mp (reset
 * first).  Returns true, or false with upstream's reply in err; mp is then
 * partly filled and must still be freed.
 */
bool smtp_mail_params_parse(struct pt_slice params, const struct smtp_param_opts *opts,
    struct smtp_mail_params *mp, struct smtp_reply *err);
/* Frees the strings of mp and zeroes it. */
void smtp_mail_params_free(struct smtp_mail_params *mp);

/* The same for RCPT. */
bool smtp_rcpt_params_parse(struct pt_slice params, const struct smtp_param_opts *opts,
    struct smtp_rcpt_params *rp, struct smtp_reply *err);
void smtp_rcpt_params_free(struct smtp_rcpt_params *rp);

/*
 * True if s[0..len) is xtext (RFC 3461): bytes 33..126 except "=", and "+"
 * only as "+HH" with two hex digits (either case, as upstream accepts).
 */
bool smtp_xtext_valid(const char *s, size_t len);
/*
 * Appends the decoding of the xtext s[0..len) to out.  Returns false (out
 * partly filled) if s is not valid xtext.  The result may hold any byte,
 * NUL included.
 */
bool smtp_xtext_decode(const char *s, size_t len, struct pt_buf *out);
/* Appends s[0..len) encoded as xtext ("+HH", upper case, for +, = and bytes outside 33..126). */
void smtp_xtext_encode(const char *s, size_t len, struct pt_buf *out);

#endif
