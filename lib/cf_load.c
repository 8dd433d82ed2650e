/*
 * cf_load: reading sendmail.cf: folded lines, the line-type table, and the
 * simple line types (V D C F P T E H K Q X).
 *
 * Owns the construction of struct cf_config; the other cf_*.c files handle
 * options, rules, mailers and classes.  Every error names the file and line.
 * Must never crash or hang on any input (tests/fuzz/fuzz_cf proves it); an F
 * line that runs a program (F|) is the only thing that executes anything.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alias.h"
#include "cf.h"
#include "cf_internal.h"
#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_log.h"
#include "pt_str.h"

/* The loader's state for one file. */
struct loader {
	struct cf_config *cfg;
	struct cf_pos pos;
	int cur_ruleset;	/* the S line rules go to */
	struct pt_buf *err;
	int errors;
};

const struct cf_pos *
cf_pos(const struct cf_config *cfg)
{
	static const struct cf_pos none = { NULL, 0 };

	return cfg->loading != NULL ? cfg->loading : &none;
}

void
cf_warn(struct cf_config *cfg, const char *fmt, ...)
{
	va_list ap;

	if (cfg->loading != NULL)
		pt_buf_printf(&cfg->warnings, "%s: line %d: ", cfg->loading->file, cfg->loading->line);
	va_start(ap, fmt);
	pt_buf_vprintf(&cfg->warnings, fmt, ap);
	va_end(ap);
	pt_buf_addc(&cfg->warnings, '\n');
}

void
cf_toktabs_rebuild(struct cf_config *cfg)
{
	addr_toktab_init(&cfg->toktab, cfg->opt.operator_chars, true);
	addr_toktab_init(&cfg->toktab_nocomment, cfg->opt.operator_chars, false);
}

/*
 * Reads one logical line: continuation lines (starting with a blank) are
 * joined with a newline kept before them.  Returns false at end of file.
 * *lines receives how many physical lines were read.
 */
static bool
read_folded(FILE *fp, struct pt_buf *line, int *lines)
{
	struct pt_buf next = PT_BUF_INIT;
	int c;

	*lines = 0;
	if (!pt_file_getline(fp, line))
		return false;
	*lines = 1;
	if (line->len > 0 && line->s[line->len - 1] == '\r')
		pt_buf_truncate(line, line->len - 1);
	while ((c = getc(fp)) == ' ' || c == '\t') {
		ungetc(c, fp);
		pt_file_getline(fp, &next);
		(*lines)++;
		if (next.len > 0 && next.s[next.len - 1] == '\r')
			pt_buf_truncate(&next, next.len - 1);
		pt_buf_addc(line, '\n');
		pt_buf_add(line, next.s, next.len);
	}
	if (c != EOF)
		ungetc(c, fp);
	pt_buf_free(&next);
	return true;
}

/* Turns the line breaks of folded lines into blanks (all but H lines keep none). */
static void
unfold(char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			*s = ' ';
}

/* V: configuration level and vendor. */
static int
line_version(struct loader *ld, char *line)
{
	char *slash = strchr(line + 1, '/');

	if (slash != NULL) {
		*slash++ = '\0';
		free(ld->cfg->vendor);
		ld->cfg->vendor = pt_strdup(pt_str_trim(slash));
	}
	ld->cfg->version = atoi(line + 1);
	return 0;
}

/* D: a macro definition, kept as configuration text. */
static int
line_define(struct loader *ld, char *line)
{
	const char *p = line + 1;
	int id = mac_parse_name(ld->cfg->names, &p);

	if (id == MAC_NONE) {
		pt_buf_printf(ld->err, "bad macro name in \"%s\"", line);
		return -1;
	}
	mac_set(ld->cfg->macros, id, p, MACF_CF);
	return 0;
}

/* Adds the blank-separated words of text (macros expanded) to class id. */
static void
class_words(struct cf_config *cfg, int id, const char *text)
{
	struct pt_buf b = PT_BUF_INIT;
	char *p, *w;

	mac_expand(cfg->macros, text, &b);
	p = b.s;
	while (p != NULL && (w = strsep(&p, " \t\n")) != NULL)
		if (*w != '\0')
			cf_class_add(cfg, id, w);
	pt_buf_free(&b);
}

