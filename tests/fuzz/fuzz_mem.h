/*
 * fuzz_mem.h: an in-memory transport for the fuzz targets, so the stream
 * code runs exactly as over a socket but reads the fuzzer's bytes, in
 * chunks whose sizes the input itself chooses (to split lines, CR LF pairs
 * and dots at every place).
 */
#ifndef FUZZ_MEM_H
#define FUZZ_MEM_H

#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "smtp_io.h"

struct fuzz_mem {
	const unsigned char *p;
	size_t len, pos;
	unsigned chunk;		/* seed of the chunk sizes */
};

/* Reads the next chunk (1 to 16 bytes, or everything when chunk is 0); 0 at the end. */
static ssize_t
fuzz_mem_read(void *ctx, void *buf, size_t n, int *want, struct pt_buf *err)
{
	struct fuzz_mem *m = ctx;
	size_t k = m->len - m->pos;

	(void)err;
	*want = 0;
	if (m->chunk != 0) {
		size_t c = 1 + (m->chunk % 16);

		m->chunk = m->chunk * 1103515245u + 12345u;
		if (k > c)
			k = c;
	}
	if (k > n)
		k = n;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

/* Swallows output. */
static ssize_t
fuzz_mem_write(void *ctx, const void *buf, size_t n, int *want, struct pt_buf *err)
{
	(void)ctx, (void)buf, (void)err;
	*want = 0;
	return (ssize_t)n;
}

static const struct smtp_transport fuzz_mem_transport = {
	"fuzz", fuzz_mem_read, fuzz_mem_write, NULL,
};

#endif
