/*
 * map_dns: the dns and bestmx classes.
 *
 * dns answers the records of the -R type (A, AAAA, AFSDB, CNAME, MX, NS,
 * PTR, SRV, TXT) of the key (with -B's domain appended): the first record,
 * or, with -z, up to -Z records joined by the -z separator.  bestmx answers
 * the best MX host of the key with a trailing dot, this host first if it is
 * among the best (env->is_local_host); with -z all MX hosts by preference,
 * joined; a name without MX records is its own exchanger if it has an
 * address.  Both take -d and -r for the resolver.  NXDOMAIN and no data are
 * "not found"; a failed server is a temporary failure.  Owns the resolver
 * state of each map; runs in any process that rewrites addresses.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "map_impl.h"
#include "map_res.h"
#include "pt_alloc.h"
#include "pt_str.h"

/* The dns class's own declaration (after the host one's settings). */
struct dns_decl {
	int retrans, retry;	/* must stay first: map_host.c reads them */
	int type;		/* -R */
	char *base;		/* -B */
	long max;		/* -Z: most records joined (0: no limit) */
};

/* The declaration of a dns map, made on first use. */
static struct dns_decl *
dns_decl(struct map *m)
{
	if (m->cdata == NULL)
		m->cdata = pt_calloc(1, sizeof(struct dns_decl));
	return m->cdata;
}

/* The dns class's flags. */
static int
dns_flag(struct map *m, int flag, const char *value, struct pt_buf *err)
{
	struct dns_decl *d = dns_decl(m);

	switch (flag) {
	case 'R':
		d->type = map_res_type(value);
		if (d->type < 0) {
			pt_buf_printf(err, "dns map %s: wrong type %s", m->name, value);
			return -1;
		}
		return 0;
	case 'B':
		free(d->base);
		d->base = pt_strdup(value);
		return 0;
	case 'Z':
		if (!pt_str_to_long(value, &d->max) || d->max < 0) {
			pt_buf_printf(err, "dns map %s: -Z needs a number", m->name);
			return -1;
		}
		return 0;
	default:
		return map_host_flag(m, flag, value, err);
	}
}

/* A dns map needs -R. */
static int
dns_check(struct map *m, struct pt_buf *err)
{
	if (m->cdata == NULL || ((struct dns_decl *)m->cdata)->type <= 0) {
		pt_buf_printf(err, "dns map %s: missing -R type", m->name);
		return -1;
	}
	return 0;
}

/* Opens the resolver (dns and bestmx). */
static int
res_open(struct map *m, struct pt_buf *err)
{
	struct map_res *r = map_host_resolver(m);

	if (r == NULL) {
		pt_buf_printf(err, "%s map %s: cannot start the resolver", m->cls->name, m->name);
		return MAP_TEMPFAIL;
	}
	map_set_handle(m, r);
	return MAP_FOUND;
}

/* Closes the resolver. */
static void
res_close(struct map *m)
{
	map_res_free(map_handle(m));
}

/* Appends one record as the dns map answers it. */
static void
add_record(const struct map_res_rr *rr, struct pt_buf *value)
{
	if (rr->type == ns_t_srv)
		pt_buf_printf(value, "%u %u %u %s", rr->pref, rr->weight, rr->port, rr->data);
	else
		pt_buf_adds(value, rr->data);
}

/* Maps a resolver status to a map status. */
static int
status_of(enum map_res_status s)
{
	return s == MAP_RES_TEMP ? MAP_TEMPFAIL : MAP_NOTFOUND;
}

/* dns: the records of the key. */
static int
dns_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct dns_decl *d = m->cdata;
	struct pt_buf name = PT_BUF_INIT;
	struct map_res_ans ans;
	enum map_res_status s;
	int i, n;

	(void)keylen;
	(void)av;
	(void)ac;
	(void)env;
	pt_buf_adds(&name, key);
	if (d->base != NULL)
		pt_buf_printf(&name, "%s%s", name.len && name.s[name.len - 1] == '.' ? "" : ".",
		    d->base);
	s = map_res_query(map_handle(m), name.s, d->type, true, &ans);
	pt_buf_free(&name);
	if (s != MAP_RES_OK)
		return status_of(s);
	n = m->delimstr == NULL ? 1 : d->max > 0 && d->max < ans.n ? (int)d->max : ans.n;
	if ((m->flags & MAPF_SINGLEMATCH) && ans.n > 1) {
		map_res_ans_free(&ans);
		return MAP_NOTFOUND;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			pt_buf_adds(value, m->delimstr);
		add_record(&ans.rr[i], value);
	}
	map_res_ans_free(&ans);
	return MAP_FOUND;
}

/* Orders MX records by preference, then name. */
static int
mx_cmp(const void *a, const void *b)
{
	const struct map_res_rr *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return pt_strcasecmp(x->data, y->data);
}

/* The index of the record to answer first: this host if it is among the best. */
static int
best_index(const struct map_res_ans *ans, const struct map_env *env)
{
	int i;

	for (i = 0; i < ans->n && ans->rr[i].pref == ans->rr[0].pref; i++)
		if (env != NULL && env->is_local_host != NULL &&
		    env->is_local_host(env->ctx, ans->rr[i].data))
			return i;
	return 0;
}

/* bestmx for a name without MX records: the name itself if it has an address. */
static int
self_exchanger(struct map *m, const char *key, struct pt_buf *value)
{
	struct map_res_ans ans;
	enum map_res_status s = map_res_query(map_handle(m), key, ns_t_a, true, &ans);

	if (s == MAP_RES_NODATA)
		s = map_res_query(map_handle(m), key, ns_t_aaaa, true, &ans);
	if (s != MAP_RES_OK)
		return status_of(s);
	pt_buf_printf(value, "%s.", ans.owner);
	map_res_ans_free(&ans);
	return MAP_FOUND;
}

/* bestmx: the best MX host of the key, or all of them with -z. */
static int
bestmx_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct map_res_ans ans;
	enum map_res_status s;
	int i, best;

	(void)keylen;
	(void)av;
	(void)ac;
	s = map_res_query(map_handle(m), key, ns_t_mx, true, &ans);
	if (s == MAP_RES_NODATA)
		return self_exchanger(m, key, value);
	if (s != MAP_RES_OK)
		return status_of(s);
	qsort(ans.rr, (size_t)ans.n, sizeof *ans.rr, mx_cmp);
	best = best_index(&ans, env);
	if (m->delimstr == NULL) {
		pt_buf_printf(value, "%s.", ans.rr[best].data);
	} else {
		for (i = 0; i < ans.n; i++)
			pt_buf_printf(value, "%s%s.", i > 0 ? m->delimstr : "", ans.rr[i].data);
	}
	map_res_ans_free(&ans);
	return MAP_FOUND;
}

/* Frees a dns map's declaration. */
static void
dns_free(struct map *m)
{
	struct dns_decl *d = m->cdata;

	if (d != NULL)
		free(d->base);
	free(d);
	m->cdata = NULL;
}

const struct map_class map_class_dns = {
	.name = "dns",
	.cflags = MAPC_REWRITE,
	.spaced = "RB",
	.parse_flag = dns_flag,
	.check = dns_check,
	.open = res_open,
	.lookup = dns_lookup,
	.close = res_close,
	.free = dns_free,
};

const struct map_class map_class_bestmx = {
	.name = "bestmx",
	.cflags = MAPC_REWRITE,
	.parse_flag = map_host_flag,
	.open = res_open,
	.lookup = bestmx_lookup,
	.close = res_close,
	.free = map_host_free,
};
