/*
 * cf_daemon: the value of a DaemonPortOptions (or ClientPortOptions) line:
 * "Name=MTA, Port=smtp, Addr=127.0.0.1, Family=inet, M=Ea, Listen=1024".
 */
#ifndef CF_DAEMON_H
#define CF_DAEMON_H

#include <stdbool.h>

#include "cf.h"
#include "pt_buf.h"

/* One listener (or client socket setting). */
struct cf_daemon {
	char *name;		/* Name=, or "Daemon<n>" */
	int family;		/* AF_INET, AF_INET6 or AF_UNIX */
	char *addr;		/* Addr=, NULL for any (or the socket path for AF_UNIX) */
	char *port;		/* Port= as written ("smtp", "587"), default "smtp" */
	int listen;		/* Listen= backlog, 0 for the default */
	char *modifiers;	/* Modifier= / M= letters as written */
	char *flags;		/* ${daemon_flags}: "EE a" for "Ea" */
	char *input_filters;	/* InputMailFilters= (";"-separated), or NULL */
	long sndbuf, rcvbuf;	/* SndBufSize= / RcvBufSize=, 0 for the system's */
	int children;		/* children=, 0 for no own limit */
	int delivery_mode;	/* DeliveryMode=, 0 for the global one */
};

/* True if the daemon has modifier letter c. */
bool cf_daemon_has(const struct cf_daemon *d, int c);

/*
 * Parses one option value into d (number n names it "Daemon<n>" when it has
 * no Name=).  Returns 0, or -1 with the reason in err (unknown key, unknown
 * family, bad number).
 */
int cf_daemon_parse(const char *spec, int n, struct cf_daemon *d, struct pt_buf *err);
void cf_daemon_free(struct cf_daemon *d);

/*
 * Parses every DaemonPortOptions of cfg into a new array (*out, *count); a
 * configuration without any gets upstream's default, one daemon on port 25
 * on every address.  Returns 0 or -1 with err set.
 */
int cf_daemons(const struct cf_config *cfg, struct cf_daemon **out, int *count,
    struct pt_buf *err);

#endif
