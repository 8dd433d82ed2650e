/*
 * cf_option: the option table and the O line.
 *
 * Owns the one table that knows every option's long name, old one-character
 * name, type and field, and the parsing of values into typed fields of
 * struct cf_options.  An unknown option warns, as upstream does; it never
 * fails the load.  Runs wherever a configuration is loaded.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cf.h"
#include "cf_internal.h"
#include "pt_alloc.h"
#include "pt_str.h"

enum opt_type { T_str, T_int, T_time, T_mode, T_bool, T_char, T_list };

struct opt_def {
	const char *name;
	int ch;
	enum opt_type type;
	size_t off;
	int unit;
};

static const struct opt_def opt_table[] = {
#define CF_OPTION_ROW(name, ch, type, field, unit) \
	{ name, ch, T_##type, offsetof(struct cf_options, field), unit },
	CF_OPTIONS(CF_OPTION_ROW)
#undef CF_OPTION_ROW
};

struct timeout_def {
	const char *name;
	size_t off;
	long def;
};

static const struct timeout_def timeout_table[] = {
#define CF_TIMEOUT_ROW(name, field, def) { name, offsetof(struct cf_timeouts, field), def },
	CF_TIMEOUTS(CF_TIMEOUT_ROW)
#undef CF_TIMEOUT_ROW
};

#define NOPTS (sizeof opt_table / sizeof opt_table[0])
#define NTIMEOUTS (sizeof timeout_table / sizeof timeout_table[0])

bool
cf_parse_time(const char *s, int def_unit, long *seconds)
{
	long total = 0;
	bool any = false;

	while (isspace((unsigned char)*s))
		s++;
	while (*s) {
		char *end;
		long v = strtol(s, &end, 10), mult;
		int unit;

		if (end == s)
			return false;
		unit = *end ? *end : def_unit;
		switch (unit) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		case 'w': mult = 604800; break;
		default: return false;
		}
		if (v < 0 || v > LONG_MAX / mult || total > LONG_MAX - v * mult)
			return false;
		total += v * mult;
		any = true;
		s = *end ? end + 1 : end;
		while (isspace((unsigned char)*s))
			s++;
	}
	if (!any)
		return false;
	*seconds = total;
	return true;
}

/* Upstream's boolean: empty or starting with t/T/y/Y is true. */
static bool
parse_bool(const char *v)
{
	return *v == '\0' || strchr("tTyY", *v) != NULL;
}

bool
cf_super_safe(const struct cf_options *o)
{
	const char *v = o->super_safe;

	/* upstream's I(nteractive) and P(ostMilter) only move the syncs; Petrel
	 * keeps them where True has them (see sendmail(8), SuperSafe) */
	return v == NULL || parse_bool(v) || strchr("iIpP", *v) != NULL;
}

/* Appends the comma- or space-separated items of v to a list. */
static void
list_add(struct cf_strlist *l, const char *v, bool split)
{
	char *copy = pt_strdup(v), *p = copy, *item;

	for (;;) {
		if (split) {
			item = strsep(&p, ",");
			if (item == NULL)
				break;
			item = pt_str_trim(item);
			if (*item == '\0')
				continue;
		} else {
			item = pt_str_trim(p);
			p = NULL;
		}
		l->v = pt_reallocarray(l->v, (size_t)l->n + 2, sizeof(char *));
		l->v[l->n++] = pt_strdup(item);
		l->v[l->n] = NULL;
		if (!split)
			break;
	}
	free(copy);
}

