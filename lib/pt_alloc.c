/*
 * pt_alloc: allocation wrappers that route failure to one handler.
 *
 * Owns nothing but the pointer to the out-of-memory handler, which a program
 * sets once at start-up.  Never returns NULL to a caller.  Runs in every
 * process with whatever privileges that process has.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"

static pt_oom_fn oom_handler;

/* The default out-of-memory policy: log, then exit with EX_OSERR. */
static void
oom_default(size_t wanted)
{
	pt_log(LOG_CRIT, "out of memory (wanted %zu bytes)", wanted);
	_exit(EX_OSERR);
}

void
pt_alloc_set_oom(pt_oom_fn fn)
{
	oom_handler = fn;
}

/* Calls the handler; it must not return. */
static void
oom(size_t wanted)
{
	if (oom_handler != NULL)
		oom_handler(wanted);
	oom_default(wanted);
	abort();
}

void *
pt_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
pt_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		oom(count * size);
	return p;
}

void *
pt_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

void *
pt_reallocarray(void *p, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		pt_panic("pt_reallocarray: %zu * %zu overflows", count, size);
	return pt_realloc(p, count * size);
}

char *
pt_strdup(const char *s)
{
	return pt_memdup0(s, strlen(s));
}

char *
pt_strndup(const char *s, size_t n)
{
	const char *end = memchr(s, '\0', n);

	return pt_memdup0(s, end ? (size_t)(end - s) : n);
}

char *
pt_memdup0(const void *p, size_t n)
{
	char *s = pt_malloc(n + 1);

	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}
