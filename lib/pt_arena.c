/*
 * pt_arena: chunked bump allocation.
 *
 * Owns its chunks.  Large requests get a chunk of their own.  Never returns
 * NULL (allocation failure goes to the out-of-memory handler).
 */
#include "config.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "pt_arena.h"

#define CHUNK_SIZE 8192

struct pt_arena_chunk {
	struct pt_arena_chunk *next;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

/* Rounds n up to the alignment of max_align_t. */
static size_t
round_up(size_t n)
{
	size_t al = alignof(max_align_t);

	return (n + al - 1) & ~(al - 1);
}

void *
pt_arena_alloc(struct pt_arena *a, size_t n)
{
	struct pt_arena_chunk *c;
	size_t size;

	n = round_up(n ? n : 1);
	if (a->head != NULL && a->used + n <= a->head->size) {
		void *p = a->head->data + a->used;

		a->used += n;
		return p;
	}
	size = n > CHUNK_SIZE ? n : CHUNK_SIZE;
	c = pt_malloc(sizeof *c + size);
	c->size = size;
	c->next = a->head;
	a->head = c;
	a->used = n;
	return c->data;
}

char *
pt_arena_memdup0(struct pt_arena *a, const void *p, size_t n)
{
	char *s = pt_arena_alloc(a, n + 1);

	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
pt_arena_strdup(struct pt_arena *a, const char *s)
{
	return pt_arena_memdup0(a, s, strlen(s));
}

void
pt_arena_reset(struct pt_arena *a)
{
	struct pt_arena_chunk *c, *next;

	if (a->head == NULL)
		return;
	/* keep the oldest chunk: it is the last of the list */
	for (c = a->head; c->next != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = c;
	a->used = 0;
}

void
pt_arena_free(struct pt_arena *a)
{
	struct pt_arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->used = 0;
}
