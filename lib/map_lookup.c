/*
 * map_lookup: the generic lookup every map goes through, and the lazy,
 * per-process opening of maps.
 *
 * Owns the order of the generic steps: -D in deferred mode, dequoting (unless
 * -q), opening, case folding (unless -f), the adaptive trailing-NUL tries
 * (-N/-O), the class's exact lookup, -m, %0..%9 substitution, -a, and the
 * temporary-failure conventions (-t, -T), all as upstream orders them.  A map
 * is opened on its first lookup in a process; every lookup of an open map
 * first asks its class once whether the file changed on disk (one stat of
 * the path for a file map: a file replaced by a rename is seen too) and
 * reopens it if so, while map_open() alone never checks an open map.  A
 * failed open is retried only when the file changes (or, for maps without a
 * file, after MAP_RETRY_SECS).  Failures are logged once per attempt through
 * pt_log, never printed.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "map.h"
#include "map_impl.h"
#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_log.h"
#include "pt_str.h"

/* Seconds before a map without a file (a socket, ...) that failed to open is retried. */
#define MAP_RETRY_SECS 5

/*
 * This process's id as map_pid() last read it, or 0 after a fork (the
 * pthread_atfork child handler clears it): the process-wide state that
 * spares a getpid() per lookup while a forked child still sees that its
 * parent's handles are not its own.
 */
static pid_t known_pid;

/* The fork handler: the child's id is read again. */
static void
pid_forget(void)
{
	known_pid = 0;
}

/* The id of this process. */
static pid_t
map_pid(void)
{
	static bool handler;

	if (known_pid == 0) {
		if (!handler && pthread_atfork(NULL, NULL, pid_forget) == 0)
			handler = true;
		if (handler)
			known_pid = getpid();
		else
			return getpid();
	}
	return known_pid;
}

/* The runtime state of m for this process, made or reset as needed. */
static struct map_rt *
rt_of(struct map *m)
{
	pid_t pid = map_pid();

	if (m->rt == NULL)
		m->rt = pt_calloc(1, sizeof *m->rt);
	if (m->rt->pid != pid) {
		/* inherited from a parent: its handle is not ours to keep */
		if (m->rt->open && m->cls->close != NULL)
			m->cls->close(m);
		m->rt->h = NULL;
		m->rt->open = false;
		m->rt->failed = false;
		m->rt->pid = pid;
		m->rt->nulls = m->flags & (MAPF_TRY0NULL | MAPF_TRY1NULL);
		m->open_status = -1;
	}
	return m->rt;
}

/* True when the file that made the last open fail has changed since. */
static bool
failure_is_stale(const struct map_rt *rt)
{
	struct stat st;
	bool exists;

	if (rt->fpath == NULL)
		return time(NULL) - rt->fail_time >= MAP_RETRY_SECS;
	exists = stat(rt->fpath, &st) == 0;
	if (exists != rt->fst_ok)
		return true;
	return exists && !pt_file_same(&st, &rt->fst);
}

/* What a lookup in a map that could not open answers. */
static int
unopened_status(const struct map *m)
{
	return (m->flags & MAPF_OPTIONAL) ? MAP_NOTFOUND : MAP_TEMPFAIL;
}

/*
 * Closes m if its class says its file changed on disk since it was opened,
 * so that the open that follows sees the new file: the one check of a lookup.
 */
static void
close_if_stale(struct map *m)
{
	struct map_rt *rt = rt_of(m);

	if (!rt->open || m->cls->stale == NULL || !m->cls->stale(m))
		return;
	map_close(m);
	rt = rt_of(m);
	/* a rebuilt map may follow the other trailing-NUL convention */
	rt->nulls = m->flags & (MAPF_TRY0NULL | MAPF_TRY1NULL);
}

