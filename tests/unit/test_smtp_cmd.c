/*
 * test_smtp_cmd: the command parser and the ESMTP parameters against the
 * replies Debian's sendmail 8.17.1.9 gave for the same lines (recorded by
 * experiment; tests/compat/smtp_cmd.t replays them against the oracle),
 * and xtext.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtp_cmd.h"
#include "smtp_param.h"
#include "tap.h"

/*
 * What Petrel's parsing layer answers to a MAIL or RCPT line: "ok ADDR" when
 * it accepts (the address is the rulesets' business), else the reply.
 */
static char *
answer(const char *line, const struct smtp_param_opts *opts)
{
	struct smtp_cmd cmd;
	struct smtp_path path;
	struct smtp_reply err = SMTP_REPLY_INIT;
	struct smtp_mail_params mp;
	struct smtp_rcpt_params rp;
	struct pt_buf out = PT_BUF_INIT;
	bool good;

	smtp_cmd_parse(line, strlen(line), &cmd);
	good = smtp_cmd_split_path(&cmd, &path, &err);
	if (good && cmd.verb == SMTP_VERB_MAIL) {
		good = smtp_mail_params_parse(path.params, opts, &mp, &err);
		smtp_mail_params_free(&mp);
	} else if (good) {
		good = smtp_rcpt_params_parse(path.params, opts, &rp, &err);
		smtp_rcpt_params_free(&rp);
	}
	if (good) {
		pt_buf_adds(&out, "ok ");
		pt_buf_add(&out, path.addr.p, path.addr.len);
	} else
		smtp_reply_summary(&err, &out);
	smtp_reply_free(&err);
	return pt_buf_steal(&out);
}

