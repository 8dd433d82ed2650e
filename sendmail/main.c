/*
 * main: the sendmail program's entry: the name it runs under, the command
 * line, the configuration, and the dispatch to one mode.
 *
 * Owns the run (struct sm_run).  Parses options through a table, loads
 * sendmail.cf (-C) for the modes that need it, applies -o/-O/-M after the
 * file as upstream does, and calls the mode.  Exits with sysexits codes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cf.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"
#include "queue.h"
#include "sendmail.h"
#include "tls.h"

int
mode_print_version(struct sm_run *run)
{
	(void)run;
	printf("Version %s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	printf(" Compatible with: sendmail 8.17\n");
	return EX_OK;
}

/*
 * True when the -d arguments ask for category 0 at level 1 or more ("-d0.1",
 * "-d0", "-d0-9.4", "-d" alone), for which upstream prints its version and
 * the system's identity.
 */
static bool
debug_identity(const struct sm_run *run)
{
	const char *p = pt_buf_str(&run->debug_spec);

	if (run->debug && *p == '\0')
		return true;	/* -d alone: every category at level 1 */
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo, level = 1;

		if (end == p)
			return false;
		p = end;
		if (*p == '-')
			hi = strtol(p + 1, (char **)&p, 10);
		if (*p == '.')
			level = strtol(p + 1, (char **)&p, 10);
		if (lo <= 0 && 0 <= hi && level >= 1)
			return true;
		p += strspn(p, ", ");
	}
	return false;
}

/* -d0.1: the version banner, as upstream prints it before reading the cf. */
static void
debug_version(void)
{
	mode_print_version(NULL);
	printf(" Compiled with: DNSMAP LOG MAP_REGEX MILTER NETINET NETINET6 NETUNIX PIPELINING\n"
	    "\t\tSASLv2 SOCKETMAP STARTTLS\n");
}

/* -d0.1: the identity the cf was read with, in upstream's layout. */
static void
debug_identity_block(const struct sm_run *run)
{
	static const struct { char name; const char *what; } rows[] = {
		{ 'w', "(short domain name)" }, { 'j', "(canonical domain name)" },
		{ 'm', "(subdomain name)" }, { 'k', "(node name)" },
	};

	printf("\n============ SYSTEM IDENTITY (after readcf) ============\n");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *v = mac_get(run->cfg->macros, rows[i].name, NULL);

		printf("%25s $%c = %s\n", rows[i].what, rows[i].name, v ? v : "");
	}
	printf("========================================================\n\n");
	fflush(stdout);
}

static const struct sm_mode modes[] = {
	{ 'h', true, mode_hoststat },
	{ 'H', true, mode_purgestat },
	{ 'm', true, mode_submit },
	{ 'd', true, mode_daemon },
	{ 'D', true, mode_daemon },
	{ 's', true, mode_smtp_stdio },
	{ 'q', true, mode_queue_run },
	{ 'i', true, mode_newaliases },
	{ 't', true, mode_test },
	{ 'v', true, mode_verify },
	{ 'V', false, mode_print_version },
	{ 'p', true, mode_print_queue },
	{ 'P', true, mode_print_count },
};

/* The names the program answers to and the mode each selects. */
static const struct {
	const char *name;
	char mode;
} names[] = {
	{ "mailq", 'p' },
	{ "newaliases", 'i' },
	{ "hoststat", 'h' },
	{ "purgestat", 'H' },
	{ "smtpd", 'd' },
};

/* Appends s to a growing string array. */
static void
push(char ***v, int *n, const char *s)
{
	*v = pt_reallocarray(*v, (size_t)*n + 2, sizeof(char *));
	(*v)[(*n)++] = (char *)s;
	(*v)[*n] = NULL;
}

