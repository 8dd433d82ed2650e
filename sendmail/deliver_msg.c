/*
 * deliver_msg: the message as one mailer receives it: a UNIX From line when
 * the mailer wants one, the headers (those whose ?flags? the mailer has,
 * Bcc removed, $g filled in, addresses rewritten by the mailer's header
 * rulesets), the body with the mailer's line end, "From " lines escaped for
 * F=E.
 *
 * Runs in the delivery process.  Reads the df; writes nothing but out.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr_header.h"
#include "deliver.h"
#include "pt_alloc.h"
#include "pt_str.h"

/* True if the envelope sender of this delivery is the null sender. */
static bool
null_sender(const struct dlv *d)
{
	const char *s = d->sender ? d->sender : d->e->sender ? d->e->sender : "<>";

	return strcmp(s, "<>") == 0 || *s == '\0';
}

void
dlv_sender(struct dlv *d, const struct cf_mailer *m, struct pt_buf *out)
{
	const char *s = d->sender ? d->sender : d->e->sender;

	if (null_sender(d))	/* upstream's stand-in: $n, MAILER-DAEMON */
		s = mac_get(d->cfg->macros, 'n', NULL) ? mac_get(d->cfg->macros, 'n', NULL) :
		    "MAILER-DAEMON";
	rw_remotename(&d->rw, s, m, RW_SENDER | RW_CANONICAL, out);
	pt_arena_reset(d->rw.arena);
}

void
dlv_envelope_sender(struct dlv *d, const struct cf_mailer *m, struct pt_buf *out)
{
	if (!null_sender(d))
		dlv_sender(d, m, out);
}

/* The header names whose values are sender or recipient addresses. */
static int
address_header(const char *name)
{
	static const char *const senders[] = { "From", "Sender", "Reply-To", "Resent-From",
		"Resent-Sender", "Resent-Reply-To", "Errors-To", NULL };
	static const char *const rcpts[] = { "To", "Cc", "Resent-To", "Resent-Cc",
		"Apparently-To", NULL };

	for (int i = 0; senders[i]; i++)
		if (pt_strcasecmp(name, senders[i]) == 0)
			return RW_SENDER | RW_HEADER;
	for (int i = 0; rcpts[i]; i++)
		if (pt_strcasecmp(name, rcpts[i]) == 0)
			return RW_HEADER;
	return -1;
}

/* Rewrites each address of a header value for mailer m ("commaize"). */
static void
rewrite_addresses(struct dlv *d, const struct cf_mailer *m, const char *value, int flags,
    struct pt_buf *out)
{
	char *copy = pt_strdup(value), *p = copy, *start = copy;
	bool quoted = false, first = true;
	int angle = 0, paren = 0;

	for (;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '"' && paren == 0)
			quoted = !quoted;
		else if (!quoted && *p == '(')
			paren++;
		else if (!quoted && *p == ')' && paren > 0)
			paren--;
		else if (!quoted && paren == 0 && *p == '<')
			angle++;
		else if (!quoted && paren == 0 && *p == '>' && angle > 0)
			angle--;
		else if (*p == '\0' || (*p == ',' && !quoted && angle == 0 && paren == 0)) {
			char end = *p, *a;

			*p = '\0';
			a = pt_str_trim(start);
			if (*a != '\0') {
				pt_buf_adds(out, first ? " " : ", ");
				rw_remotename(&d->rw, a, m, (unsigned)flags, out);
				pt_arena_reset(d->rw.arena);
				first = false;
			}
			if (end == '\0')
				break;
			start = p + 1;
		}
	}
	free(copy);
}

/* Appends text to out with each LF turned into the mailer's line end. */
static void
add_eol(struct pt_buf *out, const char *p, size_t n, const char *eol)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			pt_buf_adds(out, eol);
		else
			pt_buf_addc(out, p[i]);
	}
}

/* True if the mailer has one of the flags of a header's ?cond?. */
static bool
wants_header(const struct cf_mailer *m, const char *cond)
{
	if (cond == NULL || *cond == '\0' || cond[0] == '$')
		return true;
	for (; *cond; cond++)
		if (cf_mflag(&m->flags, (unsigned char)*cond))
			return true;
	return false;
}

/* Appends the headers for mailer m. */
static void
headers(struct dlv *d, const struct cf_mailer *m, const char *g, const char *eol,
    struct pt_buf *out)
{
	struct pt_buf v = PT_BUF_INIT;

	for (size_t i = 0; i < d->e->nhdrs; i++) {
		const struct queue_header *h = &d->e->hdrs[i];
		int kind;
		bool bcc;

		if (!wants_header(m, h->cond))
			continue;
		bcc = pt_strcasecmp(h->name, "Bcc") == 0 || pt_strcasecmp(h->name, "Resent-Bcc") == 0;
		if (bcc && (d->e->flags & QEF_DELETE_BCC))
			continue;
		if (bcc) {	/* no To, Cc or Apparently-To: upstream keeps the field, empty */
			pt_buf_printf(out, "%s:%s", h->name, eol);
			continue;
		}
		pt_buf_reset(&v);
		kind = address_header(h->name);
		if (kind >= 0 && strchr(h->value, '\201') == NULL)
			rewrite_addresses(d, m, h->value, kind, &v);
		else
			for (const char *p = h->value; *p; p++) {
				if (p[0] == '\201' && p[1] == 'g') {
					pt_buf_adds(&v, g);
					p++;
				} else
					pt_buf_addc(&v, *p);
			}
		pt_buf_printf(out, "%s:", h->name);
		add_eol(out, pt_buf_str(&v), v.len, eol);
		pt_buf_adds(out, eol);
	}
	pt_buf_free(&v);
}

/* Appends the body from the df: line ends converted, From escaped for F=E. */
static int
body(struct dlv *d, const struct cf_mailer *m, const char *eol, struct pt_buf *out)
{
	int fd = queue_msg_df(d->m);
	struct pt_buf all = PT_BUF_INIT;
	char chunk[65536];
	ssize_t n;
	bool escape = cf_mflag(&m->flags, 'E');

	if (fd < 0)
		return -1;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		pt_buf_add(&all, chunk, (size_t)n);
	if (n < 0) {
		pt_buf_free(&all);
		return -1;
	}
	for (size_t i = 0; i < all.len;) {	/* a line at a time */
		const char *line = all.s + i, *nl = memchr(line, '\n', all.len - i);
		size_t k = nl != NULL ? (size_t)(nl - line) : all.len - i;

		if (escape && k >= 5 && memcmp(line, "From ", 5) == 0)
			pt_buf_addc(out, '>');
		pt_buf_add(out, line, k);
		pt_buf_adds(out, eol);	/* also after a last line without one */
		i += k + (nl != NULL);
	}
	pt_buf_free(&all);
	return 0;
}

int
dlv_message(struct dlv *d, const struct cf_mailer *m, bool from_line, struct pt_buf *out)
{
	return dlv_message_eol(d, m, from_line, m->eol, out);
}

int
dlv_message_eol(struct dlv *d, const struct cf_mailer *m, bool from_line, const char *eol,
    struct pt_buf *out)
{
	struct pt_buf g = PT_BUF_INIT;
	int rc;

	dlv_sender(d, m, &g);
	if (from_line) {
		char date[64];
		time_t t = (time_t)d->e->ctime;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
		pt_buf_printf(out, "From %s  %s", g.s, date);
		pt_buf_adds(out, eol);
	}
	headers(d, m, pt_buf_str(&g), eol, out);
	pt_buf_adds(out, eol);
	rc = body(d, m, eol, out);
	pt_buf_free(&g);
	return rc;
}
