/*
 * praliases: lists the aliases of the alias databases, all of them or the
 * keys given:
 *
 *   praliases [-C cffile] [-f aliasfile] [key ...]
 *
 * Each line is "name:value", the `@:@` marker included, in no particular
 * order; a key that is absent gives "key: No such key".  -f names one alias
 * file ("FILE", "FILE.db" or "class:FILE"); otherwise the AliasFile option
 * of the cf.  Owns only the command line and the output; the database is
 * read through lib/map_db.c.  Runs as the invoking user; reads only.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cf.h"
#include "map_db.h"
#include "pt_alloc.h"
#include "pt_buf.h"
#include "pt_exit.h"
#include "pt_file.h"
#include "pt_log.h"
#include "pt_str.h"

#ifndef MAILDIR
#define MAILDIR "/etc/mail"
#endif

/* Prints one pair as "key:value", each up to its first NUL. */
static int
print_pair(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	(void)ctx;
	printf("%.*s:%.*s\n", (int)strnlen(k, kl), k, (int)strnlen(v, vl), v);
	return 0;
}

/* Looks one key up as given, with its NUL first (the alias convention), then without. */
static void
print_key(struct map_db *db, const char *key)
{
	struct pt_buf v = PT_BUF_INIT, err = PT_BUF_INIT;
	size_t n = strlen(key);

	if (map_db_get(db, key, n + 1, &v, &err) > 0 || map_db_get(db, key, n, &v, &err) > 0)
		printf("%s:%.*s\n", key, (int)strnlen(v.s, v.len), v.s);
	else
		printf("%s: No such key\n", key);
	pt_buf_free(&v);
	pt_buf_free(&err);
}

/* The database file of an alias spec: "class:" dropped, ".db" added. */
static char *
db_of(const char *spec)
{
	const char *p = spec, *c = spec;

	while ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
		c++;
	if (*c == ':' && c > spec)
		p = c + 1;
	p += strspn(p, " \t");
	return map_db_path(p);
}

/* Lists one alias file; returns 0 (errors are reported, as upstream, without failing). */
static int
list_file(const char *spec, char **keys, int nkeys)
{
	struct pt_buf err = PT_BUF_INIT;
	char *path = db_of(spec);
	struct map_db *db;
	int i;

	if (map_db_open(path, &db, &err) != 0) {
		fprintf(stderr, "praliases: %s: open: %s\n", spec, err.s);
	} else {
		if (nkeys == 0)
			map_db_each(db, false, print_pair, NULL, &err);
		for (i = 0; i < nkeys; i++)
			print_key(db, keys[i]);
		map_db_close(db);
	}
	free(path);
	pt_buf_free(&err);
	return 0;
}

/* Lists every alias file of the cf's AliasFile; returns an exit code. */
static int
list_cf(const char *cf, char **keys, int nkeys)
{
	struct pt_buf err = PT_BUF_INIT;
	struct cf_config *cfg;
	const char *files;
	char *copy, *save = NULL, *spec;

	if (access(cf, R_OK) != 0) {
		fprintf(stderr, "praliases: %s: %s\n", cf, strerror(errno));
		return EX_NOINPUT;
	}
	cfg = cf_load(cf, NULL, &err);
	if (cfg == NULL) {
		fprintf(stderr, "praliases: %s", pt_buf_str(&err));
		pt_buf_free(&err);
		return EX_CONFIG;
	}
	files = map_set_options(cfg->maps)->alias_files;
	copy = pt_strdup(files != NULL ? files : "");
	for (spec = strtok_r(copy, ",", &save); spec != NULL; spec = strtok_r(NULL, ",", &save))
		list_file(spec + strspn(spec, " \t"), keys, nkeys);
	free(copy);
	cf_free(cfg);
	pt_buf_free(&err);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cf = MAILDIR "/sendmail.cf", *file = NULL;
	int c, rc = 0;

	pt_log_open("praliases", PT_LOG_STDERR);
	while ((c = getopt(argc, argv, "C:f:")) != -1) {
		switch (c) {
		case 'C': cf = optarg; break;
		case 'f': file = optarg; break;
		default:
			fprintf(stderr, "usage: praliases [-C cffile] [-f aliasfile] [key ...]\n");
			return EX_USAGE;
		}
	}
	if (file != NULL)
		list_file(file, argv + optind, argc - optind);
	else
		rc = list_cf(cf, argv + optind, argc - optind);
	if (fflush(stdout) != 0 && rc == 0)
		rc = EX_IOERR;
	return rc;
}
