/*
 * smtp_param: scanning and checking the ESMTP parameters of MAIL and RCPT
 * (SIZE, BODY, ENVID, RET, AUTH, BY, SMTPUTF8; NOTIFY, ORCPT), and xtext.
 *
 * Owns the strings it copies into the parameter structs.  Pure functions
 * over bytes from the network: no I/O, no logging, no exits.  Each keyword
 * is one row of a table with its handler; the replies are upstream's (see
 * smtp_param.h).  Runs in the SMTP server process.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "smtp_param.h"

/* True for a byte that may be part of a keyword. */
static bool
is_keychar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* True for a byte that ends a value (blank, control character or '='). */
static bool
ends_value(unsigned char c)
{
	return c == ' ' || c < 0x20 || c == 0x7f || c == '=';
}

bool
smtp_param_next(const char **pp, const char *end, struct smtp_param *out)
{
	const char *p = *pp;

	memset(out, 0, sizeof *out);
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' ||
	    *p == '\f'))
		p++;
	if (p >= end) {
		*pp = p;
		return false;
	}
	out->key.p = p;
	while (p < end && is_keychar((unsigned char)*p))
		p++;
	out->key.len = (size_t)(p - out->key.p);
	if (p < end && *p == '=') {
		p++;
		out->has_value = true;
		out->value.p = p;
		while (p < end && !ends_value((unsigned char)*p))
			p++;
		out->value.len = (size_t)(p - out->value.p);
	} else
		out->value.p = p;
	if (p < end)
		p++;	/* the separator, whatever it is */
	*pp = p;
	return true;
}

/* The hex value of c, or -1. */
static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
smtp_xtext_decode(const char *s, size_t len, struct pt_buf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+') {
			if (i + 2 >= len)
				return false;
			if (hexval((unsigned char)s[i + 1]) < 0 || hexval((unsigned char)s[i + 2]) < 0)
				return false;
			pt_buf_addc(out, hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 2;
		} else if (c < 33 || c > 126 || c == '=')
			return false;
		else
			pt_buf_addc(out, c);
	}
	return true;
}

bool
smtp_xtext_valid(const char *s, size_t len)
{
	struct pt_buf b = PT_BUF_INIT;
	bool ok = smtp_xtext_decode(s, len, &b);

	pt_buf_free(&b);
	return ok;
}

void
smtp_xtext_encode(const char *s, size_t len, struct pt_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 33 || c > 126 || c == '+' || c == '=') {
			pt_buf_addc(out, '+');
			pt_buf_addc(out, hex[c >> 4]);
			pt_buf_addc(out, hex[c & 15]);
		} else
			pt_buf_addc(out, c);
	}
}

/* What a parameter handler gets. */
struct param_ctx {
	const struct smtp_param *p;
	const struct smtp_param_opts *opts;
	struct smtp_mail_params *mp;
	struct smtp_rcpt_params *rp;
	struct smtp_reply *err;
	const char *name;	/* the table's name of the keyword */
};

/* A row of a parameter table. */
struct param_row {
	const char *name;
	bool dsn;		/* needs DSN to be offered */
	bool (*fn)(struct param_ctx *c);
};

/* Copies a value slice into a new string. */
static char *
value_dup(const struct smtp_param *p)
{
	return pt_strndup(p->value.p, p->value.len);
}

/* Sets err to "501 5.5.0 Duplicate KEY parameter". */
static bool
duplicate(struct param_ctx *c)
{
	smtp_reply_set(c->err, 501, "5.5.0", "Duplicate %s parameter", c->name);
	return false;
}

/* Sets err to "501 5.5.4 Syntax error in KEY parameter value". */
static bool
bad_xtext(struct param_ctx *c)
{
	smtp_reply_set(c->err, 501, "5.5.4", "Syntax error in %s parameter value", c->name);
	return false;
}

