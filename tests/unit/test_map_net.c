/*
 * test_map_net: what of the host, dns, bestmx and socket classes runs
 * without a network: the host map through HostsFile when the service switch
 * says "hosts files" (forward, aliases, address literals, the cache, -a,
 * -m, -D by default), declarations refused (dns without -R or with an
 * unknown type, a bad socket endpoint), and the socketmap reply parser.
 * The DNS and socket exchanges themselves are tests/interop/dns_map.t and
 * tests/interop/socketmap.t.
 */
#include "config.h"

#include "map_impl.h"
#include "maptest.h"

/* The host map from a hosts file only: no DNS query is made. */
static void
test_host_files(void)
{
	struct map_set *set;
	struct map *h, *m, *r;
	struct map_env env = { 0 };

	mt_write("switch", "hosts files\n", 0644);
	mt_write("hosts", "# comment\n192.0.2.1\tmx1.example.test mx1 mail\n2001:db8::5 six.example.test\n"
	    "192.0.2.2 other.example.test # trailing comment\n", 0644);
	set = mt_set(0, mt_path("switch"), mt_path("hosts"));
	h = mt_declare(set, "host", "host", "-a.");
	is_str(mt_lookup(h, "mx1"), "mx1.example.test.", "a short name gives the canonical name (-a. appended)");
	is_str(mt_lookup(h, "MAIL"), "mx1.example.test.", "any alias, any case");
	is_str(mt_lookup(h, "mx1.example.test."), "mx1.example.test.", "a trailing dot is allowed");
	is_str(mt_lookup(h, "other.example.test"), "other.example.test.", "comments are ignored");
	is_str(mt_lookup(h, "[192.0.2.1]"), "mx1.example.test.", "an address literal gives its name");
	is_str(mt_lookup(h, "[IPv6:2001:db8::5]"), "six.example.test.", "an IPv6 literal too");
	is_str(mt_lookup(h, "nosuch"), "<notfound>", "an unknown name is not found");
	is_str(mt_lookup(h, "[192.0.2.99]"), "<notfound>", "an unknown address is not found");
	mt_write("hosts", "192.0.2.1 changed.example.test mx1\n", 0644);
	is_str(mt_lookup(h, "mx1"), "mx1.example.test.", "answers are cached for the life of the process");
	m = mt_declare(set, "m", "host", "-m -a<OK>");
	is_str(mt_lookup(m, "mx1"), "mx1<OK>", "-m answers the key");
	env.deferred = true;
	r = mt_declare(set, "resolve", "host", "-a<OKR> -T<TEMP>");
	is_str(mt_lookup_env(r, "mx1", &env, NULL, NULL, NULL), "<tempfail>",
	    "host maps are -D by default: no lookup in deferred mode");
	map_set_free(set);
}

/* Declarations the classes refuse. */
static void
test_declarations(void)
{
	struct map_set *set = mt_set(0, NULL, NULL);
	struct pt_buf err = PT_BUF_INIT;
	struct map *m;

	ok(map_declare(set, "d", "dns", "-a.", &err) == NULL, "a dns map needs -R");
	is_str(err.s, "dns map d: missing -R type", "and says so");
	ok(map_declare(set, "d", "dns", "-R BOGUS", &err) == NULL, "an unknown record type is refused");
	m = map_declare(set, "d", "dns", "-R A -a. -T<TMP> -r5 -d2", &err);
	ok(m != NULL, "the enhdnsbl declaration is accepted (-R with a blank, -r, -d)");
	ok(map_declare(set, "d", "dns", "-R A -rX", &err) == NULL, "-r needs a number");
	ok(map_declare(set, "s", "socket", "inet:99999x@127.0.0.1", &err) == NULL, "a bad port is refused");
	ok(map_declare(set, "s", "socket", "tcp:1@127.0.0.1", &err) == NULL, "an unknown socket kind is refused");
	ok(map_declare(set, "s", "socket", "-d5 -T<TMPF> inet:5461@127.0.0.1", &err) != NULL,
	    "the sts declaration is accepted");
	ok(map_declare(set, "s", "socket", "-dX unix:/x", &err) == NULL, "-d needs a number");
	ok(map_declare(set, "b", "bestmx", "-z: -T<TEMP>", &err) != NULL, "the bestmx declaration of badmx is accepted");
	ok(map_declare(set, "l", "ldap", "-k uid=%0 -v mail", &err) == NULL, "ldap is refused");
	is_str(err.s, "map l: class ldap is not supported in this build", "clearly");
	ok(map_declare(set, "n", "nis", "mail.aliases", &err) == NULL, "nis is refused");
	pt_buf_free(&err);
	map_set_free(set);
}

/* Parses one reply into a string describing it. */
static const char *
reply(const char *r)
{
	static struct pt_buf res;
	struct pt_buf v = PT_BUF_INIT;
	int st = map_socket_parse_reply(r, strlen(r), &v);

	pt_buf_reset(&res);
	pt_buf_printf(&res, "%d:%s", st, pt_buf_str(&v));
	pt_buf_free(&v);
	return res.s;
}

/* The socketmap reply parser. */
static void
test_replies(void)
{
	char want[32];

	snprintf(want, sizeof want, "%d:resolved.address@example.com", MAP_FOUND);
	is_str(reply("31:OK resolved.address@example.com,"), want, "OK with a result");
	snprintf(want, sizeof want, "%d:", MAP_NOTFOUND);
	is_str(reply("8:NOTFOUND,"), want, "NOTFOUND");
	snprintf(want, sizeof want, "%d:", MAP_TEMPFAIL);
	is_str(reply("55:TEMP this text explains that we had a temporary failure,"), want, "TEMP");
	is_str(reply("7:TIMEOUT,"), want, "TIMEOUT");
	snprintf(want, sizeof want, "%d:", MAP_UNAVAIL);
	is_str(reply("4:PERM,"), want, "PERM");
	snprintf(want, sizeof want, "%d:", MAP_FOUND);
	is_str(reply("3:OK ,"), want, "OK with an empty result");
	is_str(reply("2:OK,"), want, "OK without a blank");
	is_str(reply("31:OK resolved.address@example.com"), "-1:", "a missing comma is malformed");
	is_str(reply("99:OK short,"), "-1:", "a short reply is malformed");
	is_str(reply("5:MAYBE,"), "-1:", "an unknown status is malformed");
	is_str(reply(":OK,"), "-1:", "a missing length is malformed");
	is_str(reply("99999999999:OK,"), "-1:", "an absurd length is malformed");
	is_str(reply("4:ok x,"), "-1:", "statuses are upper case");
}

int
main(void)
{
	mt_capture_log();
	test_host_files();
	test_declarations();
	test_replies();
	mt_cleanup();
	return tap_done();
}