static const struct {
	const char *line, *want;
} cases[] = {
	{ "MAIL FROM:<a@b.example>", "ok <a@b.example>" },
	{ "MAIL FROM: <a@b.example>", "ok <a@b.example>" },
	{ "MAIL FROM :<a@b.example>", "ok <a@b.example>" },
	{ "mail from:a@b.example", "ok a@b.example" },
	{ "MAIL FROM:<>", "ok <>" },
	{ "MAIL  FROM:<a@b.example>", "ok <a@b.example>" },
	{ "MAIL FROM:", "501 5.5.2 Syntax error in parameters scanning \"FROM\"" },
	{ "MAIL FROM:   ", "501 5.5.2 Syntax error in parameters scanning \"FROM\"" },
	{ "MAIL", "501 5.5.2 Syntax error in parameters scanning \"\"" },
	{ "MAIL FROM", "501 5.5.2 Syntax error in parameters scanning \"FROM\"" },
	{ "MAIL FRM:<a@b.example>", "501 5.5.2 Syntax error in parameters scanning \"FRM\"" },
	{ "MAIL FROMx:<a@b.example>", "501 5.5.2 Syntax error in parameters scanning \"FROMx\"" },
	{ "MAIL FROM<a@b.example>",
	  "501 5.5.2 Syntax error in parameters scanning \"FROM<a@b.example>\"" },
	{ "MAIL FROM:<a@b.example", "553 5.0.0 <a@b.example... Unbalanced '<'" },
	{ "MAIL FROM:a@b.example>", "553 5.0.0 a@b.example>... Unbalanced '>'" },
	{ "MAIL FROM:<a@b x", "553 5.0.0 <a@b x... Unbalanced '<'" },
	{ "MAIL FROM:a>b SIZE=1", "553 5.0.0 a>b SIZE=1... Unbalanced '>'" },
	{ "MAIL FROM:\"a@b.example", "553 5.0.0 \"a@b.example... Unbalanced '\"'" },
	{ "MAIL FROM:a(b@c.example", "553 5.0.0 a(b@c.example... Unbalanced '('" },
	{ "MAIL FROM:a)b@c.example", "553 5.0.0 a)b@c.example... Unbalanced ')'" },
	{ "MAIL FROM:<<a@b.example>>", "ok <<a@b.example>>" },
	{ "MAIL FROM:<a@b.example>SIZE=10", "ok <a@b.example>SIZE=10" },
	{ "MAIL FROM:<a b@b.example>", "ok <a b@b.example>" },
	{ "MAIL FROM:\"a b\"@c.example SIZE=1", "ok \"a b\"@c.example" },
	{ "MAIL FROM:a(b c)@d.example SIZE=1", "ok a(b c)@d.example" },
	{ "MAIL FROM:<a@b.example>\tSIZE=10", "ok <a@b.example>" },
	{ "MAIL FROM:\\<a@b.example", "ok \\<a@b.example" },
	{ "MAIL FROM:<a@b.example> (comment)", "555 5.5.4  parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> <c@d.example>", "555 5.5.4  parameter unrecognized" },
	{ "MAIL FROM: x y", "555 5.5.4 y parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> SIZE=10 SIZE=20", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> FOO=bar", "555 5.5.4 FOO parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> SIZE", "501 5.5.2 SIZE requires a value" },
	{ "MAIL FROM:<a@b.example> SIZE=abc", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> SIZE=-1", "552 5.2.3 Message size invalid" },
	{ "MAIL FROM:<a@b.example> SIZE=99999999999999999999",
	  "552 5.2.3 Message size exceeds maximum value" },
	{ "MAIL FROM:<a@b.example> SIZE=", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> size=10", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> SIZE = 10", "501 5.5.2 SIZE requires a value" },
	{ "MAIL FROM:<a@b.example> =10", "555 5.5.4  parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> SIZE=10=20", "555 5.5.4 20 parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> SI_ZE=10", "555 5.5.4 SI parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> SIZE=10\tBODY=8BITMIME", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> SIZE=10,BODY=8BITMIME",
	  "555 5.5.4 8BITMIME parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> SIZE=1\x01" "BODY=8BITMIME", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> SIZE= 5", "555 5.5.4 5 parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> BODY=7BIT", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> BODY=8bitmime", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> BODY=BINARYMIME", "501 5.5.4 Unknown BODY type BINARYMIME" },
	{ "MAIL FROM:<a@b.example> BODY", "501 5.5.2 BODY requires a value" },
	{ "MAIL FROM:<a@b.example> BODY=", "501 5.5.4 Unknown BODY type " },
	{ "MAIL FROM:<a@b.example> BODY=7BIT BODY=8BITMIME", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> SMTPUTF8", "555 5.5.4 SMTPUTF8 parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> RET=hdrs", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> RET=foo", "501 5.5.2 Bad argument \"foo\" to RET" },
	{ "MAIL FROM:<a@b.example> RET=FULL RET=HDRS", "501 5.5.0 Duplicate RET parameter" },
	{ "MAIL FROM:<a@b.example> RET", "501 5.5.2 RET requires a value" },
	{ "MAIL FROM:<a@b.example> ENVID=a+2Bb", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> ENVID=a+2b", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> ENVID=a+zz", "501 5.5.4 Syntax error in ENVID parameter value" },
	{ "MAIL FROM:<a@b.example> ENVID=a+2", "501 5.5.4 Syntax error in ENVID parameter value" },
	{ "MAIL FROM:<a@b.example> ENVID=a+", "501 5.5.4 Syntax error in ENVID parameter value" },
	{ "MAIL FROM:<a@b.example> ENVID=", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> ENVID", "501 5.5.2 ENVID requires a value" },
	{ "MAIL FROM:<a@b.example> ENVID=a ENVID=b", "501 5.5.0 Duplicate ENVID parameter" },
	{ "MAIL FROM:<a@b.example> ENVID=a\xe9" "b", "501 5.5.4 Syntax error in ENVID parameter value" },
	{ "MAIL FROM:<a@b.example> ENVID=a\x7f" "b", "555 5.5.4 b parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> ENVID=a(b", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> AUTH=<>", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> AUTH=a+zz", "501 5.5.4 Syntax error in AUTH parameter value" },
	{ "MAIL FROM:<a@b.example> AUTH", "501 5.5.2 AUTH= requires a value" },
	{ "MAIL FROM:<a@b.example> AUTH=<> AUTH=<>", "501 5.5.0 Duplicate AUTH parameter" },
	{ "MAIL FROM:<a@b.example> NOTIFY=NEVER", "555 5.5.4 NOTIFY parameter unrecognized" },
	{ "MAIL FROM:<a@b.example> BY=100;R", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> BY=100", "501 5.5.2 BY= missing ';'" },
	{ "MAIL FROM:<a@b.example> BY=-100;N", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> BY=0;R", "501 5.5.4 mode R requires BY time > 0" },
	{ "MAIL FROM:<a@b.example> BY=100;Rt", "ok <a@b.example>" },
	{ "MAIL FROM:<a@b.example> BY=100;X", "501 5.5.2 illegal by-mode 'X'" },
	{ "MAIL FROM:<a@b.example> BY=100;RX", "501 5.5.2 illegal by-trace 'X'" },
	{ "MAIL FROM:<a@b.example> BY=100;", "501 5.5.2 illegal by-mode '?'" },
	{ "MAIL FROM:<a@b.example> BY=abc;R", "501 5.5.2 BY= missing ';'" },
	{ "MAIL FROM:<a@b.example> BY", "501 5.5.2 BY= requires a value" },
	{ "MAIL FROM:<a@b.example> BY=99999999999999999999;R",
	  "501 5.5.2 BY=99999999999999999999;R out of range" },
	{ "RCPT TO:<root>", "ok <root>" },
	{ "RCPT TO: <root>", "ok <root>" },
	{ "RCPT TO:root", "ok root" },
	{ "RCPT TO:<root> NOTIFY=success,failure,delay", "ok <root>" },
	{ "RCPT TO:<root> NOTIFY=NEVER,SUCCESS", "501 5.5.4 Bad argument \"NEVER\"  to NOTIFY" },
	{ "RCPT TO:<root> NOTIFY=SUCCESS,NEVER", "501 5.5.4 Bad argument \"NEVER\"  to NOTIFY" },
	{ "RCPT TO:<root> NOTIFY=foo", "501 5.5.4 Bad argument \"foo\"  to NOTIFY" },
	{ "RCPT TO:<root> NOTIFY=", "501 5.5.4 Bad argument \"\"  to NOTIFY" },
	{ "RCPT TO:<root> NOTIFY", "501 5.5.2 NOTIFY requires a value" },
	{ "RCPT TO:<root> NOTIFY=SUCCESS,,FAILURE", "501 5.5.4 Bad argument \"\"  to NOTIFY" },
	{ "RCPT TO:<root> NOTIFY=SUCCESS NOTIFY=FAILURE", "ok <root>" },
	{ "RCPT TO:<root> ORCPT=rfc822;a+40b", "ok <root>" },
	{ "RCPT TO:<root> ORCPT=rfc822;a+zz", "501 5.5.4 Syntax error in ORCPT parameter value" },
	{ "RCPT TO:<root> ORCPT=a@b", "501 5.5.4 Syntax error in ORCPT parameter value" },
	{ "RCPT TO:<root> ORCPT=foo;a@b", "ok <root>" },
	{ "RCPT TO:<root> ORCPT=;a@b", "501 5.5.4 Syntax error in ORCPT parameter value" },
	{ "RCPT TO:<root> ORCPT=rfc822;", "ok <root>" },
	{ "RCPT TO:<root> ORCPT=", "501 5.5.4 Syntax error in ORCPT parameter value" },
	{ "RCPT TO:<root> ORCPT", "501 5.5.2 ORCPT requires a value" },
	{ "RCPT TO:<root> ORCPT=rfc822;a ORCPT=rfc822;b", "501 5.5.0 Duplicate ORCPT parameter" },
	{ "RCPT TO:<root> SIZE=10", "555 5.5.4 SIZE parameter unrecognized" },
	{ "RCPT TO:", "501 5.5.2 Syntax error in parameters scanning \"TO\"" },
	{ "RCPT TO", "501 5.5.2 Syntax error in parameters scanning \"TO\"" },
	{ "RCPT root", "501 5.5.2 Syntax error in parameters scanning \"root\"" },
	{ "MAIL FROM <a@b.example>", "501 5.5.2 Syntax error in parameters scanning \"FROM\"" },
	{ "RCPT TO <root>", "501 5.5.2 Syntax error in parameters scanning \"TO\"" },
};

/* Every recorded MAIL and RCPT line gets upstream's answer. */
static void
test_cases(void)
{
	struct smtp_param_opts opts = { true, false, 0, 0 };
	size_t i;
	char *got;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = answer(cases[i].line, &opts);
		is_str(got, cases[i].want, "%s", cases[i].line);
		free(got);
	}
}

/* Options change which parameters are accepted. */
static void
test_opts(void)
{
	struct smtp_param_opts nodsn = { false, false, 0, 0 }, limit = { true, false, 1000, 0 },
	    utf8 = { true, true, 0, 0 }, bymin = { true, false, 0, 30 }, noby = { true, false, 0, -1 };
	char *got;

	got = answer("MAIL FROM:<a@b.example> ENVID=x", &nodsn);
	is_str(got, "504 5.7.0 Sorry, ENVID not supported, we do not allow DSN", "ENVID without DSN");
	free(got);
	got = answer("RCPT TO:<r> NOTIFY=NEVER", &nodsn);
	is_str(got, "504 5.7.0 Sorry, NOTIFY not supported, we do not allow DSN", "NOTIFY without DSN");
	free(got);
	got = answer("MAIL FROM:<a@b.example> SIZE=1000", &limit);
	is_str(got, "ok <a@b.example>", "SIZE equal to MaxMessageSize is fine");
	free(got);
	got = answer("MAIL FROM:<a@b.example> SIZE=1001", &limit);
	is_str(got, "552 5.2.3 Message size exceeds fixed maximum message size (1000)",
	    "SIZE over MaxMessageSize");
	free(got);
	got = answer("MAIL FROM:<a@b.example> SMTPUTF8", &utf8);
	is_str(got, "ok <a@b.example>", "SMTPUTF8 when supported");
	free(got);
	got = answer("MAIL FROM:<a@b.example> BY=29;R", &bymin);
	is_str(got, "555 5.5.2 time 29 less than 30", "BY=n;R under DeliverByMin");
	free(got);
	got = answer("MAIL FROM:<a@b.example> BY=30;R", &bymin);
	is_str(got, "ok <a@b.example>", "BY=n;R at DeliverByMin");
	free(got);
	got = answer("MAIL FROM:<a@b.example> BY=5;N", &bymin);
	is_str(got, "ok <a@b.example>", "N mode is not held to DeliverByMin");
	free(got);
	got = answer("MAIL FROM:<a@b.example> BY=60;R", &noby);
	is_str(got, "555 5.5.4 BY parameter unrecognized", "no BY while DeliverByMin is negative");
	free(got);
	got = answer("MAIL FROM:<a@b.example> BY=1000000000;R", &bymin);
	is_str(got, "501 5.5.2 BY=1000000000;R out of range", "BY beyond 999999999");
	free(got);
	got = answer("MAIL FROM:<a@b.example> BY=-999999999;N", &bymin);
	is_str(got, "ok <a@b.example>", "BY=-999999999 is in range");
	free(got);
}

/* The values parsed from parameters. */
static void
test_values(void)
{
	struct smtp_param_opts opts = { true, false, 0, 0 };
	struct smtp_mail_params mp;
	struct smtp_rcpt_params rp;
	struct smtp_reply err = SMTP_REPLY_INIT;

	ok(smtp_mail_params_parse(pt_slice_of("SIZE=123 BODY=8BITMIME RET=HDRS ENVID=q+2Bx AUTH=<> BY=60;Rt"),
	    &opts, &mp, &err), "a full set of MAIL parameters");
	ok(mp.has_size && mp.size == 123, "SIZE value");
	is_int(mp.body, SMTP_BODY_8BITMIME, "BODY value");
	is_int(mp.ret, SMTP_RET_HDRS, "RET value");
	is_str(mp.envid, "q+2Bx", "ENVID kept as xtext");
	is_str(mp.auth, "<>", "AUTH value");
	ok(mp.has_by && mp.by_time == 60 && mp.by_mode == 'R' && mp.by_trace, "BY value");
	smtp_mail_params_free(&mp);
	ok(smtp_rcpt_params_parse(pt_slice_of("NOTIFY=SUCCESS NOTIFY=FAILURE,DELAY ORCPT=rfc822;a+40b"),
	    &opts, &rp, &err), "a full set of RCPT parameters");
	is_int(rp.notify, SMTP_NOTIFY_FAILURE | SMTP_NOTIFY_DELAY, "the last NOTIFY counts");
	is_str(rp.orcpt, "rfc822;a+40b", "ORCPT kept as sent");
	smtp_rcpt_params_free(&rp);
	smtp_reply_free(&err);
}

/* Verbs, arguments and the HELO check. */
static void
test_verbs(void)
{
	struct smtp_cmd cmd;
	struct smtp_reply err = SMTP_REPLY_INIT;
	struct pt_buf b = PT_BUF_INIT;
	const char *nul = "N\0OOP";

	smtp_cmd_parse("  noop  ", 8, &cmd);
	is_int(cmd.verb, SMTP_VERB_NOOP, "verbs ignore case and surrounding blanks");
	smtp_cmd_parse("NOOP\tx", 6, &cmd);
	ok(cmd.verb == SMTP_VERB_NOOP && cmd.arg.len == 1, "a tab separates verb and argument");
	smtp_cmd_parse("NOOP\r\r", 6, &cmd);
	is_int(cmd.verb, SMTP_VERB_NOOP, "trailing CRs are blanks");
	smtp_cmd_parse(nul, 5, &cmd);
	ok(cmd.verb == SMTP_VERB_UNKNOWN && cmd.word.len == 1, "a NUL ends the line");
	smtp_cmd_parse("NOOPx", 5, &cmd);
	is_int(cmd.verb, SMTP_VERB_UNKNOWN, "a verb with junk glued on is unknown");
	smtp_cmd_parse("XY\x01Z\xe9 abc", 9, &cmd);
	smtp_cmd_echo(&cmd, &b);
	is_str(b.s, "XY\x01Zi abc", "the echo of an unknown command is cleaned as upstream cleans it");
	smtp_cmd_parse("GET / HTTP/1.0", 14, &cmd);
	ok(cmd.info != NULL && (cmd.info->flags & SMTP_VF_HTTP), "GET is flagged as HTTP");
	smtp_cmd_parse("STARTTLS", 8, &cmd);
	ok(cmd.info->flags & SMTP_VF_NOARG, "STARTTLS takes no argument");
	smtp_cmd_parse("EHLO", 4, &cmd);
	ok(!smtp_cmd_check_helo(&cmd, &err), "EHLO without argument is refused");
	pt_buf_reset(&b);
	smtp_reply_summary(&err, &b);
	is_str(b.s, "501 5.0.0 EHLO requires domain address", "with upstream's reply");
	smtp_cmd_parse("HELO a b", 8, &cmd);
	ok(!smtp_cmd_check_helo(&cmd, &err), "a blank in the HELO name is refused");
	smtp_cmd_parse("EHLO [1.2.3.4]", 14, &cmd);
	ok(smtp_cmd_check_helo(&cmd, &err), "an address literal is a valid HELO name");
	smtp_cmd_parse("EHLO a_b.c-d#e:f", 16, &cmd);
	ok(smtp_cmd_check_helo(&cmd, &err), "upstream's accepted set #-.:[]_ and alnum");
	smtp_cmd_parse("EHLO a<b>", 9, &cmd);
	pt_buf_reset(&b);
	ok(!smtp_cmd_check_helo(&cmd, &err), "angle brackets in HELO are refused");
	smtp_reply_summary(&err, &b);
	is_str(b.s, "501 5.0.0 Invalid domain name", "with upstream's reply");
	smtp_cmd_parse("HELO a\xe9", 7, &cmd);
	ok(!smtp_cmd_check_helo(&cmd, &err), "8-bit bytes in HELO are refused");
	{
		char line[300] = "EHLO ";

		memset(line + 5, 'd', 256);
		smtp_cmd_parse(line, 5 + 256, &cmd);
		ok(smtp_cmd_check_helo(&cmd, &err), "a HELO name of 256 bytes is taken");
		memset(line + 5, 'd', 257);
		smtp_cmd_parse(line, 5 + 257, &cmd);
		ok(!smtp_cmd_check_helo(&cmd, &err), "one of 257 is an invalid domain, as upstream");
	}
	smtp_cmd_parse(" \t ", 3, &cmd);
	pt_buf_reset(&b);
	smtp_cmd_echo(&cmd, &b);
	is_str(b.s, " \t ", "a line of blanks only is echoed whole, as upstream");
	ok(cmd.verb == SMTP_VERB_UNKNOWN, "and is no verb");
	pt_buf_free(&b);
	smtp_reply_free(&err);
}

/* xtext round trips and refusals. */
static void
test_xtext(void)
{
	struct pt_buf b = PT_BUF_INIT;
	const char raw[] = "a+b=c d\x01\xff";

	smtp_xtext_encode(raw, sizeof raw - 1, &b);
	is_str(b.s, "a+2Bb+3Dc+20d+01+FF", "encoding escapes +, =, blanks, controls and 8-bit");
	{
		struct pt_buf d = PT_BUF_INIT;

		ok(smtp_xtext_decode(b.s, b.len, &d), "the encoding decodes");
		ok(d.len == sizeof raw - 1 && memcmp(d.s, raw, d.len) == 0, "to the original bytes");
		pt_buf_free(&d);
	}
	ok(smtp_xtext_valid("a+2b", 4), "lower-case hex is accepted, as upstream does");
	ok(!smtp_xtext_valid("a=b", 3), "= is not xtext");
	ok(!smtp_xtext_valid("a b", 3), "a blank is not xtext");
	ok(!smtp_xtext_valid("+4", 2), "a short escape is not xtext");
	ok(smtp_xtext_valid("", 0), "the empty string is xtext");
	pt_buf_free(&b);
}

int
main(void)
{
	test_cases();
	test_opts();
	test_values();
	test_verbs();
	test_xtext();
	return tap_done();
}