/* C: words of a class. */
static int
line_class(struct loader *ld, char *line)
{
	const char *p = line + 1;
	int id = mac_parse_name(ld->cfg->names, &p);

	if (id == MAC_NONE) {
		pt_buf_printf(ld->err, "bad class name in \"%s\"", line);
		return -1;
	}
	class_words(ld->cfg, id, p);
	return 0;
}

/* Reads class words from a stream, one word per line or by a scanf pattern. */
static void
class_from_stream(struct cf_config *cfg, int id, FILE *fp, const char *pattern)
{
	struct pt_buf line = PT_BUF_INIT;
	char *word;

	while (pt_file_getline(fp, &line)) {
		char *s = line.s;

		if (s == NULL || *s == '#')
			continue;
		if (pattern != NULL) {
			word = pt_malloc(line.len + 1);
			if (sscanf(s, pattern, word) == 1)
				class_words(cfg, id, word);
			free(word);
			continue;
		}
		class_words(cfg, id, s);
	}
	pt_buf_free(&line);
}

/* True if DontBlameSendmail (as set so far) names flag. */
static bool
dbs(const struct cf_config *cfg, const char *flag)
{
	const struct cf_strlist *l = &cfg->opt.dont_blame_sendmail;

	for (int i = 0; i < l->n; i++)
		if (pt_strcasecmp(l->v[i], flag) == 0)
			return true;
	return false;
}

/*
 * Checks a class file as upstream does before reading it: no group or world
 * writable folder on its path (unless DontBlameSendmail relaxes it), not a
 * link in a writable folder, a regular file.  Warns and returns false when
 * it may not be read (a missing file is left to the caller).
 */
static bool
class_file_safe(struct cf_config *cfg, const char *file, bool optional)
{
	struct stat st;
	const char *why;
	int flags = PT_SFF_NOWWFILES, err;

	if (!dbs(cfg, "ClassFileInUnsafeDirPath"))
		flags |= PT_SFF_SAFEDIRPATH;
	if (!dbs(cfg, "TrustStickyBit"))
		flags |= PT_SFF_NOSTICKY;
	if (dbs(cfg, "GroupWritableDirPathSafe"))
		flags |= PT_SFF_GWDIRSAFE;
	if (!dbs(cfg, "LinkedClassFileInWritableDir"))
		flags |= PT_SFF_NOWLINK;
	err = pt_safefile(file, 0, flags, &st, &why);
	if (err == 0 || err == ENOENT)
		return true;
	if (!optional)
		cf_warn(cfg, "fileclass: cannot open '%s': %s", file, why);
	return false;
}

/* F: words of a class from a file ("-o" optional) or from a program ("|"). */
static int
line_fileclass(struct loader *ld, char *line)
{
	const char *p = line + 1;
	int id = mac_parse_name(ld->cfg->names, &p);
	char *spec, *pattern = NULL, *file;
	bool optional = false;
	FILE *fp;

	if (id == MAC_NONE) {
		pt_buf_printf(ld->err, "bad class name in \"%s\"", line);
		return -1;
	}
	spec = pt_str_trim((char *)p);
	if (strncmp(spec, "-o", 2) == 0 && isspace((unsigned char)spec[2])) {
		optional = true;
		spec = pt_str_trim(spec + 2);
	}
	if (*spec == '\0') {
		pt_buf_adds(ld->err, "fileclass: missing file name");
		return -1;
	}
	if (*spec == '|') {
		fp = popen(spec + 1, "r");
		if (fp == NULL) {
			cf_warn(ld->cfg, "fileclass: cannot run '%s': %s", spec + 1, strerror(errno));
			return 0;
		}
		class_from_stream(ld->cfg, id, fp, NULL);
		pclose(fp);
		return 0;
	}
	file = spec;
	spec += strcspn(spec, " \t");
	if (*spec != '\0') {
		*spec++ = '\0';
		pattern = pt_str_trim(spec);
		if (*pattern == '\0')
			pattern = NULL;
	}
	if (!class_file_safe(ld->cfg, file, optional))
		return 0;
	fp = fopen(file, "r");
	if (fp == NULL) {
		if (!optional)
			cf_warn(ld->cfg, "fileclass: cannot open '%s': %s", file, strerror(errno));
		return 0;
	}
	class_from_stream(ld->cfg, id, fp, pattern);
	fclose(fp);
	return 0;
}

