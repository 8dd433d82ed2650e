/*
 * pt_str: locale-independent string helpers and slices.
 *
 * Owns no state.  Every function is pure over its arguments.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_str.h"

struct pt_slice
pt_slice_of(const char *s)
{
	struct pt_slice sl = { s, strlen(s) };

	return sl;
}

bool
pt_slice_ieq(struct pt_slice a, const char *s)
{
	size_t n = strlen(s);

	return n == a.len && pt_strncasecmp(a.p, s, n) == 0;
}

void
pt_str_lower(char *s)
{
	for (; *s; s++)
		*s = (char)pt_tolower((unsigned char)*s);
}

int
pt_strcasecmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;
	int d;

	for (;; x++, y++) {
		d = pt_tolower(*x) - pt_tolower(*y);
		if (d != 0 || *x == '\0')
			return d;
	}
}

int
pt_strncasecmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;
	int d;

	for (; n > 0; n--, x++, y++) {
		d = pt_tolower(*x) - pt_tolower(*y);
		if (d != 0 || *x == '\0')
			return d;
	}
	return 0;
}

bool
pt_str_iprefix(const char *s, const char *prefix)
{
	return pt_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

size_t
pt_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t k = n < size - 1 ? n : size - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

/* True for the blanks that trimming removes. */
static bool
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *
pt_str_trim(char *s)
{
	char *e;

	while (is_blank((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_blank((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

bool
pt_str_to_long(const char *s, long *out)
{
	char *end;
	long v;

	while (is_blank((unsigned char)*s))
		s++;
	if (*s == '\0')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s)
		return false;
	while (is_blank((unsigned char)*end))
		end++;
	if (*end != '\0')
		return false;
	*out = v;
	return true;
}

unsigned long
pt_str_hash(const char *s, bool fold)
{
	unsigned long h = 2166136261UL;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		h ^= fold ? (unsigned char)pt_tolower(c) : c;
		h *= 16777619UL;
	}
	return h;
}

void
pt_str_date(time_t t, char out[PT_DATE_MAX])
{
	struct tm lt, gmt;
	long off;
	size_t n;

	localtime_r(&t, &lt);
	gmtime_r(&t, &gmt);
	n = strftime(out, PT_DATE_MAX, "%a, ", &lt);
	n += (size_t)snprintf(out + n, PT_DATE_MAX - n, "%d ", lt.tm_mday);
	n += strftime(out + n, PT_DATE_MAX - n, "%b %Y %H:%M:%S ", &lt);
	/* the offset from the broken-down times, as the day may differ */
	off = (lt.tm_hour - gmt.tm_hour) * 60L + lt.tm_min - gmt.tm_min;
	if (lt.tm_year != gmt.tm_year)
		off += lt.tm_year < gmt.tm_year ? -1440 : 1440;
	else if (lt.tm_yday != gmt.tm_yday)
		off += lt.tm_yday < gmt.tm_yday ? -1440 : 1440;
	if (off == 0) {
		snprintf(out + n, PT_DATE_MAX - n, "GMT");
		return;
	}
	snprintf(out + n, PT_DATE_MAX - n, "%c%02ld%02ld", off < 0 ? '-' : '+', labs(off) / 60,
	    labs(off) % 60);
}