int
map_open(struct map *m)
{
	struct map_rt *rt = rt_of(m);
	struct pt_buf err = PT_BUF_INIT;
	int st;

	if (rt->open)
		return MAP_FOUND;
	if (rt->failed && !failure_is_stale(rt))
		return unopened_status(m);
	st = m->cls->open != NULL ? m->cls->open(m, &err) : MAP_FOUND;
	m->open_status = st;
	if (st == MAP_FOUND) {
		rt->open = true;
		rt->failed = false;
	} else {
		rt->failed = true;
		rt->fail_time = time(NULL);
		if (!(m->flags & MAPF_OPTIONAL) && err.len > 0)
			pt_log(LOG_ERR, "%s", err.s);
	}
	pt_buf_free(&err);
	return st == MAP_FOUND ? MAP_FOUND : unopened_status(m);
}

void
map_rewrite(const struct map *m, const char *s, size_t len, const char *const *av, int ac,
    struct pt_buf *out)
{
	const char *e = s + len;
	int d;

	while (s < e && *s != '\0') {
		if (*s != '%') {
			const char *p = s;

			while (p < e && *p != '\0' && *p != '%')
				p++;
			pt_buf_add(out, s, (size_t)(p - s));
			s = p;
			continue;
		}
		if (s + 1 >= e || s[1] == '\0') {
			pt_buf_addc(out, '%');
			break;
		}
		if (s[1] == '%') {
			pt_buf_addc(out, '%');
		} else if (s[1] >= '0' && s[1] <= '9') {
			d = s[1] - '0';
			if (av != NULL && d < ac && av[d] != NULL)
				pt_buf_adds(out, av[d]);
		} else {
			pt_buf_addc(out, '%');
			pt_buf_addc(out, s[1]);
		}
		s += 2;
	}
	if (m->app != NULL)
		pt_buf_adds(out, m->app);
}

/* Runs the class's lookup with the trailing-NUL conventions; value gets the result. */
static int
exact_lookup(struct map *m, struct pt_buf *k, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct map_rt *rt = m->rt;
	int st = MAP_NOTFOUND;

	if (!(m->cls->cflags & MAPC_NULLS))
		return m->cls->lookup(m, k->s, k->len, av, ac, value, env);
	if (rt->nulls & MAPF_TRY0NULL) {
		st = m->cls->lookup(m, k->s, k->len, av, ac, value, env);
		if (st == MAP_FOUND)
			rt->nulls &= ~MAPF_TRY1NULL;
	}
	if (st == MAP_NOTFOUND && (rt->nulls & MAPF_TRY1NULL)) {
		pt_buf_reset(value);
		st = m->cls->lookup(m, k->s, k->len + 1, av, ac, value, env);
		if (st == MAP_FOUND)
			rt->nulls &= ~MAPF_TRY0NULL;
	}
	return st;
}

/* The class-level lookup of an open map: fold, try, rewrite. */
static int
class_lookup(struct map *m, const char *key, const char *const *av, int ac,
    struct pt_buf *out, const struct map_env *env)
{
	struct pt_buf k = PT_BUF_INIT, value = PT_BUF_INIT;
	int st;

	if (strlen(key) > MAP_KEY_MAX)
		return MAP_NOTFOUND;
	pt_buf_adds(&k, key);
	if ((m->cls->cflags & MAPC_FOLD) && !(m->flags & MAPF_NOFOLDCASE))
		pt_str_lower(k.s);
	st = exact_lookup(m, &k, av, ac, &value, env);
	if (st == MAP_FOUND) {
		if (!(m->cls->cflags & MAPC_REWRITE))
			pt_buf_add(out, value.s, value.len);
		else if ((m->flags & MAPF_MATCHONLY) && (m->cls->cflags & MAPC_FOLDMATCH))
			map_rewrite(m, k.s, k.len, NULL, 0, out);
		else if (m->flags & MAPF_MATCHONLY)
			map_rewrite(m, key, strlen(key), NULL, 0, out);
		else
			map_rewrite(m, pt_buf_str(&value), value.len, av, ac, out);
	}
	pt_buf_free(&k);
	pt_buf_free(&value);
	return st;
}

int
map_lookup_member(struct map *m, const char *key, const char *const *av, int ac,
    struct pt_buf *out, const struct map_env *env)
{
	int st;

	close_if_stale(m);
	st = map_open(m);
	if (st != MAP_FOUND)
		return st;
	return class_lookup(m, key, av, ac, out, env);
}

