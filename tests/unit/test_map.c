/*
 * test_map: the generic map layer: K-line declarations, the generic flags
 * (-o -N -O -m -a -T -t -D -q -f), %n substitution, lazy opening, reopening
 * a replaced file, per-process opening after fork, and upstream's log lines
 * for missing and unsafe map files.  Hash maps serve as the class.
 */
#include "config.h"

#include <errno.h>
#include <sys/wait.h>

#include "map_impl.h"
#include "maptest.h"
#include "pt_file.h"

/* Declarations: classes, flags, warnings and errors. */
static void
test_declare(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	struct pt_buf err = PT_BUF_INIT;
	struct map *m;

	m = map_declare(set, "x", "nosuchclass", "foo", &err);
	ok(m == NULL, "an unknown class is refused");
	is_str(err.s, "map x: class nosuchclass not available", "and the message names it");
	m = map_declare(set, "h2", "hash", "-o", &err);
	ok(m == NULL, "a hash map without a file is refused");
	is_str(err.s, "No file name for hash map h2", "with upstream's message");
	m = map_declare(set, "h", "HASH", "-y -a! -T<TMPF> -N -f /x/y", &err);
	ok(m != NULL, "class names are case-insensitive and an unknown flag is not fatal");
	is_str(err.s, "Illegal option y map h", "an unknown flag is warned about as upstream does");
	ok(m && strcmp(m->app, "!") == 0 && strcmp(m->tmpfail_app, "<TMPF>") == 0,
	    "-a and -T take the rest of their word");
	ok(m && (m->flags & MAPF_INCLNULL) && !(m->flags & MAPF_TRY0NULL) &&
	    (m->flags & MAPF_NOFOLDCASE), "-N and -f set their flags");
	is_str(m ? m->file : NULL, "/x/y", "the first word after the flags is the file");
	ok(map_find(set, "h") == m, "map_find finds the declared map");
	m = mt_declare(set, "h", "hash", "-z\\t /other");
	ok(map_find(set, "h") == m && m->delim == '\t', "a second K line replaces the map; -z\\t is a tab");
	ok(map_find(set, "nope") == NULL, "map_find answers NULL for an undeclared name");
	is_int(map_dbs_parse("MapInUnsafeDirPath, linkedmapinwritabledir GroupWritableAliasFile"),
	    MAP_DBS_MAPINUNSAFEDIRPATH | MAP_DBS_LINKEDMAPINWRITABLEDIR |
	    MAP_DBS_GROUPWRITABLEALIASFILE, "DontBlameSendmail names are parsed");
	pt_buf_free(&err);
	map_set_free(set);
}

/* %n substitution, -m, -a and case folding. */
static void
test_rewrite(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	struct map *h, *m, *f;

	mt_build(mt_path("rw"), 0, "foo", "%1-%2-%0-%3-%%-%x-%", "bar", "plain", "Mixed", "case",
	    NULL);
	h = mt_declare(set, "h", "hash", mt_path("rw"));
	is_str(mt_lookup2(h, "foo", "A", "B"), "A-B-foo--%-%x-%",
	    "%%1 %%2 %%0 are replaced, a missing %%3 is empty, %%%% is %%, %%x stays, a lone %% stays");
	is_str(mt_lookup2(h, "FOO", "A", "B"), "A-B-FOO--%-%x-%",
	    "the key is folded for the lookup but %%0 is the key as given");
	is_str(mt_lookup(h, "bar"), "plain", "a value without %% comes back as stored");
	is_str(mt_lookup(h, "baz"), "<notfound>", "an absent key is not found");
	is_str(mt_lookup(h, "mixed"), "<notfound>", "keys stored with upper case are not found when folding");
	char args[600];

	snprintf(args, sizeof args, "-m -a.X %s", mt_path("rw"));
	m = mt_declare(set, "m", "hash", args);
	is_str(mt_lookup(m, "FOO"), "FOO.X", "-m returns the key as given and -a is appended");
	snprintf(args, sizeof args, "-f %s", mt_path("rw"));
	f = mt_declare(set, "f", "hash", args);
	is_str(mt_lookup(f, "Mixed"), "case", "-f looks the key up unfolded");
	is_str(mt_lookup(f, "FOO"), "<notfound>", "-f does not fold");
	map_set_free(set);
}

