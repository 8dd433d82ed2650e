/*
 * pt_buf: growable, length-counted, NUL-terminated buffers.
 *
 * Owns only the storage of each buffer.  Never truncates silently: growth
 * that cannot be satisfied goes to the out-of-memory handler.  Used by every
 * process.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "pt_buf.h"
#include "pt_log.h"

void
pt_buf_grow(struct pt_buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > SIZE_MAX - b->len - 1)
		pt_panic("pt_buf_grow: size overflow");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->s = pt_realloc(b->s, cap);
	b->cap = cap;
	b->s[b->len] = '\0';
}

void
pt_buf_add(struct pt_buf *b, const void *p, size_t n)
{
	pt_buf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
pt_buf_adds(struct pt_buf *b, const char *s)
{
	pt_buf_add(b, s, strlen(s));
}

void
pt_buf_vprintf(struct pt_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	pt_buf_grow(b, 64);
	va_copy(aq, ap);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0)
		pt_panic("pt_buf_vprintf: bad format \"%s\"", fmt);
	if ((size_t)n >= b->cap - b->len) {
		pt_buf_grow(b, (size_t)n);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
pt_buf_printf(struct pt_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pt_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
pt_buf_reset(struct pt_buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

void
pt_buf_truncate(struct pt_buf *b, size_t len)
{
	if (len > b->len)
		pt_panic("pt_buf_truncate: %zu beyond length %zu", len, b->len);
	b->len = len;
	if (b->s != NULL)
		b->s[len] = '\0';
}

const char *
pt_buf_str(const struct pt_buf *b)
{
	return b->s != NULL ? b->s : "";
}

char *
pt_buf_steal(struct pt_buf *b)
{
	char *s = b->s != NULL ? b->s : pt_strdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
pt_buf_free(struct pt_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
