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
 *
 * Writers (makemap, editmap, newaliases) do not go through this interface:
 * they build gdbm files with lib/map_db.h and aliases with lib/alias.h.
 */
#ifndef MAP_H
#define MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
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

/* DontBlameSendmail relaxations that concern maps and alias files. */
enum map_dbs {
	MAP_DBS_MAPINUNSAFEDIRPATH = 1u << 0,
	MAP_DBS_LINKEDMAPINWRITABLEDIR = 1u << 1,
	MAP_DBS_GROUPWRITABLEALIASFILE = 1u << 2,
	MAP_DBS_WORLDWRITABLEALIASFILE = 1u << 3,
	MAP_DBS_LINKEDALIASFILEINWRITABLEDIR = 1u << 4,
	MAP_DBS_GROUPWRITABLEDIRPATHSAFE = 1u << 5,
	MAP_DBS_TRUSTSTICKYBIT = 1u << 6,
	MAP_DBS_WRITEMAPTOHARDLINK = 1u << 7,
	MAP_DBS_WRITEMAPTOSYMLINK = 1u << 8,
	MAP_DBS_SAFE = 0,
};

/*
 * Parses a DontBlameSendmail value (names separated by commas or blanks,
 * case-insensitive) into enum map_dbs bits; names that do not concern maps
 * are ignored.  Returns the bits.
 */
unsigned map_dbs_parse(const char *value);

/*
 * The $| operator as the ruleset engine reads it inside a map's answer
 * (ADDR_META followed by '|'): what regex -s puts between substrings.
 */
#define MAP_CONDELSE "\001|"

struct map;
struct map_set;
struct map_rt;

/* What a lookup may see of its caller.  Any hook may be NULL. */
struct map_env {
	/* The value of the macro with this name ("x" or "{name}"), or NULL. */
	const char *(*mac_get)(void *ctx, const char *name);
	/* Sets (value != NULL) or clears a macro. */
	void (*mac_set)(void *ctx, const char *name, const char *value);
	/* True if name is one of this host's names (class $=w), for bestmx. */
	bool (*is_local_host)(void *ctx, const char *name);
	void *ctx;
	/* True in deferred delivery mode (for -D maps). */
	bool deferred;
};

/*
 * Set-wide settings taken from the configuration.  The loader fills them
 * with map_set_configure() once the whole cf is read; they are consulted
 * when maps open, so the order of K and O lines does not matter.
 */
struct map_options {
	uid_t uid;			/* RunAsUser: whom file checks are made for */
	gid_t gid;
	uid_t prog_uid;			/* DefaultUser: the program map runs as */
	gid_t prog_gid;
	unsigned dbs;			/* enum map_dbs */
	const char *switch_file;	/* ServiceSwitchFile (NULL: /etc/mail/service.switch) */
	const char *hosts_file;		/* HostsFile (NULL: /etc/hosts) */
	char blanksub;			/* BlankSub ('\0': space) */
	const char *alias_files;	/* AliasFile, as in the cf (for the tools) */
};

/* A map class: one row of the class table (see lib/map_impl.h for flags). */
struct map_class {
	const char *name;
	unsigned cflags;		/* enum map_cflag (map_impl.h) */
	unsigned defflags;		/* enum map_flag every map of the class starts with */
	const char *spaced;		/* flags whose value may follow as the next word */
	/* Parses one class-specific flag: 0 done, 1 not mine, -1 error (err set). */
	int (*parse_flag)(struct map *m, int flag, const char *value, struct pt_buf *err);
	/* Checks the declaration after all flags are read (file argument, ...). */
	int (*check)(struct map *m, struct pt_buf *err);
	/* Opens the backing store; returns enum map_status (err set unless FOUND). */
	int (*open)(struct map *m, struct pt_buf *err);
	/*
	 * Looks up exactly key[0..keylen) (already folded and NUL-adjusted as
	 * the class's cflags ask); av[0..ac) are %0..%n.  Appends the value.
	 */
	int (*lookup)(struct map *m, const char *key, size_t keylen, const char *const *av,
	    int ac, struct pt_buf *value, const struct map_env *env);
	/* Closes the backing store. */
	void (*close)(struct map *m);
	/* True when the store's file changed since it was opened (may be NULL). */
	bool (*stale)(struct map *m);
	/* Frees m->cdata (may be NULL). */
	void (*free)(struct map *m);
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
	char *delimstr;			/* -z as given (multi-value separators) */
	char spacesub;			/* -S: space substitution ('\0': BlankSub) */
	char *defval;			/* a default result, for classes that have one */
	char **argv;			/* class arguments after the file, NULL-terminated */
	struct map_set *set;		/* the set this map belongs to */
	void *cdata;			/* class-private declaration data */
	struct map_rt *rt;		/* per-process runtime state (map_impl.h) */
	int open_status;		/* enum map_status of the last open, or -1 if never */
};

