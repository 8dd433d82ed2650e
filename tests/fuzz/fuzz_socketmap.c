/*
 * fuzz_socketmap: libFuzzer target for the socketmap reply parser (what a
 * socket map server sends back).  Any input must be parsed or refused
 * without a memory error; an accepted reply must be a whole netstring whose
 * result fits inside it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "map_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_buf v = PT_BUF_INIT;
	int st = map_socket_parse_reply((const char *)data, size, &v);

	if (st < -1 || st > MAP_UNAVAIL)
		abort();
	if (st != MAP_FOUND && v.len != 0)
		abort();
	if (st >= 0 && (size < 3 || data[size - 1] != ',' || v.len > size))
		abort();
	pt_buf_free(&v);
	return 0;
}
