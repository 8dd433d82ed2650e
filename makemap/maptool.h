/*
 * maptool: what makemap and editmap share: the map types they know, the
 * safety checks on the file they write, and how they report an error
 * opening a map.
 */
#ifndef MAPTOOL_H
#define MAPTOOL_H

#include <stdbool.h>
#include <sys/types.h>

#include "map_db.h"

/* One map type of the command line. */
struct maptool_type {
	const char *name;	/* as typed: hash, btree, dbm, implicit */
	bool sorted;		/* dumps come out in key order (btree) */
};

/* Finds a type by name (case-insensitive); NULL if unknown. */
const struct maptool_type *maptool_type_find(const char *name);
/* Prints the types, one a line (makemap -l). */
void maptool_list_types(void);

/*
 * Checks the map file path before it is written, as upstream's makemap does
 * (no symbolic or hard link; a world- or group-writable folder on the path
 * is only warned about).  Returns 0, or an errno with the reason in *why.
 */
int maptool_check_output(const char *path, const char **why);

/* Prints "PROG: error opening type TYPE map NAME: REASON" to standard error. */
void maptool_open_error(const char *prog, const char *type, const char *name,
    const char *why);

/* What the tools take from the cf. */
struct maptool_cf {
	uid_t uid;		/* TrustedUser, when run by root; (uid_t)-1 otherwise */
	gid_t gid;
	char *alias_files;	/* AliasFile, or NULL (the caller frees) */
};

/*
 * Reads the cf given with -C (or the default one, which may be missing) for
 * what the tools need.  Returns 0, or an exit code after printing why (an
 * unreadable -C file: EX_NOINPUT, as upstream).  A cf that does not load
 * is ignored, as upstream's tools do not judge the cf.
 */
int maptool_read_cf(const char *prog, const char *cf, bool explicit_cf, struct maptool_cf *out);

#endif
