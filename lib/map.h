/*
 * map: every map class of the K line behind one interface.
 *
 * A struct map is made from a K line (name, class, argument string) when the
 * configuration loads; its declaration never changes afterwards.  The handle
 * of the backing store (a gdbm file, a socket, ...) is opened lazily on the
 * first lookup in each process, and reopened when the file changes on disk
 * (upstream compares the modification time); that runtime state lives in
 * map->rt and is the only part of a map that changes.
 *
 * Lookups go through map_lookup(), which applies the generic K flags
 * (case folding, -N/-O trailing NUL, -m, -a, -T, -q, %n substitution) so
 * that classes only answer "is this exact key there, and with what value".
 *
 * The caller's world (macros, for the macro map) is reached through
 * struct map_env, so the map layer does not depend on the ruleset engine.
 */
#ifndef MAP_H
#define MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "pt_buf.h"

/* The result of one lookup. */
enum map_status {
	MAP_FOUND = 0,		/* key present; value set */
	MAP_NOTFOUND,		/* key absent */
	MAP_TEMPFAIL,		/* try again later (EX_TEMPFAIL) */
	MAP_UNAVAIL,		/* the map cannot be used (EX_UNAVAILABLE) */
};

/* Generic K-line flags, after upstream's MF_* bits. */
enum map_flag {
	MAPF_OPTIONAL = 1u << 0,	/* -o: a missing map is not an error */
	MAPF_INCLNULL = 1u << 1,	/* -N: keys are stored with a trailing NUL */
	MAPF_TRY0NULL = 1u << 2,	/* -O (and default): try without the NUL */
	MAPF_TRY1NULL = 1u << 3,	/* default: try with the NUL */
	MAPF_MATCHONLY = 1u << 4,	/* -m: return the key, not the value */
	MAPF_NOFOLDCASE = 1u << 5,	/* -f: do not fold the key to lower case */
	MAPF_KEEPQUOTES = 1u << 6,	/* -q: do not dequote the key */
	MAPF_NODEFER = 1u << 7,		/* -t: do not defer on a temporary failure */
	MAPF_DEFERRED = 1u << 8,	/* -D: no lookups in deferred delivery mode */
	MAPF_APPENDDUPS = 1u << 9,	/* -A: append values of duplicate keys */
	MAPF_SINGLEMATCH = 1u << 10,	/* -1: more than one match is no match */
	MAPF_ALIAS = 1u << 11,		/* the map is an alias database */
	MAPF_WRITABLE = 1u << 12,	/* opened for update (makemap, newaliases) */
};

struct map;
struct map_set;

/* What a lookup may see of its caller.  Any hook may be NULL. */
struct map_env {
	/* The value of the macro with this name ("x" or "{name}"), or NULL. */
	const char *(*mac_get)(void *ctx, const char *name);
	/* Sets (value != NULL) or clears a macro. */
	void (*mac_set)(void *ctx, const char *name, const char *value);
	void *ctx;
	/* True in deferred delivery mode (for -D maps). */
	bool deferred;
};

/* A map class: one row of the class table. */
struct map_class {
	const char *name;
	/* Parses one class-specific flag (-k, -v, -z, -s ...); 0 or -1 with err set. */
	int (*parse_flag)(struct map *m, int flag, const char *value, struct pt_buf *err);
	/* Checks the declaration after all flags are read (file argument, ...). */
	int (*check)(struct map *m, struct pt_buf *err);
	/* Opens the backing store; returns enum map_status. */
	int (*open)(struct map *m, struct pt_buf *err);
	/* Looks up exactly key[0..keylen) (already folded and NUL-adjusted). */
	int (*lookup)(struct map *m, const char *key, size_t keylen, struct pt_buf *value,
	    const struct map_env *env);
	/* Stores a pair (for makemap and newaliases); NULL when read-only. */
	int (*store)(struct map *m, const char *key, size_t keylen, const char *value,
	    size_t vlen);
	/* Closes the backing store. */
	void (*close)(struct map *m);
	/* True when the store's file changed since it was opened (may be NULL). */
	bool (*stale)(struct map *m);
};

/* One declared map. */
struct map {
	char *name;			/* the map name of the K line */
	const struct map_class *cls;
	unsigned flags;			/* enum map_flag */
	char *file;			/* the file or argument after the flags, or NULL */
	char *app;			/* -a: appended to every found value */
	char *tmpfail_app;		/* -T: appended on a temporary failure */
	char *keycol, *valcol;		/* -k, -v */
	char delim;			/* -z: column delimiter ('\0': white space) */
	char spacesub;			/* -S: space substitution character */
	char *defval;			/* a default result, for classes that have one */
	char **argv;			/* class arguments after the file, NULL-terminated */
	struct map_set *set;		/* the set this map belongs to */
	void *cdata;			/* class-private declaration data */
	void *rt;			/* per-process runtime state (open handle, mtime) */
	int open_status;		/* enum map_status of the last open, or -1 if never */
};

/* Finds a map class by name (case-insensitive); NULL if Petrel has none. */
const struct map_class *map_class_find(const char *name);

/* Makes an empty set of maps; the builtin "host" map is added by the loader. */
struct map_set *map_set_new(void);
/* Frees a set, closing every map. */
void map_set_free(struct map_set *set);
/* Finds a map in a set by name; NULL if none. */
struct map *map_find(const struct map_set *set, const char *name);

/*
 * Declares a map from a K line's class and argument string and adds it to
 * set (replacing a map of the same name, as upstream does).  Returns the map,
 * or NULL with a message in err ("unknown map class foo", "-x: unknown flag",
 * "not supported in this build", ...); the caller prefixes the file and line.
 */
struct map *map_declare(struct map_set *set, const char *name, const char *classname,
    const char *args, struct pt_buf *err);

/*
 * Looks key up in m, applying the generic flags.  args[0..nargs) are the $@
 * arguments for %1..%9 (%0 is the key).  On MAP_FOUND the rewritten value is
 * appended to out.  Opens the map on first use.
 */
int map_lookup(struct map *m, const char *key, const char *const *args, int nargs,
    struct pt_buf *out, const struct map_env *env);

/* Closes every open map of the set (before fork, or to pick up changes). */
void map_set_close_all(struct map_set *set);

#endif
