/*
 * map_text: the text class: a file of lines split into columns, looked up
 * by the -k column (0 by default) and answering the -v column (0 by
 * default); -z sets the column delimiter (white space by default).
 *
 * Owns the in-memory copy of the file, read whole when the map opens and
 * read again when the file changes.  Lines starting with '#' are comments.
 * Keys compare without case unless -f.  Runs in any process that looks keys
 * up; reads only.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "map.h"
#include "map_impl.h"
#include "map_tab.h"
#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_str.h"

/* The open state: the table and the file it came from. */
struct text_rt {
	struct map_tab *tab;
	char *path;
	struct stat st;
};

/* Reads a column number (-k or -v); -1 if it is not one. */
static long
column(const char *s)
{
	long n;

	if (s == NULL)
		return 0;
	return pt_str_to_long(s, &n) && n >= 0 && n < INT_MAX ? n : -1;
}

/* Checks the -k and -v columns. */
static int
text_check(struct map *m, struct pt_buf *err)
{
	if (column(m->keycol) < 0 || column(m->valcol) < 0) {
		pt_buf_printf(err, "text map \"%s\": -k and -v take column numbers", m->name);
		return -1;
	}
	return 0;
}

/* Finds column n of line[0..len); returns false if the line has fewer. */
static bool
field(const char *line, size_t len, char delim, long n, const char **f, size_t *flen)
{
	size_t i = 0, s;
	long c;

	for (c = 0;; c++) {
		if (delim == '\0')
			while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
				i++;
		if (delim == '\0' && i == len)
			return false;
		s = i;
		while (i < len && (delim != '\0' ? line[i] != delim :
		    !(line[i] == ' ' || line[i] == '\t' || line[i] == '\r')))
			i++;
		if (c == n) {
			*f = line + s;
			*flen = i - s;
			return true;
		}
		if (i == len)
			return false;
		if (delim != '\0')
			i++;
	}
}

/* Adds one line of the file to the table. */
static void
add_line(struct map *m, struct map_tab *tab, const char *line, size_t len)
{
	const char *k, *v;
	size_t kl, vl;
	char *key;

	if (len == 0 || line[0] == '#')
		return;
	if (!field(line, len, m->delim, column(m->keycol), &k, &kl) ||
	    !field(line, len, m->delim, column(m->valcol), &v, &vl))
		return;
	key = pt_memdup0(k, kl);
	if (!(m->flags & MAPF_NOFOLDCASE))
		pt_str_lower(key);
	map_tab_put(tab, key, kl, v, vl, MAP_TAB_KEEP);
	free(key);
}

/* Reads the file into a new table. */
static int
text_open(struct map *m, struct pt_buf *err)
{
	struct pt_buf text = PT_BUF_INIT;
	struct text_rt *rt;
	struct stat st;
	size_t i, s;
	int e;

	if (map_file_check(m, m->file, &st, err) != 0)
		return MAP_TEMPFAIL;
	e = pt_file_read(m->file, &text);
	if (e != 0) {
		pt_buf_printf(err, "text map \"%s\": cannot read %s: %s", m->name, m->file,
		    strerror(e));
		pt_buf_free(&text);
		return MAP_TEMPFAIL;
	}
	rt = pt_calloc(1, sizeof *rt);
	rt->tab = map_tab_new();
	rt->path = pt_strdup(m->file);
	rt->st = st;
	for (i = s = 0; i <= text.len; i++) {
		if (i == text.len || text.s[i] == '\n') {
			add_line(m, rt->tab, text.s + s, i - s);
			s = i + 1;
		}
	}
	pt_buf_free(&text);
	map_set_handle(m, rt);
	return MAP_FOUND;
}

/* Looks an exact (already folded) key up. */
static int
text_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct text_rt *rt = map_handle(m);
	const char *v;
	size_t vl;

	(void)av;
	(void)ac;
	(void)env;
	v = map_tab_get(rt->tab, key, keylen, &vl);
	if (v == NULL)
		return MAP_NOTFOUND;
	pt_buf_add(value, v, vl);
	return MAP_FOUND;
}

/* Frees the table. */
static void
text_close(struct map *m)
{
	struct text_rt *rt = map_handle(m);

	if (rt == NULL)
		return;
	map_tab_free(rt->tab);
	free(rt->path);
	free(rt);
}

/* True when the file changed since it was read. */
static bool
text_stale(struct map *m)
{
	struct text_rt *rt = map_handle(m);

	return rt != NULL && pt_file_changed(rt->path, &rt->st);
}

const struct map_class map_class_text = {
	.name = "text",
	.cflags = MAPC_FOLD | MAPC_REWRITE | MAPC_FILE,
	.check = text_check,
	.open = text_open,
	.lookup = text_lookup,
	.close = text_close,
	.stale = text_stale,
};