/* O: an option, long ("O Name=value") or old ("Oxvalue"). */
static int
line_option(struct loader *ld, char *line)
{
	char *p = line + 1, *name, *value;
	char one[2];

	if (*p == '\0')
		return 0;
	if (*p != ' ') {
		one[0] = *p;
		one[1] = '\0';
		return cf_option_set(ld->cfg, one, p + 1, ld->err);
	}
	p = pt_str_trim(p);
	if (*p == '\0') {
		pt_buf_adds(ld->err, "readcf: null option name");
		return -1;
	}
	name = p;
	while (*p && *p != '=' && !isspace((unsigned char)*p))
		p++;
	value = p;
	if (*p) {
		*p++ = '\0';
		while (isspace((unsigned char)*p) || (*value != '=' && *p == '=')) {
			if (*p == '=')
				*value = '=';
			p++;
		}
		value = p;
	}
	return cf_option_set(ld->cfg, name, value, ld->err);
}

/* P: a precedence name=value. */
static int
line_precedence(struct loader *ld, char *line)
{
	struct cf_config *cfg = ld->cfg;
	char *eq = strchr(line + 1, '=');

	if (eq == NULL) {
		pt_buf_printf(ld->err, "bad precedence line \"%s\"", line);
		return -1;
	}
	*eq++ = '\0';
	cfg->precs = pt_reallocarray(cfg->precs, (size_t)cfg->nprecs + 1, sizeof *cfg->precs);
	cfg->precs[cfg->nprecs].name = pt_strdup(pt_str_trim(line + 1));
	cfg->precs[cfg->nprecs].value = atoi(eq);
	cfg->nprecs++;
	return 0;
}

/* T: trusted users, also class t. */
static int
line_trusted(struct loader *ld, char *line)
{
	char *p = line + 1, *w;
	struct cf_strlist *l = &ld->cfg->trusted;

	while ((w = strsep(&p, " \t")) != NULL) {
		if (*w == '\0')
			continue;
		l->v = pt_reallocarray(l->v, (size_t)l->n + 2, sizeof(char *));
		l->v[l->n++] = pt_strdup(w);
		l->v[l->n] = NULL;
		cf_class_add(ld->cfg, 't', w);
	}
	return 0;
}

/* E: an environment variable for mailers, NAME=value (or NAME, taken from ours). */
static int
line_env(struct loader *ld, char *line)
{
	struct cf_strlist *l = &ld->cfg->mailer_env;
	char *v = pt_str_trim(line + 1);

	if (*v == '\0') {
		pt_buf_adds(ld->err, "E line: variable name required");
		return -1;
	}
	l->v = pt_reallocarray(l->v, (size_t)l->n + 2, sizeof(char *));
	l->v[l->n++] = pt_strdup(v);
	l->v[l->n] = NULL;
	return 0;
}

/* Q and X: named equate lines kept for the queue and milter code. */
static int
add_named(struct loader *ld, char *line, struct cf_named **arr, int *n)
{
	char *p = line + 1;
	size_t len = strcspn(p, ",");

	if (len == 0) {
		pt_buf_printf(ld->err, "%c line: name required", line[0]);
		return -1;
	}
	*arr = pt_reallocarray(*arr, (size_t)*n + 1, sizeof **arr);
	(*arr)[*n].name = pt_strndup(p, len);
	pt_str_trim((*arr)[*n].name);
	(*arr)[*n].equates = pt_strdup(pt_str_trim(p + len + (p[len] == ',')));
	(*arr)[*n].line = ld->pos.line;
	(*n)++;
	return 0;
}

static int
line_qgroup(struct loader *ld, char *line)
{
	return add_named(ld, line, &ld->cfg->qgroups, &ld->cfg->nqgroups);
}

static int
line_milter(struct loader *ld, char *line)
{
	return add_named(ld, line, &ld->cfg->milters, &ld->cfg->nmilters);
}

