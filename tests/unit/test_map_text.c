/*
 * test_map_text: the text class (columns -k/-v, delimiter -z, comments,
 * case, %n substitution, reading a changed file) and the sequence and
 * switch classes with the service switch (service.switch, nsswitch.conf
 * syntax, the defaults), including members that fail.
 */
#include "config.h"

#include "map_impl.h"
#include "map_switch.h"
#include "maptest.h"

/* The text class. */
static void
test_text(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	char args[600];
	struct map *t, *t2, *t3, *miss;

	mt_write("t.txt", "# comment\none 1\nTwo\t2 extra\n\n  three 3\nFour %1+%0\n", 0644);
	t = mt_declare(set, "t", "text", mt_path("t.txt"));
	is_str(mt_lookup(t, "one"), "one", "by default the key column is answered (column 0)");
	is_str(mt_lookup(t, "TWO"), "Two", "keys compare without case; the value is as written");
	is_str(mt_lookup(t, "three"), "three", "leading blanks do not make an empty column");
	is_str(mt_lookup(t, "# comment"), "<notfound>", "comment lines are skipped");
	snprintf(args, sizeof args, "-v1 %s", mt_path("t.txt"));
	t2 = mt_declare(set, "t2", "text", args);
	is_str(mt_lookup(t2, "two"), "2", "-v1 answers the second column");
	is_str(mt_lookup1(t2, "four", "X"), "X+four", "values get %%n substitution");
	mt_write("z.txt", "A:B:c\nx::Yy\n", 0644);
	snprintf(args, sizeof args, "-k1 -v0 -z: %s", mt_path("z.txt"));
	t3 = mt_declare(set, "t3", "text", args);
	is_str(mt_lookup(t3, "B"), "A", "-k1 -v0 -z: reads delimited columns");
	is_str(mt_lookup(t3, ""), "x", "with a delimiter, empty columns count");
	snprintf(args, sizeof args, "-f -k1 -v0 -z: %s", mt_path("z.txt"));
	is_str(mt_lookup(mt_declare(set, "t4", "text", args), "b"), "<notfound>", "-f compares with case");
	mt_write("t.txt", "one uno\n", 0644);
	is_str(mt_lookup(t2, "one"), "uno", "a changed file is read again");
	miss = mt_declare(set, "miss", "text", mt_path("nofile"));
	mt_log_text();
	is_str(mt_lookup(miss, "a"), "<tempfail>", "a missing text file is a temporary failure");
	ok(strstr(mt_log_text(), "text map \"miss\": missing map file") != NULL, "and is logged");
	struct pt_buf err = PT_BUF_INIT;
	ok(map_declare(set, "bad", "text", "-kx /f", &err) == NULL, "-k must be a column number");
	pt_buf_free(&err);
	map_set_free(set);
}

/* The sequence class. */
static void
test_sequence(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	char args[600];
	struct map *s, *s2, *s3;

	mt_build(mt_path("first"), 0, "a", "from-first", NULL);
	mt_build(mt_path("second"), 0, "a", "from-second", "b", "%1@second", NULL);
	snprintf(args, sizeof args, "-a! %s", mt_path("first"));
	mt_declare(set, "m1", "hash", args);
	mt_declare(set, "m2", "hash", mt_path("second"));
	snprintf(args, sizeof args, "%s", mt_path("absent"));
	mt_declare(set, "gone", "hash", args);
	s = mt_declare(set, "seq", "sequence", "m1 m2");
	is_str(mt_lookup(s, "A"), "from-first!", "a sequence answers from its first member, with that member's flags");
	is_str(mt_lookup1(s, "b", "arg"), "arg@second", "and from the next when the first has no answer, with arguments");
	is_str(mt_lookup(s, "c"), "<notfound>", "a key no member has is not found");
	s2 = mt_declare(set, "seq2", "sequence", "gone m2");
	mt_log_text();
	is_str(mt_lookup(s2, "a"), "from-second", "a member that cannot open does not stop the search");
	is_str(mt_lookup(s2, "zz"), "<tempfail>", "but its failure is the answer when nobody finds the key");
	mt_log_text();
	s3 = mt_declare(set, "seq3", "sequence", "m2 nosuchmap seq3");
	is_str(mt_log_text(), "", "declaring a sequence does not look its members up yet");
	is_str(mt_lookup(s3, "a"), "from-second", "unknown members are skipped");
	ok(strstr(mt_log_text(), "Sequence map seq3: unknown member map nosuchmap") != NULL,
	    "and logged with upstream's words");
	is_str(mt_lookup(s3, "nothing"), "<notfound>", "a sequence that names itself does not loop");
	map_set_free(set);
}

/* The service switch and the switch class. */
static void
test_switch(void)
{
	struct map_options o = { 0 };
	char *meth[MAP_SWITCH_MAX];
	int n;

	mt_write("service.switch", "# comment\nhosts\tfiles dns\naliases files nis # c\n", 0644);
	o.switch_file = mt_path("service.switch");
	n = map_switch_methods(&o, "hosts", meth);
	ok(n == 2 && strcmp(meth[0], "files") == 0 && strcmp(meth[1], "dns") == 0,
	    "service.switch lists the methods of a service in order");
	map_switch_free(meth, n);
	n = map_switch_methods(&o, "passwd", meth);
	ok(n == 1 && strcmp(meth[0], "files") == 0, "a service the file does not name gets upstream's default");
	map_switch_free(meth, n);
	o.switch_file = mt_path("no-such-switch");
	n = map_switch_methods(&o, "nosuchservice", meth);
	is_int(n, 0, "an unknown service has no methods");
	mt_write("service.switch", "aliases: nis [NOTFOUND=return] files\n", 0644);
	o.switch_file = mt_path("service.switch");
	n = map_switch_methods(&o, "aliases", meth);
	ok(n == 2 && strcmp(meth[0], "nis") == 0 && strcmp(meth[1], "files") == 0,
	    "the nsswitch.conf syntax (colon, bracketed actions) is read too");
	map_switch_free(meth, n);

	struct map_set *set;
	mt_write("service.switch", "mine files text nis\n", 0644);
	set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, mt_path("service.switch"), NULL);
	mt_build(mt_path("sw"), 0, "k", "from-files", NULL);
	mt_write("sw.txt", "k from-text\nj from-text\n", 0644);
	mt_declare(set, "ali.files", "hash", mt_path("sw"));
	char args[600];
	snprintf(args, sizeof args, "-v1 %s", mt_path("sw.txt"));
	mt_declare(set, "ali.text", "text", args);
	struct map *sw = mt_declare(set, "ali", "switch", "mine");
	is_str(mt_lookup(sw, "k"), "from-files", "a switch map asks NAME.METHOD in the switch's order");
	is_str(mt_lookup(sw, "j"), "from-text", "then the next method");
	is_str(mt_lookup(sw, "x"), "<notfound>", "methods without a map (nis) are skipped");
	map_set_free(set);
}

int
main(void)
{
	mt_capture_log();
	test_text();
	test_sequence();
	test_switch();
	mt_cleanup();
	return tap_done();
}
