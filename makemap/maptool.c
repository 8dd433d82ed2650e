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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int
maptool_read_cf(const char *prog, const char *cf, bool explicit_cf)
{
	struct pt_buf text = PT_BUF_INIT;
	int e = pt_file_read(cf, &text);

	pt_buf_free(&text);
	if (e == 0 || (e == ENOENT && !explicit_cf))
		return 0;
	fprintf(stderr, "%s: %s: %s\n", prog, cf, strerror(e));
	return EX_NOINPUT;
}
