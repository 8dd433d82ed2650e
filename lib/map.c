/*
 * map: the class table, map sets, K-line declarations and the generic
 * lookup wrapper that every map class goes through.
 *
 * Owns each set's list of maps and each map's runtime state (which process
 * opened it, the adaptive trailing-NUL state, the last open failure).  The
 * declaration of a map never changes after map_declare(); only m->rt does.
 * Runs in every process that looks keys up (the daemon's session children,
 * queue runners, `sendmail -bt`, praliases); it opens maps lazily, once per
 * process, and reopens a map whose file changed on disk.  It never exits and
 * prints only through pt_log.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map.h"
#include "map_impl.h"
#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"

/* The class table: every class Petrel knows, supported or not. */
static const struct map_class *const class_table[] = {
	&map_class_hash, &map_class_btree, &map_class_dbm, &map_class_implicit,
	&map_class_text, &map_class_sequence, &map_class_switch, &map_class_host,
	&map_class_dns, &map_class_bestmx, &map_class_socket, &map_class_macro,
	&map_class_arith, &map_class_dequote, &map_class_regex, &map_class_user,
	&map_class_stab, &map_class_program, &map_class_syslog, &map_class_arpa,
	&map_class_nis, &map_class_nisplus, &map_class_ldap, &map_class_hesiod,
	&map_class_cdb, &map_class_netinfo,
};
#define NCLASSES (sizeof class_table / sizeof class_table[0])

struct map_set {
	struct map **maps;
	size_t n, cap;
	struct map_options opts;
	bool configured;
};

const struct map_class *
map_class_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCLASSES; i++)
		if (pt_strcasecmp(class_table[i]->name, name) == 0)
			return class_table[i];
	return NULL;
}

const char *const *
map_class_names(void)
{
	static const char *names[NCLASSES + 1];
	size_t i;

	for (i = 0; i < NCLASSES; i++)
		names[i] = class_table[i]->name;
	names[NCLASSES] = NULL;
	return names;
}

struct map_set *
map_set_new(void)
{
	return pt_calloc(1, sizeof(struct map_set));
}

void
map_close(struct map *m)
{
	if (m->rt == NULL)
		return;
	if (m->rt->open && m->cls->close != NULL)
		m->cls->close(m);
	m->rt->h = NULL;
	m->rt->open = false;
	m->rt->failed = false;
	m->open_status = -1;
}

void
map_destroy(struct map *m)
{
	char **a;

	map_close(m);
	if (m->cls->free != NULL)
		m->cls->free(m);
	if (m->rt != NULL)
		free(m->rt->fpath);
	free(m->rt);
	free(m->name);
	free(m->file);
	free(m->app);
	free(m->tmpfail_app);
	free(m->keycol);
	free(m->valcol);
	free(m->delimstr);
	free(m->defval);
	for (a = m->argv; a != NULL && *a != NULL; a++)
		free(*a);
	free(m->argv);
	free(m);
}

/* Frees the strings of a set's options. */
static void
opts_free(struct map_options *o)
{
	free((char *)o->switch_file);
	free((char *)o->hosts_file);
	free((char *)o->alias_files);
}

void
map_set_free(struct map_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		map_destroy(set->maps[i]);
	free(set->maps);
	opts_free(&set->opts);
	free(set);
}

/* Duplicates a string that may be NULL. */
static char *
dup_or_null(const char *s)
{
	return s != NULL ? pt_strdup(s) : NULL;
}

void
map_set_configure(struct map_set *set, const struct map_options *opts)
{
	struct map_options o = *opts;

	o.switch_file = dup_or_null(opts->switch_file);
	o.hosts_file = dup_or_null(opts->hosts_file);
	o.alias_files = dup_or_null(opts->alias_files);
	opts_free(&set->opts);
	set->opts = o;
	set->configured = true;
}

const struct map_options *
map_set_options(const struct map_set *set)
{
	return &set->opts;
}

const struct map_options *
map_opts(const struct map *m)
{
	static const struct map_options none;

	return m->set != NULL ? &m->set->opts : &none;
}

char
map_spacesub(const struct map *m)
{
	if (m->spacesub != '\0')
		return m->spacesub;
	if (map_opts(m)->blanksub != '\0')
		return map_opts(m)->blanksub;
	return ' ';
}

struct map *
map_find(const struct map_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->maps[i]->name, name) == 0)
			return set->maps[i];
	return NULL;
}

void
map_set_each(const struct map_set *set, void (*fn)(struct map *m, void *ctx), void *ctx)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		fn(set->maps[i], ctx);
}

void
map_set_close_all(struct map_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		map_close(set->maps[i]);
}

void
map_add_to_set(struct map_set *set, struct map *m)
{
	size_t i;

	m->set = set;
	for (i = 0; i < set->n; i++) {
		if (strcmp(set->maps[i]->name, m->name) == 0) {
			map_destroy(set->maps[i]);
			set->maps[i] = m;
			return;
		}
	}
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->maps = pt_reallocarray(set->maps, set->cap, sizeof *set->maps);
	}
	set->maps[set->n++] = m;
}

void
map_decl_error(const struct map *m, struct pt_buf *err, const char *fmt, ...)
{
	va_list ap;

	(void)m;
	pt_buf_reset(err);
	va_start(ap, fmt);
	pt_buf_vprintf(err, fmt, ap);
	va_end(ap);
}

unsigned
map_dbs_parse(const char *value)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "mapinunsafedirpath", MAP_DBS_MAPINUNSAFEDIRPATH },
		{ "linkedmapinwritabledir", MAP_DBS_LINKEDMAPINWRITABLEDIR },
		{ "groupwritablealiasfile", MAP_DBS_GROUPWRITABLEALIASFILE },
		{ "worldwritablealiasfile", MAP_DBS_WORLDWRITABLEALIASFILE },
		{ "linkedaliasfileinwritabledir", MAP_DBS_LINKEDALIASFILEINWRITABLEDIR },
		{ "groupwritabledirpathsafe", MAP_DBS_GROUPWRITABLEDIRPATHSAFE },
		{ "truststickybit", MAP_DBS_TRUSTSTICKYBIT },
		{ "writemaptohardlink", MAP_DBS_WRITEMAPTOHARDLINK },
		{ "writemaptosymlink", MAP_DBS_WRITEMAPTOSYMLINK },
	};
	unsigned bits = 0;
	const char *p = value;
	size_t i, n;

	while (p != NULL && *p != '\0') {
		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		for (i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i].name) == n && pt_strncasecmp(p, names[i].name, n) == 0)
				bits |= names[i].bit;
		p += n;
	}
	return bits;
}
