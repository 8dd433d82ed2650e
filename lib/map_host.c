/*
 * map_host: the host class, behind $[ ... $]: a host name's canonical name,
 * or an address literal's name, through the methods of the "hosts" service
 * switch entry: "files" (HostsFile, /etc/hosts by default) and "dns".
 *
 * DNS canonicalization applies the resolver's search list, follows CNAMEs
 * and accepts a name with address or MX records, as upstream's getcanonname
 * does.  -d sets the resolver's retransmission interval, -r its retries; -D
 * is set for every host map (upstream's default).  Owns a per-process cache
 * of answers (found and not found; temporary failures are not kept) and the
 * resolver state.  Runs in any process that rewrites addresses.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "map_impl.h"
#include "map_res.h"
#include "map_switch.h"
#include "map_tab.h"
#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_str.h"

/* The default HostsFile. */
#define HOSTS_FILE "/etc/hosts"

/* The class's declaration: resolver settings. */
struct host_decl {
	int retrans, retry;
};

/* The open state. */
struct host_rt {
	struct map_res *res;
	struct map_tab *cache;		/* key -> answer ("" with a leading '-' for not found) */
	char *methods[MAP_SWITCH_MAX];
	int nmethods;
};

/* -d and -r: the resolver's settings (shared with the dns and bestmx classes). */
int
map_host_flag(struct map *m, int flag, const char *value, struct pt_buf *err)
{
	struct host_decl *d;
	long n;

	if (flag != 'd' && flag != 'r')
		return 1;
	if (!pt_str_to_long(value, &n) || n < 0 || n > 3600) {
		pt_buf_printf(err, "%s map %s: -%c needs a number", m->cls->name, m->name, flag);
		return -1;
	}
	if (m->cdata == NULL)
		m->cdata = pt_calloc(1, sizeof(struct host_decl));
	d = m->cdata;
	if (flag == 'd')
		d->retrans = (int)n;
	else
		d->retry = (int)n;
	return 0;
}

/* Makes the resolver with the map's -d and -r. */
struct map_res *
map_host_resolver(const struct map *m)
{
	const struct host_decl *d = m->cdata;

	return map_res_new(d != NULL ? d->retrans : 0, d != NULL ? d->retry : 0);
}

/* Opens: the resolver, the cache and the switch's methods. */
static int
host_open(struct map *m, struct pt_buf *err)
{
	struct host_rt *rt = pt_calloc(1, sizeof *rt);

	(void)err;
	rt->res = map_host_resolver(m);
	rt->cache = map_tab_new();
	rt->nmethods = map_switch_methods(map_opts(m), "hosts", rt->methods);
	map_set_handle(m, rt);
	return MAP_FOUND;
}

/* Looks a name (forward) or an address (reverse) up in the hosts file. */
static int
from_file(const struct map *m, const char *key, bool reverse, struct pt_buf *value)
{
	const char *path = map_opts(m)->hosts_file ? map_opts(m)->hosts_file : HOSTS_FILE;
	struct pt_buf line = PT_BUF_INIT;
	FILE *fp = fopen(path, "re");
	int st = MAP_NOTFOUND;

	if (fp == NULL)
		return MAP_NOTFOUND;
	while (st == MAP_NOTFOUND && pt_file_getline(fp, &line)) {
		char *save = NULL, *addr, *canon, *w;

		if (line.s == NULL)
			continue;
		line.s[strcspn(line.s, "#")] = '\0';
		addr = strtok_r(line.s, " \t\r", &save);
		canon = addr != NULL ? strtok_r(NULL, " \t\r", &save) : NULL;
		if (canon == NULL)
			continue;
		if (reverse) {
			if (strcmp(addr, key) == 0)
				st = MAP_FOUND;
		} else {
			for (w = canon; w != NULL && st == MAP_NOTFOUND; w = strtok_r(NULL, " \t\r", &save))
				if (pt_strcasecmp(w, key) == 0)
					st = MAP_FOUND;
		}
		if (st == MAP_FOUND)
			pt_buf_adds(value, canon);
	}
	fclose(fp);
	pt_buf_free(&line);
	return st;
}

/*
 * Canonicalizes a name through DNS as upstream's getcanonname: AAAA, A,
 * then MX records of the name itself when it has a dot (the search list
 * only for a single label); a name without records of one type goes on to
 * the next, a name that does not exist stops.  (The builtin host map has
 * -a., which gives the trailing dot the rules expect.)
 */
static int
canon_dns(struct host_rt *rt, const char *key, struct pt_buf *value)
{
	static const int types[] = { ns_t_aaaa, ns_t_a, ns_t_mx };
	struct map_res_ans ans;
	enum map_res_status s;
	bool temp = false, dotted = strchr(key, '.') != NULL;
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		s = map_res_query(rt->res, key, types[i], !dotted, &ans);
		if (s == MAP_RES_OK) {
			pt_buf_adds(value, ans.owner);
			map_res_ans_free(&ans);
			return MAP_FOUND;
		}
		if (s == MAP_RES_NXDOMAIN)
			return temp ? MAP_TEMPFAIL : MAP_NOTFOUND;
		temp = temp || s == MAP_RES_TEMP;
	}
	return temp ? MAP_TEMPFAIL : MAP_NOTFOUND;
}

