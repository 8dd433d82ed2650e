/*
 * fuzz_mbox: libFuzzer target for the mbox quoter (message bodies are outside
 * input).  The first input byte picks how the rest is cut into pieces; the
 * quoted text must be the same however the input is cut, no line of it may
 * start with "From " unquoted, and it must end with a blank line.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mbox.h"
#include "pt_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_buf whole = PT_BUF_INIT, cut = PT_BUF_INIT;
	struct mbox_quoter q;
	size_t step, i;
	const char *s;

	if (size == 0)
		return 0;
	step = (size_t)data[0] % 7 + 1;
	mbox_quote_begin(&q, &whole);
	mbox_quote(&q, (const char *)data + 1, size - 1);
	mbox_quote_end(&q);
	mbox_quote_begin(&q, &cut);
	for (i = 1; i < size; i += step)
		mbox_quote(&q, (const char *)data + i, size - i < step ? size - i : step);
	mbox_quote_end(&q);
	if (whole.len != cut.len || memcmp(whole.s, cut.s, whole.len) != 0)
		abort();
	if (whole.len < 1 || whole.s[whole.len - 1] != '\n' || (whole.len >= 2 && whole.s[whole.len - 2] != '\n'))
		abort();
	for (s = whole.s; s != NULL && s < whole.s + whole.len; s = memchr(s, '\n', (size_t)(whole.s + whole.len - s))) {
		if (*s == '\n')
			s++;
		if ((size_t)(whole.s + whole.len - s) >= 5 && memcmp(s, "From ", 5) == 0)
			abort();
	}
	pt_buf_free(&whole);
	pt_buf_free(&cut);
	return 0;
}
