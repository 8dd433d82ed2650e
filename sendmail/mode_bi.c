/*
 * mode_bi: newaliases and sendmail -bi: rebuilds every alias file of the
 * AliasFile option into its map, printing upstream's summary line for each
 * ("/etc/mail/aliases: 12 aliases, longest 24 bytes, 301 bytes total").
 *
 * Runs as the invoking user (root to write /etc/mail).  Names are checked
 * through ruleset 0 as upstream does: only names that resolve to the local
 * mailer may be aliased.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "alias.h"
#include "pt_exit.h"
#include "pt_str.h"
#include "rw.h"
#include "sendmail.h"

/* Prints a summary line. */
static void
note(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

/* Accepts an alias name only if it resolves to the local mailer. */
static bool
lhs_ok(void *ctx, const char *lhs, struct pt_buf *why)
{
	struct rw_ctx *rw = ctx;
	struct rw_triple t;
	int st;
	bool ok;

	if (rw->cfg->rulesets[0] == NULL || rw->cfg->rulesets[0]->nrules == 0)
		return true;	/* no ruleset 0 to tell local names by */
	st = rw_parse(rw, lhs, 0, 0, NULL, &t);
	ok = st == EX_OK && !t.error && t.mailer != NULL && cf_mflag(&t.mailer->flags, 'l');

	if (!ok)
		pt_buf_adds(why, "cannot alias non-local names");
	pt_arena_reset(rw->arena);
	return ok;
}

int
mode_newaliases(struct sm_run *run)
{
	const struct cf_strlist *l = &run->cfg->opt.alias_file;
	struct alias_build_opts o;
	struct pt_buf files = PT_BUF_INIT;
	struct rw_ctx rw;
	int rc;

	for (int i = 0; i < l->n; i++)
		pt_buf_printf(&files, "%s%s", i ? "," : "", l->v[i]);
	if (files.len == 0)
		pt_buf_adds(&files, MAILDIR "/aliases");
	rw_ctx_init(&rw, run->cfg);
	memset(&o, 0, sizeof o);
	o.mopts = map_set_options(run->cfg->maps);
	o.lhs_ok = lhs_ok;
	o.ctx = &rw;
	o.note = note;
	rc = alias_rebuild_all(files.s, &o);
	rw_ctx_done(&rw);
	pt_buf_free(&files);
	return rc;
}
