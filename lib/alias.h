/*
 * alias: alias files (aliases(5)): their syntax, building them into their
 * maps (newaliases, `sendmail -bi`), and the alias maps of AliasFile for
 * readers (praliases, local delivery).
 *
 * The syntax: "name: value" entries; a line starting with a blank continues
 * the entry above (the line break is removed, the blanks kept); blank lines
 * end an entry; lines starting with '#' are comments.  Names are folded to
 * lower case and blanks inside them become BlankSub.  A built map holds each
 * name and value with a trailing NUL (upstream's convention for aliases)
 * and the pair "@" "@" (the `@:@` marker) that tells readers the build is
 * complete.
 */
#ifndef ALIAS_H
#define ALIAS_H

#include <stdbool.h>
#include <stddef.h>

#include "map.h"
#include "pt_buf.h"

/* Longest entry (a line with its continuation lines), in bytes. */
#define ALIAS_ENTRY_MAX 65536

/* What the parser reports: one entry, or one error. */
struct alias_sink {
	/* An entry: lhs already folded and blank-substituted; line is where it starts. */
	void (*entry)(void *ctx, const char *lhs, const char *rhs, unsigned long line);
	/* A bad line ("missing colon", "Non-continuation line starts with space", ...). */
	void (*error)(void *ctx, unsigned long line, const char *msg);
	void *ctx;
};

/* How names are normalized. */
struct alias_parse_opts {
	char blanksub;		/* BlankSub ('\0': '.') */
	bool nofold;		/* the map has -f: keep the case of names */
};

/*
 * Parses the alias file text[0..len) and reports each entry and error to
 * sink, in order.  Never fails: bad entries are reported and skipped.
 */
void alias_parse(const char *text, size_t len, const struct alias_parse_opts *o,
    const struct alias_sink *sink);

/* What one build did, for upstream's summary line. */
struct alias_stats {
	unsigned long aliases;	/* entries stored (a repeated name counts each time) */
	unsigned long longest;	/* longest value, in bytes */
	unsigned long total;	/* sum of the lengths of names and values */
	unsigned long errors;	/* bad entries */
};

/* How to build alias files. */
struct alias_build_opts {
	const struct map_options *mopts;	/* RunAsUser, DontBlameSendmail, BlankSub */
	/*
	 * Decides whether a name may be aliased (upstream parses it with
	 * ruleset 0 and wants the local mailer); NULL accepts every name.
	 * On refusal why gets the reason ("cannot alias non-local names").
	 */
	bool (*lhs_ok)(void *ctx, const char *lhs, struct pt_buf *why);
	void *ctx;
	/*
	 * Receives each summary line ("FILE: N aliases, longest N bytes, N bytes
	 * total"), which newaliases prints on standard output (and logs); when
	 * NULL the line is logged at LOG_INFO instead.
	 */
	void (*note)(void *ctx, const char *line);
};

/*
 * Rebuilds the map of every alias file named by an AliasFile value
 * ("/etc/mail/aliases", "hash:/etc/mail/aliases,implicit:/x", class flags
 * allowed: "hash:-A /etc/aliases"), as `newaliases` and `sendmail -bi` do.
 * Files of classes that have nothing to build (text, stab, nis, ...) are
 * skipped.  Bad entries are logged as "FILE: line N: MESSAGE"; a file that
 * is unsafe (group or world writable unless DontBlameSendmail allows it,
 * in an unsafe folder) is refused with "newaliases: cannot open FILE:
 * REASON".  Returns 0, EX_SOFTWARE when an entry was bad (as upstream), or
 * another sysexits code when a file could not be read or written.
 */
int alias_rebuild_all(const char *alias_files, const struct alias_build_opts *o);

/* Rebuilds one alias file spec ("[class:][flags ]path"); stats may be NULL. */
int alias_rebuild(const char *spec, const struct alias_build_opts *o,
    struct alias_stats *stats);

/*
 * Declares the alias maps of an AliasFile value in set, named "Alias0",
 * "Alias1", ... as upstream names them, with MAPF_ALIAS.  Returns the number
 * declared, or -1 with err set.
 */
int alias_declare_maps(struct map_set *set, const char *alias_files, struct pt_buf *err);

/*
 * Looks name up in the alias maps declared by alias_declare_maps, in order;
 * the first that has it answers.  Returns enum map_status.
 */
int alias_lookup(struct map_set *set, const char *name, struct pt_buf *out);

#endif
