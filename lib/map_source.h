/*
 * map_source: the lines makemap reads: "key value", one pair a line.
 *
 * The one parser of makemap's (and editmap's) input.  A line is a key, then
 * white space (or the -t delimiter, repeated), then the value to the end of
 * the line; blank lines and lines starting with the comment character are
 * skipped.  Limits are named here; a line over them is refused whole (upstream
 * cut long lines into pieces; Petrel reports them instead).
 */
#ifndef MAP_SOURCE_H
#define MAP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "pt_buf.h"

/* Longest source line makemap accepts, in bytes. */
#define MAP_SRC_LINE_MAX 65536
/* Longest key makemap stores (longer keys could never be looked up). */
#define MAP_SRC_KEY_MAX 1024

/* How lines are read (makemap's -D, -t, -e and -f). */
struct map_src_opts {
	char comment;		/* -D: the comment character ('#') */
	char delim;		/* -t: the key/value delimiter ('\0': white space) */
	bool allow_empty;	/* -e: a key without a value is stored with "" */
	bool nofold;		/* -f: keep the key's case */
};

/* What one line is. */
enum map_src_kind {
	MAP_SRC_SKIP = 0,	/* blank or comment */
	MAP_SRC_PAIR,		/* key and value are set */
	MAP_SRC_ERROR,		/* err says why (upstream's words where it has them) */
};

/* Sets o to makemap's defaults. */
void map_src_defaults(struct map_src_opts *o);

/*
 * Parses line[0..len) (without its LF).  On MAP_SRC_PAIR key and value are
 * replaced by the pair (the key folded to lower case unless nofold); on
 * MAP_SRC_ERROR err is replaced by the reason, e.g. "no RHS for LHS foo",
 * "syntax error (leading space)", "line too long (65536 bytes max)",
 * "key too long (1024 bytes max)", "NUL byte in line".
 */
enum map_src_kind map_src_parse(const char *line, size_t len, const struct map_src_opts *o,
    struct pt_buf *key, struct pt_buf *value, struct pt_buf *err);

#endif
