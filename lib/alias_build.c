/*
 * alias_build: builds alias files into their maps (newaliases and
 * `sendmail -bi`), and declares and searches the alias maps of AliasFile.
 *
 * Owns the build of one alias database: the safety checks on the text file,
 * the parse, the entries stored with their trailing NUL, the `@:@` marker,
 * and upstream's messages and summary line.  The database is written to a
 * temporary file and renamed into place (lib/map_db.c), so a reader sees the
 * old aliases or the new ones, never a part.  Runs in newaliases (the
 * sendmail program) as the invoking user, normally root; never prints
 * except through pt_log and the caller's note hook.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "alias.h"
#include "map.h"
#include "map_db.h"
#include "map_impl.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_file.h"
#include "pt_log.h"
#include "pt_str.h"

/* The state of one build. */
struct build {
	const struct alias_build_opts *o;
	const struct map *m;		/* the alias map, as declared from the spec */
	struct map_db *db;
	struct alias_stats st;
	bool fatal;
	size_t nul;			/* 1 when names and values keep their NUL */
};

/* Splits "class:args" (a class is letters and digits); class NULL means implicit. */
static void
split_spec(const char *spec, struct pt_buf *cls, struct pt_buf *args)
{
	const char *p = spec + strspn(spec, " \t"), *c = p;

	while ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
		c++;
	pt_buf_reset(cls);
	pt_buf_reset(args);
	if (*c == ':' && c > p) {
		pt_buf_add(cls, p, (size_t)(c - p));
		p = c + 1;
	} else {
		pt_buf_adds(cls, "implicit");
	}
	pt_buf_adds(args, p);
}

/* Declares the map of one spec in set under name. */
static struct map *
declare_spec(struct map_set *set, const char *name, const char *spec, struct pt_buf *err)
{
	struct pt_buf cls = PT_BUF_INIT, args = PT_BUF_INIT;
	struct map *m;

	split_spec(spec, &cls, &args);
	m = map_declare(set, name, cls.s, args.s, err);
	if (m != NULL)
		m->flags |= MAPF_ALIAS;
	pt_buf_free(&cls);
	pt_buf_free(&args);
	return m;
}

/* Logs a bad line of the file being built. */
static void
build_error(void *ctx, unsigned long line, const char *msg)
{
	struct build *b = ctx;

	b->st.errors++;
	pt_log(LOG_ERR, "%s: line %lu: %s", b->m->file, line, msg);
}

/* Stores one entry; a repeated name is warned about and replaced (or appended to, -A). */
static void
build_entry(void *ctx, const char *lhs, const char *rhs, unsigned long line)
{
	struct build *b = ctx;
	struct pt_buf why = PT_BUF_INIT, old = PT_BUF_INIT, v = PT_BUF_INIT;
	size_t kl = strlen(lhs);

	if (b->fatal)
		return;
	if (b->o->lhs_ok != NULL && !b->o->lhs_ok(b->o->ctx, lhs, &why)) {
		b->st.errors++;
		pt_log(LOG_ERR, "%s: line %lu: %s... %s", b->m->file, line, lhs, pt_buf_str(&why));
		pt_buf_free(&why);
		return;
	}
	pt_buf_adds(&v, rhs);
	if (map_db_get(b->db, lhs, kl + b->nul, &old, &why) > 0) {
		if (b->m->flags & MAPF_APPENDDUPS) {
			pt_buf_addc(&v, ',');
			pt_buf_adds(&v, old.s);
		} else {
			pt_log(LOG_WARNING, "%s: line %lu: %s... Warning: duplicate alias name %s",
			    b->m->file, line, lhs, lhs);
		}
	}
	if (map_db_put(b->db, lhs, kl + b->nul, v.s, v.len + b->nul, MAP_DB_REPLACE, &why) < 0) {
		pt_log(LOG_ERR, "%s: %s", b->m->file, why.s);
		b->fatal = true;
	}
	b->st.aliases++;
	b->st.total += kl + strlen(rhs);
	if (strlen(rhs) > b->st.longest)
		b->st.longest = strlen(rhs);
	pt_buf_free(&why);
	pt_buf_free(&old);
	pt_buf_free(&v);
}

