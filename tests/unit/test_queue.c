/* test_queue: queue ids, the envelope and the qf format (write, read, refuse). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pt_buf.h"
#include "queue.h"
#include "tap.h"

/* Ids have upstream's shape: base-60 time, counter, six-digit pid. */
static void
test_ids(void)
{
	struct queue_idgen g;
	char id[QUEUE_ID_MAX], id2[QUEUE_ID_MAX];
	time_t t = 1795861327;	/* Sat Nov 28 10:22:07 2026 UTC */

	setenv("TZ", "UTC", 1);
	tzset();
	queue_idgen_init(&g, 12318, 60 * 55 + 3);
	queue_id_make(&g, t, id);
	is_str(id, "6ASAM7t3012318", "the id of upstream's own example (same time, counter, pid)");
	queue_id_make(&g, t, id2);
	is_str(id2, "6ASAM7t4012318", "the counter moves on for the next id");
	ok(queue_id_valid(id), "a made id is valid");
	queue_idgen_init(&g, 7, 3599);
	queue_id_make(&g, t, id);
	is_str(id, "6ASAM7xx000007", "a small pid is zero-padded to six digits");
	queue_id_make(&g, t, id);
	is_str(id, "6ASAM700000007", "the counter wraps after xx");
	queue_idgen_init(&g, 4194303, 0);
	queue_id_make(&g, t, id);
	is_str(id, "6ASAM7004194303", "a seven-digit pid is written whole");
	ok(queue_id_valid(id), "a 15-character id is valid");
	queue_idgen_init(&g, 1, 0);
	queue_id_make(&g, 0, id);
	is_str(id, "A0100000000001", "the epoch encodes as year A (70 mod 60), month 0, day 1");
	ok(!queue_id_valid("6ASAM7t301231"), "13 characters are too few");
	ok(!queue_id_valid("6ASAM7t30123x8"), "the pid part is decimal");
	ok(!queue_id_valid("6zSAM7t3012318"), "a month beyond 11 is refused");
	ok(!queue_id_valid("../../etc/pass"), "path characters are refused");
	is_int(queue_id_digit('x'), 59, "x is the last base-60 digit");
	is_int(queue_id_digit('y'), -1, "y is not a base-60 digit");
}

/* Builds an envelope that uses every record. */
static struct queue_env *
full_env(void)
{
	struct queue_env *e = queue_env_new();
	struct queue_rcpt *r;
	int c;

	strcpy(e->id, "6ASATLUw026342");
	e->ctime = 1795861761;
	e->last_attempt = 1795861800;
	e->attempts = 2;
	e->priority = 90015;
	e->has_dfino = true;
	e->df_major = 254;
	e->df_minor = 0;
	e->df_ino = 10953419;
	e->bodytype = queue_env_str(e, "8BITMIME");
	e->message = queue_env_str(e, "Deferred: Connection refused by [127.0.0.1]");
	e->flags = QEF_DELETE_BCC | QEF_SPLIT | QEF_8BIT | QEF_WARNED;
	queue_env_set_macro(e, "_", "root@localhost");
	queue_env_set_macro(e, "r", "ESMTP");
	queue_env_set_macro(e, "{daemon_flags}", "c u");
	e->quarantine = NULL;
	e->sender = queue_env_str(e, "<alice@example.org>");
	e->envid = queue_env_str(e, "env-1");
	e->auth = queue_env_str(e, "<>");
	e->has_deliverby = true;
	e->deliverby = 86400;
	e->deliverby_flags = QUEUE_DLVR_RETURN | QUEUE_DLVR_TRACE;
	r = queue_env_add_rcpt(e, "<bob@[127.0.0.1]>");
	r->flags = QRF_PRIMARY | QRF_HAS_NOTIFY | QRF_NOTIFY_SUCCESS | QRF_NOTIFY_DELAY;
	r->orcpt = queue_env_str(e, "rfc822;bob@orig.example");
	r->final_rcpt = queue_env_str(e, "RFC822; bob@[127.0.0.1]");
	r->message = queue_env_str(e, "alias database unavailable");
	c = queue_env_add_ctl(e, "nobody", 65534, 0, ":include:/etc/mail/list.inc");
	r = queue_env_add_rcpt(e, "dave@[127.0.0.1]");
	r->flags = QRF_NOTIFY_FAILURE | QRF_NOTIFY_DELAY;
	r->ctl = c;
	r = queue_env_add_rcpt(e, "sent@example.net");
	r->state = QRS_SENT;
	r = queue_env_add_rcpt(e, "<root>");
	r->flags = QRF_PRIMARY | QRF_NOTIFY_FAILURE;
	queue_env_add_header(e, "P", "Return-Path", " <\201g>");
	queue_env_add_header(e, "", "Received",
	    " from client.example (root@localhost)\n\tby mx.example.test; Sat, 28 Nov 2026");
	queue_env_add_header(e, NULL, "X-Plain", " no condition");
	queue_env_add_header(e, "", "Subject", " hello");
	return e;
}