/* Parses a leading decimal number as strtoll would; *overflow on range error. */
static long long
leading_number(const char *s, size_t len, size_t *used, bool *overflow)
{
	char buf[64];
	char *end;
	long long v;

	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	*overflow = errno == ERANGE;
	*used = (size_t)(end - buf);
	return v;
}

/* SIZE=n: the declared size, checked against MaxMessageSize. */
static bool
param_size(struct param_ctx *c)
{
	size_t used;
	bool overflow;
	long long v = leading_number(c->p->value.p, c->p->value.len, &used, &overflow);

	if (overflow && v > 0) {
		smtp_reply_set(c->err, 552, "5.2.3", "Message size exceeds maximum value");
		return false;
	}
	if (v < 0) {
		smtp_reply_set(c->err, 552, "5.2.3", "Message size invalid");
		return false;
	}
	if (c->opts->max_size > 0 && (unsigned long long)v > c->opts->max_size) {
		smtp_reply_set(c->err, 552, "5.2.3",
		    "Message size exceeds fixed maximum message size (%llu)", c->opts->max_size);
		return false;
	}
	c->mp->has_size = true;
	c->mp->size = (unsigned long long)v;
	return true;
}

/* BODY=7BIT or 8BITMIME. */
static bool
param_body(struct param_ctx *c)
{
	if (pt_slice_ieq(c->p->value, "7BIT"))
		c->mp->body = SMTP_BODY_7BIT;
	else if (pt_slice_ieq(c->p->value, "8BITMIME"))
		c->mp->body = SMTP_BODY_8BITMIME;
	else {
		struct pt_buf b = PT_BUF_INIT;

		smtp_echo_clean(&b, c->p->value.p, c->p->value.len);
		smtp_reply_set(c->err, 501, "5.5.4", "Unknown BODY type %s", pt_buf_str(&b));
		pt_buf_free(&b);
		return false;
	}
	return true;
}

/* ENVID=xtext. */
static bool
param_envid(struct param_ctx *c)
{
	if (c->mp->envid != NULL)
		return duplicate(c);
	if (!smtp_xtext_valid(c->p->value.p, c->p->value.len))
		return bad_xtext(c);
	c->mp->envid = value_dup(c->p);
	return true;
}

/* RET=FULL or HDRS. */
static bool
param_ret(struct param_ctx *c)
{
	if (c->mp->ret != SMTP_RET_NONE)
		return duplicate(c);
	if (pt_slice_ieq(c->p->value, "FULL"))
		c->mp->ret = SMTP_RET_FULL;
	else if (pt_slice_ieq(c->p->value, "HDRS"))
		c->mp->ret = SMTP_RET_HDRS;
	else {
		struct pt_buf b = PT_BUF_INIT;

		smtp_echo_clean(&b, c->p->value.p, c->p->value.len);
		smtp_reply_set(c->err, 501, "5.5.2", "Bad argument \"%s\" to RET", pt_buf_str(&b));
		pt_buf_free(&b);
		return false;
	}
	return true;
}

/* AUTH=xtext or <>. */
static bool
param_auth(struct param_ctx *c)
{
	if (c->mp->auth != NULL)
		return duplicate(c);
	if (!smtp_xtext_valid(c->p->value.p, c->p->value.len))
		return bad_xtext(c);
	c->mp->auth = value_dup(c->p);
	return true;
}

/* SMTPUTF8 (no value). */
static bool
param_smtputf8(struct param_ctx *c)
{
	c->mp->smtputf8 = true;
	return true;
}

/* The largest BY= time, either way, as upstream's. */
#define SMTP_BY_MAX 999999999LL

