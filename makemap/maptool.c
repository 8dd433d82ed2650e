/*
 * maptool: the map types, output checks and messages that makemap and
 * editmap share.
 *
 * Owns nothing beyond the type table.  Runs in makemap and editmap, as the
 * invoking user; prints to standard error only what upstream's tools print.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cf.h"
#include "maptool.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_file.h"
#include "pt_str.h"

/* The types, in the order makemap -l lists them. */
static const struct maptool_type types[] = {
	{ "dbm", false },
	{ "hash", false },
	{ "btree", true },
	{ "implicit", false },
};

const struct maptool_type *
maptool_type_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (pt_strcasecmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

void
maptool_list_types(void)
{
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		printf("%s\n", types[i].name);
}

/* Warns about each folder above path that others may write, as upstream does. */
static void
warn_dirs(const char *path)
{
	char *copy = pt_strdup(path);
	char *dir = dirname(copy);
	struct stat st;

	for (;;) {
		if (stat(dir, &st) == 0 && (st.st_mode & (S_IWOTH | S_IWGRP)))
			fprintf(stderr, "WARNING: %s writable directory %s\n",
			    (st.st_mode & S_IWOTH) ? "World" : "Group", dir);
		if (strcmp(dir, "/") == 0 || strcmp(dir, ".") == 0)
			break;
		dir = dirname(dir);
	}
	free(copy);
}

int
maptool_check_output(const char *path, const char **why)
{
	struct stat st;
	int e;

	e = pt_safefile(path, getuid(), PT_SFF_CREAT | PT_SFF_NOSLINK | PT_SFF_NOHLINK |
	    PT_SFF_ROOTOK, &st, why);
	if (e == 0)
		warn_dirs(path);
	return e;
}

void
maptool_open_error(const char *prog, const char *type, const char *name, const char *why)
{
	fprintf(stderr, "%s: error opening type %s map %s: %s\n", prog, type, name, why);
}

/* Resolves TrustedUser ("name" or a number) into ids; false if unknown. */
static bool
trusted_ids(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);
	long n;

	if (pw == NULL && pt_str_to_long(user, &n) && n >= 0)
		pw = getpwuid((uid_t)n);
	if (pw == NULL)
		return false;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
}

int
maptool_read_cf(const char *prog, const char *cf, bool explicit_cf, struct maptool_cf *out)
{
	struct pt_buf err = PT_BUF_INIT;
	struct cf_config *cfg;
	int e;

	out->uid = (uid_t)-1;
	out->gid = (gid_t)-1;
	out->alias_files = NULL;
	e = access(cf, R_OK) == 0 ? 0 : errno;
	if (e != 0) {
		if (e == ENOENT && !explicit_cf)
			return 0;
		fprintf(stderr, "%s: %s: %s\n", prog, cf, strerror(e));
		return EX_NOINPUT;
	}
	cfg = cf_load(cf, NULL, &err);
	if (cfg == NULL) {
		/* like upstream's tools, which only scan the cf for an option or two */
		pt_buf_free(&err);
		return 0;
	}
	if (cfg->opt.trusted_user != NULL && geteuid() == 0 &&
	    !trusted_ids(cfg->opt.trusted_user, &out->uid, &out->gid))
		fprintf(stderr, "%s: TrustedUser %s: unknown user\n", prog, cfg->opt.trusted_user);
	if (map_set_options(cfg->maps)->alias_files != NULL)
		out->alias_files = pt_strdup(map_set_options(cfg->maps)->alias_files);
	cf_free(cfg);
	pt_buf_free(&err);
	return 0;
}