static const char full_qf[] =
    "V8\nT1795861761\nK1795861800\nN2\nP90015\nI254/0/10953419\nB8BITMIME\n"
    "MDeferred: Connection refused by [127.0.0.1]\nFw8bs\n"
    "$_root@localhost\n$rESMTP\n${daemon_flags}c u\nS<alice@example.org>\n"
    "Zenv-1\nA<>\n!\022 86400\n"
    "Malias database unavailable\nQrfc822;bob@orig.example\nrRFC822; bob@[127.0.0.1]\n"
    "RPNSD:<bob@[127.0.0.1]>\nCnobody:65534:0::include:/etc/mail/list.inc\n"
    "RFD:dave@[127.0.0.1]\nC\nRPF:<root>\n"
    "H?P?Return-Path: <\201g>\n"
    "H??Received: from client.example (root@localhost)\n\tby mx.example.test; Sat, 28 Nov 2026\n"
    "HX-Plain: no condition\nH??Subject: hello\n.\n";

/* Writing uses upstream's record order and drops finished recipients. */
static void
test_format(void)
{
	struct queue_env *e = full_env();
	struct pt_buf out = PT_BUF_INIT;

	queue_qf_format(e, &out);
	is_str(out.s, full_qf, "every record is written in upstream's order");
	is_int(queue_env_open_rcpts(e), 3, "three recipients are still open");
	/* 18 + 84 + 19 + 14: each H record, its fold included, less 3 */
	is_int(queue_qf_header_bytes(e), 135, "the header records count as upstream's reader counts them");
	queue_env_free(e);
	pt_buf_free(&out);
}