/* The safe-file flags for reading an alias file, relaxed by DontBlameSendmail. */
static int
alias_sff(unsigned dbs)
{
	int sff = PT_SFF_NOWLINK | PT_SFF_ROOTOK | PT_SFF_NOGWFILES | PT_SFF_NOWWFILES;

	if (dbs & MAP_DBS_GROUPWRITABLEALIASFILE)
		sff &= ~PT_SFF_NOGWFILES;
	if (dbs & MAP_DBS_WORLDWRITABLEALIASFILE)
		sff &= ~PT_SFF_NOWWFILES;
	if (dbs & MAP_DBS_LINKEDALIASFILEINWRITABLEDIR)
		sff &= ~PT_SFF_NOWLINK;
	return sff;
}

/* Reads the alias file after the safety checks; returns 0 or a sysexits code. */
static int
read_source(const struct map *m, const struct alias_build_opts *o, struct pt_buf *text)
{
	const struct map_options *mo = o->mopts;
	struct stat st;
	const char *why;
	int e;

	e = pt_safefile(m->file, mo != NULL ? mo->uid : getuid(),
	    alias_sff(mo != NULL ? mo->dbs : 0), &st, &why);
	if (e == 0)
		e = pt_file_read(m->file, text);
	if (e != 0) {
		pt_log(LOG_ERR, "newaliases: cannot open %s: %s", m->file, *why ? why : strerror(e));
		return e == ENOENT ? EX_NOINPUT : EX_NOPERM;
	}
	return 0;
}

/* Parses text into a new database for m and commits it; returns a sysexits code. */
static int
build_db(struct build *b, const struct pt_buf *text)
{
	struct alias_parse_opts po = { 0, (b->m->flags & MAPF_NOFOLDCASE) != 0 };
	struct alias_sink sink = { build_entry, build_error, b };
	struct pt_buf err = PT_BUF_INIT;
	char *path = map_db_path(b->m->file);
	int lock = map_db_lock(path), rc = 0;

	po.blanksub = b->o->mopts != NULL ? b->o->mopts->blanksub : '\0';
	if (map_db_create(path, 0640, 0, 0, &b->db, &err) != 0) {
		pt_log(LOG_ERR, "newaliases: cannot create %s: %s", path, err.s);
		rc = EX_CANTCREAT;
	} else {
		alias_parse(text->s != NULL ? text->s : "", text->len, &po, &sink);
		if (!b->fatal)
			map_db_put(b->db, "@", 1 + b->nul, "@", 1 + b->nul, MAP_DB_REPLACE, &err);
		if (b->fatal) {
			map_db_close(b->db);
			rc = EX_IOERR;
		} else if (map_db_commit(b->db, (uid_t)-1, (gid_t)-1, &err) != 0) {
			pt_log(LOG_ERR, "newaliases: %s", err.s);
			rc = EX_IOERR;
		}
	}
	map_db_unlock(lock);
	free(path);
	pt_buf_free(&err);
	return rc;
}

/* True for the classes whose maps newaliases builds. */
static bool
buildable(const struct map *m)
{
	static const char *const names[] = { "hash", "btree", "dbm", "implicit" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(m->cls->name, names[i]) == 0)
			return true;
	return false;
}

