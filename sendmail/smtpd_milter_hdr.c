/*
 * smtpd_milter_hdr: a message's header as mail filters see and change it.
 *
 * Upstream keeps one list in which every H line of the configuration holds
 * a place, in the order of the H lines, whether or not it produced a header
 * for this message (a template the message supplied itself, or one whose
 * condition failed, is an empty place), followed by the message's own
 * headers.  Filters are sent only the message's headers and those filters
 * added; the indexes of their changes count places in that list, and
 * upstream's results follow from it (found by running upstream 8.17):
 *
 * | change               | where                                          |
 * |----------------------|------------------------------------------------|
 * | add header           | at the end                                     |
 * | insert at index N    | after place N (0: after the first H line's)    |
 * | change Name, index N | the Nth of the message's Name headers (deleted |
 * |                      | ones keep their place); else the template      |
 * |                      | place of Name (not Received or Return-Path);   |
 * |                      | else a new header before the first Name, or at |
 * |                      | the end                                        |
 * | change to empty      | deletes (the place stays for later indexes)    |
 *
 * Runs in the session process; pure data, no I/O but log lines.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"
#include "smtpd_milter_int.h"

/* Appends a place (strings copied; value may be NULL). */
static struct smtpd_hdr *
push(struct smtpd_hdrs *h, size_t at, const char *name, const char *value, const char *cond,
    bool tmpl)
{
	struct smtpd_hdr *x;

	if (at > h->n)
		at = h->n;
	h->v = pt_reallocarray(h->v, h->n + 1, sizeof *h->v);
	memmove(h->v + at + 1, h->v + at, (h->n - at) * sizeof *h->v);
	h->n++;
	x = &h->v[at];
	x->name = pt_strdup(name);
	x->value = value != NULL ? pt_strdup(value) : NULL;
	x->cond = pt_strdup(cond != NULL ? cond : "");
	x->tmpl = tmpl;
	return x;
}

/* The mailer-flag letters of a configuration header, as a qf condition. */
static void
template_cond(const struct cf_header *ch, char *out, size_t len)
{
	size_t n = 0;

	for (int c = 1; c < 128 && n + 1 < len; c++)
		if (ch->has_mflags && cf_mflag(&ch->mflags, c))
			out[n++] = (char)c;
	out[n] = '\0';
}

void
smtpd_hdrs_load(struct smtpd_hdrs *h, const struct cf_config *cfg, const struct queue_env *e,
    size_t ntempl)
{
	size_t p = 0;
	char cond[130];

	memset(h, 0, sizeof *h);
	if (ntempl > e->nhdrs)
		ntempl = e->nhdrs;
	for (int i = 0; i < cfg->nheaders; i++) {
		const struct cf_header *ch = &cfg->headers[i];

		if (p < ntempl && pt_strcasecmp(e->hdrs[p].name, ch->name) == 0) {
			push(h, h->n, ch->name, e->hdrs[p].value, e->hdrs[p].cond, true);
			p++;
		} else {
			template_cond(ch, cond, sizeof cond);
			push(h, h->n, ch->name, NULL, cond, true);
		}
	}
	for (; p < ntempl; p++)		/* a template that matched no H line in order */
		push(h, h->n, e->hdrs[p].name, e->hdrs[p].value, e->hdrs[p].cond, true);
	for (; p < e->nhdrs; p++)
		push(h, h->n, e->hdrs[p].name, e->hdrs[p].value, e->hdrs[p].cond, false);
}

void
smtpd_hdrs_store(const struct smtpd_hdrs *h, struct queue_env *e)
{
	e->nhdrs = 0;
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].value != NULL)
			queue_env_add_header(e, h->v[i].cond, h->v[i].name, h->v[i].value);
}

void
smtpd_hdrs_free(struct smtpd_hdrs *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		free(h->v[i].value);
		free(h->v[i].cond);
	}
	free(h->v);
	memset(h, 0, sizeof *h);
}

/* True if name can be a header's name: printable, no blank, no colon. */
static bool
good_name(const char *name)
{
	if (*name == '\0' || strlen(name) > 256)
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p <= ' ' || *p >= 127 || *p == ':')
			return false;
	return true;
}

