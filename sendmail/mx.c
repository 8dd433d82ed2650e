/*
 * mx: MX lookups through the system resolver (libresolv), as upstream's
 * getmxrr: records sorted by preference, the domain itself when it has no
 * MX, "[host]" taken literally.
 *
 * Runs in delivery processes and in -bt (/mx).  The resolver follows
 * /etc/resolv.conf, which tests point at a DNS server of their own on
 * loopback.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mx.h"
#include "pt_alloc.h"

/* Adds a host to the list unless full. */
static void
add(struct mx_list *l, const char *host, int pref)
{
	if (l->n >= MX_MAXHOSTS)
		return;
	l->host[l->n] = pt_strdup(host);
	l->pref[l->n] = pref;
	l->n++;
}

/* Sorts by preference, keeping the order of equal ones. */
static void
sort(struct mx_list *l)
{
	for (int i = 1; i < l->n; i++)
		for (int k = i; k > 0 && l->pref[k - 1] > l->pref[k]; k--) {
			char *h = l->host[k];
			int p = l->pref[k];

			l->host[k] = l->host[k - 1];
			l->pref[k] = l->pref[k - 1];
			l->host[k - 1] = h;
			l->pref[k - 1] = p;
		}
}

/* Parses the MX records of an answer into l. */
static void
parse_answer(const unsigned char *ans, int len, struct mx_list *l)
{
	ns_msg msg;
	ns_rr rr;
	char name[NS_MAXDNAME];

	if (ns_initparse(ans, len, &msg) < 0)
		return;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_mx)
			continue;
		if (ns_rr_rdlen(rr) < 3)
			continue;
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), ns_rr_rdata(rr) + 2, name,
		    sizeof name) < 0)
			continue;
		add(l, name, ns_get16(ns_rr_rdata(rr)));
	}
}

int
mx_lookup(const char *domain, const char *fallback, struct mx_list *out)
{
	unsigned char ans[8192];
	struct __res_state rs;
	int len, st = MX_OK;
	size_t n = strlen(domain);

	memset(out, 0, sizeof *out);
	if (n >= 2 && domain[0] == '[' && domain[n - 1] == ']') {
		char *h = pt_strndup(domain + 1, n - 2);

		add(out, h, 0);
		free(h);
		return MX_OK;
	}
	memset(&rs, 0, sizeof rs);
	if (res_ninit(&rs) < 0)
		return MX_TEMP;
	len = res_nsearch(&rs, domain, ns_c_in, ns_t_mx, ans, sizeof ans);
	if (len >= 0)
		parse_answer(ans, len, out);
	else if (h_errno == HOST_NOT_FOUND)
		st = MX_NOHOST;
	else if (h_errno == TRY_AGAIN)
		st = MX_TEMP;
	res_nclose(&rs);
	sort(out);
	if (st == MX_OK && out->n == 0)
		add(out, domain, 0);
	if (fallback != NULL && *fallback)
		add(out, fallback, 0x7fff);
	return st;
}

void
mx_list_free(struct mx_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->host[i]);
	l->n = 0;
}

/* Removes entry i of l. */
static void
drop(struct mx_list *l, int i)
{
	free(l->host[i]);
	for (int k = i + 1; k < l->n; k++) {
		l->host[k - 1] = l->host[k];
		l->pref[k - 1] = l->pref[k];
	}
	l->n--;
}

/* True if host (a trailing dot ignored) is one of this host's names. */
static bool
local_name(const char *host, bool (*is_local)(const char *, void *), void *arg)
{
	size_t n = strlen(host);
	char *h = pt_strndup(host, n > 1 && host[n - 1] == '.' ? n - 1 : n);
	bool yes = is_local(h, arg);

	free(h);
	return yes;
}

int
mx_trim_local(struct mx_list *l, const char *domain, const char *fallback,
    bool (*is_local)(const char *host, void *arg), void *arg, bool try_null)
{
	bool has_fb = fallback != NULL && *fallback && l->n > 0 && l->pref[l->n - 1] == 0x7fff;
	int nmx = l->n - (has_fb ? 1 : 0);
	int best = -1, left;

	if (has_fb && local_name(l->host[l->n - 1], is_local, arg))
		drop(l, nmx);	/* a local FallbackMXhost is no fallback */
	/* no MX records: the domain itself, which only the greeting check concerns */
	if (nmx == 1 && l->pref[0] == 0 && strcasecmp(l->host[0], domain) == 0)
		return MX_OK;
	for (int i = 0; i < nmx; i++)
		if (local_name(l->host[i], is_local, arg) && (best < 0 || l->pref[i] < best))
			best = l->pref[i];
	if (best < 0)
		return MX_OK;
	for (int i = nmx - 1; i >= 0; i--)
		if (l->pref[i] >= best)
			drop(l, i);
	for (left = 0; left < l->n && l->pref[left] != 0x7fff; left++)
		;
	if (left > 0)
		return MX_OK;
	if (!try_null)
		return MX_LOOP;
	/* TryNullMXList: the domain as though it had no MX records, before any fallback */
	add(l, domain, 0);
	for (int k = l->n - 1; k > 0; k--) {
		char *h = l->host[k];

		l->host[k] = l->host[k - 1];
		l->host[k - 1] = h;
		l->pref[k] = l->pref[k - 1];
		l->pref[k - 1] = 0;
	}
	return MX_OK;
}
