/*
 * test_alias: the alias file parser (upstream's continuation, comment and
 * error rules), building alias databases (NULs, the @:@ marker, duplicates,
 * -A, the summary line, unsafe files refused), the alias maps of AliasFile,
 * and the stab and implicit classes.
 */
#include "config.h"

#include "alias.h"
#include "map_impl.h"
#include "maptest.h"
#include "pt_exit.h"

/* What a parse reported, one line per entry or error. */
static struct pt_buf parsed;

/* Records an entry. */
static void
rec_entry(void *ctx, const char *lhs, const char *rhs, unsigned long line)
{
	(void)ctx;
	pt_buf_printf(&parsed, "%lu:[%s]=[%s]\n", line, lhs, rhs);
}

/* Records an error. */
static void
rec_error(void *ctx, unsigned long line, const char *msg)
{
	(void)ctx;
	pt_buf_printf(&parsed, "%lu:error:%s\n", line, msg);
}

/* Parses text and returns what was reported. */
static const char *
parse(const char *text)
{
	struct alias_parse_opts o = { '.', false };
	struct alias_sink sink = { rec_entry, rec_error, NULL };

	pt_buf_reset(&parsed);
	alias_parse(text, strlen(text), &o, &sink);
	return pt_buf_str(&parsed);
}

/* The parser, on the cases upstream's newaliases was seen to handle. */
static void
test_parse(void)
{
	is_str(parse("root: admin\npostmaster: root\n"), "1:[root]=[admin]\n2:[postmaster]=[root]\n",
	    "plain entries");
	is_str(parse("LongList: a,\n  b,\n\tc\n"), "1:[longlist]=[a,  b,\tc]\n",
	    "continuation lines join without the line break, keeping their blanks; names fold");
	is_str(parse("a: b  \nlhs   :  rhs  \n"), "1:[a]=[b  ]\n2:[lhs]=[rhs  ]\n",
	    "blanks after the colon are skipped, trailing blanks kept, blanks before the colon dropped");
	is_str(parse("bad line\nempty:\n:nolhs\n"),
	    "1:error:missing colon\n2:error:empty:... missing value for alias\n"
	    "3:error::nolhs... illegal alias name\n", "bad entries are reported as upstream words them");
	is_str(parse("long: x,\n\n  y\n  z\nw: v\n"),
	    "1:[long]=[x,]\n3:error:Non-continuation line starts with space\n5:[w]=[v]\n",
	    "a blank line ends an entry; one error for a run of stray blank-led lines");
	is_str(parse("y: z\n  # indented comment\n"), "1:[y]=[z  # indented comment]\n",
	    "a blank-led line is a continuation even if it looks like a comment");
	is_str(parse("sp ace: x\n\"quoted name\": y\n"), "1:[sp.ace]=[x]\n2:[\"quoted name\"]=[y]\n",
	    "blanks in a name become BlankSub unless quoted");
	is_str(parse("f: g # not a comment\n# comment\nh: i\r\nj: k"),
	    "1:[f]=[g # not a comment]\n3:[h]=[i]\n4:[j]=[k]\n",
	    "# only starts comments at the start of a line; CR LF and a missing last LF are fine");
	struct alias_parse_opts o = { '.', false };
	struct alias_sink sink = { rec_entry, rec_error, NULL };
	pt_buf_reset(&parsed);
	alias_parse("n: a\0b\nafter: ok\n", 17, &o, &sink);
	is_str(pt_buf_str(&parsed), "1:error:NUL byte in alias line\n2:[after]=[ok]\n", "a NUL byte is reported");
	struct pt_buf big = PT_BUF_INIT;
	pt_buf_adds(&big, "big: x");
	for (int i = 0; i < ALIAS_ENTRY_MAX; i++)
		pt_buf_addc(&big, 'y');
	pt_buf_adds(&big, "\nafter: ok\n");
	pt_buf_reset(&parsed);
	alias_parse(big.s, big.len, &o, &sink);
	is_str(pt_buf_str(&parsed), "1:error:alias line too long\n2:[after]=[ok]\n", "an overlong entry is reported");
	pt_buf_free(&big);
}

/* Collects summary lines. */
static void
note(void *ctx, const char *line)
{
	pt_buf_printf(ctx, "%s\n", line);
}

