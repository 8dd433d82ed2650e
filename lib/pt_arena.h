/*
 * pt_arena: a bump allocator for short strings that die together (the tokens
 * of one rewrite, the fields of one envelope).  Everything allocated from an
 * arena is freed at once by pt_arena_reset or pt_arena_free.
 */
#ifndef PT_ARENA_H
#define PT_ARENA_H

#include <stddef.h>

struct pt_arena_chunk;

struct pt_arena {
	struct pt_arena_chunk *head;	/* the chunk being filled; older ones follow */
	size_t used;			/* bytes used in head */
};

#define PT_ARENA_INIT { NULL, 0 }

/* Returns n bytes aligned for any object; lives until the arena is reset. */
void *pt_arena_alloc(struct pt_arena *a, size_t n);
/* Copies n bytes and a NUL into the arena. */
char *pt_arena_memdup0(struct pt_arena *a, const void *p, size_t n);
/* Copies a C string into the arena. */
char *pt_arena_strdup(struct pt_arena *a, const char *s);
/* Frees everything but the first chunk, for reuse. */
void pt_arena_reset(struct pt_arena *a);
/* Frees everything. */
void pt_arena_free(struct pt_arena *a);

#endif
