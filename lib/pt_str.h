/*
 * pt_str: small string helpers and the non-owning slice used for parsing.
 *
 * Comparisons here are ASCII case-insensitive, as sendmail's are: they never
 * depend on the locale.
 */
#ifndef PT_STR_H
#define PT_STR_H

#include <stdbool.h>
#include <time.h>
#include <stddef.h>

/* A non-owning view of len bytes at p; not NUL-terminated. */
struct pt_slice {
	const char *p;
	size_t len;
};

/* Makes a slice of a C string. */
struct pt_slice pt_slice_of(const char *s);
/* True if the slice equals the C string, ignoring ASCII case. */
bool pt_slice_ieq(struct pt_slice a, const char *s);

/* ASCII lower-casing of one byte, and of a string in place. */
static inline int
pt_tolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static inline int
pt_toupper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

void pt_str_lower(char *s);
/* ASCII case-insensitive comparisons (locale-independent). */
int pt_strcasecmp(const char *a, const char *b);
int pt_strncasecmp(const char *a, const char *b, size_t n);
/* True if s starts with prefix, ignoring ASCII case. */
bool pt_str_iprefix(const char *s, const char *prefix);
/* Copies at most size-1 bytes and NUL-terminates; returns strlen(src). */
size_t pt_strlcpy(char *dst, const char *src, size_t size);
/* Strips leading and trailing blanks (space, tab, CR, LF) in place; returns s+skip. */
char *pt_str_trim(char *s);
/*
 * Parses a decimal integer that fills the whole string (blanks around it
 * allowed).  Returns false on junk or overflow; *out is set only on success.
 */
bool pt_str_to_long(const char *s, long *out);
/*
 * Hash of a string for tables, case-sensitive or not.  FNV-1a.
 */
unsigned long pt_str_hash(const char *s, bool fold);

/*
 * Time t as upstream writes dates in headers, notices and $b: "Sun, 1 Nov
 * 2026 09:05:02 GMT" (the day without a leading zero), or with the local
 * offset, "Sun, 1 Nov 2026 10:05:02 +0100" (no zone name: upstream 8.17's
 * $b under TZ=Europe/Paris has none).
 */
#define PT_DATE_MAX 64
void pt_str_date(time_t t, char out[PT_DATE_MAX]);

#endif