/* Sets one Timeout.<name>; a bare queuewarn/queuereturn sets every variant. */
static int
set_timeout(struct cf_options *o, const char *name, const char *value, struct pt_buf *err)
{
	long secs;
	size_t i, nlen = strlen(name);
	bool any = false, all;

	if (nlen > 2 && strcmp(name + nlen - 2, ".*") == 0)
		nlen -= 2;
	all = strncmp(name, "queuewarn", nlen) == 0 || strncmp(name, "queuereturn", nlen) == 0 ||
	    strncmp(name, "resolver.retrans", nlen) == 0 || strncmp(name, "resolver.retry", nlen) == 0;
	if (!cf_parse_time(value, 'm', &secs)) {
		pt_buf_printf(err, "settimeout: invalid time %s", value);
		return -1;
	}
	for (i = 0; i < NTIMEOUTS; i++) {
		const char *t = timeout_table[i].name;

		if (pt_strcasecmp(t, name) == 0 ||
		    (all && pt_strncasecmp(t, name, nlen) == 0 && t[nlen] == '.')) {
			*(long *)((char *)&o->timeout + timeout_table[i].off) = secs;
			any = true;
		}
	}
	if (!any) {
		pt_buf_printf(err, "settimeout: invalid timeout %s", name);
		return -1;
	}
	return 0;
}

/* The old Timeout option: "name=value,..." pairs, or a bare value for reads. */
static int
set_timeout_list(struct cf_options *o, const char *value, struct pt_buf *err)
{
	char *copy = pt_strdup(value), *p = copy, *item;
	int rc = 0;

	while (rc == 0 && (item = strsep(&p, ",")) != NULL) {
		char *eq = strchr(item, '=');

		item = pt_str_trim(item);
		if (*item == '\0')
			continue;
		if (eq == NULL)
			rc = set_timeout(o, "queuereturn", item, err);
		else {
			*eq = '\0';
			rc = set_timeout(o, pt_str_trim(item), pt_str_trim(eq + 1), err);
		}
	}
	free(copy);
	return rc;
}

/* Stores a value into the field of def. */
static void
store(struct cf_options *o, const struct opt_def *def, const char *v)
{
	void *field = (char *)o + def->off;
	long n;

	switch (def->type) {
	case T_str:
		free(*(char **)field);
		*(char **)field = pt_strdup(v);
		break;
	case T_int:
		*(long *)field = strtol(v, NULL, 10);
		break;
	case T_time:	/* "-1" is negative, as upstream reads it (DeliverByMin=-1: no DELIVERBY) */
		if (cf_parse_time(*v == '-' ? v + 1 : v, def->unit, &n))
			*(long *)field = *v == '-' ? -n : n;
		break;
	case T_mode:
		*(long *)field = strtol(v, NULL, 8);
		break;
	case T_bool:
		*(bool *)field = parse_bool(v);
		break;
	case T_char:
		*(int *)field = (unsigned char)*v;
		break;
	case T_list:
		list_add(field, v, strcmp(def->name, "DaemonPortOptions") != 0 &&
		    strcmp(def->name, "ClientPortOptions") != 0);
		break;
	}
}

/* Finds an option by long name or one character; NULL if unknown. */
static const struct opt_def *
find_opt(const char *name)
{
	size_t i;

	for (i = 0; i < NOPTS; i++) {
		if (name[1] == '\0' ? opt_table[i].ch == name[0] :
		    pt_strcasecmp(opt_table[i].name, name) == 0)
			return &opt_table[i];
	}
	return NULL;
}

/* Options whose setting changes the loader's own state. */
static void
after_set(struct cf_config *cfg, const struct opt_def *def)
{
	if (def->off == offsetof(struct cf_options, operator_chars))
		cf_toktabs_rebuild(cfg);
}

