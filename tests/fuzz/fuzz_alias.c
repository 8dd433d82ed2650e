/*
 * fuzz_alias: libFuzzer target for the alias file parser.  Any input must be
 * parsed without a memory error; every entry reported must have a non-empty
 * name without NUL, a non-empty value, and fit ALIAS_ENTRY_MAX; errors must
 * name a line that exists.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The number of lines of the current input. */
static unsigned long nlines;

/* Checks one entry. */
static void
entry(void *ctx, const char *lhs, const char *rhs, unsigned long line)
{
	(void)ctx;
	if (*lhs == '\0' || *rhs == '\0' || strlen(lhs) + strlen(rhs) > ALIAS_ENTRY_MAX)
		abort();
	if (line == 0 || line > nlines)
		abort();
}

/* Checks one error. */
static void
error(void *ctx, unsigned long line, const char *msg)
{
	(void)ctx;
	if (line == 0 || line > nlines || *msg == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alias_parse_opts o = { '.', size > 0 && (data[0] & 1) };
	struct alias_sink sink = { entry, error, NULL };
	size_t i;

	nlines = size > 0 && data[size - 1] != '\n' ? 1 : 0;
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			nlines++;
	alias_parse((const char *)data, size, &o, &sink);
	return 0;
}
