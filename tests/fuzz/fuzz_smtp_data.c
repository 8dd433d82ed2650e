/*
 * fuzz_smtp_data: the DATA reader.  Two properties: (1) over arbitrary input
 * under every option, the reader ends, never reads past the final dot line,
 * and in the default mode never accepts a message whose end is not exactly
 * CR LF . CR LF; (2) any text the client's dot-stuffer sends is read back
 * whole, ending exactly where the stuffed message ends, so no content can
 * end a message early or smuggle a command.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_mem.h"
#include "smtp_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Counts sink calls and concatenates body bytes. */
static int
sink_line(void *ctx, enum smtp_data_part part, const char *p, size_t len, bool more)
{
	struct pt_buf *b = ctx;

	(void)part;
	pt_buf_add(b, p, len);
	if (!more)
		pt_buf_addc(b, '\n');
	return 0;
}

/* Property 1: arbitrary bytes, options from the first byte. */
static void
raw(const uint8_t *data, size_t size)
{
	struct smtp_data_opts o = { 0 };
	struct smtp_data_result res = { 0 };
	struct pt_buf got = PT_BUF_INIT;
	struct smtp_data_sink sink = { sink_line, &got };
	struct fuzz_mem m = { data + 2, size - 2, 0, data[1] };
	struct smtp_io *io = smtp_io_new(-1, -1);

	o.bare_lf = data[0] % 4;
	o.bare_cr = (data[0] >> 2) % 3;
	o.reject_nul = data[0] & 0x20;
	o.max_size = (data[0] & 0x40) ? 100 : 0;
	o.max_headers = (data[0] & 0x80) ? 50 : 0;
	o.max_piece = 1 + data[1] % 40;
	smtp_io_set_transport(io, &fuzz_mem_transport, &m);
	smtp_data_read(io, &o, &sink, &res);
	if (res.wire_bytes > m.len)
		abort();
	if ((res.status == SMTP_DATA_OK || res.status == SMTP_DATA_REJECT) &&
	    o.bare_lf != SMTP_BARE_LF_EOL) {
		const unsigned char *end = m.p + res.wire_bytes;

		if (!(res.wire_bytes == 3 && memcmp(m.p, ".\r\n", 3) == 0) &&
		    (res.wire_bytes < 5 || memcmp(end - 5, "\r\n.\r\n", 5) != 0))
			abort();
	}
	if (res.status == SMTP_DATA_ABORT && res.reply.code != 421)
		abort();
	smtp_reply_free(&res.reply);
	pt_buf_free(&got);
	smtp_io_free(io);
}

/* Property 2: stuffed text (without CR and NUL) comes back whole. */
static void
roundtrip(const uint8_t *data, size_t size)
{
	struct smtp_data_opts o = { 0 };
	struct smtp_data_result res = { 0 };
	struct smtp_stuffer st = { false };
	struct pt_buf text = PT_BUF_INIT, wire = PT_BUF_INIT, got = PT_BUF_INIT;
	struct smtp_data_sink sink = { sink_line, &got };
	struct fuzz_mem m;
	struct smtp_io *io;
	size_t i;

	for (i = 2; i < size; i++)
		if (data[i] != '\r' && data[i] != '\0')
			pt_buf_addc(&text, data[i]);
	smtp_data_stuff(&st, text.s ? text.s : "", text.len, &wire);
	smtp_data_stuff_end(&st, &wire);
	pt_buf_add(&wire, "QUIT\r\n", 6);
	m.p = (const unsigned char *)wire.s;
	m.len = wire.len;
	m.pos = 0;
	m.chunk = data[1];
	io = smtp_io_new(-1, -1);
	smtp_io_set_transport(io, &fuzz_mem_transport, &m);
	smtp_data_read(io, &o, &sink, &res);
	if (res.status != SMTP_DATA_OK || res.wire_bytes != wire.len - 6)
		abort();
	smtp_reply_free(&res.reply);
	pt_buf_free(&text);
	pt_buf_free(&wire);
	pt_buf_free(&got);
	smtp_io_free(io);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	raw(data, size);
	roundtrip(data, size);
	return 0;
}
