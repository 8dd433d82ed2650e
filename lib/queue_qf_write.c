/*
 * queue_qf_write: an envelope as a version 8 qf file.
 *
 * Writes the records in the order upstream 8.17 writes them (see the table in
 * queue.h), so that upstream's mailq and queue runners read Petrel's files
 * and a rewritten file differs from upstream's only where the envelope does.
 * Pure formatting: no I/O, no state; a newline inside a field that is not a
 * header becomes a space, so that it cannot start a record of its own.
 */
#include "config.h"

#include <string.h>

#include "queue.h"
#include "queue_int.h"

/* F letters in upstream's order, and their bits. */
static const struct {
	char letter;
	unsigned bit;
} env_flags[] = {
	{ 'w', QEF_WARNED },
	{ 'r', QEF_RESPONSE },
	{ '8', QEF_8BIT },
	{ 'b', QEF_DELETE_BCC },
	{ 'd', QEF_RET_PARAM },
	{ 'n', QEF_NO_BODY_RETURN },
	{ 's', QEF_SPLIT },
};

/* R letters in upstream's order, and their bits. */
static const struct {
	char letter;
	unsigned bit;
} rcpt_flags[] = {
	{ 'P', QRF_PRIMARY },
	{ 'N', QRF_HAS_NOTIFY },
	{ 'S', QRF_NOTIFY_SUCCESS },
	{ 'F', QRF_NOTIFY_FAILURE },
	{ 'D', QRF_NOTIFY_DELAY },
	{ 'A', QRF_ALIAS },
};

unsigned
queue_env_flag_bit(int c)
{
	size_t i;

	for (i = 0; i < sizeof env_flags / sizeof env_flags[0]; i++)
		if (env_flags[i].letter == c)
			return env_flags[i].bit;
	return 0;
}

unsigned
queue_rcpt_flag_bit(int c)
{
	size_t i;

	for (i = 0; i < sizeof rcpt_flags / sizeof rcpt_flags[0]; i++)
		if (rcpt_flags[i].letter == c)
			return rcpt_flags[i].bit;
	return 0;
}

/* Appends s with each LF turned into a space, so that it cannot end the record. */
static void
add_field(struct pt_buf *out, const char *s)
{
	const char *nl;

	while ((nl = strchr(s, '\n')) != NULL) {
		pt_buf_add(out, s, (size_t)(nl - s));
		pt_buf_addc(out, ' ');
		s = nl + 1;
	}
	pt_buf_adds(out, s);
}

/* Appends one record "Lvalue\n" when value is not NULL. */
static void
add_rec(struct pt_buf *out, char letter, const char *value)
{
	if (value == NULL)
		return;
	pt_buf_addc(out, letter);
	add_field(out, value);
	pt_buf_addc(out, '\n');
}

/* Appends the header value: folds are kept, but every line must start blank. */
static void
add_header_value(struct pt_buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		pt_buf_addc(out, *s);
		if (*s == '\n' && s[1] != ' ' && s[1] != '\t')
			pt_buf_addc(out, '\t');
	}
}

/* One $ record. */
static void
format_macro(const struct queue_macro *m, struct pt_buf *out)
{
	pt_buf_addc(out, '$');
	add_field(out, m->name);
	add_field(out, m->value);
	pt_buf_addc(out, '\n');
}

/* The envelope part before the recipients: V T K N P I d B M F $ q S Z A !. */
static void
format_head(const struct queue_env *e, struct pt_buf *out)
{
	size_t i;

	pt_buf_printf(out, "V%d\nT%lld\nK%lld\nN%ld\nP%ld\n", QUEUE_QF_VERSION, e->ctime,
	    e->last_attempt, e->attempts, e->priority);
	if (e->has_dfino)
		pt_buf_printf(out, "I%lu/%lu/%llu\n", e->df_major, e->df_minor, e->df_ino);
	add_rec(out, 'd', e->dfdir);
	add_rec(out, 'B', e->bodytype);
	if (e->message != NULL && e->message[0] != '\0')
		add_rec(out, 'M', e->message);
	if (e->flags != 0 || (e->flags_other != NULL && e->flags_other[0] != '\0')) {
		pt_buf_addc(out, 'F');
		for (i = 0; i < sizeof env_flags / sizeof env_flags[0]; i++)
			if (e->flags & env_flags[i].bit)
				pt_buf_addc(out, env_flags[i].letter);
		if (e->flags_other != NULL)
			add_field(out, e->flags_other);
		pt_buf_addc(out, '\n');
	}
	/* upstream's order: one-letter names by their byte, then the {long} ones */
	for (int c = 1; c < 256; c++)
		for (i = 0; i < e->nmacros; i++)
			if ((unsigned char)e->macros[i].name[0] == c && e->macros[i].name[1] == '\0')
				format_macro(&e->macros[i], out);
	for (i = 0; i < e->nmacros; i++)
		if (e->macros[i].name[0] != '\0' && e->macros[i].name[1] != '\0')
			format_macro(&e->macros[i], out);
	add_rec(out, 'q', e->quarantine);
	add_rec(out, 'S', e->sender != NULL ? e->sender : "");
	add_rec(out, 'Z', e->envid);
	add_rec(out, 'A', e->auth);
	if (e->has_deliverby)
		pt_buf_printf(out, "!%c %ld\n",
		    e->deliverby_flags != 0 && e->deliverby_flags != '\n' ? e->deliverby_flags : ' ',
		    e->deliverby);
}

