/* test_addr: the tokenizer (prescan) and header address cracking. */
#include "config.h"

#include <string.h>

#include "addr_header.h"
#include "addr_token.h"
#include "tap.h"

static struct addr_toktab tab, tabc;
static struct pt_arena arena = PT_ARENA_INIT;

/* Tokenizes s and returns the tokens joined by '|' (and the status). */
static const char *
toks(const struct addr_toktab *t, const char *s, int delim, int *rc, const char **err)
{
	static struct pt_buf out, e;
	struct addr_vec v = { NULL, 0, 0, NULL };

	pt_buf_reset(&out);
	pt_buf_reset(&e);
	*rc = addr_tokenize(t, s, delim, 0, &arena, &v, NULL, &e);
	addr_vec_join(&v, 0, v.n, "|", &out);
	addr_vec_free(&v);
	*err = pt_buf_str(&e);
	return pt_buf_str(&out);
}

static void
test_tokens(void)
{
	const char *err;
	int rc;

	addr_toktab_init(&tab, ".:%@!^/[]+", false);
	addr_toktab_init(&tabc, NULL, true);
	is_str(toks(&tab, "user@example.com", 0, &rc, &err), "user|@|example|.|com",
	    "operators are tokens of their own");
	is_str(toks(&tab, "a\"b c\"d", 0, &rc, &err), "a|\"b c\"|d", "a quoted string is one token");
	is_str(toks(&tab, "<a@b", 0, &rc, &err), "<|a|@|b|>", "an open angle is closed");
	ok(rc == ADDR_TOK_MENDED && strstr(err, "Unbalanced '<'"), "and reported");
	is_str(toks(&tab, "c>d", 0, &rc, &err), "cd", "a stray '>' is dropped and atoms join");
	is_str(toks(&tab, "\"open", 0, &rc, &err), "\"open\"", "an open quote is closed");
	ok(strstr(err, "Unbalanced '\"'") != NULL, "and reported");
	is_str(toks(&tab, "a\001b\tc\177d", 0, &rc, &err), "ab|cd", "control bytes vanish, tab separates");
	is_str(toks(&tab, "a\\@b", 0, &rc, &err), "a\\@b", "a backslash escapes an operator");
	is_str(toks(&tab, "(x) a", 0, &rc, &err), "(|x|)|a", "without comments, parentheses are tokens");
	is_str(toks(&tabc, "(x) a (y(z))", 0, &rc, &err), "a", "with comments, they are removed");
	is_str(toks(&tabc, "a(b", 0, &rc, &err), "a", "an open comment is dropped");
	ok(strstr(err, "Unbalanced '('") != NULL, "and reported");
	is_str(toks(&tabc, "a%b!c", 0, &rc, &err), "a%b!c", "the default operators are .:@[]");
	is_str(toks(&tab, "a,b", ',', &rc, &err), "a", "a delimiter ends the address");
	is_str(toks(&tab, "\"a,b\",c", ',', &rc, &err), "\"a,b\"", "a quoted delimiter does not");

	char big[300];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	toks(&tab, big, 0, &rc, &err);
	ok(rc == ADDR_TOK_FAIL && strstr(err, "too long (255 bytes max)"), "a 299-byte address is refused");
	big[255] = '\0';
	toks(&tab, big, 0, &rc, &err);
	ok(rc == ADDR_TOK_OK, "a 255-byte address is accepted");
	char many[256];
	memset(many, '<', 200);
	many[200] = '\0';
	toks(&tab, many, 0, &rc, &err);
	ok(rc == ADDR_TOK_FAIL && strstr(err, "Too many tokens"), "mending cannot exceed the token limit");
}

static void
test_crack(void)
{
	struct pt_buf b = PT_BUF_INIT, u = PT_BUF_INIT;
	static const char *cases[][2] = {
		{ "root", "$g" },
		{ "Full Name <a@b>", "Full Name <$g>" },
		{ "a@b (Comment)", "$g (Comment)" },
		{ "\"quoted name\" <root>", "\"quoted name\" <$g>" },
		{ "<>", "<>" },
		{ "list: a, b;", "list: $g;" },
		{ "(c) a@b", "(c) $g" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		addr_crack(cases[i][0], &b);
		is_str(b.s, cases[i][1], "crack of %s", cases[i][0]);
	}
	addr_uncrack("Full Name <$g> $$", "x@y", &u);
	is_str(u.s, "Full Name <x@y> $", "uncrack puts the address back");
	pt_buf_free(&b);
	pt_buf_free(&u);
}

/* Splits list with addr_list_next and joins the elements with " | ". */
static void
split(const char *list, struct pt_buf *out)
{
	struct pt_buf one = PT_BUF_INIT;
	const char *p = list;

	pt_buf_reset(out);
	while (addr_list_next(&p, &one))
		pt_buf_printf(out, "%s%s", out->len ? " | " : "", one.s);
	pt_buf_free(&one);
}

static void
test_list(void)
{
	struct pt_buf b = PT_BUF_INIT;
	static const char *cases[][2] = {
		{ "a, b,c", "a | b | c" },
		{ " Other One <u@x>, \"Q, x\" <root>, plain (a, comment)",
		  "Other One <u@x> | \"Q, x\" <root> | plain (a, comment)" },
		{ "<a,b@c>, d", "<a,b@c> | d" },
		{ ",, a ,\t\n b,", "a | b" },
		{ "x\\,y, z", "x\\,y | z" },
		{ "\"unbalanced, a", "\"unbalanced, a" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		split(cases[i][0], &b);
		is_str(pt_buf_str(&b), cases[i][1], "list split of [%s]", cases[i][0]);
	}
	pt_buf_free(&b);
}

/* Collects an alias element, separated by '|'. */
static void
alias_elem(char *elem, void *arg)
{
	struct pt_buf *b = arg;

	if (b->len > 0)
		pt_buf_addc(b, '|');
	pt_buf_adds(b, elem);
}

/* addr_alias_split: commas outside quotes and <>, newlines, backslashes. */
static void
test_alias_split(void)
{
	static const char *const cases[][2] = {
		{ "a, b,c", "a|b|c" },
		{ " \"x, y\"@h , <d,e@h>", "\"x, y\"@h|<d,e@h>" },
		{ "one\n\ttwo,,  ,three", "one|two|three" },
		{ "f\\, g", "f\\, g" },
		{ "|\"/bin/prog a,b\", /tmp/file", "|\"/bin/prog a,b\"|/tmp/file" },
		{ "", "" },
	};
	struct pt_buf b = PT_BUF_INIT;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pt_buf_reset(&b);
		addr_alias_split(cases[i][0], alias_elem, &b);
		is_str(pt_buf_str(&b), cases[i][1], "alias split of [%s]", cases[i][0]);
	}
	pt_buf_free(&b);
}

/* addr_token_maxlen: the longest token as upstream's prescan counts it. */
static void
test_token_maxlen(void)
{
	static const struct { const char *s; size_t n; } cases[] = {
		{ "<abc@example.com>", 7 },
		{ "<\"a b c\"@x>", 7 },
		{ "ab\"cd\"ef", 4 },
		{ "a\\bc@d", 4 },
		{ "(a very long comment)x@y", 1 },
		{ "", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_int((long)addr_token_maxlen(&tabc, cases[i].s, strlen(cases[i].s)),
		    (long)cases[i].n, "longest token of [%s]", cases[i].s);
}

int
main(void)
{
	test_tokens();
	test_token_maxlen();
	test_crack();
	test_list();
	test_alias_split();
	pt_arena_free(&arena);
	return tap_done();
}
