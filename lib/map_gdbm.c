/*
 * map_gdbm: the hash, btree and dbm classes, all stored with gdbm in the
 * file named by the map plus ".db" (lib/map_db.c).
 *
 * Owns the reading side of those maps: the file-safety check before the
 * open, the recognition of a Berkeley DB file left by upstream's makemap
 * (reported with the command that rebuilds it), exact lookups and the
 * detection of a replaced file.  Runs in any process that looks keys up,
 * with the privileges of RunAsUser; never writes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map.h"
#include "map_db.h"
#include "map_impl.h"
#include "pt_alloc.h"

/* The source file a map is built from: the map file name without ".db". */
static void
source_name(const char *file, struct pt_buf *out)
{
	size_t n = strlen(file);

	if (n > 3 && strcmp(file + n - 3, ".db") == 0)
		n -= 3;
	pt_buf_add(out, file, n);
}

/* Explains a map file that cannot be read, naming the command that rebuilds it. */
static void
open_error(const struct map *m, const char *path, const char *why, struct pt_buf *err)
{
	struct pt_buf src = PT_BUF_INIT;

	source_name(m->file, &src);
	pt_buf_printf(err, "%s map \"%s\": %s %s", m->cls->name, m->name, path, why);
	if (m->flags & MAPF_ALIAS)
		pt_buf_printf(err, "; rebuild it with: newaliases");
	else
		pt_buf_printf(err, "; rebuild it with: makemap %s %s < %s", m->cls->name, src.s,
		    src.s);
	pt_buf_free(&src);
}

int
map_gdbm_open_path(const struct map *m, const char *path, struct map_db **out,
    struct pt_buf *err)
{
	struct pt_buf why = PT_BUF_INIT;
	struct stat st;
	int fd, rc = MAP_FOUND;

	*out = NULL;
	if (map_file_check(m, path, &st, err) != 0)
		return MAP_TEMPFAIL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pt_buf_printf(err, "%s map \"%s\": cannot open %s: %s", m->cls->name, m->name,
		    path, strerror(errno));
		rc = MAP_TEMPFAIL;
	} else if (map_db_open_fd(fd, path, out, &why) != 0) {
		open_error(m, path, why.s, err);
		rc = MAP_TEMPFAIL;
	}
	pt_buf_free(&why);
	return rc;
}

/* Opens the map's gdbm file read-only. */
static int
gdbm_map_open(struct map *m, struct pt_buf *err)
{
	char *path = map_db_path(m->file);
	struct map_db *db;
	int rc = map_gdbm_open_path(m, path, &db, err);

	if (rc == MAP_FOUND)
		map_set_handle(m, db);
	free(path);
	return rc;
}

int
map_gdbm_get(struct map_db *db, const char *key, size_t keylen, struct pt_buf *value)
{
	struct pt_buf err = PT_BUF_INIT;
	char *nul;
	int r;

	r = map_db_get(db, key, keylen, value, &err);
	pt_buf_free(&err);
	if (r < 0)
		return MAP_TEMPFAIL;
	if (r == 0)
		return MAP_NOTFOUND;
	nul = memchr(value->s, '\0', value->len);
	if (nul != NULL)
		pt_buf_truncate(value, (size_t)(nul - value->s));
	return MAP_FOUND;
}

/* Looks an exact key up in the open file. */
static int
gdbm_map_lookup(struct map *m, const char *key, size_t keylen, const char *const *av,
    int ac, struct pt_buf *value, const struct map_env *env)
{
	(void)av;
	(void)ac;
	(void)env;
	return map_gdbm_get(map_handle(m), key, keylen, value);
}

/* Closes the gdbm file. */
static void
gdbm_map_close(struct map *m)
{
	map_db_close(map_handle(m));
}

/* True when the file was replaced or changed since it was opened. */
static bool
gdbm_map_stale(struct map *m)
{
	return map_handle(m) != NULL && map_db_changed(map_handle(m));
}

#define GDBM_CLASS(cname) { \
	.name = cname, \
	.cflags = MAPC_FOLD | MAPC_NULLS | MAPC_REWRITE | MAPC_FILE, \
	.open = gdbm_map_open, \
	.lookup = gdbm_map_lookup, \
	.close = gdbm_map_close, \
	.stale = gdbm_map_stale, \
}

const struct map_class map_class_hash = GDBM_CLASS("hash");
const struct map_class map_class_btree = GDBM_CLASS("btree");
const struct map_class map_class_dbm = GDBM_CLASS("dbm");
