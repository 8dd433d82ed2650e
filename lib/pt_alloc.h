/*
 * pt_alloc: memory allocation with one out-of-memory policy per process.
 *
 * Every allocation in Petrel goes through these functions.  When the system
 * cannot satisfy a request they call the process's out-of-memory handler,
 * which never returns: the SMTP server's handler answers "421 4.3.0" and ends
 * the session (one process per session, so nothing else is disturbed); the
 * default handler logs and exits with EX_OSERR.  Callers therefore never see
 * NULL from these functions.
 */
#ifndef PT_ALLOC_H
#define PT_ALLOC_H

#include <stddef.h>

/* The handler called when memory runs out; it must not return. */
typedef void (*pt_oom_fn)(size_t wanted);

/* Installs the process's out-of-memory handler (NULL restores the default). */
void pt_alloc_set_oom(pt_oom_fn fn);

void *pt_malloc(size_t n);
void *pt_calloc(size_t count, size_t size);
void *pt_realloc(void *p, size_t n);
/* Grows an array to hold count elements of size bytes; panics on overflow. */
void *pt_reallocarray(void *p, size_t count, size_t size);
char *pt_strdup(const char *s);
char *pt_strndup(const char *s, size_t n);
/* Copies n bytes and appends a NUL. */
char *pt_memdup0(const void *p, size_t n);

#endif
