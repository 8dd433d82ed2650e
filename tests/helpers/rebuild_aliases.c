/*
 * rebuild_aliases: a test helper that does what `sendmail -bi` does with the
 * library (load the cf, call alias_rebuild_all, print the summary lines),
 * so the alias tests run before the sendmail program has its -bi mode.
 *
 *   rebuild_aliases CF
 */
#include "config.h"

#include <stdio.h>

#include "alias.h"
#include "cf.h"
#include "pt_log.h"

/* Prints a summary line as newaliases does. */
static void
note(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

int
main(int argc, char **argv)
{
	struct pt_buf err = PT_BUF_INIT;
	struct cf_config *cfg;
	struct alias_build_opts o = { 0 };
	int rc;

	pt_log_open("newaliases", PT_LOG_STDERR);
	if (argc != 2)
		return 64;
	cfg = cf_load(argv[1], NULL, &err);
	if (cfg == NULL) {
		fputs(pt_buf_str(&err), stderr);
		return 78;
	}
	o.mopts = map_set_options(cfg->maps);
	o.note = note;
	rc = alias_rebuild_all(o.mopts->alias_files, &o);
	cf_free(cfg);
	pt_buf_free(&err);
	return rc;
}