/* Removes the double quotes of a key that are not escaped by a backslash. */
static void
strip_quotes(struct pt_buf *k)
{
	size_t i, j = 0;
	bool esc = false;

	for (i = 0; i < k->len; i++) {
		char c = k->s[i];

		if (!esc && c == '"')
			continue;
		esc = !esc && c == '\\';
		k->s[j++] = c;
	}
	pt_buf_truncate(k, j);
}

/* The -T and -t conventions for a temporary failure. */
static int
tempfail_result(const struct map *m, const char *key, struct pt_buf *out)
{
	if (m->tmpfail_app != NULL) {
		pt_buf_adds(out, key);
		pt_buf_adds(out, m->tmpfail_app);
		return (m->flags & MAPF_NODEFER) ? MAP_FOUND : MAP_TEMPFAIL;
	}
	return (m->flags & MAPF_NODEFER) ? MAP_NOTFOUND : MAP_TEMPFAIL;
}

int
map_lookup(struct map *m, const char *key, const char *const *args, int nargs,
    struct pt_buf *out, const struct map_env *env)
{
	struct pt_buf k = PT_BUF_INIT;
	const char *av[10];
	int ac, st;

	if ((m->flags & MAPF_DEFERRED) && env != NULL && env->deferred)
		return MAP_TEMPFAIL;
	pt_buf_adds(&k, key);
	if (!(m->flags & MAPF_KEEPQUOTES))
		strip_quotes(&k);
	av[0] = pt_buf_str(&k);
	for (ac = 1; ac < 10 && ac - 1 < nargs; ac++)
		av[ac] = args[ac - 1];
	st = map_lookup_member(m, av[0], av, ac, out, env);
	if (st == MAP_TEMPFAIL)
		st = tempfail_result(m, av[0], out);
	else if (st == MAP_UNAVAIL)
		st = MAP_NOTFOUND;
	pt_buf_free(&k);
	return st;
}

/* The safe-file flags upstream uses to read a map file. */
static int
read_sff(const struct map *m)
{
	unsigned dbs = map_opts(m)->dbs;
	int sff = PT_SFF_ROOTOK;

	if (!(dbs & MAP_DBS_MAPINUNSAFEDIRPATH))
		sff |= PT_SFF_SAFEDIRPATH;
	if (!(dbs & MAP_DBS_LINKEDMAPINWRITABLEDIR))
		sff |= PT_SFF_NOWLINK;
	if (!(dbs & MAP_DBS_TRUSTSTICKYBIT))
		sff |= PT_SFF_NOSTICKY;
	if (dbs & MAP_DBS_GROUPWRITABLEDIRPATHSAFE)
		sff |= PT_SFF_GWDIRSAFE;
	return sff;
}

int
map_file_check(const struct map *m, const char *path, struct stat *st, struct pt_buf *err)
{
	struct map_rt *rt = m->rt;
	const char *why;
	int e;

	e = pt_safefile(path, map_opts(m)->uid, read_sff(m), st, &why);
	if (rt != NULL) {
		free(rt->fpath);
		rt->fpath = pt_strdup(path);
		rt->fst_ok = stat(path, &rt->fst) == 0;
	}
	if (e != 0)
		pt_buf_printf(err, "%s map \"%s\": %s map file %s: %s", m->cls->name, m->name,
		    e == ENOENT ? "missing" : "unsafe", path, why);
	return e;
}

/* map_set_renew's step for one map: ctx is its bool result. */
static void
renew_one(struct map *m, void *ctx)
{
	bool *fresh = ctx;
	struct map_rt *rt = m->rt;

	if (rt == NULL || rt->pid != map_pid())
		return;		/* not opened in this process */
	if (rt->open && m->cls == &map_class_host) {
		map_host_forget(m);	/* its cache of answers */
		return;
	}
	if (rt->open && m->cls->stale != NULL && m->cls->stale(m))
		*fresh = false;
	else if (!rt->open && rt->failed && rt->fpath != NULL && failure_is_stale(rt))
		*fresh = false;
}

bool
map_set_renew(struct map_set *set)
{
	bool fresh = true;

	map_set_each(set, renew_one, &fresh);
	return fresh;
}