/* K: a map declaration, handed to the map layer. */
static int
line_map(struct loader *ld, char *line)
{
	char *p = line + 1, *name, *cls;

	name = strsep(&p, " \t");
	if (name == NULL || *name == '\0') {
		pt_buf_adds(ld->err, "readcf: config K line: no map name");
		return -1;
	}
	while (p != NULL && isspace((unsigned char)*p))
		p++;
	cls = p != NULL ? strsep(&p, " \t") : NULL;
	if (cls == NULL || *cls == '\0') {
		pt_buf_printf(ld->err, "readcf: config K line, map %s: no map class", name);
		return -1;
	}
	if (map_declare(ld->cfg->maps, name, cls, p != NULL ? pt_str_trim(p) : "", ld->err) == NULL)
		return -1;
	if (ld->err->len > 0) {	/* a warning, upstream's "Illegal option x map m" */
		cf_warn(ld->cfg, "%s", pt_buf_str(ld->err));
		pt_buf_reset(ld->err);
	}
	return 0;
}

/* H: a header template: H?flags?Name: value or H?${macro}?Name: value. */
static int
line_header(struct loader *ld, char *line)
{
	struct cf_config *cfg = ld->cfg;
	struct cf_header h;
	char *p = line + 1, *colon;

	memset(&h, 0, sizeof h);
	h.macro = -1;
	if (*p == '?') {
		char *q = strchr(p + 1, '?');

		if (q == NULL)
			goto bad;
		*q = '\0';
		if (p[1] == '$') {
			const char *m = p + 2;

			h.macro = mac_parse_name(cfg->names, &m);
		} else {
			h.has_mflags = true;
			for (char *f = p + 1; *f; f++)
				cf_mflag_set(&h.mflags, (unsigned char)*f, true);
		}
		p = q + 1;
	}
	colon = strchr(p, ':');
	if (colon == NULL || colon == p)
		goto bad;
	*colon++ = '\0';
	while (*colon == ' ' || *colon == '\t')
		colon++;
	h.name = pt_strdup(pt_str_trim(p));
	h.value = pt_strdup(colon);
	h.line = ld->pos.line;
	cfg->headers = pt_reallocarray(cfg->headers, (size_t)cfg->nheaders + 1, sizeof h);
	cfg->headers[cfg->nheaders++] = h;
	return 0;
bad:
	pt_buf_printf(ld->err, "header syntax error, line \"%s\"", line);
	return -1;
}

static int
line_ruleset(struct loader *ld, char *line)
{
	return cf_line_ruleset(ld->cfg, line, &ld->cur_ruleset, ld->err);
}

static int
line_rule(struct loader *ld, char *line)
{
	return cf_line_rule(ld->cfg, line, ld->cur_ruleset, ld->err);
}

static int
line_mailer(struct loader *ld, char *line)
{
	return cf_line_mailer(ld->cfg, line, ld->err);
}

/* The line types of section 5 of the guide. */
static const struct {
	char type;
	bool keep_folds;	/* H lines keep their line breaks */
	int (*fn)(struct loader *, char *);
} line_types[] = {
	{ 'V', false, line_version },
	{ 'D', false, line_define },
	{ 'C', false, line_class },
	{ 'F', false, line_fileclass },
	{ 'O', false, line_option },
	{ 'S', false, line_ruleset },
	{ 'R', false, line_rule },
	{ 'M', false, line_mailer },
	{ 'H', true, line_header },
	{ 'K', false, line_map },
	{ 'P', false, line_precedence },
	{ 'T', false, line_trusted },
	{ 'Q', false, line_qgroup },
	{ 'X', false, line_milter },
	{ 'E', false, line_env },
};

/* Runs one logical line through its handler; errors are collected. */
static void
load_line(struct loader *ld, char *line)
{
	struct pt_buf lerr = PT_BUF_INIT, *err = ld->err;
	size_t i;

	if (line[0] == '#' || line[0] == '\0')
		return;
	for (i = 0; i < sizeof line_types / sizeof line_types[0]; i++)
		if (line_types[i].type == line[0])
			break;
	if (i == sizeof line_types / sizeof line_types[0]) {
		unfold(line);
		pt_buf_printf(err, "%s: line %d: unknown configuration line \"%s\"\n",
		    ld->pos.file, ld->pos.line, line);
		ld->errors++;
		return;
	}
	if (!line_types[i].keep_folds)
		unfold(line);
	ld->err = &lerr;
	if (line_types[i].fn(ld, line) < 0) {
		pt_buf_printf(err, "%s: line %d: %s\n", ld->pos.file, ld->pos.line,
		    pt_buf_str(&lerr));
		ld->errors++;
	}
	ld->err = err;
	pt_buf_free(&lerr);
}