/* BY=seconds;mode[trace]. */
static bool
param_by(struct param_ctx *c)
{
	const char *v = c->p->value.p;
	size_t len = c->p->value.len, used;
	bool overflow;
	long long t = leading_number(v, len, &used, &overflow);
	char mode, trace;

	if (used >= len || v[used] != ';') {
		smtp_reply_set(c->err, 501, "5.5.2", "BY= missing ';'");
		return false;
	}
	if (overflow || t > SMTP_BY_MAX || t < -SMTP_BY_MAX) {
		struct pt_buf b = PT_BUF_INIT;

		smtp_echo_clean(&b, v, len);
		smtp_reply_set(c->err, 501, "5.5.2", "BY=%s out of range", pt_buf_str(&b));
		pt_buf_free(&b);
		return false;
	}
	mode = used + 1 < len ? (char)pt_toupper((unsigned char)v[used + 1]) : '?';
	trace = used + 2 < len ? (char)pt_toupper((unsigned char)v[used + 2]) : '\0';
	if (mode != 'R' && mode != 'N') {
		smtp_reply_set(c->err, 501, "5.5.2", "illegal by-mode '%c'", mode < 0x20 ? '?' : mode);
		return false;
	}
	if (mode == 'R' && t <= 0) {
		smtp_reply_set(c->err, 501, "5.5.4", "mode R requires BY time > 0");
		return false;
	}
	if (mode == 'R' && c->opts->by_min > 0 && t < c->opts->by_min) {
		smtp_reply_set(c->err, 555, "5.5.2", "time %lld less than %ld", t, c->opts->by_min);
		return false;
	}
	if (trace != '\0' && trace != 'T') {
		smtp_reply_set(c->err, 501, "5.5.2", "illegal by-trace '%c'", trace < 0x20 ? '?' : trace);
		return false;
	}
	c->mp->has_by = true;
	c->mp->by_time = t;
	c->mp->by_mode = mode;
	c->mp->by_trace = trace == 'T';
	return true;
}

/* The words of NOTIFY=. */
static const struct {
	const char *name;
	unsigned bit;
} notify_words[] = {
	{ "NEVER", SMTP_NOTIFY_NEVER },
	{ "SUCCESS", SMTP_NOTIFY_SUCCESS },
	{ "FAILURE", SMTP_NOTIFY_FAILURE },
	{ "DELAY", SMTP_NOTIFY_DELAY },
};

/* Sets err to upstream's reply for a bad NOTIFY item. */
static bool
bad_notify(struct param_ctx *c, const char *p, size_t len)
{
	struct pt_buf b = PT_BUF_INIT;

	smtp_echo_clean(&b, p, len);
	smtp_reply_set(c->err, 501, "5.5.4", "Bad argument \"%s\"  to NOTIFY", pt_buf_str(&b));
	pt_buf_free(&b);
	return false;
}

/* NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY. */
static bool
param_notify(struct param_ctx *c)
{
	const char *p = c->p->value.p, *end = p + c->p->value.len, *comma;
	unsigned mask = 0, bit;
	size_t i, n, items = 0;

	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		n = comma != NULL ? (size_t)(comma - p) : (size_t)(end - p);
		bit = 0;
		for (i = 0; i < sizeof notify_words / sizeof notify_words[0]; i++)
			if (strlen(notify_words[i].name) == n &&
			    pt_strncasecmp(p, notify_words[i].name, n) == 0)
				bit = notify_words[i].bit;
		items++;
		if (bit == 0)
			return bad_notify(c, p, n);
		mask |= bit;
		if ((mask & SMTP_NOTIFY_NEVER) && items > 1)
			return bad_notify(c, "NEVER", 5);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	c->rp->notify = mask;
	return true;
}

/* ORCPT=addr-type;xtext. */
static bool
param_orcpt(struct param_ctx *c)
{
	const char *v = c->p->value.p, *semi;
	size_t len = c->p->value.len, i;

	if (c->rp->orcpt != NULL)
		return duplicate(c);
	semi = memchr(v, ';', len);
	if (semi == NULL || semi == v)
		return bad_xtext(c);
	for (i = 0; v + i < semi; i++)
		if ((unsigned char)v[i] < 33 || (unsigned char)v[i] > 126)
			return bad_xtext(c);
	if (!smtp_xtext_valid(semi + 1, len - (size_t)(semi + 1 - v)))
		return bad_xtext(c);
	c->rp->orcpt = value_dup(c->p);
	return true;
}

