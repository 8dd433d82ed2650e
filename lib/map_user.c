/*
 * map_user: the user class: the key is a login name looked up with
 * getpwnam(3); -v names the field to answer (name, passwd, uid, gid,
 * gecos, dir, shell), the name itself by default.
 *
 * Owns no state.  Runs in any process that rewrites addresses; the password
 * field is answered only if asked for, as upstream does.
 */
#include "config.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "map_impl.h"
#include "pt_str.h"

/* The fields -v may name. */
enum user_field { UF_NAME, UF_PASSWD, UF_UID, UF_GID, UF_GECOS, UF_DIR, UF_SHELL };

/* The field -v names; -1 if none. */
static int
field_of(const char *s)
{
	static const char *const names[] = { "name", "passwd", "uid", "gid", "gecos", "dir", "shell" };
	size_t i;

	if (s == NULL)
		return UF_NAME;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (pt_strcasecmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* Checks -v when the map opens (upstream's time and message). */
static int
user_open(struct map *m, struct pt_buf *err)
{
	if (field_of(m->valcol) < 0) {
		pt_buf_printf(err, "User map %s: unknown column name %s", m->name, m->valcol);
		return MAP_TEMPFAIL;
	}
	return MAP_FOUND;
}

/* Looks the login name up. */
static int
user_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct passwd *pw;

	(void)keylen;
	(void)av;
	(void)ac;
	(void)env;
	pw = getpwnam(key);
	if (pw == NULL)
		return MAP_NOTFOUND;
	switch (field_of(m->valcol)) {
	case UF_PASSWD: pt_buf_adds(value, pw->pw_passwd); break;
	case UF_UID: pt_buf_printf(value, "%ld", (long)pw->pw_uid); break;
	case UF_GID: pt_buf_printf(value, "%ld", (long)pw->pw_gid); break;
	case UF_GECOS: pt_buf_adds(value, pw->pw_gecos); break;
	case UF_DIR: pt_buf_adds(value, pw->pw_dir); break;
	case UF_SHELL: pt_buf_adds(value, pw->pw_shell); break;
	default: pt_buf_adds(value, pw->pw_name); break;
	}
	return MAP_FOUND;
}

const struct map_class map_class_user = {
	.name = "user",
	.cflags = MAPC_FOLD | MAPC_REWRITE | MAPC_FOLDMATCH,
	.open = user_open,
	.lookup = user_lookup,
};
