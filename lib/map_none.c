/*
 * map_none: the map classes of upstream that this build does not have
 * (nis, nisplus, ldap, hesiod, cdb, netinfo): a K line naming one is
 * refused when the configuration loads, with a message that says so,
 * rather than failing later at the first lookup.
 *
 * Owns no state; runs only in the loader.
 */
#include "config.h"

#include "map.h"
#include "map_impl.h"

/* Refuses the declaration. */
static int
none_check(struct map *m, struct pt_buf *err)
{
	pt_buf_reset(err);
	pt_buf_printf(err, "map %s: class %s is not supported in this build", m->name,
	    m->cls->name);
	return -1;
}

/* Accepts any flag: only the class matters. */
static int
none_flag(struct map *m, int flag, const char *value, struct pt_buf *err)
{
	(void)m;
	(void)flag;
	(void)value;
	(void)err;
	return 0;
}

#define NONE_CLASS(cname) { .name = cname, .parse_flag = none_flag, .check = none_check }

const struct map_class map_class_nis = NONE_CLASS("nis");
const struct map_class map_class_nisplus = NONE_CLASS("nisplus");
const struct map_class map_class_ldap = NONE_CLASS("ldap");
const struct map_class map_class_hesiod = NONE_CLASS("hesiod");
const struct map_class map_class_cdb = NONE_CLASS("cdb");
const struct map_class map_class_netinfo = NONE_CLASS("netinfo");
