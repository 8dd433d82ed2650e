/*
 * headers: the configuration's header templates (H lines) applied to a
 * message queued from the command line: Received, Date, From, Message-Id,
 * Full-Name and whatever else the cf defines, with the macros of the
 * submission.
 *
 * Runs in the submitting process (as the user, with the smmsp group when
 * installed set-group-ID); writes nothing but the envelope it is given.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "headers.h"
#include "pt_alloc.h"
#include "pt_str.h"

void
hdr_date_macros(struct mac_table *m, const struct queue_env *own, long long ctime, const char *id)
{
	const struct queue_header *date = queue_env_header(own, "Date");
	time_t now = (time_t)ctime;
	char buf[64];
	struct tm tm;

	mac_set(m, 'i', id, 0);
	pt_str_date(now, buf);
	mac_set(m, 'b', buf, 0);
	if (date != NULL) {
		char *v = pt_strdup(date->value);

		mac_set(m, 'a', pt_str_trim(v), 0);
		free(v);
	} else
		mac_set(m, 'a', buf, 0);
	localtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y%m%d%H%M", &tm);
	mac_set(m, 't', buf, 0);
}

void
hdr_expand_template(const struct mac_table *macros, const char *name, const char *value,
    const char *sender, struct pt_buf *out)
{
	struct pt_buf tmp = PT_BUF_INIT, g = PT_BUF_INIT;
	bool late = pt_strcasecmp(name, "Return-Path") == 0;
	size_t n = sender ? strlen(sender) : 0;

	for (const char *p = value; *p; p++) {
		if (p[0] == '$' && p[1] == 'g') {
			pt_buf_adds(&tmp, "\201g");
			p++;
		} else
			pt_buf_addc(&tmp, *p);
	}
	if (late) {
		mac_expand(macros, pt_buf_str(&tmp), out);
		pt_buf_free(&tmp);
		return;
	}
	mac_expand(macros, pt_buf_str(&tmp), &g);
	if (n >= 2 && sender[0] == '<' && sender[n - 1] == '>') {
		sender++;
		n -= 2;
	}
	if (n == 0) {
		sender = "MAILER-DAEMON";
		n = strlen(sender);
	}
	for (const char *p = pt_buf_str(&g); *p; p++) {
		if (p[0] == '\201' && p[1] == 'g') {
			pt_buf_add(out, sender ? sender : "", n);
			p++;
		} else
			pt_buf_addc(out, *p);
	}
	pt_buf_free(&g);
	pt_buf_free(&tmp);
}

/* The ?flags? of a template as a string of mailer flag letters. */
static void
cond_flags(const struct cf_header *h, struct pt_buf *out)
{
	for (int ch = 1; ch < 128; ch++)
		if (h->has_mflags && cf_mflag(&h->mflags, ch))
			pt_buf_addc(out, ch);
}

/* True if template h applies to this message. */
static bool
applies(const struct cf_header *h, const struct mac_table *macros, const struct queue_env *own,
    bool resent)
{
	if (h->macro >= 0 && mac_get(macros, h->macro, NULL) == NULL)
		return false;
	if (pt_strcasecmp(h->name, "Received") != 0 && queue_env_header(own, h->name) != NULL)
		return false;
	return resent || !pt_str_iprefix(h->name, "Resent-");
}

void
hdr_add_templates(const struct cf_config *cfg, const struct mac_table *macros,
    struct queue_env *e, const struct queue_env *own, bool resent)
{
	struct pt_buf v = PT_BUF_INIT, cond = PT_BUF_INIT, val = PT_BUF_INIT;

	for (int i = 0; i < cfg->nheaders; i++) {
		const struct cf_header *h = &cfg->headers[i];
		char *text;

		if (!applies(h, macros, own, resent))
			continue;
		pt_buf_reset(&v);
		hdr_expand_template(macros, h->name, h->value, e->sender, &v);
		if (v.s == NULL || *(text = pt_str_trim(v.s)) == '\0')
			continue;
		pt_buf_reset(&cond);
		cond_flags(h, &cond);
		pt_buf_reset(&val);
		pt_buf_printf(&val, " %s", text);
		queue_env_add_header(e, pt_buf_str(&cond), h->name, val.s);
	}
	pt_buf_free(&v);
	pt_buf_free(&cond);
	pt_buf_free(&val);
}

unsigned
hdr_new_message_flags(const struct queue_env *e)
{
	static const char *const rcpt_headers[] = { "To", "Cc", "Apparently-To" };
	unsigned f = QEF_SPLIT;

	for (size_t i = 0; i < sizeof rcpt_headers / sizeof rcpt_headers[0]; i++)
		if (queue_env_header(e, rcpt_headers[i]) != NULL)
			f |= QEF_DELETE_BCC;
	return f;
}

int
hdr_class(const struct cf_config *cfg, const struct queue_env *e)
{
	int class = 0;

	for (size_t i = 0; i < e->nhdrs; i++) {
		const struct queue_header *h = &e->hdrs[i];
		char *v;

		if (pt_strcasecmp(h->name, "Precedence") != 0)
			continue;
		v = pt_strdup(h->value);
		class = 0;	/* the last one counts; a name no P line gives is 0 */
		for (int k = 0; k < cfg->nprecs; k++)
			if (pt_strcasecmp(pt_str_trim(v), cfg->precs[k].name) == 0) {
				class = cfg->precs[k].value;
				break;
			}
		free(v);
	}
	return class;
}
