/*
 * fuzz_rw: the ruleset engine over any address, with rules that exercise
 * every operator (classes, calls, lookups of missing maps, loops, growth).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cf.h"
#include "pt_alloc.h"
#include "rw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
    "V10\nMlocal, P=/bin/true, F=l, A=true $u\nCw localhost mx.example.test\n"
    "O OperatorChars=.:%@!^/[]+\n"
    "S3\nR$@\t$@ <@>\nR$* < $* > $*\t$2\nR$+ @ $+\t$: $1 < @ $2 >\nR$* % $*\t$1 @ $2\n"
    "R$- ! $+\t$@ $2 < @ $1 . UUCP >\n"
    "S0\nR$* < @ $=w > $*\t$# local $: $1\nR$* < @ $+ > $*\t$# esmtp $@ $2 $: $1 < @ $2 > $3\n"
    "R$+\t$: $(nomap $1 $@ x $: $1 $) $>sub $1\nR$*\t$# local $: $1\n"
    "Ssub\nR$* $* $* x\t$@ $3 $2 $1\nR$~w $+\t$: $2 $1\nRgrow $*\tgrow $1 $1\nRloop $*\tloop $1\n"
    "Rrec $*\t$: $>sub rec $1\n";

static struct cf_config *cfg;

/* Loads the rules once. */
static void
setup(void)
{
	char path[] = "/tmp/fuzz-rw-XXXXXX";
	struct pt_buf err = PT_BUF_INIT;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, rules, sizeof rules - 1) < 0)
		abort();
	close(fd);
	cfg = cf_load(path, NULL, &err);
	unlink(path);
	if (cfg == NULL)
		abort();
	pt_buf_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rw_ctx ctx;
	struct addr_vec v = { NULL, 0, 0, NULL };
	struct pt_buf err = PT_BUF_INIT;
	struct rw_triple t;
	char *s;

	if (cfg == NULL)
		setup();
	s = pt_memdup0(data, size);
	rw_ctx_init(&ctx, cfg);
	ctx.msgs = NULL;
	if (rw_tokenize(&ctx, s, 0, &v, NULL, &err) != ADDR_TOK_FAIL) {
		rw_run(&ctx, 3, &v);
		rw_run(&ctx, 0, &v);
	}
	rw_parse(&ctx, s, 0, 0, NULL, &t);
	addr_vec_free(&v);
	pt_buf_free(&err);
	rw_ctx_done(&ctx);
	free(s);
	return 0;
}
