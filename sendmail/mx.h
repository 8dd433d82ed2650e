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

#endif
