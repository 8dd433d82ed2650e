/*
 * fuzz_mapsrc: libFuzzer target for makemap's source line parser.  The first
 * byte picks the options (-t delimiter, -D comment, -e, -f); the rest is cut
 * into lines.  Every line must be parsed or refused without a memory error,
 * and a parsed pair must respect the limits: a key within MAP_SRC_KEY_MAX,
 * no NUL in it, folded unless -f, no separator inside it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map_source.h"
#include "pt_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks one parsed pair against the options. */
static void
check_pair(const struct map_src_opts *o, const struct pt_buf *k)
{
	size_t i;

	if (k->len > MAP_SRC_KEY_MAX || memchr(pt_buf_str(k), '\0', k->len) != NULL)
		abort();
	for (i = 0; i < k->len; i++) {
		if (!o->nofold && k->s[i] >= 'A' && k->s[i] <= 'Z')
			abort();
		if (o->delim != '\0' && k->s[i] == o->delim)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_buf k = PT_BUF_INIT, v = PT_BUF_INIT, err = PT_BUF_INIT;
	struct map_src_opts o;
	size_t i, s;

	if (size == 0)
		return 0;
	map_src_defaults(&o);
	o.allow_empty = data[0] & 1;
	o.nofold = data[0] & 2;
	if (data[0] & 4)
		o.delim = ':';
	if (data[0] & 8)
		o.comment = ';';
	for (i = s = 1; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			if (map_src_parse((const char *)data + s, i - s, &o, &k, &v, &err) ==
			    MAP_SRC_PAIR)
				check_pair(&o, &k);
			s = i + 1;
		}
	}
	pt_buf_free(&k);
	pt_buf_free(&v);
	pt_buf_free(&err);
	return 0;
}