/* A written file reads back to the same envelope and the same bytes. */
static void
test_roundtrip(void)
{
	struct queue_env *e = NULL;
	struct pt_buf err = PT_BUF_INIT, again = PT_BUF_INIT;
	int rc;

	rc = queue_qf_parse(full_qf, sizeof full_qf - 1, "/q/qf6ASATLUw026342", &e, &err);
	is_int(rc, QUEUE_OK, "the written file parses (%s)", pt_buf_str(&err));
	if (e == NULL)
		return;
	is_str(e->id, "6ASATLUw026342", "the id comes from the file name");
	is_int(e->version, 8, "V");
	ok(e->ctime == 1795861761 && e->last_attempt == 1795861800, "T and K");
	ok(e->attempts == 2 && e->priority == 90015, "N and P");
	ok(e->has_dfino && e->df_major == 254 && e->df_ino == 10953419, "I");
	is_str(e->bodytype, "8BITMIME", "B");
	is_str(e->message, "Deferred: Connection refused by [127.0.0.1]", "M before S is the envelope's");
	ok(e->flags == (QEF_DELETE_BCC | QEF_SPLIT | QEF_8BIT | QEF_WARNED), "F letters become bits");
	is_str(queue_env_macro(e, "{daemon_flags}"), "c u", "a long macro name");
	is_str(queue_env_macro(e, "_"), "root@localhost", "a one-letter macro");
	is_str(e->sender, "<alice@example.org>", "S");
	ok(e->has_deliverby && e->deliverby == 86400 && e->deliverby_flags == 0x12, "! keeps its flag byte");
	is_int(e->nrcpts, 3, "three R records");
	is_str(e->rcpts[0].message, "alias database unavailable", "M after S belongs to the next R");
	is_str(e->rcpts[0].orcpt, "rfc822;bob@orig.example", "Q belongs to the next R");
	ok(e->rcpts[0].flags == (QRF_PRIMARY | QRF_HAS_NOTIFY | QRF_NOTIFY_SUCCESS | QRF_NOTIFY_DELAY),
	    "R flags PNSD");
	ok(e->rcpts[1].ctl >= 0 && strcmp(e->ctls[e->rcpts[1].ctl].user, "nobody") == 0 &&
	    e->ctls[e->rcpts[1].ctl].uid == 65534 &&
	    strcmp(e->ctls[e->rcpts[1].ctl].alias, ":include:/etc/mail/list.inc") == 0,
	    "C user:uid:gid:alias applies to the next R");
	is_int(e->rcpts[2].ctl, -1, "a bare C ends the controlling address");
	is_int(e->nhdrs, 4, "four headers");
	is_str(e->hdrs[1].value, " from client.example (root@localhost)\n\tby mx.example.test; Sat, 28 Nov 2026",
	    "a folded header keeps its fold");
	ok(e->hdrs[2].cond == NULL, "a header without ?? has no condition");
	is_str(e->hdrs[0].cond, "P", "the ?P? condition");
	queue_qf_format(e, &again);
	is_str(again.s, full_qf, "reading and writing again gives the same bytes");
	queue_env_free(e);
	pt_buf_free(&err);
	pt_buf_free(&again);
}

/* Upstream's own shapes read: C with no user, $ and R as upstream writes them. */
static void
test_upstream_shapes(void)
{
	static const char qf[] =
	    "V8\nT1795861752\nK1795861752\nN1\nP90114\nB8BITMIME\nMSyntax error\nF8bds\n"
	    "$_root@localhost\n$sclient.example\nSroot\nZenv-1\n!\001 7200\n"
	    "C::include:/opt/qx/list.inc\nrRFC822; list@mx.example.test\nRFD:dave@[127.0.0.1]\n"
	    "RPBYx:<odd@x>\nH?P?Return-Path: <\201g>\n.\n";
	struct queue_env *e = NULL;
	struct pt_buf err = PT_BUF_INIT, out = PT_BUF_INIT;

	is_int(queue_qf_parse(qf, sizeof qf - 1, "qf6ASATCKU025860", &e, &err), QUEUE_OK,
	    "upstream's file shapes parse (%s)", pt_buf_str(&err));
	if (e == NULL)
		return;
	ok(e->rcpts[0].ctl >= 0 && e->ctls[e->rcpts[0].ctl].user == NULL &&
	    strcmp(e->ctls[e->rcpts[0].ctl].alias, ":include:/opt/qx/list.inc") == 0,
	    "C::alias has no user");
	is_str(e->rcpts[1].flags_other, "BYx", "unknown R letters are kept");
	ok(e->deliverby_flags == QUEUE_DLVR_NOTIFY, "the N deliver-by flag");
	queue_qf_format(e, &out);
	is_str(out.s, qf, "upstream's file is rewritten byte for byte");
	queue_env_free(e);
	pt_buf_free(&err);
	pt_buf_free(&out);
}

