/* test_rw: the ruleset engine's semantics, one rule set per behaviour. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cf.h"
#include "pt_exit.h"
#include "rw.h"
#include "tap.h"

static const char rules[] =
    "V10\n"
    "Mlocal, P=/bin/true, F=l, A=true $u\n"
    "Cw localhost mx.example.test\n"
    "D{z}a.b\n"
    "Sa\nR$*\t\t$# local $: $1\nR$*\t\t$@ second\n"
    "Sb\nR$+\t\tx $1\n"
    "Sc\nR$*\t\t$: $1 $# foo\nR$* $# foo\t$@ matched\n"
    "Sd\nR$- $*\t\t$2\n"
    "Sf\nR$=w $*\t\t$@ cls $1 / $2\n"
    "Sg\nR$* $=w $*\t$@ cls2 $1 / $2 / $3\n"
    "Sh\nR$+ $+\t\t$@ h $1 / $2\n"
    "Si\nR$* $* $*\t$@ i $1 / $2 / $3\n"
    "Sk\nR$~w $*\t\t$@ k $1 / $2\n"
    "Sl\nR$@\t\t$@ empty\nR$*\t\t$@ nonempty\n"
    "Sm\nR$*\t\t$: $(nomap $1 $: dflt $) / $(nomap $1 $)\n"
    "Sn\nR$+\t\t$: $>a $1 $>c $1\n"
    "So\nR$*\t\t$: x $&{z} y\nRx a . b y\t$@ split\n"
    "Sp\nR$*\t\t$1 $1\n"
    "Sq\nR$*\t\t$: $>q $1\n"
    "Sr\nRcase\t\t$@ matched\n"
    "Ss\nR$* : $&{z}\t$@ same $1\nR$* : <$&{z}> $*\t$@ bracketed $1 / $2\nR$*\t\t$@ other\n"
    "St\nR<$&{unset}> $*\t$@ unset $1\n";

static struct cf_config *cfg;
static struct rw_ctx ctx;

/* Runs ruleset name over text; returns the result joined by spaces, status in *st. */
static const char *
run(const char *name, const char *text, int *st)
{
	static struct pt_buf out;
	struct addr_vec v = { NULL, 0, 0, NULL };
	struct pt_buf err = PT_BUF_INIT;

	pt_buf_reset(&out);
	rw_tokenize(&ctx, text, 0, &v, NULL, &err);
	*st = rw_run(&ctx, cf_ruleset_find(cfg, name), &v);
	addr_vec_join(&v, 0, v.n, " ", &out);
	addr_vec_free(&v);
	pt_buf_free(&err);
	pt_arena_reset(ctx.arena);
	return pt_buf_str(&out);
}

int
main(void)
{
	char path[] = "/tmp/petrel-rw-XXXXXX";
	struct pt_buf err = PT_BUF_INIT;
	int fd = mkstemp(path), st;

	if (fd < 0 || write(fd, rules, sizeof rules - 1) < 0)
		return 1;
	close(fd);
	cfg = cf_load(path, NULL, &err);
	unlink(path);
	ok(cfg != NULL, "the rules load (%s)", pt_buf_str(&err));
	if (cfg == NULL)
		return tap_done();
	rw_ctx_init(&ctx, cfg);
	ctx.msgs = fopen("/dev/null", "w");

	is_str(run("a", "x y", &st), "$# local $: x y", "$# ends the ruleset");
	is_str(run("b", "q", &st), "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x "
	    "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x "
	    "x x x x x x x x x x x x x x x x x x x x x x q", "a rule stops after 100 passes");
	is_int(st, EX_OK, "... and the ruleset returns normally");
	is_str(run("c", "z", &st), "matched", "$# in data matches $# in a pattern");
	is_str(run("d", "a b c", &st), "", "a rule repeats while it matches");
	is_str(run("f", "mx.example.test rest", &st), "cls mx . example . test / rest",
	    "$=w matches several tokens");
	is_str(run("g", "a localhost b localhost", &st), "cls2 a / localhost / b localhost",
	    "the leftmost shortest match wins");
	is_str(run("h", "a b c", &st), "h a / b c", "$+ takes one token when it can");
	is_str(run("i", "a b c", &st), "i / / a b c", "$* takes nothing when it can");
	is_str(run("k", "foo bar", &st), "k foo / bar", "$~ matches a word outside the class");
	is_str(run("k", "localhost bar", &st), "localhost bar", "and not one inside it");
	is_str(run("l", "", &st), "empty", "$@ matches the empty input");
	is_str(run("l", "x", &st), "nonempty", "and nothing else");
	is_str(run("m", "q", &st), "dflt / q", "an unknown map gives the default, or the key");
	is_str(run("n", "u", &st), "$# local $: u matched", "calls run right to left");
	is_str(run("o", "q", &st), "split", "$&x is expanded at run time and tokenized");
	run("p", "a b c d e f g h i j", &st);
	is_int(st, EX_DATAERR, "more than 255 tokens is an error");
	run("q", "a", &st);
	is_int(st, EX_CONFIG, "recursion deeper than 50 is an error");
	is_str(run("r", "CASE", &st), "matched", "literal tokens match without case");
	is_str(run("s", "x : a.b", &st), "same x", "$&x in a pattern matches the value's tokens");
	is_str(run("s", "x : A.B", &st), "same x", "... without case");
	is_str(run("s", "x : a.bc", &st), "other", "... and not a longer run of tokens");
	is_str(run("s", "x : <a.b> tail", &st), "bracketed x / tail", "$&x binds no $n");
	is_str(run("t", "<> q", &st), "unset q", "an unset macro matches nothing");
	rw_ctx_done(&ctx);
	fclose(ctx.msgs);
	cf_free(cfg);
	pt_buf_free(&err);
	return tap_done();
}
