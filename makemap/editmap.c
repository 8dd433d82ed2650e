/*
 * editmap: queries or changes one record of a map file:
 *
 *   editmap [-C file] [-N] [-f] [-q|-u|-x] maptype mapname key ["value ..."]
 *
 * -q prints the value (exit 69 if the key is absent), -u sets it (making
 * the map if needed), -x deletes it.  Owns the command line only.  A change
 * is made on a copy of the map that is renamed over it (lib/map_db.c), under
 * the writers' lock, so running readers see the old map or the new one, and
 * two editmaps never lose each other's change.  Runs as the invoking user;
 * the edited map keeps its owner and mode.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map_db.h"
#include "maptool.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"

#ifndef MAILDIR
#define MAILDIR "/etc/mail"
#endif

/* The command line. */
struct em_opts {
	const char *cf;
	bool explicit_cf, inclnull, nofold;
	char op;			/* 'q', 'u' or 'x' */
	const char *type, *name, *value;
	char *key;
	struct maptool_cf trusted;
};

/* Prints the usage text and returns EX_USAGE. */
static int
usage(void)
{
	fprintf(stderr, "Usage: editmap [-C cffile] [-N] [-f] [-q|-u|-x] maptype mapname key "
	    "[ \"value ...\" ]\n");
	return EX_USAGE;
}

/* Reads the command line into o; returns 0 or EX_USAGE. */
static int
parse_args(int argc, char **argv, struct em_opts *o)
{
	int c, n = 0;

	o->cf = MAILDIR "/sendmail.cf";
	while ((c = getopt(argc, argv, "C:Nfqux")) != -1) {
		switch (c) {
		case 'C': o->cf = optarg; o->explicit_cf = true; break;
		case 'N': o->inclnull = true; break;
		case 'f': o->nofold = true; break;
		case 'q': case 'u': case 'x': o->op = (char)c; n++; break;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (n != 1 || argc < 3 || (o->op == 'u' && argc < 4))
		return usage();
	o->type = argv[0];
	o->name = argv[1];
	o->key = pt_strdup(argv[2]);
	o->value = o->op == 'u' ? argv[3] : NULL;
	if (!o->nofold)
		pt_str_lower(o->key);
	return 0;
}

/* -q: prints the value of the key. */
static int
do_query(const struct em_opts *o, const char *path)
{
	struct pt_buf err = PT_BUF_INIT, v = PT_BUF_INIT;
	struct map_db *db;
	int r, rc = 0;

	if (map_db_open(path, &db, &err) != 0) {
		maptool_open_error("editmap", o->type, o->name, err.s);
		pt_buf_free(&err);
		return EX_CANTCREAT;
	}
	r = map_db_get(db, o->key, strlen(o->key) + (o->inclnull ? 1 : 0), &v, &err);
	if (r > 0) {
		printf("%.*s\n", (int)strnlen(v.s, v.len), v.s);
	} else {
		fprintf(stderr, "editmap: couldn't find key %s in map %s\n", o->key, o->name);
		rc = r < 0 ? EX_IOERR : EX_UNAVAILABLE;
	}
	map_db_close(db);
	pt_buf_free(&err);
	pt_buf_free(&v);
	return rc;
}

/* Applies -u or -x to db; returns 0, or an exit code after printing why. */
static int
apply(const struct em_opts *o, struct map_db *db)
{
	struct pt_buf err = PT_BUF_INIT;
	size_t n = o->inclnull ? 1 : 0;
	int r, rc = 0;

	if (o->op == 'u') {
		r = map_db_put(db, o->key, strlen(o->key) + n, o->value, strlen(o->value) + n,
		    MAP_DB_REPLACE, &err);
	} else {
		r = map_db_delete(db, o->key, strlen(o->key) + n, &err);
		if (r == 1)
			fprintf(stderr, "editmap: key %s doesn't exist in map %s\n", o->key, o->name);
	}
	if (r < 0) {
		fprintf(stderr, "editmap: %s: %s\n", o->name, err.s);
		rc = EX_IOERR;
	}
	pt_buf_free(&err);
	return rc;
}

/* -u and -x: changes a copy of the map and puts it in place. */
static int
do_edit(const struct em_opts *o, const char *path)
{
	struct pt_buf err = PT_BUF_INIT;
	struct map_db *db;
	struct stat st;
	const char *why;
	uid_t uid = o->trusted.uid;
	gid_t gid = o->trusted.gid;
	int lock, rc;

	if (maptool_check_output(path, &why) != 0) {
		maptool_open_error("editmap", o->type, o->name, why);
		return EX_CANTCREAT;
	}
	lock = map_db_lock(path);
	if (lock < 0 && o->op == 'x') {
		maptool_open_error("editmap", o->type, o->name, strerror(errno));
		return EX_CANTCREAT;
	}
	if (lock >= 0 && fstat(lock, &st) == 0 && geteuid() == 0) {
		uid = st.st_uid;
		gid = st.st_gid;
	}
	if (map_db_create(path, 0640, MAP_DB_COPY, 0, &db, &err) != 0) {
		maptool_open_error("editmap", o->type, o->name, err.s);
		map_db_unlock(lock);
		pt_buf_free(&err);
		return EX_CANTCREAT;
	}
	rc = apply(o, db);
	if (rc != 0)
		map_db_close(db);
	else if (map_db_commit(db, uid, gid, &err) != 0) {
		fprintf(stderr, "editmap: %s: %s\n", o->name, err.s);
		rc = EX_IOERR;
	}
	map_db_unlock(lock);
	pt_buf_free(&err);
	return rc;
}

int
main(int argc, char **argv)
{
	struct em_opts o = { 0 };
	char *path;
	int rc;

	pt_log_open("editmap", PT_LOG_STDERR);
	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc;
	rc = maptool_read_cf("editmap", o.cf, o.explicit_cf, &o.trusted);
	if (rc == 0 && maptool_type_find(o.type) == NULL) {
		maptool_open_error("editmap", o.type, o.name, "Unknown database type");
		rc = EX_CANTCREAT;
	}
	if (rc == 0) {
		path = map_db_path(o.name);
		rc = o.op == 'q' ? do_query(&o, path) : do_edit(&o, path);
		free(path);
	}
	free(o.key);
	free(o.trusted.alias_files);
	return rc;
}