/*
 * The value as the queue keeps it: a blank after the colon unless the filter
 * keeps its own (HDR_LEADSPC), no CR, and every line break followed by a blank.
 */
static char *
stored_value(const char *v, bool leadspc)
{
	struct pt_buf b = PT_BUF_INIT;

	if (!leadspc)
		pt_buf_addc(&b, ' ');
	for (; *v; v++) {
		if (*v == '\r')
			continue;
		pt_buf_addc(&b, *v);
		if (*v == '\n' && v[1] != ' ' && v[1] != '\t')
			pt_buf_addc(&b, '\t');
	}
	pt_buf_adds(&b, "");
	return pt_buf_steal(&b);
}

/* Applies a change (m) of header name/index: upstream's order of candidates. */
static void
change(struct smtpd *s, struct smtpd_hdrs *h, const char *filter, const struct milter_mod *m,
    const char *value)
{
	long target = -1, fallback = -1, first = -1;
	uint32_t count = 0;
	bool trace = pt_strcasecmp(m->name, "Received") == 0 ||
	    pt_strcasecmp(m->name, "Return-Path") == 0;
	bool del = m->value[0] == '\0';
	bool logs = smtpd_milter_logs(s, MLOG_REFUSALS);

	for (size_t i = 0; i < h->n && target < 0; i++) {
		if (pt_strcasecmp(h->v[i].name, m->name) != 0)
			continue;
		if (first < 0)
			first = (long)i;
		if (h->v[i].tmpl) {
			if (!trace && fallback < 0)
				fallback = (long)i;
		} else if (++count == m->index)
			target = (long)i;
	}
	if (target < 0 && fallback >= 0) {
		struct smtpd_hdr *x = &h->v[fallback];

		if (logs)
			pt_log(LOG_INFO, "Milter (%s) change: header (default header) %s: from %s to %s",
			    filter, x->name, x->value ? x->value : "<NULL>", del ? "<NULL>" : m->value);
		free(x->value);
		x->value = del ? NULL : pt_strdup(value);
	} else if (target >= 0) {
		struct smtpd_hdr *x = &h->v[target];

		if (logs && del)
			pt_log(LOG_INFO, "Milter (%s) delete: header %s:%s", filter, x->name,
			    x->value ? x->value : "");
		else if (logs)
			pt_log(LOG_INFO, "Milter (%s) change: header %s: from %s to %s", filter, x->name,
			    x->value ? x->value : "<NULL>", m->value);
		free(x->value);
		x->value = del ? NULL : pt_strdup(value);
	} else if (del) {
		if (logs)
			pt_log(LOG_INFO, "Milter (%s) delete (noop): header: %s", filter, m->name);
	} else {
		if (logs)
			pt_log(LOG_INFO, "Milter (%s) change (add): header: %s: %s", filter, m->name,
			    m->value);
		push(h, first >= 0 ? (size_t)first : h->n, m->name, value, "", false);
	}
}

void
smtpd_hdrs_apply(struct smtpd *s, struct smtpd_hdrs *h, const char *filter,
    const struct milter_mod *m, bool leadspc)
{
	bool logs = smtpd_milter_logs(s, MLOG_REFUSALS);
	char *value;

	if (m->name == NULL || !good_name(m->name)) {
		pt_log(LOG_NOTICE, "Milter (%s): bad header name \"%s\" ignored", filter,
		    m->name ? m->name : "");
		return;
	}
	value = stored_value(m->value, leadspc);
	switch (m->kind) {
	case MILTER_MOD_ADDHEADER:
		if (logs)
			pt_log(LOG_INFO, "Milter (%s) add: header: %s: %s", filter, m->name, m->value);
		push(h, h->n, m->name, value, "", false);
		break;
	case MILTER_MOD_INSHEADER:
		if (logs)
			pt_log(LOG_INFO, "Milter (%s) insert (%u): header: %s: %s", filter,
			    (unsigned)m->index, m->name, m->value);
		push(h, (size_t)m->index + 1, m->name, value, "", false);
		break;
	case MILTER_MOD_CHGHEADER:
		change(s, h, filter, m, value);
		break;
	default:
		break;
	}
	free(value);
}
