/* test_cf: the sendmail.cf loader: every line type, options, errors with file and line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cf.h"
#include "tap.h"

static char dir[] = "/tmp/petrel-cf-XXXXXX";

/* Writes text to a file in the scratch folder and returns its path. */
static const char *
write_cf(const char *name, const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

static const char good[] =
    "# a comment\n"
    "V10/Berkeley\n"
    "DZ8.17\n"
    "D{long}L$Z\n"
    "Cw localhost other.example\n"
    "Fw-o /nonexistent/file\n"
    "O OperatorChars=.:%@!^/[]+\n"
    "O MaxHopCount=30\n"
    "O Timeout.queuereturn=2d\n"
    "O Timeout.queuewarn.urgent=1h\n"
    "O DaemonPortOptions=Port=25, Name=MTA\n"
    "O DaemonPortOptions=Port=587, Name=MSA, M=E\n"
    "O AliasFile=/etc/aliases, hash:/etc/more\n"
    "O SuperSafe=true\n"
    "Oi\n"
    "O NoSuchOption=1\n"
    "Pfirst-class=0\n"
    "Pbulk=-60\n"
    "Troot daemon\n"
    "Scanonify=3\n"
    "R$*\t\t$@ $1\tcomment\n"
    "SNamed\n"
    "R$+ @ $=w\t$: $>canonify $1\n"
    "R$* <@>\n"
    "\t\t\t$# local $: $1\n"
    "S0\n"
    "R$*\t$#local $: $1\n"
    "Mlocal, P=/bin/true, F=lsDFMn, S=Named, R=Named/canonify, A=true $u\n"
    "Mesmtp, P=[IPC], F=mDFMuXa, E=\\r\\n, L=990, T=DNS/RFC822/SMTP, A=TCP $h\n"
    "H?P?Return-Path: <$g>\n"
    "HReceived: from $s\n"
    "\tby $j\n"
    "H?${auth_type}?X-Auth: $&{auth_type}\n"
    "Qmygroup, P=/var/spool/mqueue/mygroup, F=f\n"
    "Xfilter1, S=local:/var/run/f1.sock, F=T, T=S:1m;R:1m\n"
    "EPATH=/bin\n";

/* The command line's list options replace the cf's, PrivacyOptions adds. */
static void
test_cmdline(struct cf_config *cfg)
{
	struct pt_buf err = PT_BUF_INIT;
	char *opts[] = { "PrivacyOptions=noexpn", "O=Port=2525, Name=MTA",
	    "DaemonPortOptions=Port=2526, Name=X", "MaxHopCount=7", "PrivacyOptions=noverb" };

	cf_option_set(cfg, "PrivacyOptions", "novrfy", &err);
	is_int(cf_options_cmdline(cfg, opts, 5, &err), 0, "command-line settings apply");
	is_int(cfg->opt.daemon_port_options.n, 2, "DaemonPortOptions from the command line "
	    "replace the cf's");
	is_str(cfg->opt.daemon_port_options.v[0], "Port=2525, Name=MTA", "the first by its letter");
	is_str(cfg->opt.daemon_port_options.v[1], "Port=2526, Name=X", "then by its name");
	is_int(cfg->opt.privacy_options.n, 3, "PrivacyOptions from the command line add to the cf's");
	is_int(cfg->opt.max_hop_count, 7, "a plain option is set");
	pt_buf_free(&err);
}

/* SuperSafe as upstream reads it: only a false boolean turns the syncs off. */
static void
test_super_safe(struct cf_config *cfg)
{
	struct pt_buf err = PT_BUF_INIT;
	const char *on[] = { "true", "True", "", "yes", "Interactive", "i", "PostMilter", "p" };
	const char *off[] = { "False", "false", "No", "n", "0" };
	size_t i;

	ok(cf_super_safe(&cfg->opt), "SuperSafe=true from the cf syncs");
	for (i = 0; i < sizeof on / sizeof on[0]; i++) {
		cf_option_set(cfg, "SuperSafe", on[i], &err);
		ok(cf_super_safe(&cfg->opt), "SuperSafe=%s syncs", on[i]);
	}
	for (i = 0; i < sizeof off / sizeof off[0]; i++) {
		cf_option_set(cfg, "s", off[i], &err);
		ok(!cf_super_safe(&cfg->opt), "SuperSafe=%s (by its letter) does not", off[i]);
	}
	cf_option_set(cfg, "SuperSafe", "True", &err);
	pt_buf_free(&err);
}

static void
test_good(void)
{
	struct pt_buf err = PT_BUF_INIT, out = PT_BUF_INIT;
	struct cf_env env = { "mx.example.test", NULL, false, NULL };
	struct cf_config *cfg = cf_load(write_cf("good.cf", good), &env, &err);
	const struct cf_mailer *m;

	ok(cfg != NULL, "a configuration with every line type loads (%s)", err.s ? err.s : "");
	if (cfg == NULL)
		return;
	is_int(cfg->version, 10, "V gives the level");
	is_str(cfg->vendor, "Berkeley", "and the vendor");
	is_str(mac_get_name(cfg->macros, "{long}"), "L$Z", "D keeps configuration text");
	ok(cf_class_has(cfg, 'w', "OTHER.example"), "C adds words, matched without case");
	ok(cf_class_has(cfg, 'w', "mx.example.test"), "the host name is in class w");
	ok(cf_class_has(cfg, 't', "daemon"), "T lines fill class t");
	is_int(cfg->opt.max_hop_count, 30, "a numeric option");
	is_int(cfg->opt.timeout.queuereturn_normal, 2 * 86400, "Timeout.queuereturn sets every priority");
	is_int(cfg->opt.timeout.queuereturn_urgent, 2 * 86400, "... urgent too");
	is_int(cfg->opt.timeout.queuewarn_urgent, 3600, "a single Timeout suboption");
	is_int(cfg->opt.timeout.queuewarn_normal, 14400, "others keep their defaults");
	is_int(cfg->opt.daemon_port_options.n, 2, "each DaemonPortOptions line adds a listener");
	is_str(cfg->opt.daemon_port_options.v[1], "Port=587, Name=MSA, M=E", "kept whole");
	is_int(cfg->opt.alias_file.n, 2, "AliasFile splits on commas");
	ok(cfg->opt.ignore_dots, "an old one-character option");
	ok(strstr(pt_buf_str(&cfg->warnings), "line 16: readcf: unknown option name NoSuchOption"),
	    "an unknown option warns with its line");
	is_int(cfg->nprecs, 2, "P lines");
	is_int(cf_ruleset_find(cfg, "canonify"), 3, "a named ruleset with a number");
	is_int(cf_ruleset_find(cfg, "Named"), 199, "a named ruleset is numbered from 199 down");
	is_int(cfg->rulesets[199]->nrules, 2, "a continuation line belongs to its rule");
	m = cf_mailer_find(cfg, "local");
	ok(m != NULL && m->index == 3, "local comes after the builtins prog, *file*, *include*");
	cf_mailer_format(cfg, m, &out);
	is_str(out.s, "mailer 3 (local): P=/bin/true S=Named/Named R=Named/canonify M=0 U=-1:-1 "
	    "F=DFMlns L=0 E=\\n T=<undefined>/<undefined>/<undefined> r=100 A=true $u",
	    "=M shows a mailer as upstream does");
	m = cf_mailer_find(cfg, "esmtp");
	ok(m != NULL && strcmp(m->eol, "\r\n") == 0 && m->linelimit == 990, "E= escapes and L=");
	is_int(cfg->nheaders, 3, "H lines");
	ok(strchr(cfg->headers[1].value, '\n') != NULL, "a folded header keeps its line break");
	ok(cfg->headers[0].has_mflags && cf_mflag(&cfg->headers[0].mflags, 'P'), "?P? header flags");
	ok(cfg->headers[2].macro >= 256, "?${macro}? header condition");
	is_int(cfg->nqgroups, 1, "Q lines");
	is_int(cfg->nmilters, 1, "X lines");
	is_str(cfg->milters[0].equates, "S=local:/var/run/f1.sock, F=T, T=S:1m;R:1m", "X equates kept");
	is_int(cfg->mailer_env.n, 1, "E lines");
	test_cmdline(cfg);
	test_super_safe(cfg);
	cf_free(cfg);
	pt_buf_free(&err);
	pt_buf_free(&out);
}

/* Loads text and returns the error text ("" on success). */
static const char *
load_error(const char *text)
{
	static struct pt_buf err;
	struct cf_config *cfg;

	pt_buf_reset(&err);
	cfg = cf_load(write_cf("bad.cf", text), NULL, &err);
	cf_free(cfg);
	return pt_buf_str(&err);
}

static void
test_bad(void)
{
	const char *local = "Mlocal, P=/bin/true, F=l, A=true $u\n";
	char buf[512];

	ok(strstr(load_error("V10\n"), "No local mailer defined") != NULL, "a local mailer is required");
	snprintf(buf, sizeof buf, "%sZ junk\n", local);
	ok(strstr(load_error(buf), "bad.cf: line 2: unknown configuration line \"Z junk\""),
	    "an unknown line names the file and line");
	snprintf(buf, sizeof buf, "%sS1\nR$* foo\n", local);
	ok(strstr(load_error(buf), "line 3: invalid rewrite line") != NULL, "a rule needs a tab");
	snprintf(buf, sizeof buf, "%sS1\nR$*\t$2\n", local);
	ok(strstr(load_error(buf), "replacement $2 out of bounds") != NULL, "replacements are checked");
	snprintf(buf, sizeof buf, "%sS1\nR$*\t$( x $1\n", local);
	ok(strstr(load_error(buf), "missing map closing token") != NULL, "a lookup must close");
	snprintf(buf, sizeof buf, "%sMbad\n", local);
	ok(strstr(load_error(buf), "A= argument required") != NULL, "a mailer needs A=");
	snprintf(buf, sizeof buf, "%sH?\n", local);
	ok(strstr(load_error(buf), "header syntax error") != NULL, "a header needs a colon");
	snprintf(buf, sizeof buf, "%sKm nosuchclass x\n", local);
	ok(strstr(load_error(buf), "nosuchclass") != NULL, "an unknown map class is an error");
	ok(strstr(load_error(""), "No local mailer") != NULL, "an empty file is not a configuration");
	struct pt_buf err = PT_BUF_INIT;

	ok(cf_load("/nonexistent/sendmail.cf", NULL, &err) == NULL, "a missing file fails");
	pt_buf_free(&err);
}

static void
test_time(void)
{
	long s;

	ok(cf_parse_time("1h30m", 's', &s) && s == 5400, "1h30m is 5400 seconds");
	ok(cf_parse_time("90", 'm', &s) && s == 5400, "a bare number takes the default unit");
	ok(!cf_parse_time("5x", 's', &s), "an unknown unit is refused");
	ok(!cf_parse_time("", 's', &s), "an empty time is refused");
	ok(!cf_parse_time("9223372036854775807m", 's', &s), "a time that overflows is refused");
	ok(!cf_parse_time("-5m", 's', &s), "a negative time is refused");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_good();
	test_bad();
	test_time();
	unlink(write_cf("good.cf", ""));
	unlink(write_cf("bad.cf", ""));
	rmdir(dir);
	return tap_done();
}
