/*
 * cf_mailer: M lines, the builtin mailers, and their =M form.
 *
 * Owns the mailers of a configuration.  prog, *file* and *include* exist
 * before any M line, as upstream's do (an M line of the same name redefines
 * the mailer in place); a configuration with no local mailer is refused.
 */
#include "config.h"

#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"
#include "cf_internal.h"
#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"

bool
cf_mflag(const struct cf_mflags *f, int c)
{
	return c > 0 && c < 128 && (f->bits[c >> 3] & (1u << (c & 7)));
}

void
cf_mflag_set(struct cf_mflags *f, int c, bool on)
{
	if (c <= 0 || c >= 128)
		return;
	if (on)
		f->bits[c >> 3] |= (unsigned char)(1u << (c & 7));
	else
		f->bits[c >> 3] &= (unsigned char)~(1u << (c & 7));
}

/* Frees what a mailer owns. */
static void
mailer_free(struct cf_mailer *m)
{
	if (m == NULL)
		return;
	for (int i = 0; m->argv && m->argv[i]; i++)
		free(m->argv[i]);
	free(m->argv);
	free(m->name);
	free(m->path);
	free(m->eol);
	free(m->dirs);
	free(m->uid_str);
	free(m->charset);
	free(m->mtatype);
	free(m->addrtype);
	free(m->diagtype);
	free(m->qgrp);
	free(m->rootdir);
	free(m);
}

/* A mailer with upstream's defaults. */
static struct cf_mailer *
mailer_new(const char *name)
{
	struct cf_mailer *m = pt_calloc(1, sizeof *m);

	m->name = pt_strdup(name);
	m->s_env = m->s_hdr = m->r_env = m->r_hdr = 0;
	m->uid = (uid_t)-1;
	m->gid = (gid_t)-1;
	m->maxrcpt = 100;
	return m;
}

/* Splits an argument text into words. */
static char **
split_words(const char *s)
{
	char **v = NULL;
	int n = 0;

	for (;;) {
		const char *e;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		for (e = s; *e && !isspace((unsigned char)*e); e++)
			;
		v = pt_reallocarray(v, (size_t)n + 2, sizeof(char *));
		v[n++] = pt_strndup(s, (size_t)(e - s));
		s = e;
	}
	if (v == NULL)
		v = pt_calloc(1, sizeof(char *));
	v[n] = NULL;
	return v;
}

/* Reads a field value up to the next unquoted comma, with \-escapes. */
static char *
munch(char **pp)
{
	struct pt_buf b = PT_BUF_INIT;
	char *p = *pp;
	bool quoted = false;
	size_t keep = 0;	/* length up to the last byte that is not a raw blank */

	for (; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (*p == ',' && !quoted)
			break;
		if (*p == '\\' && p[1] != '\0') {
			p++;
			switch (*p) {
			case 'n': pt_buf_addc(&b, '\n'); break;
			case 'r': pt_buf_addc(&b, '\r'); break;
			case 't': pt_buf_addc(&b, '\t'); break;
			default: pt_buf_addc(&b, *p); break;
			}
			keep = b.len;
			continue;
		}
		pt_buf_addc(&b, *p);
		if (quoted || !isspace((unsigned char)*p))
			keep = b.len;
	}
	*pp = p;
	pt_buf_truncate(&b, keep);
	return pt_buf_steal(&b);
}

/* Parses "env/hdr" ruleset names into two numbers. */
static int
parse_rw_pair(struct cf_config *cfg, const char *v, int *env, int *hdr, struct pt_buf *err)
{
	char *copy = pt_strdup(v), *slash = strchr(copy, '/');
	int rc = 0;

	if (slash != NULL)
		*slash++ = '\0';
	*env = cf_ruleset_intern(cfg, pt_str_trim(copy), err);
	*hdr = slash != NULL ? cf_ruleset_intern(cfg, pt_str_trim(slash), err) : *env;
	if (*env < 0 || *hdr < 0)
		rc = -1;
	free(copy);
	return rc;
}

/* Resolves U=user:group. */
static int
parse_uid(struct cf_mailer *m, const char *v, struct pt_buf *err)
{
	char *copy = pt_strdup(v), *colon = strchr(copy, ':');
	int rc = 0;

	if (colon != NULL)
		*colon++ = '\0';
	if (*copy != '\0') {
		struct passwd *pw;

		if (isdigit((unsigned char)*copy))
			m->uid = (uid_t)strtoul(copy, NULL, 10);
		else if ((pw = getpwnam(copy)) != NULL) {
			m->uid = pw->pw_uid;
			if (colon == NULL)
				m->gid = pw->pw_gid;
		} else {
			pt_buf_printf(err, "readcf: mailer U= flag: unknown user %s", copy);
			rc = -1;
		}
	}
	if (rc == 0 && colon != NULL && *colon != '\0') {
		struct group *gr;

		if (isdigit((unsigned char)*colon))
			m->gid = (gid_t)strtoul(colon, NULL, 10);
		else if ((gr = getgrnam(colon)) != NULL)
			m->gid = gr->gr_gid;
		else {
			pt_buf_printf(err, "readcf: mailer U= flag: unknown group %s", colon);
			rc = -1;
		}
	}
	free(m->uid_str);
	m->uid_str = pt_strdup(v);
	free(copy);
	return rc;
}