/* Sets the host's identity: $w $j $m $k, class w and k and m. */
static void
set_identity(struct cf_config *cfg, const struct cf_env *env)
{
	const char *host = env && env->hostname ? env->hostname : "localhost";
	const char *dot = strchr(host, '.');
	char *shortname = dot ? pt_strndup(host, (size_t)(dot - host)) : pt_strdup(host);

	mac_set(cfg->macros, 'w', shortname, 0);
	mac_set(cfg->macros, 'j', host, 0);
	mac_set(cfg->macros, 'k', host, 0);
	if (dot != NULL && dot[1] != '\0') {
		mac_set(cfg->macros, 'm', dot + 1, 0);
		cf_class_add(cfg, 'm', dot + 1);
	}
	cf_class_add(cfg, 'w', host);
	cf_class_add(cfg, 'k', host);
	for (const char *const *n = env ? env->host_names : NULL; n && *n; n++)
		cf_class_add(cfg, 'w', *n);
	free(shortname);
}

/* The definitions that exist before the file is read. */
static void
predefine(struct cf_config *cfg, const struct cf_env *env)
{
	cf_options_defaults(&cfg->opt);
	cf_toktabs_rebuild(cfg);
	set_identity(cfg, env);
	mac_set(cfg->macros, 'v', PACKAGE_NAME "-" PACKAGE_VERSION, 0);	/* $v says Petrel */
	mac_set(cfg->macros, 'n', "MAILER-DAEMON", 0);
	mac_set_name(cfg->macros, "{opMode}", env && env->bt_mode ? "t" : "d", 0);
	cf_class_add(cfg, 'e', "7bit");
	cf_class_add(cfg, 'e', "8bit");
	cf_class_add(cfg, 'e', "binary");
	cf_mailers_builtin(cfg);
	for (const char *const *d = env ? env->defines : NULL; d && *d; d++) {
		const char *p = *d;
		int id = mac_parse_name(cfg->names, &p);

		if (id != MAC_NONE)
			mac_set(cfg->macros, id, p, MACF_CF);
	}
}

/* Joins a list option with commas (NULL when empty); the caller frees. */
static char *
list_join(const struct cf_strlist *l)
{
	struct pt_buf b = PT_BUF_INIT;

	for (int i = 0; i < l->n; i++)
		pt_buf_printf(&b, "%s%s", i ? "," : "", l->v[i]);
	return b.len ? pt_buf_steal(&b) : NULL;
}

/* Resolves "user[:group]" (names or numbers) into ids; false if unknown. */
static bool
user_ids(const char *spec, uid_t *uid, gid_t *gid)
{
	char *copy = pt_strdup(spec), *colon = strchr(copy, ':');
	struct passwd *pw = NULL;
	bool ok = true;

	if (colon != NULL)
		*colon++ = '\0';
	if (isdigit((unsigned char)*copy))
		*uid = (uid_t)strtoul(copy, NULL, 10);
	else if (*copy && (pw = getpwnam(copy)) != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	} else if (*copy)
		ok = false;
	if (colon != NULL && *colon) {
		struct group *gr;

		if (isdigit((unsigned char)*colon))
			*gid = (gid_t)strtoul(colon, NULL, 10);
		else if ((gr = getgrnam(colon)) != NULL)
			*gid = gr->gr_gid;
	}
	free(copy);
	return ok;
}