/* Builds the map of a declared alias map. */
static int
rebuild_map(const struct map *m, const struct alias_build_opts *o, struct alias_stats *stats)
{
	struct build b = { o, m, NULL, { 0, 0, 0, 0 }, false, 1 };
	struct pt_buf text = PT_BUF_INIT, line = PT_BUF_INIT;
	int rc;

	if (!(m->flags & MAPF_TRY1NULL))
		b.nul = 0;
	rc = read_source(m, o, &text);
	if (rc == 0)
		rc = build_db(&b, &text);
	pt_buf_free(&text);
	if (rc != 0)
		return rc;
	pt_buf_printf(&line, "%s: %lu aliases, longest %lu bytes, %lu bytes total", m->file,
	    b.st.aliases, b.st.longest, b.st.total);
	if (o->note != NULL)
		o->note(o->ctx, line.s);
	else
		pt_log(LOG_INFO, "%s", line.s);
	pt_buf_free(&line);
	if (stats != NULL)
		*stats = b.st;
	return b.st.errors > 0 ? EX_SOFTWARE : 0;
}

int
alias_rebuild(const char *spec, const struct alias_build_opts *o, struct alias_stats *stats)
{
	struct map_set *set = map_set_new();
	struct pt_buf err = PT_BUF_INIT;
	struct map *m;
	int rc = 0;

	if (o->mopts != NULL)
		map_set_configure(set, o->mopts);
	m = declare_spec(set, "Alias0", spec, &err);
	if (m == NULL) {
		pt_log(LOG_ERR, "newaliases: %s: %s", spec, err.s);
		rc = EX_CONFIG;
	} else if (buildable(m)) {
		rc = rebuild_map(m, o, stats);
	}
	pt_buf_free(&err);
	map_set_free(set);
	return rc;
}

/* Calls fn for each comma-separated spec of an AliasFile value; stops at a non-zero. */
static int
each_spec(const char *files, int (*fn)(const char *spec, void *ctx), void *ctx)
{
	char *copy = pt_strdup(files != NULL ? files : ""), *save = NULL, *s;
	int rc = 0;

	for (s = strtok_r(copy, ",", &save); s != NULL && rc >= 0; s = strtok_r(NULL, ",", &save)) {
		char *t = s + strspn(s, " \t");

		if (*t != '\0')
			rc = fn(t, ctx);
	}
	free(copy);
	return rc;
}

/* Context of alias_rebuild_all. */
struct all_ctx {
	const struct alias_build_opts *o;
	int worst;
};

/* Rebuilds one spec and keeps the first failure's code. */
static int
rebuild_one(const char *spec, void *ctx)
{
	struct all_ctx *c = ctx;
	int rc = alias_rebuild(spec, c->o, NULL);

	if (rc != 0 && c->worst == 0)
		c->worst = rc;
	return 0;
}

int
alias_rebuild_all(const char *alias_files, const struct alias_build_opts *o)
{
	struct all_ctx c = { o, 0 };

	each_spec(alias_files, rebuild_one, &c);
	return c.worst;
}

/* Context of alias_declare_maps. */
struct decl_ctx {
	struct map_set *set;
	struct pt_buf *err;
	int n;
};

/* Declares one alias map, AliasN. */
static int
declare_one(const char *spec, void *ctx)
{
	struct decl_ctx *c = ctx;
	char name[32];

	snprintf(name, sizeof name, "Alias%d", c->n);
	if (declare_spec(c->set, name, spec, c->err) == NULL)
		return -1;
	c->n++;
	return 0;
}

int
alias_declare_maps(struct map_set *set, const char *alias_files, struct pt_buf *err)
{
	struct decl_ctx c = { set, err, 0 };

	return each_spec(alias_files, declare_one, &c) < 0 ? -1 : c.n;
}

int
alias_lookup(struct map_set *set, const char *name, struct pt_buf *out)
{
	char mname[32];
	struct map *m;
	int i, st, worst = MAP_NOTFOUND;

	for (i = 0;; i++) {
		snprintf(mname, sizeof mname, "Alias%d", i);
		m = map_find(set, mname);
		if (m == NULL)
			return worst;
		st = map_lookup(m, name, NULL, 0, out, NULL);
		if (st == MAP_FOUND)
			return st;
		if (st == MAP_TEMPFAIL)
			worst = MAP_TEMPFAIL;
	}
}
