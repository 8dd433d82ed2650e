/*
 * pt_exit: the replies upstream gives for the sysexits statuses of its
 * mailers, in its logs (stat=), bounces and host status records.
 */
#include "config.h"

#include <stdlib.h>

#include "pt_exit.h"

static const char *const replies[] = {
	"500 5.0.0 Bad usage",			/* EX_USAGE */
	"501 5.6.0 Data format error",		/* EX_DATAERR */
	"550 5.3.0 Cannot open input",		/* EX_NOINPUT */
	"550 5.1.1 User unknown",		/* EX_NOUSER */
	"550 5.1.2 Host unknown",		/* EX_NOHOST */
	"554 5.0.0 Service unavailable",	/* EX_UNAVAILABLE */
	"554 5.3.0 Internal error",		/* EX_SOFTWARE */
	"451 4.0.0 Operating system error",	/* EX_OSERR */
	"554 5.3.5 System file missing",	/* EX_OSFILE */
	"550 5.0.0 Can't create output",	/* EX_CANTCREAT */
	"451 4.0.0 I/O error",			/* EX_IOERR */
	"451 4.0.0 Deferred",			/* EX_TEMPFAIL */
	"554 5.5.0 Remote protocol error",	/* EX_PROTOCOL */
	"550 5.0.0 Insufficient permission",	/* EX_NOPERM */
	"554 5.3.5 Local configuration error",	/* EX_CONFIG */
};

const char *
pt_exit_reply(int st)
{
	return st >= EX__BASE && st <= EX__MAX ? replies[st - EX__BASE] : NULL;
}

const char *
pt_exit_status(int st)
{
	const char *r = pt_exit_reply(st);

	return r != NULL ? r + 4 : NULL;
}

const char *
pt_exit_words(int st)
{
	const char *r = pt_exit_reply(st);

	return r != NULL ? r + 10 : NULL;
}

int
pt_exit_code(int st)
{
	const char *r = pt_exit_reply(st);

	return r != NULL ? atoi(r) : 0;
}
