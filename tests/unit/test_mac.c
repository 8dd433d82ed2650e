/* test_mac: macro names, tables and expansion. */
#include "config.h"

#include <string.h>

#include "mac.h"
#include "tap.h"

int
main(void)
{
	struct mac_names *nm = mac_names_new();
	struct mac_table *cf = mac_table_new(nm, NULL), *sess;
	struct pt_buf b = PT_BUF_INIT;
	const char *p;
	int id;

	is_int(mac_id(nm, "x", 1, true), 'x', "a one-character name is its own id");
	is_int(mac_id(nm, "{x}", 3, true), 'x', "{x} is the same macro as x");
	id = mac_id(nm, "{client_addr}", 13, true);
	ok(id >= 256, "a long name gets an id above the characters");
	is_int(mac_id(nm, "client_addr", 11, false), id, "the same long name finds the same id");
	is_int(mac_id(nm, "nosuch", 6, false), MAC_NONE, "an unknown name is not created on lookup");
	p = "{daemon_flags}rest";
	id = mac_parse_name(nm, &p);
	ok(id >= 256 && strcmp(p, "rest") == 0, "parse_name reads a braced name and stops after it");
	mac_name(nm, id, &b);
	is_str(b.s, "{daemon_flags}", "a long name prints in braces");

	mac_set(cf, 'w', "mx", 0);
	mac_set(cf, 'j', "$w.example.test", MACF_CF);
	pt_buf_reset(&b);
	mac_expand_id(cf, 'j', &b);
	is_str(b.s, "mx.example.test", "configuration text expands references when used");
	is_str(mac_get(cf, 'j', NULL), "$w.example.test", "the raw value is kept");
	sess = mac_table_new(nm, cf);
	mac_set(sess, 'w', "other", 0);
	pt_buf_reset(&b);
	mac_expand_id(sess, 'j', &b);
	is_str(b.s, "other.example.test", "a session value shadows the configuration's");
	mac_set(sess, 'w', NULL, 0);
	ok(mac_get(sess, 'w', NULL) == NULL, "a hidden macro is undefined even if the parent has it");
	mac_unset(sess, 'w');
	is_str(mac_get(sess, 'w', NULL), "mx", "unset shows the parent's value again");
	pt_buf_reset(&b);
	mac_expand(cf, "a$?wyes$|no$.b $?qyes$|no$. $$x", &b);
	is_str(b.s, "ayesb no $x", "conditionals choose on definition, $$ is a dollar");
	pt_buf_reset(&b);
	mac_expand(cf, "$?w[$?q1$|2$.]$.", &b);
	is_str(b.s, "[2]", "conditionals nest");
	pt_buf_reset(&b);
	mac_set(cf, 'r', "$r$r", MACF_CF);
	mac_expand_id(cf, 'r', &b);
	ok(b.len < 100000, "self-reference stops at the depth limit (%zu bytes)", b.len);
	pt_buf_reset(&b);
	mac_set(cf, 'u', "$w", 0);
	mac_expand(cf, "<$u> $* $1", &b);
	is_str(b.s, "<$w> $* $1", "literal values are not expanded; rule operators stay");
	pt_buf_free(&b);
	mac_table_free(sess);
	mac_table_free(cf);
	mac_names_free(nm);
	return tap_done();
}