/* Hands the map layer the settings it needs from the options. */
static void
configure_maps(struct cf_config *cfg)
{
	struct map_options mo;
	char *dbs = list_join(&cfg->opt.dont_blame_sendmail);
	char *aliases = list_join(&cfg->opt.alias_file);

	memset(&mo, 0, sizeof mo);
	mo.uid = geteuid();
	mo.gid = getegid();
	mo.prog_uid = 1;
	mo.prog_gid = 1;
	if (cfg->opt.run_as_user != NULL)
		user_ids(cfg->opt.run_as_user, &mo.uid, &mo.gid);
	if (cfg->opt.default_user != NULL)
		user_ids(cfg->opt.default_user, &mo.prog_uid, &mo.prog_gid);
	mo.dbs = dbs != NULL ? map_dbs_parse(dbs) : 0;
	mo.switch_file = cfg->opt.service_switch_file;
	mo.hosts_file = cfg->opt.hosts_file;
	mo.blanksub = (char)cfg->opt.blank_sub;
	mo.alias_files = aliases;
	map_set_configure(cfg->maps, &mo);
	if (aliases != NULL) {
		struct pt_buf err = PT_BUF_INIT;

		if (alias_declare_maps(cfg->maps, aliases, &err) < 0)
			cf_warn(cfg, "AliasFile: %s", pt_buf_str(&err));
		pt_buf_free(&err);
	}
	free(dbs);
	free(aliases);
	if (map_find(cfg->maps, "host") == NULL && map_class_find("host") != NULL) {
		struct pt_buf err = PT_BUF_INIT;

		map_declare(cfg->maps, "host", "host", "-a.", &err);	/* upstream's builtin */
		pt_buf_free(&err);
	}
}

/* Checks what the whole file must provide. */
static void
check_complete(struct loader *ld)
{
	if (cf_mailer_find(ld->cfg, "local") == NULL) {
		pt_buf_printf(ld->err, "%s: No local mailer defined\n", ld->pos.file);
		ld->errors++;
	}
}

struct cf_config *
cf_load(const char *path, const struct cf_env *env, struct pt_buf *err)
{
	struct cf_config *cfg = pt_calloc(1, sizeof *cfg);
	struct loader ld = { cfg, { path, 0 }, -1, err, 0 };
	struct pt_buf line = PT_BUF_INIT;
	FILE *fp;
	int n;

	cfg->path = pt_strdup(path);
	cfg->names = mac_names_new();
	cfg->macros = mac_table_new(cfg->names, NULL);
	cfg->maps = map_set_new();
	cfg->loading = &ld.pos;
	predefine(cfg, env);
	fp = fopen(path, "r");
	if (fp == NULL) {
		pt_buf_printf(err, "%s: %s\n", path, strerror(errno));
		cfg->loading = NULL;
		cf_free(cfg);
		return NULL;
	}
	while (read_folded(fp, &line, &n)) {
		ld.pos.line += 1;
		load_line(&ld, line.s != NULL ? line.s : (char *)"");
		ld.pos.line += n - 1;
	}
	fclose(fp);
	pt_buf_free(&line);
	check_complete(&ld);
	cf_rules_finish(cfg);
	configure_maps(cfg);
	cfg->loading = NULL;
	if (ld.errors > 0) {
		cf_free(cfg);
		return NULL;
	}
	return cfg;
}

void
cf_free(struct cf_config *cfg)
{
	if (cfg == NULL)
		return;
	cf_rulesets_free(cfg);
	cf_mailers_free(cfg);
	cf_classes_free(cfg);
	cf_options_free(&cfg->opt);
	for (int i = 0; i < cfg->nheaders; i++) {
		free(cfg->headers[i].name);
		free(cfg->headers[i].value);
	}
	free(cfg->headers);
	for (int i = 0; i < cfg->nprecs; i++)
		free(cfg->precs[i].name);
	free(cfg->precs);
	for (int i = 0; i < cfg->trusted.n; i++)
		free(cfg->trusted.v[i]);
	free(cfg->trusted.v);
	for (int i = 0; i < cfg->mailer_env.n; i++)
		free(cfg->mailer_env.v[i]);
	free(cfg->mailer_env.v);
	for (int i = 0; i < cfg->nqgroups; i++) {
		free(cfg->qgroups[i].name);
		free(cfg->qgroups[i].equates);
	}
	free(cfg->qgroups);
	for (int i = 0; i < cfg->nmilters; i++) {
		free(cfg->milters[i].name);
		free(cfg->milters[i].equates);
	}
	free(cfg->milters);
	map_set_free(cfg->maps);
	mac_table_free(cfg->macros);
	mac_names_free(cfg->names);
	pt_buf_free(&cfg->warnings);
	free(cfg->vendor);
	free(cfg->path);
	free(cfg);
}
