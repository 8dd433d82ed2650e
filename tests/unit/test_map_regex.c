/*
 * test_map_regex: the regex class with -a -b -d -f -m -n -s, with the
 * answers upstream's -bt gives, and bad patterns refused at load.
 */
#include "config.h"

#include "map_impl.h"
#include "maptest.h"

/* Declares a regex map and checks one lookup. */
static void
check(struct map_set *set, const char *args, const char *key, const char *want)
{
	static int n;
	char name[16];
	struct map *m;

	snprintf(name, sizeof name, "re%d", n++);
	m = mt_declare(set, name, "regex", args);
	if (m != NULL)
		is_str(mt_lookup(m, key), want, "regex %s on %s", args, key);
}

int
main(void)
{
	struct map_set *set = mt_set(0, NULL, NULL);
	struct pt_buf err = PT_BUF_INIT;

	mt_capture_log();
	check(set, "-a@ -s1,3 ^(a+)(b*)(c*)$", "aabcc", "aa" MAP_CONDELSE "cc@");
	check(set, "-a@ -s1,3 ^(a+)(b*)(c*)$", "Abc", "A" MAP_CONDELSE "c@");
	check(set, "-a@ -s1,3 ^(a+)(b*)(c*)$", "b", "<notfound>");
	check(set, "-m -a@ ^a", "Aax", "Aax@");
	check(set, "-n -a@ ^a", "b", "@");
	check(set, "-n -a@ ^a", "a", "<notfound>");
	check(set, "-b -a@ ^a\\{2\\}$", "aa", "@");
	check(set, "-b -a@ ^a\\{2\\}$", "aaa", "<notfound>");
	check(set, "-f -a@ ^A", "abc", "<notfound>");
	check(set, "-f -a@ ^A", "Abc", "@");
	check(set, "-s2 -d+ (x)(y)", "xy", "y");
	check(set, "-s ^(a)(b)$", "ab", "ab" MAP_CONDELSE "a" MAP_CONDELSE "b");
	check(set, "-s1,2 -d+ ^(a)(b)$", "ab", "a+b");
	check(set, "-s1,2 -d ^(a)(b)$", "ab", "ab");
	check(set, "-a@ a b", "xa bz", "@");
	check(set, "-a@ a b", "ab", "<notfound>");
	check(set, "-a<BADMX> ^(([0-9]{1,3}\\.){3}[0-9]){0,1}\\.$", "1.2.3.4.", "<BADMX>");
	check(set, "-a.:NOTDONE: -s1,2 -d_ (.*)[-\\.]([^-\\.]*)$", "mail.example.com",
	    "mail.example_com.:NOTDONE:");
	ok(map_declare(set, "bad", "regex", "-a@ (unclosed", &err) == NULL, "a bad pattern is refused at load");
	ok(strstr(pt_buf_str(&err), "pattern-compile-error") != NULL, "with upstream's words (%s)", pt_buf_str(&err));
	ok(map_declare(set, "none", "regex", "-a@", &err) == NULL, "a regex map needs a pattern");
	pt_buf_free(&err);
	map_set_free(set);
	mt_cleanup();
	return tap_done();
}
