/*
 * fuzz_smtp_line: the stream's line reader over arbitrary bytes in arbitrary
 * chunks: lines never exceed the maximum, flags match the bytes, nothing is
 * lost or invented (the lines, their ends and the too-long pieces add up to
 * the input), and the reader always terminates.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fuzz_mem.h"
#include "smtp_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_mem m;
	struct smtp_io *io;
	struct pt_buf line = PT_BUF_INIT;
	enum smtp_io_status st;
	size_t max, total = 0, i;
	unsigned flags;

	if (size < 2)
		return 0;
	max = 1 + data[0] % 64;
	m.p = data + 2;
	m.len = size - 2;
	m.pos = 0;
	m.chunk = data[1];
	io = smtp_io_new(-1, -1);
	smtp_io_set_transport(io, &fuzz_mem_transport, &m);
	for (;;) {
		st = smtp_io_getline(io, &line, max, &flags);
		if (line.len > max)
			abort();
		for (i = 0; i < line.len; i++)
			if (line.s[i] == '\0' && !(flags & SMTP_LINE_NUL))
				abort();
		total += line.len;
		if (st == SMTP_IO_OK)
			total += (flags & SMTP_LINE_CRLF) ? 2 : 1;
		else if (st != SMTP_IO_TOOLONG)
			break;
	}
	if (st != SMTP_IO_EOF || total != m.len)
		abort();
	pt_buf_free(&line);
	smtp_io_free(io);
	return 0;
}
