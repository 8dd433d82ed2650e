/*
 * makemap: builds a map file from "key value" lines on standard input, or
 * dumps one (-u), with upstream's command line:
 *
 *   makemap [-C file] [-N] [-c cachesize] [-D commentchar] [-d] [-e] [-f]
 *           [-i type] [-l] [-o] [-r] [-s] [-t delim] [-u] [-v] type mapname
 *
 * Owns the command line and the build loop; the line syntax is
 * lib/map_source.c and the file is lib/map_db.c, which builds into a
 * temporary file and renames it into place, so a reader never sees a
 * half-built map.  Runs as the invoking user; when that is root and the
 * cf sets TrustedUser, the new map belongs to TrustedUser.  Exit codes as upstream: 64
 * usage, 65 bad input lines (the map is still built from the good ones),
 * 66 unreadable cf, 73 a map that cannot be opened or written.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map_db.h"
#include "map_source.h"
#include "maptool.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"

#ifndef MAILDIR
#define MAILDIR "/etc/mail"
#endif

/* The command line. */
struct mm_opts {
	const char *cf;
	bool explicit_cf, inclnull, dups, list, append, replace, unsafe, dump, verbose;
	unsigned long cache;
	struct map_src_opts src;
	const char *fallback;
	const char *type, *name;
	struct maptool_cf trusted;	/* from the cf: TrustedUser */
};

/* Prints the usage text and returns EX_USAGE. */
static int
usage(void)
{
	fprintf(stderr, "Usage: makemap [-C cffile] [-N] [-c cachesize] [-D commentchar]\n"
	    "               [-d] [-e] [-f] [-i type] [-l] [-o] [-r] [-s] [-t delimiter]\n"
	    "               [-u] [-v] type mapname\n");
	return EX_USAGE;
}

/* Reads the options into o; returns 0, or an exit code. */
static int
parse_args(int argc, char **argv, struct mm_opts *o)
{
	int c;

	o->cf = MAILDIR "/sendmail.cf";
	map_src_defaults(&o->src);
	while ((c = getopt(argc, argv, "C:Nc:D:defi:lorst:uv")) != -1) {
		switch (c) {
		case 'C': o->cf = optarg; o->explicit_cf = true; break;
		case 'N': o->inclnull = true; break;
		case 'c': o->cache = strtoul(optarg, NULL, 10); break;
		case 'D': o->src.comment = optarg[0]; break;
		case 'd': o->dups = true; break;
		case 'e': o->src.allow_empty = true; break;
		case 'f': o->src.nofold = true; break;
		case 'i': o->fallback = optarg; break;
		case 'l': o->list = true; break;
		case 'o': o->append = true; break;
		case 'r': o->replace = true; break;
		case 's': o->unsafe = true; break;
		case 't': o->src.delim = optarg[0]; break;
		case 'u': o->dump = true; break;
		case 'v': o->verbose = true; break;
		default: return usage();
		}
	}
	if (o->list)
		return 0;
	if (argc - optind != 2)
		return usage();
	o->type = argv[optind];
	o->name = argv[optind + 1];
	return 0;
}

