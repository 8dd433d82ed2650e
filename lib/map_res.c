/*
 * map_res: queries through the system resolver (libresolv) and parses the
 * answers.
 *
 * Owns one resolver state per map and process (res_ninit), so maps with
 * their own -d and -r never disturb each other.  Every answer is parsed
 * with ns_parserr, which checks each record against the message bounds;
 * names are expanded with dn_expand into fixed buffers of NS_MAXDNAME.
 * Runs in any process that looks hosts up; sends queries only to the
 * servers of resolv.conf.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>

#include "map_res.h"
#include "pt_alloc.h"
#include "pt_buf.h"
#include "pt_str.h"

/* The largest answer read (TCP answers may be this long). */
#define RES_ANSWER_MAX 65536
/* Most CNAMEs followed from the question to the records. */
#define RES_CNAME_MAX 8

struct map_res {
	struct __res_state st;
};

struct map_res *
map_res_new(int retrans, int retry)
{
	struct map_res *r = pt_calloc(1, sizeof *r);

	if (res_ninit(&r->st) != 0) {
		free(r);
		return NULL;
	}
	if (retrans > 0)
		r->st.retrans = retrans;
	if (retry > 0)
		r->st.retry = retry;
	return r;
}

void
map_res_free(struct map_res *r)
{
	if (r == NULL)
		return;
	res_nclose(&r->st);
	free(r);
}

int
map_res_type(const char *name)
{
	static const struct {
		const char *name;
		int type;
	} types[] = {
		{ "A", ns_t_a }, { "AAAA", ns_t_aaaa }, { "AFSDB", ns_t_afsdb },
		{ "CNAME", ns_t_cname }, { "MX", ns_t_mx }, { "NS", ns_t_ns },
		{ "PTR", ns_t_ptr }, { "SRV", ns_t_srv }, { "TXT", ns_t_txt },
	};
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (pt_strcasecmp(name, types[i].name) == 0)
			return types[i].type;
	return -1;
}

/* A 16-bit number in network order. */
static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Expands a domain name at p inside msg; false if it is malformed. */
static bool
expand(const ns_msg *msg, const unsigned char *p, char *out)
{
	return dn_expand(ns_msg_base(*msg), ns_msg_end(*msg), p, out, NS_MAXDNAME) >= 0;
}

/* The TXT strings of rdata, joined. */
static bool
txt_data(const unsigned char *p, size_t len, struct pt_buf *b)
{
	size_t i = 0;

	while (i < len) {
		size_t n = p[i++];

		if (n > len - i)
			return false;
		pt_buf_add(b, p + i, n);
		i += n;
	}
	return true;
}

/* Fills one record from rr; false if its data is malformed. */
static bool
parse_rdata(const ns_msg *msg, ns_rr *rr, struct map_res_rr *out)
{
	const unsigned char *d = ns_rr_rdata(*rr);
	size_t len = ns_rr_rdlen(*rr);
	char name[NS_MAXDNAME], addr[INET6_ADDRSTRLEN];
	struct pt_buf b = PT_BUF_INIT;
	bool okay = true;

	out->type = ns_rr_type(*rr);
	switch (out->type) {
	case ns_t_a: case ns_t_aaaa:
		okay = len == (out->type == ns_t_a ? 4u : 16u) &&
		    inet_ntop(out->type == ns_t_a ? AF_INET : AF_INET6, d, addr, sizeof addr);
		if (okay)
			pt_buf_adds(&b, addr);
		break;
	case ns_t_mx: case ns_t_afsdb: case ns_t_srv: {
		size_t skip = out->type == ns_t_srv ? 6 : 2;

		okay = len > skip && expand(msg, d + skip, name);
		if (okay) {
			out->pref = get16(d);
			out->weight = out->type == ns_t_srv ? get16(d + 2) : 0;
			out->port = out->type == ns_t_srv ? get16(d + 4) : 0;
			pt_buf_adds(&b, name);
		}
		break;
	}
	case ns_t_txt:
		okay = txt_data(d, len, &b);
		break;
	default:
		okay = len > 0 && expand(msg, d, name);
		if (okay)
			pt_buf_adds(&b, name);
		break;
	}
	out->data = okay ? pt_buf_steal(&b) : NULL;
	pt_buf_free(&b);
	return okay;
}

