/*
 * addr_header: addresses as they appear in header fields.
 *
 * addr_crack() takes one address of a header (or an envelope address that
 * may carry a phrase or comments) and returns the template upstream calls
 * the "cracked" address: everything but the address itself, with "$g" where
 * the address was, so that a rewritten address can be put back in place:
 * "Full Name <a@b>" -> "Full Name <$g>", "a@b (Comment)" -> "$g (Comment)",
 * "group: a, b;" -> "group: $g;".
 */
#ifndef ADDR_HEADER_H
#define ADDR_HEADER_H

#include <stdbool.h>

#include "pt_buf.h"

/* Writes the cracked template of addr into out (replacing its contents). */
void addr_crack(const char *addr, struct pt_buf *out);

/*
 * Puts addr back into a template made by addr_crack: each "$g" is replaced
 * by addr; "$$" is a dollar.
 */
void addr_uncrack(const char *tmpl, const char *addr, struct pt_buf *out);

/*
 * Takes the next address of a comma-separated list (a header value, or a
 * recipient argument "a, b") at *pp: the text up to the first comma outside
 * quotes, comments and angle brackets, trimmed of blanks, goes to out
 * (replacing its contents) and *pp moves past the comma.  Empty elements
 * are skipped.  Returns false when the list holds no more addresses.
 */
bool addr_list_next(const char **pp, struct pt_buf *out);

/*
 * Splits an alias value (or an :include:/.forward line) as alias expansion
 * reads it: on commas outside quotes and angle brackets, and on newlines; a
 * backslash protects the next character.  Calls fn on each element trimmed
 * of blanks, skipping empty ones.
 */
void addr_alias_split(const char *list, void (*fn)(char *elem, void *arg), void *arg);

#endif
