/*
 * test_map_misc: the macro, arith, dequote, syslog and arpa classes, with
 * the answers upstream's -bt gives for the same lookups.
 */
#include "config.h"

#include "map_impl.h"
#include "maptest.h"

/* A tiny macro table for the macro map's hooks. */
static char mac_name[64], mac_value[256];
static bool mac_isset;

/* Records what the macro map set. */
static void
set_hook(void *ctx, const char *name, const char *value)
{
	(void)ctx;
	snprintf(mac_name, sizeof mac_name, "%s", name);
	mac_isset = value != NULL;
	snprintf(mac_value, sizeof mac_value, "%s", value ? value : "");
}

/* The macro class. */
static void
test_macro(void)
{
	struct map_set *set = mt_set(0, NULL, NULL);
	struct map_env env = { 0 };
	struct map *m = mt_declare(set, "storage", "macro", "");

	env.mac_set = set_hook;
	is_str(mt_lookup_env(m, "{MyMacro}", &env, "some value", NULL, NULL), "",
	    "the macro map answers the empty string");
	ok(mac_isset && strcmp(mac_name, "{MyMacro}") == 0 && strcmp(mac_value, "some value") == 0,
	    "and sets the macro named by the key to argument 1");
	is_str(mt_lookup_env(m, "{MyMacro}", &env, NULL, NULL, NULL), "", "without an argument");
	ok(!mac_isset && strcmp(mac_name, "{MyMacro}") == 0, "it clears the macro");
	is_str(mt_lookup(m, "x"), "", "with no hooks it still answers");
	map_set_free(set);
}

/* The arith class: upstream's results. */
static void
test_arith(void)
{
	struct map_set *set = mt_set(0, NULL, NULL);
	struct map *a = mt_declare(set, "arith", "arith", "");
	struct map *a2 = mt_declare(set, "arf", "arith", "-a! -T<TMP>");
	static const struct {
		const char *op, *x, *y, *want;
	} cases[] = {
		{ "+", "1", "2", "3" }, { "-", "1", "5", "-4" }, { "*", "3", "4", "12" },
		{ "/", "7", "2", "3" }, { "%", "7", "3", "1" }, { "l", "1", "2", "TRUE" },
		{ "l", "2", "1", "FALSE" }, { "=", "2", "2", "TRUE" }, { "=", "2", "3", "FALSE" },
		{ "|", "5", "2", "7" }, { "&", "6", "3", "2" }, { "/", "7", "0", "<notfound>" },
		{ "%", "7", "0", "<notfound>" }, { "x", "1", "2", "<notfound>" },
		{ "+", "a", "2", "2" }, { "r", "5", "5", "5" }, { "r", "5", "1", "<notfound>" },
		{ "+", "2147483647", "1", "2147483648" }, { "-", "1", "-2", "3" },
		{ "l", "-1", "2", "TRUE" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_str(mt_lookup2(a, cases[i].op, cases[i].x, cases[i].y), cases[i].want,
		    "arith %s %s %s", cases[i].op, cases[i].x, cases[i].y);
	is_str(mt_lookup1(a, "+", "1"), "<notfound>", "a missing operand is no answer");
	is_str(mt_lookup2(a2, "+", "1", "2"), "3", "arith ignores its flags (-a)");
	const char *r = mt_lookup2(a, "r", "1", "3");
	ok(strcmp(r, "1") == 0 || strcmp(r, "2") == 0 || strcmp(r, "3") == 0, "r gives a number in the range (%s)", r);
	map_set_free(set);
}

/* The dequote class: upstream's results. */
static void
test_dequote(void)
{
	struct map_set *set = mt_set(0, NULL, NULL);
	struct map *d = mt_declare(set, "dequote", "dequote", "");
	struct map *s = mt_declare(set, "dqs", "dequote", "-s+");
	struct map *q = mt_declare(set, "dqq", "dequote", "-q");
	static const struct {
		const char *key, *want;
	} cases[] = {
		{ "abc", "<notfound>" }, { "\"abc\"", "abc" }, { "a\"b\"c", "abc" },
		{ "\"a b\"", "<notfound>" }, { "\"a<b\"", "<notfound>" }, { "\"a>b\"", "<notfound>" },
		{ "\"a(b\"", "<notfound>" }, { "\"<a>\"", "<a>" }, { "\"\"", "" },
		{ "\"a,b\"", "a,b" }, { "\"a@b\"", "a@b" }, { "\"unbalanced", "<notfound>" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_str(mt_lookup(q, cases[i].key), cases[i].want, "dequote %s", cases[i].key);
	is_str(mt_lookup(q, "\"\\\"x\""), "\\\"x", "an escaped quote stays with its backslash");
	is_str(mt_lookup(s, "\"a b\""), "a+b", "-s replaces spaces");
	is_str(mt_lookup(s, "\"a  b\""), "a++b", "each of them");
	is_str(mt_lookup(s, "\"a\tb\""), "<notfound>", "but a tab still fails");
	is_str(mt_lookup(d, "\"abc\""), "abc", "dequote maps keep the quotes of the key for themselves (no -q needed)");
	map_set_free(set);
}

/* The syslog and arpa classes. */
static void
test_syslog_arpa(void)
{
	struct map_set *set = mt_set(0, NULL, NULL);
	struct pt_buf err = PT_BUF_INIT;
	struct map *l = mt_declare(set, "log", "syslog", "-S_ -LLOG_ERR");
	struct map *a = mt_declare(set, "arpa", "arpa", "");

	mt_log_text();
	is_str(mt_lookup(l, "hello_there"), "", "the syslog map answers the empty string");
	is_str(mt_log_text(), "hello there\n", "and logs the key with -S characters as spaces");
	ok(map_declare(set, "bad", "syslog", "-Lnosuchlevel", &err) == NULL, "an unknown -L level is refused");
	is_str(mt_lookup(a, "1.2.3.4"), "4.3.2.1", "arpa reverses an IPv4 address");
	is_str(mt_lookup(a, "IPv6:1:2:dead:beef:9876:0:0:1"),
	    "1.0.0.0.0.0.0.0.0.0.0.0.6.7.8.9.f.e.e.b.d.a.e.d.2.0.0.0.1.0.0.0",
	    "and an IPv6 address nibble by nibble");
	is_str(mt_lookup(a, "foo"), "<notfound>", "anything else is not an address");
	pt_buf_free(&err);
	map_set_free(set);
}

int
main(void)
{
	mt_capture_log();
	test_macro();
	test_arith();
	test_dequote();
	test_syslog_arpa();
	mt_cleanup();
	return tap_done();
}