/* Replaces *dst with v (owned). */
static void
take(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* Applies one field "c=value" to m. */
static int
mailer_field(struct cf_config *cfg, struct cf_mailer *m, int c, char *v, struct pt_buf *err)
{
	char *slash;

	switch (c) {
	case 'P': take(&m->path, v); return 0;
	case 'F':
		for (char *p = v; *p; p++)
			if (!isspace((unsigned char)*p))
				cf_mflag_set(&m->flags, (unsigned char)*p, true);
		break;
	case 'S': if (parse_rw_pair(cfg, v, &m->s_env, &m->s_hdr, err) < 0) goto bad; break;
	case 'R': if (parse_rw_pair(cfg, v, &m->r_env, &m->r_hdr, err) < 0) goto bad; break;
	case 'E': take(&m->eol, v); return 0;
	case 'A':
		for (int i = 0; m->argv && m->argv[i]; i++)
			free(m->argv[i]);
		free(m->argv);
		m->argv = split_words(v);
		break;
	case 'M': m->maxsize = strtol(v, NULL, 10); break;
	case 'm': m->maxmsgs = strtol(v, NULL, 10); break;
	case 'r': m->maxrcpt = strtol(v, NULL, 10); break;
	case 'L': m->linelimit = strtol(v, NULL, 10); break;
	case 'N': m->nice = strtol(v, NULL, 10); break;
	case 'D': take(&m->dirs, v); return 0;
	case 'C': take(&m->charset, v); return 0;
	case 'Q': take(&m->qgrp, v); return 0;
	case '/': take(&m->rootdir, v); return 0;
	case 'W': cf_parse_time(v, 's', &m->wait); break;
	case 'U': if (parse_uid(m, v, err) < 0) goto bad; break;
	case 'T':
		take(&m->mtatype, pt_strdup(v));
		slash = strchr(m->mtatype, '/');
		if (slash != NULL) {
			*slash++ = '\0';
			take(&m->addrtype, pt_strdup(slash));
			slash = strchr(m->addrtype, '/');
			if (slash != NULL) {
				*slash++ = '\0';
				take(&m->diagtype, pt_strdup(slash));
			}
		}
		break;
	default:
		pt_buf_printf(err, "M%s: unknown mailer equate %c=", m->name, c);
		goto bad;
	}
	free(v);
	return 0;
bad:
	free(v);
	return -1;
}

/* Installs m under its name, in place of an older mailer of that name. */
static int
mailer_install(struct cf_config *cfg, struct cf_mailer *m, struct pt_buf *err)
{
	for (int i = 0; i < cfg->nmailers; i++) {
		if (strcmp(cfg->mailers[i]->name, m->name) == 0) {
			m->index = i;
			mailer_free(cfg->mailers[i]);
			cfg->mailers[i] = m;
			return 0;
		}
	}
	if (cfg->nmailers >= CF_MAXMAILERS) {
		pt_buf_printf(err, "too many mailers defined (%d max)", CF_MAXMAILERS);
		return -1;
	}
	m->index = cfg->nmailers;
	cfg->mailers[cfg->nmailers++] = m;
	return 0;
}

/* True if any argv word mentions $u. */
static bool
argv_has_user(char **argv)
{
	for (; argv && *argv; argv++)
		if (strstr(*argv, "$u") != NULL)
			return true;
	return false;
}

/* Fills what the M line left out, as upstream does. */
static int
mailer_finish(struct cf_mailer *m, struct pt_buf *err)
{
	bool ipc = m->path != NULL && strcmp(m->path, "[IPC]") == 0;

	if (m->argv == NULL || m->argv[0] == NULL) {
		pt_buf_printf(err, "M%s: A= argument required", m->name);
		return -1;
	}
	if (m->path == NULL) {
		pt_buf_printf(err, "M%s: P= argument required", m->name);
		return -1;
	}
	if (ipc && m->argv[1] == NULL && strcasecmp(m->argv[0], "FILE") != 0) {
		pt_buf_printf(err, "M%s: too few parameters for [IPC] mailer", m->name);
		return -1;
	}
	if (m->qgrp != NULL && *m->qgrp == '\0') {
		pt_buf_printf(err, "mailer %s: null queue", m->name);
		return -1;
	}
	if (m->eol == NULL)
		m->eol = pt_strdup(argv_has_user(m->argv) ? "\n" : "\r\n");
	if (strcmp(m->name, "prog") == 0)
		cf_mflag_set(&m->flags, 'm', false);	/* one program run per recipient */
	if (ipc && m->mtatype == NULL) {
		m->mtatype = pt_strdup("dns");
		m->addrtype = pt_strdup("rfc822");
		m->diagtype = pt_strdup("smtp");
	}
	return 0;
}

int
cf_line_mailer(struct cf_config *cfg, char *line, struct pt_buf *err)
{
	char *p = line + 1, *name;
	struct cf_mailer *m;
	size_t n;

	n = strcspn(p, ", \t");
	if (n == 0) {
		pt_buf_adds(err, "mailer name required");
		return -1;
	}
	name = pt_strndup(p, n);
	m = mailer_new(name);
	free(name);
	p += n;
	while (*p) {
		int c;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		c = (unsigned char)*p;
		while (*p && *p != '=' && *p != ',')
			p++;
		if (*p++ != '=') {
			pt_buf_printf(err, "mailer %s: `=' expected", m->name);
			goto bad;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (mailer_field(cfg, m, c, munch(&p), err) < 0)
			goto bad;
	}
	m->line = cf_pos(cfg)->line;
	if (mailer_finish(m, err) < 0 || mailer_install(cfg, m, err) < 0)
		goto bad;
	return 0;
bad:
	mailer_free(m);
	return -1;
}

/* Defines one builtin from an M line's text (never fails). */
static void
builtin(struct cf_config *cfg, const char *text)
{
	struct pt_buf err = PT_BUF_INIT;
	char *line = pt_strdup(text);

	if (cf_line_mailer(cfg, line, &err) < 0)
		pt_panic("builtin mailer: %s", err.s);
	free(line);
	pt_buf_free(&err);
}

void
cf_mailers_builtin(struct cf_config *cfg)
{
	builtin(cfg, "Mprog, P=/bin/sh, F=lsoDqu9, T=X-Unix/X-Unix/X-Unix, A=sh -c $u");
	builtin(cfg, "M*file*, P=[FILE], F=lsDFMPEouq9, T=X-Unix/X-Unix/X-Unix, A=FILE $u");
	builtin(cfg, "M*include*, P=/dev/null, F=su, A=INCLUDE $u");
}

struct cf_mailer *
cf_mailer_find(const struct cf_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->nmailers; i++)
		if (pt_strcasecmp(cfg->mailers[i]->name, name) == 0)
			return cfg->mailers[i];
	return NULL;
}

/* Appends s with newline, return and tab written as escapes. */
static void
add_escaped(struct pt_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			pt_buf_adds(out, "\\n");
		else if (*s == '\r')
			pt_buf_adds(out, "\\r");
		else if (*s == '\t')
			pt_buf_adds(out, "\\t");
		else
			pt_buf_addc(out, *s);
	}
}