/* The parameters of MAIL, then of RCPT. */
static const struct param_row mail_rows[] = {
	{ "SIZE", false, param_size },
	{ "BODY", false, param_body },
	{ "ENVID", true, param_envid },
	{ "RET", true, param_ret },
	{ "AUTH", false, param_auth },
	{ "BY", false, param_by },
	{ "SMTPUTF8", false, param_smtputf8 },
	{ NULL, false, NULL },
};

static const struct param_row rcpt_rows[] = {
	{ "NOTIFY", true, param_notify },
	{ "ORCPT", true, param_orcpt },
	{ NULL, false, NULL },
};

/* Finds a keyword's row, or NULL; SMTPUTF8 only when opts allow it. */
static const struct param_row *
find_row(const struct param_row *rows, const struct smtp_param *p,
    const struct smtp_param_opts *opts)
{
	for (; rows->name != NULL; rows++) {
		if (!pt_slice_ieq(p->key, rows->name))
			continue;
		if (rows->fn == param_smtputf8 && !opts->smtputf8)
			return NULL;
		if (rows->fn == param_by && opts->by_min < 0)
			return NULL;	/* DELIVERBY is not offered */
		return rows;
	}
	return NULL;
}

/* Runs every parameter of params through the table rows. */
static bool
parse_all(struct pt_slice params, const struct param_row *rows, struct param_ctx *c)
{
	const char *p = params.p, *end = params.p + params.len;
	const struct param_row *row;
	struct smtp_param prm;
	struct pt_buf b = PT_BUF_INIT;

	while (smtp_param_next(&p, end, &prm)) {
		c->p = &prm;
		row = find_row(rows, &prm, c->opts);
		if (row == NULL) {
			smtp_echo_clean(&b, prm.key.p, prm.key.len);
			smtp_reply_set(c->err, 555, "5.5.4", "%s parameter unrecognized",
			    pt_buf_str(&b));
			pt_buf_free(&b);
			return false;
		}
		c->name = row->name;
		if (row->dsn && !c->opts->dsn) {
			smtp_reply_set(c->err, 504, "5.7.0",
			    "Sorry, %s not supported, we do not allow DSN", row->name);
			return false;
		}
		if (!prm.has_value && row->fn != param_smtputf8) {
			smtp_reply_set(c->err, 501, "5.5.2", "%s requires a value",
			    row->fn == param_auth ? "AUTH=" :
			    row->fn == param_by ? "BY=" : row->name);
			return false;
		}
		if (!row->fn(c))
			return false;
	}
	return true;
}

bool
smtp_mail_params_parse(struct pt_slice params, const struct smtp_param_opts *opts,
    struct smtp_mail_params *mp, struct smtp_reply *err)
{
	struct param_ctx c = { NULL, opts, mp, NULL, err, NULL };

	memset(mp, 0, sizeof *mp);
	return parse_all(params, mail_rows, &c);
}

void
smtp_mail_params_free(struct smtp_mail_params *mp)
{
	free(mp->envid);
	free(mp->auth);
	memset(mp, 0, sizeof *mp);
}

bool
smtp_rcpt_params_parse(struct pt_slice params, const struct smtp_param_opts *opts,
    struct smtp_rcpt_params *rp, struct smtp_reply *err)
{
	struct param_ctx c = { NULL, opts, NULL, rp, err, NULL };

	memset(rp, 0, sizeof *rp);
	return parse_all(params, rcpt_rows, &c);
}

void
smtp_rcpt_params_free(struct smtp_rcpt_params *rp)
{
	free(rp->orcpt);
	memset(rp, 0, sizeof *rp);
}
