/*
 * map_source: parses makemap's input lines into key and value.
 *
 * Owns only the syntax of one line; counting lines, duplicate keys and
 * storing belong to makemap.  Pure: no I/O, no state; runs in makemap and
 * editmap.  Every length is checked against the limits in map_source.h.
 */
#include "config.h"

#include <string.h>

#include "map_source.h"
#include "pt_str.h"

void
map_src_defaults(struct map_src_opts *o)
{
	o->comment = '#';
	o->delim = '\0';
	o->allow_empty = false;
	o->nofold = false;
}

/* True for the white space that separates key and value. */
static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* True if c separates key and value under o. */
static bool
is_sep(const struct map_src_opts *o, int c)
{
	return o->delim != '\0' ? c == (unsigned char)o->delim : is_space(c);
}

/* Replaces err with msg and returns MAP_SRC_ERROR. */
static enum map_src_kind
fail(struct pt_buf *err, const char *msg)
{
	pt_buf_reset(err);
	pt_buf_adds(err, msg);
	return MAP_SRC_ERROR;
}

enum map_src_kind
map_src_parse(const char *line, size_t len, const struct map_src_opts *o,
    struct pt_buf *key, struct pt_buf *value, struct pt_buf *err)
{
	size_t i = 0, k;

	if (len == 0 || line[0] == o->comment)
		return MAP_SRC_SKIP;
	if (len > MAP_SRC_LINE_MAX) {
		pt_buf_reset(err);
		pt_buf_printf(err, "line too long (%d bytes max)", MAP_SRC_LINE_MAX);
		return MAP_SRC_ERROR;
	}
	if (memchr(line, '\0', len) != NULL)
		return fail(err, "NUL byte in line");
	if (o->delim == '\0' && is_space((unsigned char)line[0]))
		return fail(err, "syntax error (leading space)");
	while (i < len && !is_sep(o, (unsigned char)line[i]))
		i++;
	k = i;
	if (k > MAP_SRC_KEY_MAX) {
		pt_buf_reset(err);
		pt_buf_printf(err, "key too long (%d bytes max)", MAP_SRC_KEY_MAX);
		return MAP_SRC_ERROR;
	}
	while (i < len && is_sep(o, (unsigned char)line[i]))
		i++;
	pt_buf_reset(key);
	pt_buf_add(key, line, k);
	if (i == len && !o->allow_empty) {
		pt_buf_reset(err);
		pt_buf_printf(err, "no RHS for LHS %s", key->s);
		return MAP_SRC_ERROR;
	}
	if (!o->nofold)
		pt_str_lower(key->s);
	pt_buf_reset(value);
	pt_buf_add(value, line + i, len - i);
	return MAP_SRC_PAIR;
}
