/*
 * fuzz_qf: libFuzzer target for the qf parser.  Any input must be parsed or
 * refused without a memory error; a parsed file must write back to a file
 * that parses, and writing that again must give the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pt_buf.h"
#include "queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct queue_env *e = NULL, *e2 = NULL;
	struct pt_buf err = PT_BUF_INIT, out = PT_BUF_INIT, out2 = PT_BUF_INIT;

	if (queue_qf_parse((const char *)data, size, "qfFUZZ", &e, &err) == QUEUE_OK) {
		queue_qf_format(e, &out);
		if (queue_qf_parse(out.s, out.len, "qfFUZZ", &e2, &err) != QUEUE_OK)
			abort();
		queue_qf_format(e2, &out2);
		if (out.len != out2.len || memcmp(out.s, out2.s, out.len) != 0)
			abort();
	}
	queue_env_free(e);
	queue_env_free(e2);
	pt_buf_free(&err);
	pt_buf_free(&out);
	pt_buf_free(&out2);
	return 0;
}