/* The trailing NUL conventions: default adaptive, -N, -O, both. */
static void
test_nulls(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	char args[600];
	struct map *d, *n, *o, *no, *d2;

	mt_build(mt_path("withnul"), 1, "key", "val", NULL);
	mt_build(mt_path("nonul"), 0, "key", "val", NULL);
	d = mt_declare(set, "d", "hash", mt_path("withnul"));
	is_str(mt_lookup(d, "key"), "val", "by default a map built with -N is read");
	is_str(mt_lookup(d, "key"), "val", "and read again after the adaptive choice");
	d2 = mt_declare(set, "d2", "hash", mt_path("nonul"));
	is_str(mt_lookup(d2, "key"), "val", "by default a map built without -N is read");
	snprintf(args, sizeof args, "-N %s", mt_path("withnul"));
	n = mt_declare(set, "n", "hash", args);
	is_str(mt_lookup(n, "key"), "val", "-N reads keys stored with their NUL");
	snprintf(args, sizeof args, "-N %s", mt_path("nonul"));
	n = mt_declare(set, "n2", "hash", args);
	is_str(mt_lookup(n, "key"), "<notfound>", "-N never tries without the NUL");
	snprintf(args, sizeof args, "-O %s", mt_path("withnul"));
	o = mt_declare(set, "o", "hash", args);
	is_str(mt_lookup(o, "key"), "<notfound>", "-O never tries with the NUL");
	snprintf(args, sizeof args, "-N -O %s", mt_path("nonul"));
	no = mt_declare(set, "no", "hash", args);
	is_str(mt_lookup(no, "key"), "<notfound>", "-N -O together never match");
	map_set_free(set);
}

/* Missing maps, -o, -T, -t and -D, and the log lines. */
static void
test_failures(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	struct map_env env = { 0 };
	char args[600];
	struct map *m;

	mt_log_text();
	m = mt_declare(set, "miss", "hash", mt_path("nosuch"));
	is_str(mt_lookup(m, "foo"), "<tempfail>", "a missing map is a temporary failure");
	char want[700];
	snprintf(want, sizeof want,
	    "hash map \"miss\": missing map file %s.db: No such file or directory\n",
	    mt_path("nosuch"));
	is_str(mt_log_text(), want, "and upstream's line is logged");
	is_str(mt_lookup(m, "foo"), "<tempfail>", "a second lookup fails the same way");
	is_str(mt_log_text(), "", "without logging again while the file is unchanged");
	ok(m->open_status != MAP_FOUND, "the map reports it is not open");
	snprintf(args, sizeof args, "-o %s", mt_path("nosuch"));
	m = mt_declare(set, "opt", "hash", args);
	is_str(mt_lookup(m, "foo"), "<notfound>", "a missing optional map answers not found");
	is_str(mt_log_text(), "", "and logs nothing");
	snprintf(args, sizeof args, "-T<TMPF> %s", mt_path("nosuch"));
	m = mt_declare(set, "t", "hash", args);
	is_str(mt_lookup(m, "\"q\"uoted"), "<tempfail>quoted<TMPF>",
	    "-T gives the dequoted key and its string with the temporary failure");
	snprintf(args, sizeof args, "-t %s", mt_path("nosuch"));
	m = mt_declare(set, "tt", "hash", args);
	is_str(mt_lookup(m, "k"), "<notfound>", "-t turns a temporary failure into not found");
	snprintf(args, sizeof args, "-t -T! %s", mt_path("nosuch"));
	m = mt_declare(set, "tT", "hash", args);
	is_str(mt_lookup(m, "k"), "k!", "-t with -T answers found with the -T text");
	mt_build(mt_path("present"), 0, "k", "v", NULL);
	snprintf(args, sizeof args, "-D %s", mt_path("present"));
	m = mt_declare(set, "dd", "hash", args);
	is_str(mt_lookup(m, "k"), "v", "-D maps answer outside deferred mode");
	env.deferred = true;
	is_str(mt_lookup_env(m, "k", &env, NULL, NULL, NULL), "<tempfail>",
	    "-D maps are not looked up in deferred mode");
	mt_log_text();
	map_set_free(set);
}

/* Dequoting, and -q that keeps the quotes. */
static void
test_quotes(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	char args[600];
	struct map *m, *q;

	mt_build(mt_path("q"), 0, "ab", "plain", "\"a\"b", "quoted", "a\\\"b", "escaped", NULL);
	m = mt_declare(set, "m", "hash", mt_path("q"));
	is_str(mt_lookup(m, "\"a\"b"), "plain", "double quotes are removed from the key");
	is_str(mt_lookup(m, "a\\\"b"), "escaped", "a quote after a backslash is kept");
	snprintf(args, sizeof args, "-q %s", mt_path("q"));
	q = mt_declare(set, "q", "hash", args);
	is_str(mt_lookup(q, "\"a\"b"), "quoted", "-q keeps the quotes");
	map_set_free(set);
}

