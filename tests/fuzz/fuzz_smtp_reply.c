/*
 * fuzz_smtp_reply: the client's reply parser over arbitrary server output
 * (read through the stream in arbitrary chunks), the EHLO keyword parser, and
 * the formatter: a reply that parses formats to lines that parse back to
 * the same code, status and line count (unless a text held a CR, which
 * the formatter turns into a space).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_mem.h"
#include "smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Formats r and parses the result again; aborts if anything changed. */
static void
reformat(const struct smtp_reply *r)
{
	struct pt_buf w = PT_BUF_INIT;
	struct smtp_reply again = SMTP_REPLY_INIT;
	enum smtp_reply_feed f = SMTP_REPLY_MORE;
	const char *p, *e;
	size_t i;

	/* CR in a text becomes a space by design, which may change what parses back. */
	for (i = 0; i < r->nlines; i++)
		if (strchr(r->lines[i], '\r') != NULL)
			return;
	smtp_reply_format(r, &w);
	for (p = w.s; f == SMTP_REPLY_MORE && p < w.s + w.len; p = e + 2) {
		e = strstr(p, "\r\n");
		if (e == NULL)
			abort();
		f = smtp_reply_feed(&again, p, (size_t)(e - p));
	}
	if (f != SMTP_REPLY_DONE || again.code != r->code || again.nlines != r->nlines ||
	    strcmp(again.status, r->status) != 0)
		abort();
	smtp_reply_free(&again);
	pt_buf_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_mem m;
	struct smtp_io *io;
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct smtp_ehlo e = { 0 };
	struct pt_buf err = PT_BUF_INIT;
	int n;

	if (size < 1)
		return 0;
	m.p = data + 1;
	m.len = size - 1;
	m.pos = 0;
	m.chunk = data[0];
	io = smtp_io_new(-1, -1);
	smtp_io_set_transport(io, &fuzz_mem_transport, &m);
	for (n = 0; n < 64; n++) {
		pt_buf_reset(&err);
		if (smtp_reply_read(io, &r, &err) != SMTP_IO_OK)
			break;
		if (r.code < 200 || r.code > 599 || r.nlines == 0 || !r.done)
			abort();
		if (r.status[0] && !smtp_status_valid(r.status, strlen(r.status), r.code))
			abort();
		smtp_ehlo_parse(&r, &e);
		reformat(&r);
	}
	smtp_ehlo_free(&e);
	smtp_reply_free(&r);
	pt_buf_free(&err);
	smtp_io_free(io);
	return 0;
}