int
cf_option_set(struct cf_config *cfg, const char *name, const char *value, struct pt_buf *err)
{
	const struct opt_def *def;

	if (pt_str_iprefix(name, "Timeout."))
		return set_timeout(&cfg->opt, name + 8, value, err);
	if (pt_strcasecmp(name, "Timeout") == 0 || strcmp(name, "r") == 0)
		return set_timeout_list(&cfg->opt, value, err);
	if (strcmp(name, "T") == 0 || pt_strcasecmp(name, "QueueTimeout") == 0) {
		char *copy = pt_strdup(value), *slash = strchr(copy, '/');
		int rc;

		if (slash != NULL)
			*slash++ = '\0';
		rc = set_timeout(&cfg->opt, "queuereturn", copy, err);
		if (rc == 0 && slash != NULL)
			rc = set_timeout(&cfg->opt, "queuewarn", slash, err);
		free(copy);
		return rc;
	}
	if (strcmp(name, "M") == 0) {
		const char *p = value;
		int id = mac_parse_name(cfg->names, &p);

		if (id != MAC_NONE)
			mac_set(cfg->macros, id, p, MACF_CF);
		return 0;
	}
	def = find_opt(name);
	if (def == NULL) {
		cf_warn(cfg, "readcf: unknown option name %s", name);
		return 0;
	}
	store(&cfg->opt, def, value);
	after_set(cfg, def);
	return 0;
}

/* Empties the list option def, as the first command-line setting does. */
static void
list_clear(struct cf_options *o, const struct opt_def *def)
{
	struct cf_strlist *l = (void *)((char *)o + def->off);

	for (int j = 0; j < l->n; j++)
		free(l->v[j]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
cf_options_cmdline(struct cf_config *cfg, char *const *opts, int n, struct pt_buf *err)
{
	bool cleared[NOPTS] = { false };
	int rc = 0;

	for (int i = 0; i < n; i++) {
		char *name = pt_strdup(opts[i]), *eq = strchr(name, '=');
		const struct opt_def *def;

		if (eq != NULL)
			*eq++ = '\0';
		def = find_opt(pt_str_trim(name));
		if (def != NULL && def->type == T_list && !cleared[def - opt_table] &&
		    strcmp(def->name, "PrivacyOptions") != 0) {
			list_clear(&cfg->opt, def);
			cleared[def - opt_table] = true;
		}
		if (cf_option_set(cfg, pt_str_trim(name), eq ? eq : "", err) < 0)
			rc = -1;
		free(name);
	}
	return rc;
}

/* The processors online, 1 when that cannot be known. */
static int
online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 && n < 100000 ? (int)n : 1;
}

void
cf_options_defaults(struct cf_options *o)
{
	size_t i;

	memset(o, 0, sizeof *o);
	for (i = 0; i < NTIMEOUTS; i++)
		*(long *)((char *)&o->timeout + timeout_table[i].off) = timeout_table[i].def;
	o->log_level = 9;
	o->milter_log_level = -1;	/* unset: LogLevel's */
	o->max_hop_count = 25;
	o->delivery_mode = 'b';
	o->error_mode = 'p';
	o->eight_bit_mode = 'p';
	o->blank_sub = ' ';
	o->max_headers_length = 32768;
	o->max_alias_recursion = 10;
	o->max_noop_commands = 20;
	/* Petrel's own: connections a session process serves (Postfix's max_use) */
	o->max_connections_per_process = 100;
	o->connection_cache_size = 1;
	o->connection_cache_timeout = 300;
	o->checkpoint_interval = 10;
	o->class_factor = 1800;
	o->retry_factor = 90000;
	o->recipient_factor = 30000;
	o->queue_factor = 600000;
	/* as upstream: 8 and 12 times the processors online (when that is known) */
	o->queue_la = 8 * online_cpus();
	o->refuse_la = 12 * online_cpus();
	o->fast_split = 1;
	o->temp_file_mode = 0600;
	o->queue_file_mode = 0600;
	o->unsafe_group_writes = true;
	o->connection_rate_window = 60;
	o->nice_queue_run = 0;
	o->bad_rcpt_shutdown_good = 50;
}

void
cf_options_free(struct cf_options *o)
{
	size_t i;
	int j;

	for (i = 0; i < NOPTS; i++) {
		void *field = (char *)o + opt_table[i].off;

		if (opt_table[i].type == T_str)
			free(*(char **)field);
		else if (opt_table[i].type == T_list) {
			struct cf_strlist *l = field;

			for (j = 0; j < l->n; j++)
				free(l->v[j]);
			free(l->v);
		}
	}
}