/* Changes on disk are seen; a new process opens its own handle. */
static void
test_reopen(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	struct map *m, *late;
	int status;
	pid_t pid;

	mt_build(mt_path("live"), 0, "k", "one", NULL);
	m = mt_declare(set, "live", "hash", mt_path("live"));
	is_str(mt_lookup(m, "k"), "one", "the first version is read");
	mt_build(mt_path("live"), 0, "k", "two", NULL);
	is_str(mt_lookup(m, "k"), "two", "a rebuilt map is seen without closing anything");
	mt_build(mt_path("live"), 1, "k", "with-nul", NULL);
	is_str(mt_lookup(m, "k"), "with-nul", "even when the rebuild uses the other trailing-NUL convention");
	mt_build(mt_path("live"), 0, "k", "two", NULL);
	is_str(mt_lookup(m, "k"), "two", "and back");
	late = mt_declare(set, "late", "hash", mt_path("late"));
	mt_log_text();
	is_str(mt_lookup(late, "k"), "<tempfail>", "a map that does not exist yet fails");
	mt_build(mt_path("late"), 0, "k", "arrived", NULL);
	is_str(mt_lookup(late, "k"), "arrived", "and is read as soon as it is built");
	mt_log_text();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		const char *r = mt_lookup(m, "k");

		_exit(strcmp(r, "two") == 0 && m->rt->pid == getpid() ? 0 : 1);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "a child process opens the map for itself and reads it");
	is_str(mt_lookup(m, "k"), "two", "the parent's handle still works after the fork");
	map_set_close_all(set);
	ok(m->open_status == -1, "map_set_close_all closes the maps");
	is_str(mt_lookup(m, "k"), "two", "a closed map opens again on the next lookup");
	map_set_free(set);
}

/* File safety: unsafe folders and links, with upstream's reasons. */
static void
test_safety(void)
{
	struct map_set *set = mt_set(MAP_DBS_TRUSTSTICKYBIT, NULL, NULL);
	struct map *m;
	char want[700];

	mkdir(mt_path("gw"), 0775);
	chmod(mt_path("gw"), 0775);
	mt_build(mt_path("gw/m"), 0, "a", "b", NULL);
	m = mt_declare(set, "gwd", "hash", mt_path("gw/m"));
	mt_log_text();
	is_str(mt_lookup(m, "a"), "<tempfail>", "a map in a group-writable folder is refused");
	snprintf(want, sizeof want, "hash map \"gwd\": unsafe map file %s.db: Group writable directory\n",
	    mt_path("gw/m"));
	is_str(mt_log_text(), want, "with upstream's reason");
	chmod(mt_path("gw"), 0755);
	mt_build(mt_path("target"), 0, "a", "b", NULL);
	mkdir(mt_path("ww"), 0777);
	chmod(mt_path("ww"), 01777);
	if (symlink(mt_path("target.db"), mt_path("ww/l.db")) != 0)
		printf("# symlink failed\n");
	m = mt_declare(set, "lnk", "hash", mt_path("ww/l"));
	is_str(mt_lookup(m, "a"), "<tempfail>", "a symbolic link in a writable folder is refused");
	snprintf(want, sizeof want, "hash map \"lnk\": unsafe map file %s.db: Symbolic links not allowed\n",
	    mt_path("ww/l"));
	is_str(mt_log_text(), want, "with upstream's reason");
	map_set_free(set);
	set = mt_set(MAP_DBS_LINKEDMAPINWRITABLEDIR | MAP_DBS_TRUSTSTICKYBIT, NULL, NULL);
	m = mt_declare(set, "lnk", "hash", mt_path("ww/l"));
	is_str(mt_lookup(m, "a"), "b", "LinkedMapInWritableDir allows it");
	map_set_free(set);
	set = mt_set(0, NULL, NULL);
	m = mt_declare(set, "tmp", "hash", mt_path("target"));
	is_str(mt_lookup(m, "a"), "<tempfail>", "a sticky world-writable folder (/tmp) is unsafe by default");
	ok(strstr(mt_log_text(), "World writable directory") != NULL, "because of the world-writable folder");
	map_set_free(set);
}

int
main(void)
{
	mt_capture_log();
	test_declare();
	test_rewrite();
	test_nulls();
	test_failures();
	test_quotes();
	test_reopen();
	test_safety();
	mt_cleanup();
	return tap_done();
}
