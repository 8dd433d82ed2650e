/*
 * fuzz_milter: the MTA side of the milter protocol reading arbitrary filter
 * output: the negotiation reply (versions, bits, macro lists), answers to
 * every stage, modifications at end of message.  Whatever comes, results
 * are consistent: a reply code is 4xx or 5xx, modifications only come at end
 * of message, and a broken filter is reported once and then left alone.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "milter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks one result's consistency. */
static void
check(enum milter_action a, const struct milter_result *r, bool eom)
{
	if (a != r->action)
		abort();
	if (a == MILTER_REPLY && r->reply.code / 100 != 4 && r->reply.code / 100 != 5)
		abort();
	if (!eom && r->nmods != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct milter_spec s;
	struct milter_result r = MILTER_RESULT_INIT;
	struct pt_buf err = PT_BUF_INIT;
	const char *argv[] = { "<a@b.example>", "SIZE=10" };
	struct milter_macro mac[] = { { "j", "mx" }, { "{daemon_name}", "MTA" } };
	struct milter *m;
	int sv[2];
	bool dead = false;

	if (size > 100000 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	if (size > 0 && write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	shutdown(sv[1], SHUT_WR);
	milter_spec_parse("fuzz", "S=unix:/nonexistent, T=S:1s;R:1s;E:2s", &s, &err);
	m = milter_attach(&s, sv[0]);
	if (milter_negotiate(m, &err) == 0) {
		check(milter_connect(m, mac, 2, "host", '4', 25, "127.0.0.1", &r), &r, false);
		check(milter_helo(m, mac, 2, "helo", &r), &r, false);
		check(milter_mail(m, mac, 2, argv, 2, &r), &r, false);
		check(milter_rcpt(m, mac, 2, argv, 1, &r), &r, false);
		check(milter_data(m, NULL, 0, &r), &r, false);
		check(milter_header(m, "Subject", " x", &r), &r, false);
		check(milter_eoh(m, NULL, 0, &r), &r, false);
		check(milter_body(m, "body\r\n", 6, &r), &r, false);
		check(milter_eom(m, NULL, 0, &r), &r, true);
		dead = r.action == MILTER_FAILED;
		check(milter_unknown(m, NULL, 0, "XYZ", &r), &r, false);
		if (dead && r.action != MILTER_NOREPLY)
			abort();
		milter_abort(m);
	}
	milter_free(m);
	milter_spec_free(&s);
	milter_result_reset(&r);
	pt_buf_free(&r.err);
	pt_buf_free(&err);
	close(sv[1]);
	return 0;
}