/* -N never | success,failure,delay: the NOTIFY flags of the recipients. */
static int
take_notify(struct sm_run *run, const char *arg)
{
	static const struct { const char *word; unsigned flag; } words[] = {
		{ "never", 0 }, { "success", QRF_NOTIFY_SUCCESS },
		{ "failure", QRF_NOTIFY_FAILURE }, { "delay", QRF_NOTIFY_DELAY },
	};
	char *copy = pt_strdup(arg), *p = copy, *w;
	int rc = 0;

	run->notify = QRF_HAS_NOTIFY;
	while (rc == 0 && (w = strsep(&p, ",")) != NULL) {
		size_t i;

		for (i = 0; i < sizeof words / sizeof words[0]; i++)
			if (pt_strcasecmp(pt_str_trim(w), words[i].word) == 0)
				break;
		if (i == sizeof words / sizeof words[0]) {
			fprintf(stderr, "Invalid -N argument\n");
			rc = -1;
		} else
			run->notify |= words[i].flag;
	}
	free(copy);
	return rc;
}

/* -R full | hdrs. */
static int
take_ret(struct sm_run *run, const char *arg)
{
	if (pt_strcasecmp(arg, "full") != 0 && pt_strcasecmp(arg, "hdrs") != 0) {
		fprintf(stderr, "Invalid -R value\n");
		return -1;
	}
	run->ret = pt_strcasecmp(arg, "hdrs") == 0 ? 'h' : 'f';
	return 0;
}

/* -V envid: printable ASCII without blanks (RFC 3461 xtext). */
static int
take_envid(struct sm_run *run, const char *arg)
{
	for (const char *p = arg; *p; p++)
		if (*p <= ' ' || *p >= 127 || *p == '=') {
			fprintf(stderr, "Invalid syntax in -V flag\n");
			return -1;
		}
	run->envid = arg;
	return 0;
}

/* -B 7BIT | 8BITMIME. */
static int
take_bodytype(struct sm_run *run, const char *arg)
{
	if (pt_strcasecmp(arg, "7BIT") != 0 && pt_strcasecmp(arg, "8BITMIME") != 0) {
		fprintf(stderr, "Illegal body type %s\n", arg);
		return -1;
	}
	run->bodytype = arg;
	return 0;
}

/* Handles one option letter with its argument (NULL if it takes none). */
static int
take_option(struct sm_run *run, int c, const char *arg)
{
	switch (c) {
	case 'b': run->mode = arg[0]; break;
	case 'C': run->cf_path = arg; run->cf_given = true; break;
	case 'd':
		if (run->debug_spec.len)
			pt_buf_addc(&run->debug_spec, ' ');
		pt_buf_adds(&run->debug_spec, arg);
		run->debug = 1;
		break;
	case 'f': case 'r': run->sender = arg; break;
	case 'N': return take_notify(run, arg);
	case 'R': return take_ret(run, arg);
	case 'V': return take_envid(run, arg);
	case 'B': return take_bodytype(run, arg);
	case 'p': run->protocol = arg; break;
	case 'G': run->relay_submission = true; break;
	case 'F': run->fullname = arg; break;
	case 'L': run->log_tag = arg; break;
	case 'i': run->ignore_dots = true; break;
	case 't': run->read_recipients = true; break;
	case 'v': run->verbose = true; break;
	case 'q':
		run->queue_arg = arg;
		push(&run->queue_args, &run->nqueue_args, arg);
		if (run->mode == 'm')
			run->mode = 'q';
		break;
	case 'A': run->queue_sel = arg; break;
	case 'M': push(&run->defines, &run->ndefines, arg); break;
	case 'o': {
		/* -oXvalue: the old one-character form */
		char *s = pt_malloc(strlen(arg) + 2);

		s[0] = arg[0];
		s[1] = '=';
		strcpy(s + 2, arg[0] ? arg + 1 : "");
		push(&run->options, &run->noptions, s);
		break;
	}
	case 'O': push(&run->options, &run->noptions, pt_strdup(arg)); break;
	default: break;	/* accepted and ignored, as upstream ignores obsolete flags */
	}
	return 0;
}

/* Option letters; ':' after one means it takes an argument (attached or next). */
#define OPTLETTERS "b:C:d:f:r:F:L:h:N:O:o:p:R:V:X:B:A:M:Q:D:e:itvnGUsm"

