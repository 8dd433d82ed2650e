/* fuzz_token: the tokenizer, the longest-token scan and header cracking on any bytes. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr_header.h"
#include "addr_token.h"
#include "pt_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_toktab t;
	struct pt_arena a = PT_ARENA_INIT;
	struct addr_vec v = { NULL, 0, 0, NULL };
	struct pt_buf err = PT_BUF_INIT, out = PT_BUF_INIT;
	const char *end;
	char *s;

	if (size < 2)
		return 0;
	s = pt_memdup0(data + 2, size - 2);
	addr_toktab_init(&t, (data[0] & 1) ? ".:%@!^/[]+" : NULL, data[0] & 2);
	/* the longest token of the raw bytes, NULs included */
	if (addr_token_maxlen(&t, (const char *)data + 2, size - 2) > size)
		abort();
	for (const char *p = s; *p;) {
		addr_tokenize(&t, p, data[1] % 3 == 0 ? 0 : ',', (data[0] & 4) ? ADDR_TOK_META : 0,
		    &a, &v, &end, &err);
		addr_vec_join(&v, 0, v.n, " ", &out);
		if (end <= p)
			break;
		p = end;
	}
	addr_crack(s, &out);
	addr_uncrack(pt_buf_str(&out), s, &err);
	free(s);
	addr_vec_free(&v);
	pt_arena_free(&a);
	pt_buf_free(&err);
	pt_buf_free(&out);
	return 0;
}
