/*
 * alias_parse: the one parser of alias files (aliases(5)).
 *
 * Owns the syntax: entries, continuation lines, comments, blank lines,
 * names and values, and the limits on them.  Pure: it reads a buffer and
 * reports through callbacks, so the builder, the stab class and the fuzz
 * target share it.  Never fails and never stops early.
 */
#include "config.h"

#include <string.h>

#include "alias.h"
#include "pt_buf.h"
#include "pt_str.h"

/* The parser's state across physical lines. */
struct parser {
	const struct alias_parse_opts *o;
	const struct alias_sink *sink;
	struct pt_buf entry;		/* the entry being gathered */
	unsigned long entry_line;	/* its first line, 0 when none */
	bool too_long;			/* it went over ALIAS_ENTRY_MAX */
	bool has_nul;			/* it holds a NUL byte */
	bool skipping;			/* drop blank-led lines quietly */
};

/* Reports an error. */
static void
report(const struct parser *p, unsigned long line, const char *msg)
{
	if (p->sink->error != NULL)
		p->sink->error(p->sink->ctx, line, msg);
}

/* The index of the first ':' outside double quotes, or len. */
static size_t
find_colon(const char *s, size_t len)
{
	bool quoted = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == ':' && !quoted)
			return i;
	}
	return len;
}

/* Makes the key of a name: folded, blanks outside quotes replaced by BlankSub. */
static void
normalize_lhs(const struct parser *p, const char *s, size_t len, struct pt_buf *lhs)
{
	char sub = p->o->blanksub != '\0' ? p->o->blanksub : '.';
	bool quoted = false, blank = false;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '"')
			quoted = !quoted;
		if (!quoted && (c == ' ' || c == '\t')) {
			blank = true;
			continue;
		}
		if (blank && lhs->len > 0)
			pt_buf_addc(lhs, sub);
		blank = false;
		pt_buf_addc(lhs, p->o->nofold ? c : pt_tolower((unsigned char)c));
	}
}

/* Reports a bad entry as upstream does: its text, "...", the reason. */
static void
bad_entry(const struct alias_sink *sink, unsigned long line, const char *text, const char *msg)
{
	struct pt_buf b = PT_BUF_INIT;

	pt_buf_printf(&b, "%s... %s", text, msg);
	if (sink->error != NULL)
		sink->error(sink->ctx, line, b.s);
	pt_buf_free(&b);
}

/* Splits a gathered entry into name and value and reports it. */
static void
finish_entry(struct parser *p)
{
	struct pt_buf lhs = PT_BUF_INIT;
	const char *s = pt_buf_str(&p->entry), *v;
	size_t len = p->entry.len, colon, end;

	if (p->entry_line == 0)
		return;
	if (p->has_nul)
		report(p, p->entry_line, "NUL byte in alias line");
	else if (p->too_long)
		report(p, p->entry_line, "alias line too long");
	else if ((colon = find_colon(s, len)) == len)
		report(p, p->entry_line, "missing colon");
	else {
		for (end = colon; end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t'); end--)
			;
		normalize_lhs(p, s, end, &lhs);
		for (v = s + colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (lhs.len == 0 || s[0] == ' ' || s[0] == '\t')
			bad_entry(p->sink, p->entry_line, s, "illegal alias name");
		else if (*v == '\0')
			bad_entry(p->sink, p->entry_line, s, "missing value for alias");
		else if (p->sink->entry != NULL)
			p->sink->entry(p->sink->ctx, lhs.s, v, p->entry_line);
	}
	pt_buf_free(&lhs);
	pt_buf_reset(&p->entry);
	p->entry_line = 0;
	p->too_long = p->has_nul = false;
}

/* Adds a physical line to the entry being gathered. */
static void
gather(struct parser *p, const char *s, size_t len)
{
	if (memchr(s, '\0', len) != NULL)
		p->has_nul = true;
	if (p->entry.len + len > ALIAS_ENTRY_MAX)
		p->too_long = true;
	else
		pt_buf_add(&p->entry, s, len);
}

/* Handles one physical line (without its LF). */
static void
one_line(struct parser *p, const char *s, size_t len, unsigned long lineno)
{
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		if (p->entry_line != 0)
			gather(p, s, len);
		else if (!p->skipping)
			report(p, lineno, "Non-continuation line starts with space");
		p->skipping = true;
		return;
	}
	finish_entry(p);
	p->skipping = len > 0 && s[0] == '#';
	if (len == 0 || s[0] == '#')
		return;
	p->entry_line = lineno;
	gather(p, s, len);
}

void
alias_parse(const char *text, size_t len, const struct alias_parse_opts *o,
    const struct alias_sink *sink)
{
	struct parser p = { o, sink, PT_BUF_INIT, 0, false, false, false };
	unsigned long lineno = 0;
	size_t i, s;

	for (i = s = 0; i < len; i++) {
		if (text[i] == '\n') {
			one_line(&p, text + s, i - s, ++lineno);
			s = i + 1;
		}
	}
	if (s < len)
		one_line(&p, text + s, len - s, ++lineno);
	finish_entry(&p);
	pt_buf_free(&p.entry);
}