/* Appends a C record for ctl (NULL: none). */
static void
format_ctl(const struct queue_ctl *c, struct pt_buf *out)
{
	pt_buf_addc(out, 'C');
	if (c != NULL && c->user != NULL) {
		add_field(out, c->user);
		pt_buf_printf(out, ":%ld:%ld:", c->uid, c->gid);
		if (c->alias != NULL)
			add_field(out, c->alias);
	} else if (c != NULL && c->alias != NULL) {
		pt_buf_addc(out, ':');
		add_field(out, c->alias);
	}
	pt_buf_addc(out, '\n');
}

/* True if two strings, either NULL, are the same. */
static bool
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* True if controlling addresses a and b (indexes into e->ctls, or -1) would write the same C record. */
static bool
same_ctl(const struct queue_env *e, int a, int b)
{
	const struct queue_ctl *x, *y;

	if (a < 0 || b < 0)
		return a < 0 && b < 0;
	x = &e->ctls[a];
	y = &e->ctls[b];
	return same_str(x->user, y->user) && same_str(x->alias, y->alias) &&
	    (x->user == NULL || (x->uid == y->uid && x->gid == y->gid));
}

/*
 * Appends the records of one recipient in upstream's order: M, C (when it
 * differs from the one in force: a bare "C" ends one), Q, r, R.
 */
static void
format_rcpt(const struct queue_env *e, const struct queue_rcpt *r, int *ctl,
    struct pt_buf *out)
{
	size_t i;
	int c = (r->ctl >= 0 && (size_t)r->ctl < e->nctls) ? r->ctl : -1;

	if (r->message != NULL && r->message[0] != '\0')
		add_rec(out, 'M', r->message);
	if (!same_ctl(e, c, *ctl)) {
		format_ctl(c >= 0 ? &e->ctls[c] : NULL, out);
		*ctl = c;
	}
	add_rec(out, 'Q', r->orcpt);
	add_rec(out, 'r', r->final_rcpt);
	pt_buf_addc(out, 'R');
	for (i = 0; i < sizeof rcpt_flags / sizeof rcpt_flags[0]; i++)
		if (r->flags & rcpt_flags[i].bit)
			pt_buf_addc(out, rcpt_flags[i].letter);
	if (r->flags_other != NULL)
		add_field(out, r->flags_other);
	pt_buf_addc(out, ':');
	add_field(out, r->addr != NULL ? r->addr : "");
	pt_buf_addc(out, '\n');
}

/* One H record, without its final newline. */
static void
format_header(const struct queue_header *h, struct pt_buf *out)
{
	pt_buf_addc(out, 'H');
	if (h->cond != NULL) {
		pt_buf_addc(out, '?');
		add_field(out, h->cond);
		pt_buf_addc(out, '?');
	}
	add_field(out, h->name);
	pt_buf_addc(out, ':');
	add_header_value(out, h->value);
}

void
queue_qf_format(const struct queue_env *e, struct pt_buf *out)
{
	size_t i;
	int ctl = -1;

	format_head(e, out);
	for (i = 0; i < e->nrcpts; i++) {
		const struct queue_rcpt *r = &e->rcpts[i];

		if (r->state == QRS_PENDING || r->state == QRS_DEFERRED)
			format_rcpt(e, r, &ctl, out);
	}
	for (i = 0; i < e->nhdrs; i++) {
		format_header(&e->hdrs[i], out);
		pt_buf_addc(out, '\n');
	}
	pt_buf_add(out, ".\n", 2);
}

long
queue_qf_header_bytes(const struct queue_env *e)
{
	struct pt_buf rec = PT_BUF_INIT;
	long n = 0;

	for (size_t i = 0; i < e->nhdrs; i++) {
		pt_buf_reset(&rec);
		format_header(&e->hdrs[i], &rec);
		n += (long)rec.len - 3;
	}
	pt_buf_free(&rec);
	return n;
}
