/*
 * mac: sendmail's macros: their names and their values.
 *
 * A macro name is one character ($x) or a long name in braces (${name});
 * "{x}" and "x" are the same macro.  Names are interned into small integer
 * ids (a single character is its own code, long names count up from 256),
 * so that rules compiled at load time refer to macros by id.
 *
 * A value is either literal (set at run time from the outside world: a
 * client's name, a sender) or configuration text that may refer to other
 * macros ($x, ${name}, $$, $?x ... $| ... $.), expanded when it is used.
 * Tables chain to a parent, so a session's table sees the configuration's
 * definitions under its own.
 */
#ifndef MAC_H
#define MAC_H

#include <stdbool.h>
#include <stddef.h>

#include "pt_buf.h"

#define MAC_MAXNAME 64	/* the longest long macro name */
#define MAC_NONE (-1)
#define MAC_MAXEXPAND 65536	/* an expansion stops growing here (a macro bomb) */

/* Flags of a macro value. */
enum mac_flag {
	MACF_CF = 1u << 0,	/* configuration text: expand references when used */
};

struct mac_names;
struct mac_table;

/* Makes an empty intern table of long names. */
struct mac_names *mac_names_new(void);
void mac_names_free(struct mac_names *names);
/*
 * Returns the id of the name name[0..len) ("x", "{x}", "{long}" or "long"),
 * interning it when create is true; MAC_NONE if unknown and not created, or
 * if the name is empty or longer than MAC_MAXNAME.
 */
int mac_id(struct mac_names *names, const char *name, size_t len, bool create);
/*
 * Parses a macro name at *pp (just after a '$' or "$&"): one character, or
 * {name} up to the closing brace.  Advances *pp past it.  Returns the id or
 * MAC_NONE on a bad name (*pp is still advanced past what was read).
 */
int mac_parse_name(struct mac_names *names, const char **pp);
/* Writes the printable name of id ("x" or "{name}") into out. */
void mac_name(const struct mac_names *names, int id, struct pt_buf *out);

/* Makes an empty value table over parent (may be NULL). */
struct mac_table *mac_table_new(struct mac_names *names, const struct mac_table *parent);
void mac_table_free(struct mac_table *t);
/* The names table a value table uses. */
struct mac_names *mac_table_names(const struct mac_table *t);
/*
 * Sets (value != NULL) or hides (value == NULL: "undefined here even if the
 * parent has it") macro id in t.  The value is copied.
 */
void mac_set(struct mac_table *t, int id, const char *value, unsigned flags);
/* Removes id from t itself, so that the parent's value shows again. */
void mac_unset(struct mac_table *t, int id);
/*
 * Returns the raw value of id, walking up the parents; NULL if undefined.
 * *flags receives its enum mac_flag bits when flags is not NULL.  Borrowed
 * until the macro changes.
 */
const char *mac_get(const struct mac_table *t, int id, unsigned *flags);
/* Convenience: sets or gets by name ("x" or "{name}"). */
void mac_set_name(struct mac_table *t, const char *name, const char *value, unsigned flags);
const char *mac_get_name(const struct mac_table *t, const char *name);

/*
 * Expands configuration text into out: "$$" is a dollar, $x and ${name}
 * insert the macro's value (itself expanded if it is configuration text),
 * $?x ... $| ... $. choose on whether x is defined (and non-empty is not
 * required: defined is enough), $&x inserts the value without expanding it.
 * Any other "$c" is copied unchanged (the rule operators are left for the
 * rule parser).  Expansion depth is bounded, and so is the output
 * (MAC_MAXEXPAND bytes: what goes beyond is dropped).
 */
void mac_expand(const struct mac_table *t, const char *text, struct pt_buf *out);
/* Expands the value of macro id into out (nothing if undefined). */
void mac_expand_id(const struct mac_table *t, int id, struct pt_buf *out);

#endif
