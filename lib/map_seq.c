/*
 * map_seq: the sequence and switch classes: maps made of other maps of the
 * same set, asked in order until one finds the key.
 *
 * A sequence names its members on the K line; a switch names a service,
 * and its members are the maps "NAME.METHOD" for the methods the service
 * switch lists (lib/map_switch.c), those not declared being skipped.
 * Members are resolved when the map opens.  Owns only the member list; each
 * member applies its own flags.  A member's temporary failure does not stop
 * the search, but is the answer if no later member finds the key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "map.h"
#include "map_impl.h"
#include "map_switch.h"
#include "pt_alloc.h"
#include "pt_log.h"

/* The members of an open sequence or switch map. */
struct seq_rt {
	struct map *member[MAP_SWITCH_MAX];
	int n;
	bool busy;		/* a lookup is running: a member that loops back finds nothing */
};

/* Adds the member called name, if the set has it and it is not m itself. */
static bool
add_member(struct map *m, struct seq_rt *rt, const char *name)
{
	struct map *x = map_find(m->set, name);

	if (x == NULL || x == m || rt->n >= MAP_SWITCH_MAX)
		return false;
	rt->member[rt->n++] = x;
	return true;
}

/* Resolves the members listed on the K line. */
static int
seq_open(struct map *m, struct pt_buf *err)
{
	struct seq_rt *rt = pt_calloc(1, sizeof *rt);
	char *list = pt_strdup(m->file != NULL ? m->file : ""), *save = NULL, *w;

	for (w = strtok_r(list, " \t\n,:", &save); w != NULL;
	    w = strtok_r(NULL, " \t\n,:", &save)) {
		if (!add_member(m, rt, w))
			pt_log(LOG_ERR, "Sequence map %s: unknown member map %s", m->name, w);
	}
	free(list);
	map_set_handle(m, rt);
	(void)err;
	return MAP_FOUND;
}

/* Resolves the members from the service switch. */
static int
switch_open(struct map *m, struct pt_buf *err)
{
	struct seq_rt *rt = pt_calloc(1, sizeof *rt);
	char *methods[MAP_SWITCH_MAX];
	struct pt_buf name = PT_BUF_INIT;
	int n, i;

	n = map_switch_methods(map_opts(m), m->file, methods);
	for (i = 0; i < n; i++) {
		pt_buf_reset(&name);
		pt_buf_printf(&name, "%s.%s", m->name, methods[i]);
		add_member(m, rt, name.s);
	}
	map_switch_free(methods, n);
	pt_buf_free(&name);
	map_set_handle(m, rt);
	(void)err;
	return MAP_FOUND;
}

/* Asks each member in turn. */
static int
seq_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct seq_rt *rt = map_handle(m);
	bool tempfail = false;
	int i, st;

	(void)keylen;
	if (rt->busy)
		return MAP_NOTFOUND;
	rt->busy = true;
	st = MAP_NOTFOUND;
	for (i = 0; i < rt->n && st != MAP_FOUND; i++) {
		st = map_lookup_member(rt->member[i], key, av, ac, value, env);
		if (st == MAP_TEMPFAIL)
			tempfail = !(rt->member[i]->flags & MAPF_NODEFER) || tempfail;
	}
	rt->busy = false;
	if (st == MAP_FOUND)
		return MAP_FOUND;
	return tempfail ? MAP_TEMPFAIL : MAP_NOTFOUND;
}

/* Forgets the members (they are closed on their own). */
static void
seq_close(struct map *m)
{
	free(map_handle(m));
}

/* Requires a service name for a switch. */
static int
switch_check(struct map *m, struct pt_buf *err)
{
	if (m->file == NULL) {
		pt_buf_printf(err, "Switch map %s: no service name", m->name);
		return -1;
	}
	return 0;
}

const struct map_class map_class_sequence = {
	.name = "sequence",
	.cflags = MAPC_RESTLINE,
	.open = seq_open,
	.lookup = seq_lookup,
	.close = seq_close,
};

const struct map_class map_class_switch = {
	.name = "switch",
	.check = switch_check,
	.open = switch_open,
	.lookup = seq_lookup,
	.close = seq_close,
};
