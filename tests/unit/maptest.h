/*
 * maptest.h: helpers the map unit programs share: a scratch folder, a map
 * set configured for it, gdbm maps built from "key value" pairs, and
 * lookups that return one string saying what came back.
 */
#ifndef MAPTEST_H
#define MAPTEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map.h"
#include "map_db.h"
#include "pt_alloc.h"
#include "pt_buf.h"
#include "pt_log.h"
#include "tap.h"

static char mt_dirname[64];

/* Makes the scratch folder (mode 0755) and returns its name. */
static inline const char *
mt_dir(void)
{
	if (mt_dirname[0] == '\0') {
		strcpy(mt_dirname, "/tmp/petrel-maptest-XXXXXX");
		if (mkdtemp(mt_dirname) == NULL)
			abort();
		chmod(mt_dirname, 0755);
	}
	return mt_dirname;
}

/* Returns "DIR/name" in a static buffer (one of four, rotating). */
static inline const char *
mt_path(const char *name)
{
	static char bufs[4][512];
	static int i;
	char *b = bufs[i++ % 4];

	snprintf(b, 512, "%s/%s", mt_dir(), name);
	return b;
}

/* Removes the scratch folder and everything in it. */
static inline void
mt_cleanup(void)
{
	char cmd[600];

	if (mt_dirname[0] != '\0') {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", mt_dirname);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", mt_dirname);
	}
}

/* Writes a file in the scratch folder. */
static inline void
mt_write(const char *name, const char *text, mode_t mode)
{
	FILE *fp = fopen(mt_path(name), "w");

	if (fp == NULL)
		abort();
	fputs(text, fp);
	fclose(fp);
	chmod(mt_path(name), mode);
}

/* A set whose maps may live under /tmp (MapInUnsafeDirPath), plus extra options. */
static inline struct map_set *
mt_set(unsigned dbs, const char *switch_file, const char *hosts_file)
{
	struct map_set *set = map_set_new();
	struct map_options o = { 0 };

	o.uid = getuid();
	o.gid = getgid();
	o.dbs = dbs;
	o.switch_file = switch_file;
	o.hosts_file = hosts_file;
	map_set_configure(set, &o);
	return set;
}

/* Declares a map and records that the declaration worked. */
static inline struct map *
mt_declare(struct map_set *set, const char *name, const char *cls, const char *args)
{
	struct pt_buf err = PT_BUF_INIT;
	struct map *m = map_declare(set, name, cls, args, &err);

	ok(m != NULL, "K%s %s %s is accepted%s%s", name, cls, args, err.len ? ": " : "",
	    pt_buf_str(&err));
	pt_buf_free(&err);
	return m;
}

/*
 * Builds the gdbm map file base(.db) from "k1", "v1", "k2", "v2", ..., NULL;
 * with nul, keys and values get their trailing NUL (makemap -N).
 */
static inline void
mt_build(const char *base, int nul, ...)
{
	struct pt_buf err = PT_BUF_INIT;
	struct map_db *db;
	char *path = map_db_path(base);
	const char *k, *v;
	va_list ap;

	if (map_db_create(path, 0644, 0, 0, &db, &err) != 0) {
		printf("# map_db_create %s: %s\n", path, err.s);
		abort();
	}
	va_start(ap, nul);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		map_db_put(db, k, strlen(k) + nul, v, strlen(v) + nul, MAP_DB_REPLACE, &err);
	}
	va_end(ap);
	if (map_db_commit(db, (uid_t)-1, (gid_t)-1, &err) != 0)
		abort();
	free(path);
	pt_buf_free(&err);
}

/*
 * Looks key up with up to three arguments and describes the answer:
 * the value, "<notfound>", or "<tempfail>" followed by what out received.
 * The result lives until the next call.
 */
static inline const char *
mt_lookup_env(struct map *m, const char *key, const struct map_env *env, const char *a1,
    const char *a2, const char *a3)
{
	static struct pt_buf res;
	struct pt_buf out = PT_BUF_INIT;
	const char *args[3] = { a1, a2, a3 };
	int n = a3 ? 3 : a2 ? 2 : a1 ? 1 : 0;
	int st = map_lookup(m, key, args, n, &out, env);

	pt_buf_reset(&res);
	if (st == MAP_NOTFOUND)
		pt_buf_adds(&res, "<notfound>");
	else if (st == MAP_TEMPFAIL)
		pt_buf_adds(&res, "<tempfail>");
	else if (st != MAP_FOUND)
		pt_buf_printf(&res, "<status %d>", st);
	pt_buf_add(&res, out.s, out.len);
	pt_buf_free(&out);
	return pt_buf_str(&res);
}

#define mt_lookup(m, key) mt_lookup_env((m), (key), NULL, NULL, NULL, NULL)
#define mt_lookup1(m, key, a) mt_lookup_env((m), (key), NULL, (a), NULL, NULL)
#define mt_lookup2(m, key, a, b) mt_lookup_env((m), (key), NULL, (a), (b), NULL)

/* Sends log lines to a file in the scratch folder and returns its name. */
static inline const char *
mt_capture_log(void)
{
	const char *p = mt_path("log");

	if (freopen(p, "w", stderr) == NULL)
		abort();
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IONBF, 0);
	pt_log_open("test", PT_LOG_STDERR);
	return p;
}

/* Returns the captured log so far (static) and empties it. */
static inline const char *
mt_log_text(void)
{
	static struct pt_buf b;
	FILE *fp = fopen(mt_path("log"), "r");
	int c;

	pt_buf_reset(&b);
	if (fp != NULL) {
		while ((c = getc(fp)) != EOF)
			pt_buf_addc(&b, c);
		fclose(fp);
	}
	if (truncate(mt_path("log"), 0) != 0 || fseek(stderr, 0, SEEK_SET) != 0)
		printf("# cannot reset the log\n");
	return pt_buf_str(&b);
}

#endif
