/*
 * mx.h: the hosts mail for a domain goes to (getmxrr): MX records by
 * preference, or the domain itself when it has none.
 */
#ifndef MX_H
#define MX_H

#include <stdbool.h>

#define MX_MAXHOSTS 32

enum mx_status {
	MX_OK = 0,		/* hosts found (possibly the domain itself) */
	MX_NOHOST,		/* the domain does not exist */
	MX_TEMP,		/* the resolver failed for now */
	MX_LOOP,		/* this host is the best MX (mx_trim_local) */
};

struct mx_list {
	char *host[MX_MAXHOSTS];
	int pref[MX_MAXHOSTS];
	int n;
};

/*
 * Looks up the MX hosts of domain, sorted by preference (ties in the order
 * the server gave them).  "[name]" or "[addr]" skips the MX lookup.  When
 * fallback is not NULL it is added last (FallbackMXhost).  Returns enum
 * mx_status.
 */
int mx_lookup(const char *domain, const char *fallback, struct mx_list *out);
void mx_list_free(struct mx_list *l);

/*
 * Drops this host and every MX host not better than it, as upstream's
 * getmxrr does for a delivery: is_local(host, arg) tells this host's names
 * (class w).  When no MX host is left, try_null (TryNullMXList) makes the
 * domain itself the host (its A and AAAA records); otherwise MX_LOOP is
 * returned.  FallbackMXhost (mx_lookup's last entry) is kept unless local.
 */
int mx_trim_local(struct mx_list *l, const char *domain, const char *fallback,
    bool (*is_local)(const char *host, void *arg), void *arg, bool try_null);

#endif
