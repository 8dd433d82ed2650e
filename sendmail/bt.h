/* bt.h: the state of address test mode, shared by mode_bt.c and bt_cmds.c. */
#ifndef BT_H
#define BT_H

#include "cf.h"
#include "rw.h"

struct bt {
	struct cf_config *cfg;
	struct rw_ctx rw;
	unsigned tryflags;	/* RW_SENDER, RW_HEADER for /try and /parse */
};

void bt_init(struct bt *bt, struct cf_config *cfg);
void bt_done(struct bt *bt);
/* Tokenizes one address of text up to delim, printing any messages; -1 if refused. */
int bt_tokenize(struct bt *bt, const char *text, int delim, struct addr_vec *v, const char **endp);
/* The ruleset a test line names: a number below 200 or a defined name; -1 if none. */
int bt_ruleset(struct bt *bt, const char *name);

/* Sets ${addr_type} from the tryflags: "e r", "e s", "h r" or "h s". */
void bt_tryflags_macro(struct bt *bt);
void bt_cmd_tryflags(struct bt *bt, char *arg);
void bt_cmd_try(struct bt *bt, char *arg);
void bt_cmd_parse(struct bt *bt, char *arg);
void bt_cmd_canon(struct bt *bt, char *arg);
void bt_cmd_map(struct bt *bt, char *arg);
/* /mx domain: the hosts mail for domain goes to, as upstream prints them. */
void bt_cmd_mx(struct bt *bt, char *arg);

#endif