/* True if key can be a host name at all: no empty labels. */
static bool
valid_name(const char *key)
{
	size_t n = strlen(key);

	return n > 0 && key[0] != '.' && strstr(key, "..") == NULL &&
	    strpbrk(key, " \t\"") == NULL;
}

/* The PTR name of an address text; false if it is not an address. */
static bool
ptr_name(const char *addr, struct pt_buf *name)
{
	unsigned char a[16];
	int i;

	if (inet_pton(AF_INET, addr, a) == 1) {
		pt_buf_printf(name, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
		return true;
	}
	if (inet_pton(AF_INET6, addr, a) != 1)
		return false;
	for (i = 15; i >= 0; i--)
		pt_buf_printf(name, "%x.%x.", a[i] & 0xf, a[i] >> 4);
	pt_buf_adds(name, "ip6.arpa");
	return true;
}

/* The name of an address through DNS (PTR). */
static int
reverse_dns(struct host_rt *rt, const char *addr, struct pt_buf *value)
{
	struct pt_buf q = PT_BUF_INIT;
	struct map_res_ans ans;
	enum map_res_status s = MAP_RES_NXDOMAIN;

	if (ptr_name(addr, &q))
		s = map_res_query(rt->res, q.s, ns_t_ptr, false, &ans);
	pt_buf_free(&q);
	if (s == MAP_RES_OK) {
		pt_buf_adds(value, ans.rr[0].data);
		map_res_ans_free(&ans);
		return MAP_FOUND;
	}
	return s == MAP_RES_TEMP ? MAP_TEMPFAIL : MAP_NOTFOUND;
}

/* Asks each method of the switch in turn. */
static int
resolve(struct map *m, struct host_rt *rt, const char *key, struct pt_buf *value)
{
	size_t n = strlen(key);
	bool reverse = n > 2 && key[0] == '[' && key[n - 1] == ']';
	char *k = reverse ? pt_strndup(key + 1, n - 2) : pt_strdup(key);
	bool temp = false;
	int i, st = MAP_NOTFOUND;

	if (pt_str_iprefix(k, "IPv6:") && reverse)
		memmove(k, k + 5, strlen(k + 5) + 1);
	if (!reverse && n > 1 && k[n - 1] == '.')
		k[n - 1] = '\0';
	if (!reverse && !valid_name(k)) {
		free(k);
		return MAP_NOTFOUND;
	}
	for (i = 0; i < rt->nmethods && st != MAP_FOUND; i++) {
		pt_buf_reset(value);
		if (pt_strcasecmp(rt->methods[i], "files") == 0)
			st = from_file(m, k, reverse, value);
		else if (pt_strcasecmp(rt->methods[i], "dns") == 0)
			st = reverse ? reverse_dns(rt, k, value) : canon_dns(rt, key, value);
		temp = temp || st == MAP_TEMPFAIL;
	}
	free(k);
	return st == MAP_FOUND ? st : temp ? MAP_TEMPFAIL : MAP_NOTFOUND;
}

/* Looks a host up, through the per-process cache. */
static int
host_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct host_rt *rt = map_handle(m);
	const char *hit;
	size_t vl;
	int st;

	(void)av;
	(void)ac;
	/* one of our own addresses is our own name, without asking anybody */
	if (keylen > 2 && key[0] == '[' && env != NULL && env->is_local_host != NULL &&
	    env->mac_get != NULL && env->is_local_host(env->ctx, key)) {
		const char *j = env->mac_get(env->ctx, "j");

		if (j != NULL && *j != '\0') {
			pt_buf_adds(value, j);
			return MAP_FOUND;
		}
	}
	hit = map_tab_get(rt->cache, key, keylen, &vl);
	if (hit != NULL) {
		if (hit[0] == '-')
			return MAP_NOTFOUND;
		pt_buf_add(value, hit + 1, vl - 1);
		return MAP_FOUND;
	}
	st = resolve(m, rt, key, value);
	if (st == MAP_FOUND || st == MAP_NOTFOUND) {
		struct pt_buf c = PT_BUF_INIT;

		pt_buf_addc(&c, st == MAP_FOUND ? '+' : '-');
		pt_buf_add(&c, value->s, st == MAP_FOUND ? value->len : 0);
		map_tab_put(rt->cache, key, keylen, c.s, c.len, MAP_TAB_REPLACE);
		pt_buf_free(&c);
	}
	return st;
}

void
map_host_forget(struct map *m)
{
	struct host_rt *rt = map_handle(m);

	if (rt == NULL)
		return;
	map_tab_free(rt->cache);
	rt->cache = map_tab_new();
}

/* Frees the resolver and the cache. */
static void
host_close(struct map *m)
{
	struct host_rt *rt = map_handle(m);

	if (rt == NULL)
		return;
	map_res_free(rt->res);
	map_tab_free(rt->cache);
	map_switch_free(rt->methods, rt->nmethods);
	free(rt);
}

/* Frees the declaration. */
void
map_host_free(struct map *m)
{
	free(m->cdata);
	m->cdata = NULL;
}

const struct map_class map_class_host = {
	.name = "host",
	.cflags = MAPC_REWRITE,
	.defflags = MAPF_DEFERRED,
	.parse_flag = map_host_flag,
	.open = host_open,
	.lookup = host_lookup,
	.close = host_close,
	.free = map_host_free,
};