void
cf_mailer_format(const struct cf_config *cfg, const struct cf_mailer *m, struct pt_buf *out)
{
	char b1[16], b2[16], b3[16], b4[16];

	pt_buf_printf(out, "mailer %d (%s): P=%s S=%s/%s R=%s/%s M=%ld U=%ld:%ld F=", m->index,
	    m->name, m->path, cf_ruleset_name(cfg, m->s_env, b1), cf_ruleset_name(cfg, m->s_hdr, b2),
	    cf_ruleset_name(cfg, m->r_env, b3), cf_ruleset_name(cfg, m->r_hdr, b4), m->maxsize,
	    m->uid == (uid_t)-1 ? -1L : (long)m->uid, m->gid == (gid_t)-1 ? -1L : (long)m->gid);
	for (int c = 1; c < 128; c++)
		if (cf_mflag(&m->flags, c))
			pt_buf_addc(out, c);
	pt_buf_printf(out, " L=%ld E=", m->linelimit);
	add_escaped(out, m->eol);
	if (m->charset != NULL)
		pt_buf_printf(out, " C=%s", m->charset);
	pt_buf_printf(out, " T=%s/%s/%s r=%ld A=", m->mtatype ? m->mtatype : "<undefined>",
	    m->addrtype ? m->addrtype : "<undefined>", m->diagtype ? m->diagtype : "<undefined>",
	    m->maxrcpt);
	for (int i = 0; m->argv[i]; i++)
		pt_buf_printf(out, "%s%s", i ? " " : "", m->argv[i]);
}

void
cf_mailers_free(struct cf_config *cfg)
{
	for (int i = 0; i < cfg->nmailers; i++)
		mailer_free(cfg->mailers[i]);
	cfg->nmailers = 0;
}