/* Reads one line of at most MAP_SRC_LINE_MAX + 1 bytes; the rest of a longer line is dropped. */
static bool
read_line(FILE *in, struct pt_buf *line)
{
	int c;
	bool any = false;

	pt_buf_reset(line);
	while ((c = getc_unlocked(in)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (line->len <= MAP_SRC_LINE_MAX)
			pt_buf_addc(line, c);
	}
	return any;
}

/* Context of a dump. */
struct dump_ctx {
	char delim;
};

/* Prints one pair of a dump: key and value up to their first NUL. */
static int
dump_pair(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	const struct dump_ctx *d = ctx;
	const char *kn = memchr(k, '\0', kl), *vn = memchr(v, '\0', vl);

	fwrite(k, 1, kn != NULL ? (size_t)(kn - k) : kl, stdout);
	putchar(d->delim);
	fwrite(v, 1, vn != NULL ? (size_t)(vn - v) : vl, stdout);
	putchar('\n');
	return 0;
}

/* makemap -u: prints every pair of the map. */
static int
do_dump(const struct mm_opts *o, const struct maptool_type *t, const char *path)
{
	struct pt_buf err = PT_BUF_INIT;
	struct dump_ctx d = { o->src.delim ? o->src.delim : '\t' };
	struct map_db *db;
	int rc = 0;

	if (map_db_open(path, &db, &err) != 0) {
		maptool_open_error("makemap", o->type, o->name, err.s);
		pt_buf_free(&err);
		return EX_CANTCREAT;
	}
	if (map_db_each(db, t->sorted, dump_pair, &d, &err) != 0) {
		fprintf(stderr, "makemap: %s: %s\n", o->name, err.s);
		rc = EX_IOERR;
	}
	map_db_close(db);
	pt_buf_free(&err);
	if (fflush(stdout) != 0)
		rc = EX_IOERR;
	return rc;
}

/* Stores one pair as the options say; returns false on a line error (printed). */
static bool
store_pair(const struct mm_opts *o, struct map_db *db, struct pt_buf *k, struct pt_buf *v,
    unsigned long lineno, bool *fatal)
{
	struct pt_buf err = PT_BUF_INIT;
	size_t n = o->inclnull ? 1 : 0;
	int r;

	if (o->verbose)
		printf("key=`%s', val=`%s'\n", k->s, pt_buf_str(v));
	pt_buf_grow(v, 1);
	if (o->dups && !o->replace)
		r = map_db_put_dup(db, k->s, k->len + n, v->s, v->len + n, &err);
	else
		r = map_db_put(db, k->s, k->len + n, v->s, v->len + n,
		    o->replace ? MAP_DB_REPLACE : MAP_DB_INSERT, &err);
	if (r < 0) {
		fprintf(stderr, "makemap: %s: %s\n", o->name, err.s);
		*fatal = true;
	} else if (r == 1) {
		fprintf(stderr, "makemap: %s: line %lu: key %s: duplicate key\n", o->name, lineno,
		    k->s);
	}
	pt_buf_free(&err);
	return r == 0;
}

/* Reads standard input into db; returns true if every line was good. */
static bool
load_input(const struct mm_opts *o, struct map_db *db, bool *fatal)
{
	struct pt_buf line = PT_BUF_INIT, k = PT_BUF_INIT, v = PT_BUF_INIT, err = PT_BUF_INIT;
	unsigned long lineno = 0;
	bool good = true;

	while (!*fatal && read_line(stdin, &line)) {
		lineno++;
		switch (map_src_parse(line.s, line.len, &o->src, &k, &v, &err)) {
		case MAP_SRC_SKIP:
			break;
		case MAP_SRC_ERROR:
			fprintf(stderr, "makemap: %s: line %lu: %s\n", o->name, lineno, err.s);
			good = false;
			break;
		case MAP_SRC_PAIR:
			if (!store_pair(o, db, &k, &v, lineno, fatal))
				good = false;
			break;
		}
	}
	if (ferror(stdin)) {
		fprintf(stderr, "makemap: %s: error reading input: %s\n", o->name, strerror(errno));
		*fatal = true;
	}
	pt_buf_free(&line);
	pt_buf_free(&k);
	pt_buf_free(&v);
	pt_buf_free(&err);
	return good;
}

/* Builds the map from standard input. */
static int
do_build(const struct mm_opts *o, const char *path)
{
	struct pt_buf err = PT_BUF_INIT;
	struct map_db *db;
	const char *why;
	bool fatal = false, good;
	int lock, rc;

	if (!o->unsafe && maptool_check_output(path, &why) != 0) {
		maptool_open_error("makemap", o->type, o->name, why);
		return EX_CANTCREAT;
	}
	lock = map_db_lock(path);
	if (map_db_create(path, 0640, o->append ? MAP_DB_COPY : 0, o->cache, &db, &err) != 0) {
		maptool_open_error("makemap", o->type, o->name, err.s);
		map_db_unlock(lock);
		pt_buf_free(&err);
		return EX_CANTCREAT;
	}
	good = load_input(o, db, &fatal);
	if (fatal) {
		map_db_close(db);
		rc = EX_IOERR;
	} else if (map_db_commit(db, o->trusted.uid, o->trusted.gid, &err) != 0) {
		fprintf(stderr, "makemap: %s: %s\n", o->name, err.s);
		rc = EX_IOERR;
	} else {
		rc = good ? 0 : EX_DATAERR;
	}
	map_db_unlock(lock);
	pt_buf_free(&err);
	return rc;
}

int
main(int argc, char **argv)
{
	struct mm_opts o = { 0 };
	const struct maptool_type *t;
	char *path;
	int rc;

	pt_log_open("makemap", PT_LOG_STDERR);
	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc;
	if (o.list) {
		maptool_list_types();
		return 0;
	}
	rc = maptool_read_cf("makemap", o.cf, o.explicit_cf, &o.trusted);
	if (rc != 0)
		return rc;
	t = maptool_type_find(o.type);
	if (t == NULL && o.fallback != NULL)
		t = maptool_type_find(o.fallback);
	if (t == NULL) {
		maptool_open_error("makemap", o.type, o.name, "Unknown database type");
		return EX_CANTCREAT;
	}
	path = map_db_path(o.name);
	rc = o.dump ? do_dump(&o, t, path) : do_build(&o, path);
	free(path);
	free(o.trusted.alias_files);
	return rc;
}