/* Finds a map class by name (case-insensitive); NULL if Petrel has none. */
const struct map_class *map_class_find(const char *name);
/* The names of the classes, in table order, NULL-terminated (static storage). */
const char *const *map_class_names(void);

/* Makes an empty set of maps; the builtin "host" map is added by the loader. */
struct map_set *map_set_new(void);
/* Frees a set, closing every map. */
void map_set_free(struct map_set *set);
/* Sets the set-wide options (copied; strings are duplicated). */
void map_set_configure(struct map_set *set, const struct map_options *opts);
/* The set's options (borrowed for the life of the set). */
const struct map_options *map_set_options(const struct map_set *set);
/* Finds a map in a set by name; NULL if none. */
struct map *map_find(const struct map_set *set, const char *name);
/* Calls fn for every map of the set, in declaration order. */
void map_set_each(const struct map_set *set, void (*fn)(struct map *m, void *ctx), void *ctx);

/*
 * Declares a map from a K line's class and argument string and adds it to
 * set (replacing a map of the same name, as upstream does).  Returns the map,
 * or NULL with a message in err ("map m: class foo not available", "No file
 * name for hash map m", "map m: class ldap is not supported in this build",
 * ...); the caller prefixes the file and line.  A map that is declared may
 * still leave a warning in err ("Illegal option x map m", as upstream, which
 * ignores the flag): print it when err->len is not 0.
 */
struct map *map_declare(struct map_set *set, const char *name, const char *classname,
    const char *args, struct pt_buf *err);

/*
 * Looks key up in m, applying the generic flags.  args[0..nargs) are the $@
 * arguments for %1..%9 (%0 is the key).  Opens the map on first use.
 *
 * MAP_FOUND: the rewritten value is appended to out.
 * MAP_NOTFOUND: out is untouched (an optional map that cannot open, or a
 *   temporary failure of a -t map, answers this too).
 * MAP_TEMPFAIL: a temporary failure (a non-optional map that cannot open,
 *   a resolver failure, -D in deferred mode).  If the map has -T, out
 *   receives the key followed by the -T string and the caller uses it as
 *   the result while still recording the temporary failure (as upstream);
 *   otherwise out is untouched.  A -t map with -T answers MAP_FOUND with
 *   that same text.
 */
int map_lookup(struct map *m, const char *key, const char *const *args, int nargs,
    struct pt_buf *out, const struct map_env *env);

/*
 * Opens m now if it is not open in this process (what a lookup does first).
 * Returns MAP_FOUND when the map is usable, MAP_NOTFOUND for an optional map
 * that cannot open, MAP_TEMPFAIL otherwise (the reason is logged once).  An
 * open map is not checked for a changed file here: map_lookup() does that,
 * once per lookup.
 */
int map_open(struct map *m);

/*
 * Between two connections of a session process (which serves several, root
 * given up at the first): closes the maps that keep answers in memory (the
 * host class's cache), so that nothing looked up for one connection is
 * answered from memory to the next.  Returns false when a map this process
 * opened has changed on disk since, or one it could not open has appeared
 * or changed: the process should then leave the next connection to a new
 * one, which opens the map as root.
 */
bool map_set_renew(struct map_set *set);

/* Closes every open map of the set (before fork, or to pick up changes). */
void map_set_close_all(struct map_set *set);

#endif
