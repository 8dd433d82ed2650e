/*
 * map_stab: the stab and implicit classes.
 *
 * stab keeps an alias file in memory: the file named on the K line (or in
 * AliasFile as "stab:FILE") is parsed with the alias parser when the map
 * opens, and again when it changes.  implicit is what an AliasFile entry
 * without a class is: the gdbm map FILE.db when there is one; for an alias
 * map without a database, the text file itself, read as stab does; for
 * other maps, an error.  Owns the in-memory tables; reads only.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "alias.h"
#include "map.h"
#include "map_db.h"
#include "map_impl.h"
#include "map_tab.h"
#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_log.h"

/* The open state: a gdbm file or a table read from text. */
struct stab_rt {
	struct map_db *db;		/* the database, or NULL */
	struct map_tab *tab;		/* the table read from the text file, or NULL */
	char *path;			/* the file read into tab */
	struct stat st;
};

/* Context of loading one file into a table. */
struct load_ctx {
	const struct map *m;
	struct map_tab *tab;
};

/* Stores one parsed alias; -A appends a repeated name's values. */
static void
load_entry(void *ctx, const char *lhs, const char *rhs, unsigned long line)
{
	struct load_ctx *c = ctx;

	(void)line;
	map_tab_put(c->tab, lhs, strlen(lhs), rhs, strlen(rhs),
	    (c->m->flags & MAPF_APPENDDUPS) ? MAP_TAB_APPEND : MAP_TAB_REPLACE);
}

/* Reads the alias file of m into a new table. */
static int
load_text(struct map *m, struct stab_rt *rt, struct pt_buf *err)
{
	struct pt_buf text = PT_BUF_INIT;
	struct alias_parse_opts po = { map_opts(m)->blanksub,
	    (m->flags & MAPF_NOFOLDCASE) != 0 };
	struct load_ctx c = { m, NULL };
	struct alias_sink sink = { load_entry, NULL, &c };
	int e;

	if (map_file_check(m, m->file, &rt->st, err) != 0)
		return MAP_TEMPFAIL;
	e = pt_file_read(m->file, &text);
	if (e != 0) {
		pt_buf_printf(err, "%s map \"%s\": cannot read %s: %s", m->cls->name, m->name,
		    m->file, strerror(e));
		pt_buf_free(&text);
		return MAP_TEMPFAIL;
	}
	c.tab = rt->tab = map_tab_new();
	rt->path = pt_strdup(m->file);
	alias_parse(text.s != NULL ? text.s : "", text.len, &po, &sink);
	pt_buf_free(&text);
	return MAP_FOUND;
}

/* stab: reads the file into memory. */
static int
stab_open(struct map *m, struct pt_buf *err)
{
	struct stab_rt *rt = pt_calloc(1, sizeof *rt);
	int st = load_text(m, rt, err);

	if (st != MAP_FOUND) {
		free(rt);
		return st;
	}
	map_set_handle(m, rt);
	return MAP_FOUND;
}

/* implicit: the database if there is one, else the text file of an alias map. */
static int
implicit_open(struct map *m, struct pt_buf *err)
{
	struct stab_rt *rt = pt_calloc(1, sizeof *rt);
	char *path = map_db_path(m->file);
	int st;

	if (map_db_kind(path) != MAP_DB_MISSING || !(m->flags & MAPF_ALIAS))
		st = map_gdbm_open_path(m, path, &rt->db, err);
	else
		st = load_text(m, rt, err);
	free(path);
	if (st != MAP_FOUND) {
		free(rt);
		return st;
	}
	map_set_handle(m, rt);
	return MAP_FOUND;
}

/* Looks an exact key up in whichever store is open. */
static int
stab_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct stab_rt *rt = map_handle(m);
	const char *v;
	size_t vl;

	(void)av;
	(void)ac;
	(void)env;
	if (rt->db != NULL)
		return map_gdbm_get(rt->db, key, keylen, value);
	v = map_tab_get(rt->tab, key, keylen, &vl);
	if (v == NULL)
		return MAP_NOTFOUND;
	pt_buf_add(value, v, vl);
	return MAP_FOUND;
}

/* Closes the database or frees the table. */
static void
stab_close(struct map *m)
{
	struct stab_rt *rt = map_handle(m);

	if (rt == NULL)
		return;
	map_db_close(rt->db);
	map_tab_free(rt->tab);
	free(rt->path);
	free(rt);
}

/* True when an implicit map read from text now has a database (newaliases ran). */
static bool
implicit_db_appeared(const struct map *m)
{
	char *path = map_db_path(m->file);
	bool there = map_db_kind(path) != MAP_DB_MISSING;

	free(path);
	return there;
}

/* True when the file behind the open store changed. */
static bool
stab_stale(struct map *m)
{
	struct stab_rt *rt = map_handle(m);

	if (rt == NULL)
		return false;
	if (rt->db != NULL)
		return map_db_changed(rt->db);
	if (m->cls == &map_class_implicit && implicit_db_appeared(m))
		return true;
	return pt_file_changed(rt->path, &rt->st);
}

const struct map_class map_class_stab = {
	.name = "stab",
	.cflags = MAPC_FOLD | MAPC_NULLS | MAPC_REWRITE | MAPC_FILE,
	.open = stab_open,
	.lookup = stab_lookup,
	.close = stab_close,
	.stale = stab_stale,
};

const struct map_class map_class_implicit = {
	.name = "implicit",
	.cflags = MAPC_FOLD | MAPC_NULLS | MAPC_REWRITE | MAPC_FILE,
	.open = implicit_open,
	.lookup = stab_lookup,
	.close = stab_close,
	.stale = stab_stale,
};