/* Malformed files are refused with the file, the line and the reason. */
static void
test_refuse(void)
{
	static const struct {
		const char *qf, *want;
	} cases[] = {
		{ "V8\nS<a>\nRPF:<b>\n", "qfX: line 3: incomplete queue file" },
		{ "V8\nS<a>\nRPF:<b>", "qfX: line 3: incomplete last line" },
		{ "V8\nS<a>\nY junk\n.\n", "qfX: line 3: unknown record type 'Y'" },
		{ "V9\nS<a>\n.\n", "qfX: line 1: queue file version newer than 8" },
		{ "S<a>\nV8\n.\n", "qfX: line 2: the V record must be the first line" },
		{ "V8\nT12x\nS<a>\n.\n", "qfX: line 2: bad number" },
		{ "V8\nS<a>\nS<b>\n.\n", "qfX: line 3: more than one S record" },
		{ "V8\nS<a>\nRPF<b>\n.\n", "qfX: line 3: R record without the flags' colon" },
		{ "V8\nS<a>\nRPF:\n.\n", "qfX: line 3: R record with an empty address" },
		{ "V8\nS<a>\n.\nRPF:<b>\n", "qfX: line 3: data after the final" },
		{ "V8\nS<a>\nQrfc822;x\n.\n", "qfX: line 3: M, Q or r record not followed" },
		{ "V8\nS<a>\n\n.\n", "qfX: line 3: empty line" },
		{ " cont\nV8\n.\n", "qfX: line 1: continuation line without a record" },
		{ "V8\nS<a>\nHSubject hello\n.\n", "qfX: line 3: H record without a field name" },
		{ "V8\nS<a>\nH?P Subject: x\n.\n", "qfX: line 3: H record with an unterminated" },
		{ "V8\nS<a>\nI1/2\n.\n", "qfX: line 3: bad I record" },
		{ "V8\nS<a>\n!x\n.\n", "qfX: line 3: bad ! (deliver-by) record" },
		{ "V8\nS<a>\nCuser:abc:1:x\n.\n", "qfX: line 3: bad C record" },
		{ "V8\nS<a>\n$\n.\n", "qfX: line 3: $ record without a macro name" },
		{ "V8\nS<a>\n${abc\n.\n", "qfX: line 3: $ record with a bad macro name" },
		{ "V8\nT1\n.\n", "qfX: line 3: no S (sender) record" },
		{ "V8\nS<a>\nP99999999999999999999\n.\n", "qfX: line 3: bad number" },
		{ "V8\nH??Subject: x\n  more\nSa\nY\n.\n", "qfX: line 5: unknown record type 'Y'" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct queue_env *e = NULL;
		struct pt_buf err = PT_BUF_INIT;
		int rc = queue_qf_parse(cases[i].qf, strlen(cases[i].qf), "qfX", &e, &err);

		ok(rc == QUEUE_BAD && e == NULL &&
		    strncmp(pt_buf_str(&err), cases[i].want, strlen(cases[i].want)) == 0,
		    "refused: %s (got: %s)", cases[i].want, pt_buf_str(&err));
		pt_buf_free(&err);
	}
	{
		static const char nul[] = "V8\nS<a\0b>\n.\n";
		struct queue_env *e = NULL;
		struct pt_buf err = PT_BUF_INIT;

		ok(queue_qf_parse(nul, sizeof nul - 1, "qfX", &e, &err) == QUEUE_BAD &&
		    strstr(pt_buf_str(&err), "line 2: NUL byte") != NULL, "a NUL byte is refused");
		pt_buf_free(&err);
	}
}

/* Version 0 files have no R flags; odd but valid values survive. */
static void
test_versions(void)
{
	static const char v0[] = "T5\nS<a>\nRPF:<b>\n.\n";
	struct queue_env *e = NULL;
	struct pt_buf err = PT_BUF_INIT;

	ok(queue_qf_parse(v0, sizeof v0 - 1, "dir/qfABC", &e, &err) == QUEUE_OK && e != NULL &&
	    e->version == 0 && strcmp(e->rcpts[0].addr, "PF:<b>") == 0,
	    "without V the R record is all address");
	queue_env_free(e);
	pt_buf_free(&err);
}

int
main(void)
{
	test_ids();
	test_format();
	test_roundtrip();
	test_upstream_shapes();
	test_refuse();
	test_versions();
	return tap_done();
}