/* Follows CNAMEs from the question's name to the owner of the records. */
static void
find_owner(ns_msg *msg, const char *qname, char *owner)
{
	char target[NS_MAXDNAME];
	int hops, i, n = ns_msg_count(*msg, ns_s_an);
	ns_rr rr;

	pt_strlcpy(owner, qname, NS_MAXDNAME);
	for (hops = 0; hops < RES_CNAME_MAX; hops++) {
		for (i = 0; i < n; i++) {
			if (ns_parserr(msg, ns_s_an, i, &rr) == 0 && ns_rr_type(rr) == ns_t_cname &&
			    pt_strcasecmp(ns_rr_name(rr), owner) == 0 &&
			    expand(msg, ns_rr_rdata(rr), target))
				break;
		}
		if (i == n)
			return;
		pt_strlcpy(owner, target, NS_MAXDNAME);
	}
}

/* Collects the records of type owned by the owner name. */
static void
collect(ns_msg *msg, int type, struct map_res_ans *ans)
{
	int i, n = ns_msg_count(*msg, ns_s_an);
	ns_rr rr;

	ans->rr = pt_calloc((size_t)n + 1, sizeof *ans->rr);
	for (i = 0; i < n; i++) {
		if (ns_parserr(msg, ns_s_an, i, &rr) != 0)
			break;
		if ((int)ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in ||
		    pt_strcasecmp(ns_rr_name(rr), ans->owner) != 0)
			continue;
		if (parse_rdata(msg, &rr, &ans->rr[ans->n]))
			ans->n++;
	}
}

/* Parses an answer message into ans. */
static enum map_res_status
parse_answer(const unsigned char *buf, int len, int type, struct map_res_ans *ans)
{
	char qname[NS_MAXDNAME], owner[NS_MAXDNAME];
	ns_msg msg;
	ns_rr q;

	if (ns_initparse(buf, len, &msg) != 0 || ns_msg_count(msg, ns_s_qd) < 1 ||
	    ns_parserr(&msg, ns_s_qd, 0, &q) != 0)
		return MAP_RES_TEMP;
	pt_strlcpy(qname, ns_rr_name(q), sizeof qname);
	if (type == ns_t_cname)
		pt_strlcpy(owner, qname, sizeof owner);
	else
		find_owner(&msg, qname, owner);
	ans->owner = pt_strdup(owner);
	collect(&msg, type, ans);
	return ans->n > 0 ? MAP_RES_OK : MAP_RES_NODATA;
}

enum map_res_status
map_res_query(struct map_res *r, const char *name, int type, bool search,
    struct map_res_ans *ans)
{
	unsigned char *buf;
	enum map_res_status st;
	int len;

	memset(ans, 0, sizeof *ans);
	if (r == NULL || *name == '\0' || strlen(name) >= NS_MAXDNAME)
		return r == NULL ? MAP_RES_TEMP : MAP_RES_NXDOMAIN;
	buf = pt_malloc(RES_ANSWER_MAX);
	len = search ? res_nsearch(&r->st, name, ns_c_in, type, buf, RES_ANSWER_MAX) :
	    res_nquery(&r->st, name, ns_c_in, type, buf, RES_ANSWER_MAX);
	if (len < 0) {
		free(buf);
		switch (r->st.res_h_errno) {
		case HOST_NOT_FOUND: return MAP_RES_NXDOMAIN;
		case NO_DATA: return MAP_RES_NODATA;
		default: return MAP_RES_TEMP;
		}
	}
	st = parse_answer(buf, len > RES_ANSWER_MAX ? RES_ANSWER_MAX : len, type, ans);
	free(buf);
	if (st != MAP_RES_OK)
		map_res_ans_free(ans);
	return st;
}

void
map_res_ans_free(struct map_res_ans *ans)
{
	int i;

	for (i = 0; i < ans->n; i++)
		free(ans->rr[i].data);
	free(ans->rr);
	free(ans->owner);
	memset(ans, 0, sizeof *ans);
}
