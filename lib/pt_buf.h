/*
 * pt_buf: the one growable byte buffer of Petrel.
 *
 * A pt_buf is length-counted and always NUL-terminated, so b.s can be handed
 * to any function that wants a C string (bytes after an embedded NUL are then
 * invisible to it, which callers that accept binary data must keep in mind).
 * A zeroed struct is a valid empty buffer.  The owner frees it with
 * pt_buf_free(); pt_buf_steal() hands the storage over instead.
 */
#ifndef PT_BUF_H
#define PT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct pt_buf {
	char *s;	/* the bytes, NUL-terminated; NULL while nothing is allocated */
	size_t len;	/* bytes in use, not counting the NUL */
	size_t cap;	/* bytes allocated */
};

#define PT_BUF_INIT { NULL, 0, 0 }

/* Makes room for at least extra more bytes (plus the NUL). */
void pt_buf_grow(struct pt_buf *b, size_t extra);
/* Appends n bytes. */
void pt_buf_add(struct pt_buf *b, const void *p, size_t n);
/* Appends a C string. */
void pt_buf_adds(struct pt_buf *b, const char *s);
/* Appends one byte. */
static inline void
pt_buf_addc(struct pt_buf *b, int c)
{
	if (b->len + 2 > b->cap)
		pt_buf_grow(b, 1);
	b->s[b->len++] = (char)c;
	b->s[b->len] = '\0';
}
/* Appends printf-formatted text. */
void pt_buf_printf(struct pt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pt_buf_vprintf(struct pt_buf *b, const char *fmt, va_list ap);
/* Empties the buffer, keeping its storage. */
void pt_buf_reset(struct pt_buf *b);
/* Cuts the buffer to len bytes (len must not exceed b->len). */
void pt_buf_truncate(struct pt_buf *b, size_t len);
/* Returns the contents as a C string, "" when empty; borrowed until the next change. */
const char *pt_buf_str(const struct pt_buf *b);
/* Hands the storage to the caller (who frees it) and empties the buffer. */
char *pt_buf_steal(struct pt_buf *b);
/* Frees the storage. */
void pt_buf_free(struct pt_buf *b);

#endif
