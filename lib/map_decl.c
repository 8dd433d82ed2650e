/*
 * map_decl: turns a K line's class and argument string into a struct map.
 *
 * Owns the syntax of the arguments: flags first ("-x" followed by its value
 * in the same word; classes may take a value in the next word), then the
 * file or argument, then, for some classes, more words.  Generic flags go
 * through one table; a class sees each flag first and may claim it.  Runs
 * when the configuration loads, in any process; never opens anything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "map_impl.h"
#include "pt_alloc.h"
#include "pt_str.h"

/* True for the blanks that separate K-line words. */
static bool
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Decodes a -z value: "\n" and "\t" name those characters. */
static char
decode_delim(const char *v)
{
	if (v[0] == '\\' && v[1] == 'n')
		return '\n';
	if (v[0] == '\\' && v[1] == 't')
		return '\t';
	return v[0];
}

/* Sets a string field from a flag value. */
static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = pt_strdup(v);
}

/* Applies one generic flag; returns false if the letter is not one. */
static bool
generic_flag(struct map *m, int flag, const char *v)
{
	static const struct {
		char c;
		unsigned set, clear;
	} bits[] = {
		{ 'o', MAPF_OPTIONAL, 0 }, { 'N', MAPF_INCLNULL, MAPF_TRY0NULL },
		{ 'O', 0, MAPF_TRY1NULL }, { 'f', MAPF_NOFOLDCASE, 0 },
		{ 'm', MAPF_MATCHONLY, 0 }, { 'q', MAPF_KEEPQUOTES, 0 },
		{ 't', MAPF_NODEFER, 0 }, { 'D', MAPF_DEFERRED, 0 },
		{ 'A', MAPF_APPENDDUPS, 0 }, { '1', MAPF_SINGLEMATCH, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof bits / sizeof bits[0]; i++) {
		if (bits[i].c == flag) {
			m->flags = (m->flags | bits[i].set) & ~bits[i].clear;
			return true;
		}
	}
	switch (flag) {
	case 'a': set_str(&m->app, v); return true;
	case 'T': set_str(&m->tmpfail_app, v); return true;
	case 'k': set_str(&m->keycol, v); return true;
	case 'v': set_str(&m->valcol, v); return true;
	case 'z':
		m->delim = decode_delim(v);
		set_str(&m->delimstr, m->delim == '\n' ? "\n" : m->delim == '\t' ? "\t" : v);
		return true;
	case 'S': case 's': m->spacesub = v[0]; return true;
	default: return false;
	}
}

/* Cuts the next word of *pp into word; returns false at the end. */
static bool
next_word(const char **pp, struct pt_buf *word)
{
	const char *p = *pp, *s;

	while (is_blank((unsigned char)*p))
		p++;
	if (*p == '\0') {
		*pp = p;
		return false;
	}
	s = p;
	while (*p != '\0' && !is_blank((unsigned char)*p))
		p++;
	pt_buf_reset(word);
	pt_buf_add(word, s, (size_t)(p - s));
	*pp = p;
	return true;
}

/* Reads the flags at *pp; returns -1 on an error the class reports. */
static int
parse_flags(struct map *m, const char **pp, struct pt_buf *warn, struct pt_buf *err)
{
	struct pt_buf w = PT_BUF_INIT, v = PT_BUF_INIT;
	const char *p = *pp, *save;
	int rc = 0, r;

	for (save = p; rc == 0 && next_word(&p, &w) && w.s[0] == '-'; save = p) {
		int flag = (unsigned char)w.s[1];

		pt_buf_reset(&v);
		pt_buf_adds(&v, w.s + (flag ? 2 : 1));
		if (flag && v.len == 0 && m->cls->spaced != NULL &&
		    strchr(m->cls->spaced, flag) != NULL) {
			const char *q = p;

			if (next_word(&q, &v) && v.s[0] != '-')
				p = q;
			else
				pt_buf_reset(&v);
		}
		r = m->cls->parse_flag != NULL ? m->cls->parse_flag(m, flag, pt_buf_str(&v), err) : 1;
		if (r < 0)
			rc = -1;
		else if (r > 0 && !generic_flag(m, flag, pt_buf_str(&v)))
			pt_buf_printf(warn, "%sIllegal option %c map %s", warn->len ? "; " : "",
			    flag ? flag : '-', m->name);
	}
	*pp = rc == 0 ? save : p;
	pt_buf_free(&w);
	pt_buf_free(&v);
	return rc;
}

/* Reads what follows the flags: the file, then more words if the class wants them. */
static void
parse_rest(struct map *m, const char *p)
{
	struct pt_buf w = PT_BUF_INIT;
	size_t n = 0;

	if (m->cls->cflags & MAPC_RESTLINE) {
		char *s = pt_strdup(p), *t = pt_str_trim(s);

		if (*t != '\0')
			m->file = pt_strdup(t);
		free(s);
		return;
	}
	if (next_word(&p, &w))
		m->file = pt_buf_steal(&w);
	if (m->cls->cflags & MAPC_SPLITARGS) {
		m->argv = pt_calloc(1, sizeof(char *));
		while (next_word(&p, &w)) {
			m->argv = pt_reallocarray(m->argv, n + 2, sizeof(char *));
			m->argv[n++] = pt_buf_steal(&w);
			m->argv[n] = NULL;
		}
	}
	pt_buf_free(&w);
}

/* Makes an empty map of class cls. */
static struct map *
map_new(const char *name, const struct map_class *cls)
{
	struct map *m = pt_calloc(1, sizeof *m);

	m->name = pt_strdup(name);
	m->cls = cls;
	m->flags = MAPF_TRY0NULL | MAPF_TRY1NULL | cls->defflags;
	m->open_status = -1;
	return m;
}

struct map *
map_declare(struct map_set *set, const char *name, const char *classname,
    const char *args, struct pt_buf *err)
{
	const struct map_class *cls = map_class_find(classname);
	struct pt_buf warn = PT_BUF_INIT;
	const char *p = args != NULL ? args : "";
	struct map *m;

	pt_buf_reset(err);
	if (cls == NULL) {
		pt_buf_printf(err, "map %s: class %s not available", name, classname);
		return NULL;
	}
	m = map_new(name, cls);
	m->set = set;
	if (!(cls->cflags & MAPC_NOFLAGS)) {
		if (parse_flags(m, &p, &warn, err) < 0)
			goto fail;
		parse_rest(m, p);
	}
	if ((cls->cflags & MAPC_FILE) && m->file == NULL) {
		pt_buf_printf(err, "No file name for %s map %s", cls->name, name);
		goto fail;
	}
	if (cls->check != NULL && cls->check(m, err) < 0)
		goto fail;
	map_add_to_set(set, m);
	pt_buf_reset(err);
	pt_buf_add(err, warn.s, warn.len);
	pt_buf_free(&warn);
	return m;
fail:
	if (warn.len > 0 && err->len > 0)
		pt_buf_printf(err, " (%s)", warn.s);
	pt_buf_free(&warn);
	m->set = NULL;
	map_destroy(m);
	return NULL;
}
