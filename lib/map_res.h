/*
 * map_res: the DNS resolver as the host, dns and bestmx classes use it:
 * one query, its answers parsed into records, and the result as a map
 * status.  The resolver reads /etc/resolv.conf when it is made (tests point
 * it at a server on loopback with tests/lib/dns.sh).
 */
#ifndef MAP_RES_H
#define MAP_RES_H

#include <stdbool.h>

/* What a query found. */
enum map_res_status {
	MAP_RES_OK = 0,		/* records of the type */
	MAP_RES_NXDOMAIN,	/* the name does not exist */
	MAP_RES_NODATA,		/* the name exists, without records of the type */
	MAP_RES_TEMP,		/* no server answered, or one failed (SERVFAIL) */
};

/* One answer record. */
struct map_res_rr {
	int type;		/* ns_t_a, ns_t_mx, ... */
	unsigned pref;		/* MX preference, SRV priority */
	unsigned weight, port;	/* SRV */
	char *data;		/* the address, name (no trailing dot) or text */
};

/* The answers of one query. */
struct map_res_ans {
	struct map_res_rr *rr;
	int n;
	char *owner;		/* the name the records belong to, after CNAMEs */
};

struct map_res;

/* Makes a resolver; retrans (seconds) and retry of 0 keep the defaults. */
struct map_res *map_res_new(int retrans, int retry);
/* Frees it. */
void map_res_free(struct map_res *r);

/*
 * Asks for records of type (ns_t_*) of name; search applies the resolv.conf
 * search list (a name ending in '.' is never searched).  On MAP_RES_OK ans
 * holds the records (free with map_res_ans_free); it is empty otherwise.
 */
enum map_res_status map_res_query(struct map_res *r, const char *name, int type, bool search,
    struct map_res_ans *ans);
/* Frees the records of an answer. */
void map_res_ans_free(struct map_res_ans *ans);

/* The ns_t_* type of a name ("A", "mx", ...), or -1. */
int map_res_type(const char *name);

#endif
