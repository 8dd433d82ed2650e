/*
 * map_impl: what the map classes share with lib/map.c and nobody else.
 *
 * Each class family lives in its own file (map_gdbm.c, map_text.c, ...) and
 * exports one const struct map_class per class; lib/map.c lists them in its
 * class table.  Classes reach the per-process handle through map_handle()
 * and report file problems with map_file_check(), which makes upstream's log
 * lines.
 */
#ifndef MAP_IMPL_H
#define MAP_IMPL_H

#include <stdbool.h>
#include <sys/stat.h>

#include "map.h"

/* What the generic lookup does for a class. */
enum map_cflag {
	MAPC_FOLD = 1u << 0,	/* keys are folded to lower case unless -f */
	MAPC_NULLS = 1u << 1,	/* the -N/-O trailing NUL conventions apply */
	MAPC_REWRITE = 1u << 2,	/* found values get -m, %n substitution and -a */
	MAPC_FILE = 1u << 3,	/* the first word after the flags is required */
	MAPC_RESTLINE = 1u << 4,	/* the rest of the line after the flags is m->file */
	MAPC_SPLITARGS = 1u << 5,	/* words after the file go to m->argv */
	MAPC_NOFLAGS = 1u << 6,	/* every argument is ignored (arith, macro) */
	MAPC_FOLDMATCH = 1u << 7,	/* -m answers the folded key (user) */
};

/* Longest key the generic lookup passes to a class (longer keys do not match). */
#define MAP_KEY_MAX 4096

/* Per-process runtime state of a map (m->rt); see lib/map.c. */
struct map_rt {
	pid_t pid;		/* the process the state belongs to */
	bool open;		/* open in that process */
	unsigned nulls;		/* MAPF_TRY0NULL|MAPF_TRY1NULL still being tried */
	void *h;		/* the class's open handle */
	bool failed;		/* the last open failed in this process */
	time_t fail_time;	/* when it failed */
	char *fpath;		/* the file map_file_check() last checked, or NULL */
	struct stat fst;	/* that file's state then */
	bool fst_ok;		/* fst is valid (the file existed) */
};

/* The class's handle of m in this process (NULL when not open). */
static inline void *
map_handle(const struct map *m)
{
	return m->rt != NULL ? m->rt->h : NULL;
}

/* Sets the class's handle of m (from the class's open function). */
static inline void
map_set_handle(struct map *m, void *h)
{
	m->rt->h = h;
}

/* The options of the set m belongs to (defaults when it has none). */
const struct map_options *map_opts(const struct map *m);

/* The effective space substitution character of m (-S, else BlankSub, else ' '). */
char map_spacesub(const struct map *m);

/*
 * Checks a map file before it is opened, as upstream's safefile does for
 * maps (no unsafe folder on the path unless MapInUnsafeDirPath, regular files
 * only, no link in a writable folder unless LinkedMapInWritableDir).  On
 * failure returns the errno and writes upstream's line into err:
 * `CLASS map "NAME": missing|unsafe map file PATH: REASON`.
 */
int map_file_check(const struct map *m, const char *path, struct stat *st,
    struct pt_buf *err);

/*
 * The class-level lookup of a map: folding, trailing NUL conventions and
 * rewriting, but no dequoting, -D or -T.  Used by sequence and switch maps
 * for their members.  The map is opened if needed.
 */
int map_lookup_member(struct map *m, const char *key, const char *const *av, int ac,
    struct pt_buf *out, const struct map_env *env);

/*
 * Appends s[0..len) to out with %0..%9 replaced by av[0..ac) ("%%" is a
 * percent sign, any other "%x" stays as it is), then the -a string.
 */
void map_rewrite(const struct map *m, const char *s, size_t len, const char *const *av,
    int ac, struct pt_buf *out);

/* Sets err to "NAME: MESSAGE" for a declaration error. */
void map_decl_error(const struct map *m, struct pt_buf *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct map_db;
/*
 * Opens the gdbm file path of m for reading, after the file-safety check;
 * a Berkeley DB file is reported with the command that rebuilds it.
 * Returns MAP_FOUND with *out set, or MAP_TEMPFAIL with err set.
 */
int map_gdbm_open_path(const struct map *m, const char *path, struct map_db **out,
    struct pt_buf *err);
/* Looks an exact key up in an open gdbm file; the value ends at its first NUL. */
int map_gdbm_get(struct map_db *db, const char *key, size_t keylen, struct pt_buf *value);

struct map_res;
/* The host class's -d and -r flags (shared by dns and bestmx); see map_host.c. */
int map_host_flag(struct map *m, int flag, const char *value, struct pt_buf *err);
/* A resolver with the map's -d and -r (NULL if it cannot start). */
struct map_res *map_host_resolver(const struct map *m);
/* Drops an open host map's cached answers (its resolver and switch stay). */
void map_host_forget(struct map *m);
/* Frees the declaration map_host_flag made. */
void map_host_free(struct map *m);

/* Longest socketmap reply accepted, in bytes. */
#define SOCKET_REPLY_MAX 100000
/*
 * Parses one socketmap reply netstring buf[0..len) ("LEN:STATUS RESULT,").
 * Returns MAP_FOUND (RESULT appended to value), MAP_NOTFOUND, MAP_TEMPFAIL
 * (TEMP, TIMEOUT), MAP_UNAVAIL (PERM), or -1 when it is malformed.
 */
int map_socket_parse_reply(const char *buf, size_t len, struct pt_buf *value);

/* Adds m to set, replacing (and freeing) a map of the same name. */
void map_add_to_set(struct map_set *set, struct map *m);
/* Frees a map and its declaration (closing it first). */
void map_destroy(struct map *m);
/* Closes m in this process if it is open. */
void map_close(struct map *m);

/* The classes, one per row of the table in lib/map.c. */
extern const struct map_class map_class_hash, map_class_btree, map_class_dbm,
    map_class_implicit, map_class_text, map_class_sequence, map_class_switch,
    map_class_host, map_class_dns, map_class_bestmx, map_class_macro, map_class_arith,
    map_class_dequote, map_class_regex, map_class_user, map_class_stab,
    map_class_program, map_class_syslog, map_class_socket, map_class_nis,
    map_class_nisplus, map_class_ldap, map_class_hesiod, map_class_cdb,
    map_class_netinfo, map_class_arpa;

#endif
