/*
 * cf_internal: what the loader's files share and nothing outside lib/cf_*.c
 * may use.
 */
#ifndef CF_INTERNAL_H
#define CF_INTERNAL_H

#include "cf.h"

/* The loader's position, for messages: set while a file is read. */
struct cf_pos {
	const char *file;
	int line;
};

/* Records a warning "file: line N: text" in cfg->warnings. */
void cf_warn(struct cf_config *cfg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The current position, or a zeroed one outside loading. */
const struct cf_pos *cf_pos(const struct cf_config *cfg);

/* Rebuilds the token tables after OperatorChars changed. */
void cf_toktabs_rebuild(struct cf_config *cfg);
void cf_options_defaults(struct cf_options *o);
void cf_options_free(struct cf_options *o);

/* S and R lines (cf_rule.c); 0, or -1 with the message in err. */
int cf_line_ruleset(struct cf_config *cfg, char *line, int *cur, struct pt_buf *err);
int cf_line_rule(struct cf_config *cfg, char *line, int cur, struct pt_buf *err);
/* Returns the number of the ruleset called name, creating it (numbered down from 199). */
int cf_ruleset_intern(struct cf_config *cfg, const char *name, struct pt_buf *err);
void cf_rulesets_free(struct cf_config *cfg);
/* After the whole file: unquotes the $>"name" calls. */
void cf_rules_finish(struct cf_config *cfg);

/*
 * Translates configuration text into the tokenizer's input: "$x" macros are
 * expanded now, rule operators become ADDR_META sequences, "$$" is a dollar.
 */
void cf_translate(const struct cf_config *cfg, const char *text, struct pt_buf *out);

/* M lines (cf_mailer.c). */
int cf_line_mailer(struct cf_config *cfg, char *line, struct pt_buf *err);
void cf_mailers_builtin(struct cf_config *cfg);
void cf_mailers_free(struct cf_config *cfg);

/* Classes (cf_class.c). */
void cf_classes_free(struct cf_config *cfg);

#endif
