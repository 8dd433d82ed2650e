/*
 * test_map_user: the user class (getpwnam, -v fields, -m) and the program
 * class (the first line of the program's output, arguments, exit codes,
 * no root privileges, no shell).
 */
#include "config.h"

#include <pwd.h>

#include "map_impl.h"
#include "maptest.h"

/* The user class. */
static void
test_user(void)
{
	struct map_set *set = mt_set(0, NULL, NULL);
	struct passwd *pw = getpwuid(0);
	struct map *u = mt_declare(set, "user", "user", "-m -a<>");
	struct map *d = mt_declare(set, "dir", "user", "-vdir");
	struct map *uid = mt_declare(set, "uid", "user", "-vuid");
	struct map *bad = mt_declare(set, "bad", "user", "-v6");
	char want[300];

	is_str(mt_lookup(u, "root"), "root<>", "-m -a<> answers the name and the suffix");
	is_str(mt_lookup(u, "Root"), "root<>", "names are folded (and -m answers the folded name, as upstream)");
	is_str(mt_lookup(u, "no-such-user-here"), "<notfound>", "an unknown user is not found");
	snprintf(want, sizeof want, "%s", pw != NULL ? pw->pw_dir : "?");
	is_str(mt_lookup(d, "root"), want, "-vdir answers the home folder");
	is_str(mt_lookup(uid, "root"), "0", "-vuid answers the uid");
	mt_log_text();
	is_str(mt_lookup(bad, "root"), "<tempfail>", "an unknown -v field fails the map");
	is_str(mt_log_text(), "User map bad: unknown column name 6\n", "with upstream's message");
	map_set_free(set);
}

/* The program class. */
static void
test_program(void)
{
	struct map_set *set = mt_set(0, NULL, NULL);
	char args[700];
	struct map *p, *f, *t;
	struct pt_buf err = PT_BUF_INIT;

	mt_write("prog.sh", "#!/bin/sh\n"
	    "case \"$2\" in\n"
	    "miss) exit 1 ;;\n"
	    "temp) exit 75 ;;\n"
	    "empty) exit 0 ;;\n"
	    "me) id -u; exit 0 ;;\n"
	    "env) echo \"$AGENT:$HOME\"; exit 0 ;;\n"
	    "esac\n"
	    "echo \"$1=$2 %1\"; echo second line\n", 0755);
	snprintf(args, sizeof args, "%s fixed", mt_path("prog.sh"));
	p = mt_declare(set, "prog", "program", args);
	is_str(mt_lookup1(p, "Key;$(x)", "A"), "fixed=Key;$(x) A",
	    "the first line is the answer; the key is one argument, never seen by a shell; %%1 works");
	is_str(mt_lookup(p, "miss"), "<notfound>", "a non-zero exit is not found");
	is_str(mt_lookup(p, "temp"), "<tempfail>", "EX_TEMPFAIL is a temporary failure");
	is_str(mt_lookup(p, "empty"), "<notfound>", "no output is not found");
	is_str(mt_lookup(p, "env"), "sendmail:", "the program gets a clean environment with AGENT");
	if (geteuid() == 0)
		ok(strcmp(mt_lookup(p, "me"), "0") != 0, "run by root, the program does not run as root (%s)",
		    mt_lookup(p, "me"));
	else
		ok(strcmp(mt_lookup(p, "me"), "") != 0, "the program runs as the caller");
	snprintf(args, sizeof args, "%s", mt_path("no-such-prog"));
	f = mt_declare(set, "noprog", "program", args);
	is_str(mt_lookup(f, "x"), "<notfound>", "a program that cannot run is not found");
	ok(map_declare(set, "rel", "program", "relative/path", &err) == NULL, "a relative program path is refused");
	ok(map_declare(set, "none", "program", "", &err) == NULL, "a program map needs a program");
	t = NULL;
	(void)t;
	pt_buf_free(&err);
	map_set_free(set);
}

int
main(void)
{
	mt_capture_log();
	test_user();
	test_program();
	mt_cleanup();
	return tap_done();
}