/* Parses argv into run; returns the index of the first recipient or -1. */
static int
parse_args(struct sm_run *run, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *a = argv[i] + 1, *spec;

		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (*a == 'q') {	/* -q takes an optional attached argument */
			take_option(run, 'q', a + 1);
			continue;
		}
		for (; *a; a++) {
			spec = strchr(OPTLETTERS, *a);
			if (spec == NULL || *a == ':') {
				fprintf(stderr, "%s: invalid option -- '%c'\n", run->progname, *a);
				return -1;
			}
			if (spec[1] != ':') {
				take_option(run, *a, NULL);
				continue;
			}
			if (a[1] != '\0') {
				if (take_option(run, *a, a + 1) < 0)
					return -1;
			} else if (i + 1 < argc) {
				if (take_option(run, *a, argv[++i]) < 0)
					return -1;
			} else {
				fprintf(stderr, "%s: option requires an argument -- '%c'\n",
				    run->progname, *a);
				return -1;
			}
			break;
		}
	}
	return i;
}

/* Loads the configuration and applies the command line's settings. */
static int
load_config(struct sm_run *run)
{
	struct pt_buf err = PT_BUF_INIT;
	struct cf_env env = { 0 };
	int rc = EX_OK;

	run->hostname = host_qualified_name();
	env.hostname = run->hostname;
	env.bt_mode = run->mode == 't';
	env.defines = (const char *const *)run->defines;
	run->cfg = cf_load(run->cf_path, &env, &err);
	if (run->cfg == NULL) {
		fputs(pt_buf_str(&err), stderr);
		pt_buf_free(&err);
		return EX_CONFIG;
	}
	if (cf_options_cmdline(run->cfg, run->options, run->noptions, &err) < 0) {
		fprintf(stderr, "%s\n", pt_buf_str(&err));
		rc = EX_USAGE;
	}
	pt_log_set_level((int)run->cfg->opt.log_level);
	fputs(pt_buf_str(&run->cfg->warnings), stderr);
	if (strchr(run->hostname, '.') == NULL && strchr("dDtv", run->mode) != NULL)
		fprintf(stderr, "WARNING: local host name (%s) is not qualified; see cf/README: "
		    "WHO AM I?\n", run->hostname);
	host_add_interfaces(run->cfg);
	pt_buf_free(&err);
	return rc;
}

/* Frees what the run holds. */
static void
run_free(struct sm_run *run)
{
	tls_ctx_free(run->tls_client);
	cf_free(run->cfg);
	free(run->hostname);
	for (int k = 0; k < run->noptions; k++)
		free(run->options[k]);
	free(run->options);
	free(run->defines);
	free(run->queue_args);
	pt_buf_free(&run->debug_spec);
}

/* Runs mode m: the configuration first when it needs one.  An exit status. */
static int
run_mode(struct sm_run *run, const struct sm_mode *m)
{
	int rc = EX_OK;

	if (debug_identity(run))
		debug_version();
	if (m->needs_cf && ((rc = load_config(run)) != EX_OK || (rc = privs_after_load(run)) != EX_OK))
		return rc;
	if (m->needs_cf && debug_identity(run))
		debug_identity_block(run);
	return m->run(run);
}

int
main(int argc, char **argv)
{
	struct sm_run run = { 0 };
	const char *base = strrchr(argv[0], '/');
	int first, rc = -1;
	size_t i;

	run.progname = base ? base + 1 : argv[0];
	run.argv = argv;
	run.argc = argc;
	run.mode = 'm';
	run.cf_path = SM_DEFAULT_CF;
	run.real_uid = getuid();
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(run.progname, names[i].name) == 0)
			run.mode = names[i].mode;
	pt_log_open(run.log_tag ? run.log_tag : "sendmail", PT_LOG_STDERR);
	first = parse_args(&run, argc, argv);
	if (first < 0)
		rc = EX_USAGE;
	else {
		privs_choose_cf(&run);
		if (privs_settle(&run) < 0)
			rc = EX_OSERR;
		run.rcpts = argv + first;
		run.nrcpts = argc - first;
	}
	for (i = 0; rc < 0 && i < sizeof modes / sizeof modes[0]; i++)
		if (modes[i].letter == run.mode)
			rc = run_mode(&run, &modes[i]);
	if (rc < 0) {
		fprintf(stderr, "Invalid operation mode %c\n", run.mode);
		rc = EX_USAGE;
	}
	privs_done();
	run_free(&run);
	return rc;
}
