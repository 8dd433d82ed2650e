/*
 * mode_bv: verify mode (-bv): each recipient on the command line parsed
 * through the rulesets and reported as deliverable or not, as upstream
 * prints it ("user... deliverable: mailer local, user user").
 *
 * Never delivers or queues.  Writes standard output.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pt_exit.h"
#include "rw.h"
#include "sendmail.h"

/* Verifies one address; returns its exit status. */
static int
verify_one(struct rw_ctx *rw, const char *addr)
{
	struct rw_triple t;
	int st = rw_parse(rw, addr, 0, 0, NULL, &t);

	if (st != EX_OK && st != EX_TEMPFAIL)
		return EX_DATAERR;
	if (t.error)
		return EX_NOUSER;
	if (t.host[0] != '\0')
		printf("%s... deliverable: mailer %s, host %s, user %s\n", addr, t.mailer_name,
		    t.host, t.user);
	else
		printf("%s... deliverable: mailer %s, user %s\n", addr, t.mailer_name, t.user);
	return st;
}

int
mode_verify(struct sm_run *run)
{
	struct rw_ctx rw;
	int rc = EX_OK;

	if (run->nrcpts == 0) {
		fprintf(stderr, "Recipient names must be specified\n");
		return EX_USAGE;
	}
	rw_ctx_init(&rw, run->cfg);
	rw.msgs = stdout;
	for (int i = 0; i < run->nrcpts; i++) {
		int st = verify_one(&rw, run->rcpts[i]);

		if (st != EX_OK)
			rc = st;
		pt_arena_reset(rw.arena);
	}
	rw_ctx_done(&rw);
	return rc;
}