/* Building, reading back, and refusing unsafe files. */
static void
test_build(void)
{
	struct map_options mo = { 0 };
	struct pt_buf notes = PT_BUF_INIT, spec = PT_BUF_INIT, out = PT_BUF_INIT, err = PT_BUF_INIT;
	struct alias_build_opts o = { .mopts = &mo, .note = note, .ctx = &notes };
	struct alias_stats st;
	struct map_set *set;
	char want[600];
	int rc;

	mo.dbs = MAP_DBS_MAPINUNSAFEDIRPATH;
	mo.uid = getuid();
	mt_write("aliases", "root: admin\npostmaster: root\nLongList: a,\n  b,\n\tc\n# c\nx: y\nx: z\n", 0644);
	mt_log_text();
	rc = alias_rebuild(mt_path("aliases"), &o, &st);
	is_int(rc, 0, "an alias file builds");
	snprintf(want, sizeof want, "%s: 5 aliases, longest 8 bytes, 43 bytes total\n", mt_path("aliases"));
	is_str(notes.s, want, "upstream's summary line (counts, longest value, names and values total)");
	snprintf(want, sizeof want, "%s: line 8: x... Warning: duplicate alias name x\n",
	    mt_path("aliases"));
	is_str(mt_log_text(), want, "a repeated name is warned about");
	struct map_db *db;
	char *path = map_db_path(mt_path("aliases"));
	ok(map_db_open(path, &db, &err) == 0, "the database exists");
	pt_buf_reset(&out);
	is_int(map_db_get(db, "root\0", 5, &out, &err), 1, "names are stored with their NUL");
	is_int(out.len, 6, "and values too");
	pt_buf_reset(&out);
	is_int(map_db_get(db, "@\0", 2, &out, &err), 1, "the @:@ marker is there");
	map_db_close(db);
	free(path);

	set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	is_int(alias_declare_maps(set, mt_path("aliases"), &err), 1, "AliasFile declares one alias map");
	pt_buf_reset(&out);
	is_int(alias_lookup(set, "LONGLIST", &out), MAP_FOUND, "an alias is found, whatever its case");
	is_str(out.s, "a,  b,\tc", "with its value");
	pt_buf_reset(&out);
	is_int(alias_lookup(set, "x", &out), MAP_FOUND, "a repeated name");
	is_str(out.s, "z", "has the last value");
	is_int(alias_lookup(set, "nobody-here", &out), MAP_NOTFOUND, "an unknown name is not found");
	map_set_free(set);

	pt_buf_printf(&spec, "hash:-A %s", mt_path("aliases"));
	alias_rebuild(spec.s, &o, NULL);
	mt_log_text();
	set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	alias_declare_maps(set, spec.s, &err);
	pt_buf_reset(&out);
	alias_lookup(set, "x", &out);
	is_str(out.s, "z,y", "-A joins the values of a repeated name as upstream does (new,old)");
	map_set_free(set);

	mt_write("bad", "ok: fine\nbroken line\n", 0644);
	is_int(alias_rebuild(mt_path("bad"), &o, &st), EX_SOFTWARE, "a bad entry makes the build exit 70, as upstream");
	is_int(st.errors, 1, "one error counted");
	snprintf(want, sizeof want, "%s: line 2: missing colon\n", mt_path("bad"));
	ok(strstr(mt_log_text(), want) != NULL, "FILE: line N: reason is logged");

	chmod(mt_path("aliases"), 0664);
	rc = alias_rebuild(mt_path("aliases"), &o, NULL);
	ok(rc != 0, "a group-writable alias file is refused");
	snprintf(want, sizeof want, "newaliases: cannot open %s: Group writable file\n", mt_path("aliases"));
	is_str(mt_log_text(), want, "with upstream's message");
	mo.dbs |= MAP_DBS_GROUPWRITABLEALIASFILE;
	is_int(alias_rebuild(mt_path("aliases"), &o, NULL), 0, "unless DontBlameSendmail=GroupWritableAliasFile");
	chmod(mt_path("aliases"), 0646);
	ok(alias_rebuild(mt_path("aliases"), &o, NULL) != 0, "a world-writable alias file is refused");
	chmod(mt_path("aliases"), 0644);
	pt_buf_free(&notes);
	pt_buf_free(&spec);
	pt_buf_free(&out);
	pt_buf_free(&err);
	mt_log_text();
}

/* Refuses names the caller's rules say are not local. */
static bool
only_local(void *ctx, const char *lhs, struct pt_buf *why)
{
	(void)ctx;
	if (strchr(lhs, '@') == NULL)
		return true;
	pt_buf_adds(why, "cannot alias non-local names");
	return false;
}

/* The lhs hook, stab and implicit. */
static void
test_classes(void)
{
	struct map_options mo = { 0 };
	struct alias_build_opts o = { .mopts = &mo, .lhs_ok = only_local };
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	struct map *st, *im, *im2;
	char want[600];

	mo.dbs = MAP_DBS_MAPINUNSAFEDIRPATH;
	mt_write("text-aliases", "Who: me\nuser@remote: x\n", 0644);
	mt_log_text();
	is_int(alias_rebuild(mt_path("text-aliases"), &o, NULL), EX_SOFTWARE, "a refused name is an error");
	snprintf(want, sizeof want, "%s: line 2: user@remote... cannot alias non-local names\n", mt_path("text-aliases"));
	ok(strstr(mt_log_text(), want) != NULL, "reported with the hook's reason");
	unlink(mt_path("text-aliases.db"));
	st = mt_declare(set, "st", "stab", mt_path("text-aliases"));
	is_str(mt_lookup(st, "WHO"), "me", "stab reads an alias file into memory");
	im = mt_declare(set, "im", "implicit", mt_path("text-aliases"));
	im->flags |= MAPF_ALIAS;
	is_str(mt_lookup(im, "who"), "me", "implicit reads the text of an alias file without a database");
	mt_build(mt_path("text-aliases"), 1, "who", "from-db", NULL);
	is_str(mt_lookup(im, "who"), "from-db", "and switches to the database as soon as it is built");
	unlink(mt_path("text-aliases.db"));
	im2 = mt_declare(set, "im2", "implicit", mt_path("text-aliases"));
	is_str(mt_lookup(im2, "who"), "<tempfail>", "implicit fails for other maps without a database");
	mt_build(mt_path("text-aliases"), 1, "who", "db", NULL);
	is_str(mt_lookup(im2, "who"), "db", "and reads the database once there is one");
	mt_log_text();
	map_set_free(set);
}

int
main(void)
{
	mt_capture_log();
	test_parse();
	test_build();
	test_classes();
	pt_buf_free(&parsed);
	mt_cleanup();
	return tap_done();
}
