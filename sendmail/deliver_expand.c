/*
 * deliver_expand: from one queued recipient to the places its mail goes:
 * rulesets 3 and 0, the alias files (nested lists, |program, /file,
 * :include:), .forward files by ForwardPath, and loop and duplicate
 * suppression, as upstream's recipient() does.  An "error:code text" entry
 * is no special case, as upstream 8.17's is not: like any other address it
 * goes through rulesets 3 and 0, which (in the m4-made cf files) strip
 * "error:" as a group name and so leave a local user such as
 * "5.1.1:550.gone", unknown (550 5.1.1 User unknown, exit 67).  A list with an owner- alias
 * marks its members with that owner, which becomes the envelope sender of
 * their deliveries and the recipient of their errors.
 *
 * Runs in the delivery process (root).  A program or file target is only
 * made from an alias, :include: or .forward entry, never from the envelope,
 * and it records whose it is: the delivery takes that identity.  .forward
 * and :include: files must pass the ownership and mode checks first.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>

#include "addr_header.h"
#include "alias.h"
#include "deliver.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_file.h"
#include "pt_log.h"
#include "pt_str.h"

#define MAX_INCLUDE 65536	/* bytes of one :include: or .forward file */

/*
 * Who an expansion acts for: the owner of the alias, include or .forward;
 * and what its targets record of it (their C record in the queue).
 */
struct owner {
	uid_t uid;
	gid_t gid;
	const char *name;	/* login name, or NULL */
	bool set;
	const char *parent;	/* the address expanded, as written (upstream's q_paddr) */
	const char *alias;	/* for DefaultUser's identity: the innermost alias's name */
};

static void expand_addr(struct dlv *d, int rcpt, const char *addr, int depth,
    const struct owner *own);
static void expand_triple(struct dlv *d, int rcpt, const struct rw_triple *t, const char *addr,
    int depth, const struct owner *own, bool self);

struct dlv_target *
dlv_add(struct dlv_list *l, const struct cf_mailer *m, const char *host, const char *user,
    const char *addr, int rcpt)
{
	struct dlv_target *t;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = pt_reallocarray(l->v, (size_t)l->cap, sizeof *l->v);
	}
	t = &l->v[l->n++];
	memset(t, 0, sizeof *t);
	t->mailer = m;
	t->host = pt_strdup(host ? host : "");
	t->user = pt_strdup(user ? user : "");
	t->addr = pt_strdup(addr ? addr : "");
	t->rcpt = rcpt;
	t->uid = (uid_t)-1;
	t->gid = (gid_t)-1;
	return t;
}

void
dlv_set(struct dlv_target *t, int state, int code, const char *status, const char *text)
{
	t->state = state;
	t->code = code;
	free(t->status);
	free(t->text);
	t->status = pt_strdup(status ? status : "");
	t->text = pt_strdup(text ? text : "");
	t->remote = t->remote_rcpt = false;
	free(t->diag);
	free(t->dsn_status);
	free(t->xscript);
	free(t->xscript_after);
	free(t->output);
	t->diag = t->dsn_status = t->xscript = t->xscript_after = t->output = NULL;
	t->exit_code = 0;
}

void
dlv_list_free(struct dlv_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->v[i].host);
		free(l->v[i].user);
		free(l->v[i].addr);
		free(l->v[i].owner);
		free(l->v[i].list_owner);
		free(l->v[i].parent);
		free(l->v[i].alias);
		free(l->v[i].status);
		free(l->v[i].text);
		free(l->v[i].relay);
		free(l->v[i].diag);
		free(l->v[i].dsn_status);
		free(l->v[i].mta);
		free(l->v[i].xscript);
		free(l->v[i].xscript_after);
		free(l->v[i].output);
		free(l->v[i].rcpt_reply);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

bool
dlv_same_owner(const struct dlv_target *a, const struct dlv_target *b)
{
	if (a->list_owner == NULL || b->list_owner == NULL)
		return a->list_owner == b->list_owner;
	return pt_strcasecmp(a->list_owner, b->list_owner) == 0;
}

/* True if the list already has a target for (mailer, host, user). */
static bool
duplicate(const struct dlv_list *l, const struct cf_mailer *m, const char *host,
    const char *user)
{
	for (int i = 0; i < l->n; i++)
		if (l->v[i].mailer == m && pt_strcasecmp(l->v[i].host, host) == 0 &&
		    strcmp(l->v[i].user, user) == 0)
			return true;
	return false;
}

/* Adds a target unless it is a duplicate; records the owner. */
static struct dlv_target *
add_target(struct dlv *d, int rcpt, const struct cf_mailer *m, const char *host,
    const char *user, const char *addr, const struct owner *own)
{
	struct dlv_target *t;

	if (duplicate(&d->targets, m, host, user))
		return NULL;
	t = dlv_add(&d->targets, m, host, user, addr, rcpt);
	t->from_alias = own != NULL;
	t->list_owner = d->list_owner ? pt_strdup(d->list_owner) : NULL;
	if (own != NULL && own->set) {
		t->uid = own->uid;
		t->gid = own->gid;
		t->owner = own->name ? pt_strdup(own->name) : NULL;
	}
	if (own != NULL) {
		t->parent = own->parent ? pt_strdup(own->parent) : NULL;
		t->alias = own->alias ? pt_strdup(own->alias) : NULL;
	}
	return t;
}

/* The elements of one list, as written. */
struct elems {
	char **v;
	size_t n, cap;
};

/* Keeps one element of a list. */
static void
each_one(char *elem, void *arg)
{
	struct elems *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = pt_reallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = pt_strdup(elem);
}

/*
 * Expands each element of an alias value (or of one line of a .forward or
 * :include: file) in upstream's order: the last one first, as upstream's
 * sendtolist() hands them on, so that its deliveries, its queue records
 * and which of two equal members is kept are upstream's.
 */
static void
each_element(struct dlv *d, int rcpt, const char *list, int depth, const struct owner *own)
{
	struct elems l = { NULL, 0, 0 };

	addr_alias_split(list, each_one, &l);
	for (size_t i = l.n; i-- > 0;) {
		expand_addr(d, rcpt, l.v[i], depth, own);
		free(l.v[i]);
	}
	free(l.v);
}

/*
 * Reads an :include: or .forward file and expands its addresses as its
 * owner; parent is the address that named the file (the user, the
 * ":include:" element).
 */
static void
expand_file(struct dlv *d, int rcpt, const char *path, int depth, bool forward,
    struct dlv_target *fail, const char *parent)
{
	struct pt_buf text = PT_BUF_INIT;
	struct stat st;
	struct owner own = { 0, 0, NULL, true, parent, NULL };
	const char *why;
	struct passwd *pw;
	int err = pt_safefile(path, 0, PT_SFF_NOGWFILES | PT_SFF_NOWWFILES | PT_SFF_NOSLINK, &st,
	    &why);

	if (err == 0 && st.st_size > MAX_INCLUDE)
		err = EFBIG, why = "is too large";
	if (err != 0) {
		if (fail != NULL)
			dlv_set(fail, DLV_FAILED, 550, "5.3.0", "Cannot open include file");
		pt_log(LOG_NOTICE, "%s: %s: %s", forward ? "forward" : "include", path, why);
		return;
	}
	if (pt_file_read(path, &text) != 0)
		return;
	own.uid = st.st_uid;
	own.gid = st.st_gid;
	pw = getpwuid(st.st_uid);
	own.name = pw ? pw->pw_name : NULL;
	for (char *line = text.s, *next; line != NULL && *line; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line != '#')
			each_element(d, rcpt, line, depth + 1, &own);
	}
	pt_buf_free(&text);
}

/*
 * True when .forward candidate item may be read:
 * it exists, it and the folders above it are safe, it belongs to the user
 * or root.  Unsafe ones are logged as upstream logs them.
 */
static bool
forward_ok(const char *item, const struct passwd *pw)
{
	struct stat st;
	const char *why;
	int err;

	if (*item == '\0')
		return false;
	err = pt_safefile(item, pw->pw_uid, PT_SFF_SAFEDIRPATH | PT_SFF_NOGWFILES |
	    PT_SFF_NOWWFILES | PT_SFF_NOSLINK, &st, &why);
	if (err == ENOENT && strstr(why, "writable") == NULL)
		return false;
	if (err == 0 && st.st_uid != pw->pw_uid && st.st_uid != 0)
		err = EACCES, why = strerror(EACCES);	/* upstream's word for another's file */
	if (err != 0) {
		pt_log(LOG_NOTICE, "forward %s: %s", item, why);
		return false;
	}
	return true;
}

/*
 * Looks for the user's .forward along ForwardPath; true if one was used.
 * An entry naming $h is skipped when the address has no +detail ($h empty).
 */
static bool
try_forward(struct dlv *d, int rcpt, const char *user, const char *detail, int depth,
    const char *addr)
{
	const char *path = d->cfg->opt.forward_path ? d->cfg->opt.forward_path : "$z/.forward";
	struct passwd *pw = getpwnam(user);
	bool used = false;
	char *list, *p, *entry;

	if (pw == NULL)
		return false;
	mac_set(d->rw.macros, 'z', pw->pw_dir, 0);
	mac_set(d->rw.macros, 'u', user, 0);
	mac_set(d->rw.macros, 'h', detail != NULL ? detail : "", 0);
	list = pt_strdup(path);
	for (p = list; !used && (entry = strsep(&p, ":")) != NULL;) {
		struct pt_buf item = PT_BUF_INIT;

		if (strstr(entry, "$h") != NULL && (detail == NULL || *detail == '\0'))
			continue;
		mac_expand(d->rw.macros, entry, &item);
		if (forward_ok(pt_buf_str(&item), pw)) {
			expand_file(d, rcpt, item.s, depth, true, NULL, addr);
			used = true;
		}
		pt_buf_free(&item);
	}
	free(list);
	return used;
}

/* Delivers to a local user after aliases and .forward. */
static void
local_user(struct dlv *d, int rcpt, const struct rw_triple *t, const char *addr, int depth,
    const struct owner *own, bool self)
{
	struct dlv_target *tg;
	size_t before = (size_t)d->targets.n;

	if (!self && try_forward(d, rcpt, t->user, t->host, depth, addr)) {
		if ((size_t)d->targets.n > before)
			return;
	}
	tg = add_target(d, rcpt, t->mailer, t->host, t->user, addr, own);
	if (tg != NULL && cf_mflag(&t->mailer->flags, 'w') && getpwnam(t->user) == NULL)
		dlv_set(tg, DLV_FAILED, 550, "5.1.1", "User unknown");
}

/* Expands one address: parse, then aliases and .forward for local users. */
static void
expand_addr(struct dlv *d, int rcpt, const char *addr, int depth, const struct owner *own)
{
	struct rw_triple t;
	struct dlv_target *tg;
	bool self = false;

	if (depth > d->cfg->opt.max_alias_recursion) {
		tg = add_target(d, rcpt, NULL, "", addr, addr, own);
		if (tg != NULL)
			dlv_set(tg, DLV_FAILED, 554, "5.3.0", "aliasing/forwarding loop broken");
		return;
	}
	if (addr[0] == '\\') {
		self = true;
		addr++;
	}
	if (pt_str_iprefix(addr, ":include:")) {
		if (own == NULL) {
			tg = add_target(d, rcpt, NULL, "", addr, addr, own);
			if (tg != NULL)
				dlv_set(tg, DLV_FAILED, 550, "5.7.1", "Cannot mail directly to :include:s");
			return;
		}
		expand_file(d, rcpt, pt_str_trim((char *)addr + 9), depth, false, NULL, addr);
		return;
	}
	d->rw.msgs = NULL;
	if (rw_parse(&d->rw, addr, 0, 0, NULL, &t) != EX_OK && !t.error && t.mailer == NULL) {
		tg = add_target(d, rcpt, NULL, "", addr, addr, own);
		if (tg != NULL)
			dlv_set(tg, DLV_DEFERRED, 451, "4.4.3", "Address could not be parsed now");
		return;
	}
	if (t.error) {
		tg = add_target(d, rcpt, NULL, "", addr, addr, own);
		if (tg != NULL)
			dlv_set(tg, t.error_code >= 400 && t.error_code < 500 ? DLV_DEFERRED :
			    DLV_FAILED, t.error_code, t.error_status, t.error_text);
		return;
	}
	if ((strcmp(t.mailer->name, "prog") == 0 || strcmp(t.mailer->name, "*file*") == 0) &&
	    own == NULL) {
		tg = add_target(d, rcpt, NULL, "", addr, addr, own);
		if (tg != NULL)
			dlv_set(tg, DLV_FAILED, 550, "5.7.1", t.user[0] == '|' ?
			    "Cannot mail directly to programs" : "Cannot mail directly to files");
		return;
	}
	expand_triple(d, rcpt, &t, addr, depth, own, self);
}

/* True if two triples name the same mailer, host and user. */
static bool
same_triple(const struct rw_triple *a, const struct rw_triple *b)
{
	return a->mailer == b->mailer && pt_strcasecmp(a->host, b->host) == 0 &&
	    strcmp(a->user, b->user) == 0;
}

/*
 * The owner of list name, when an alias "owner-name" exists (for a name
 * that itself starts with "owner-", the alias "owner-owner"): that alias's
 * value when it is one plain address, else the alias's own name, as the
 * Operation Guide (2.6.3) says.  The result is the envelope sender of the
 * list's deliveries and the recipient of their errors; NULL for none.
 */
static char *
list_owner(struct dlv *d, const char *name)
{
	struct pt_buf key = PT_BUF_INIT, val = PT_BUF_INIT;
	char *res = NULL;

	if (pt_str_iprefix(name, "owner-"))
		pt_buf_adds(&key, "owner-owner");
	else
		pt_buf_printf(&key, "owner-%s", name);
	if (alias_lookup(d->cfg->maps, key.s, &val) == MAP_FOUND) {
		char *v = pt_str_trim((char *)pt_buf_str(&val));

		res = pt_strdup(*v != '\0' && strpbrk(v, ",:/|\"") == NULL ? v : key.s);
	}
	pt_buf_free(&key);
	pt_buf_free(&val);
	return res;
}

/* Expands a parsed address: aliases, ruleset 5 (F=5), .forward. */
static void
expand_triple(struct dlv *d, int rcpt, const struct rw_triple *t, const char *addr, int depth,
    const struct owner *own, bool self)
{
	struct pt_buf val = PT_BUF_INIT;
	struct rw_triple t5, st;
	bool sticky = false;

	/* "@user" for the local mailer (FEATURE(stickyhost)): user, never through ruleset 5 */
	if (t->mailer != NULL && strcmp(t->mailer->name, "local") == 0 && t->user[0] == '@' &&
	    t->user[1] != '\0') {
		st = *t;
		st.user = t->user + 1;
		t = &st;
		sticky = true;
	}
	for (int k = 0; k < d->naliasing; k++)
		if (pt_strcasecmp(d->aliasing[k], t->user) == 0)
			self = true;	/* "user2: user1, user2": the alias names itself */
	if (!self && cf_mflag(&t->mailer->flags, 'A') && cf_mflag(&t->mailer->flags, 'l') &&
	    d->naliasing < 32 && alias_lookup(d->cfg->maps, t->user, &val) == MAP_FOUND) {
		struct owner aown = { d->default_uid, d->default_gid, NULL, true, NULL, NULL };
		char *name = pt_strdup(t->user);
		const char *outer = d->list_owner;
		char *lowner = list_owner(d, t->user);

		pt_log_lv(11, LOG_INFO, "alias %s => %s", addr, pt_buf_str(&val));
		if (lowner != NULL)
			d->list_owner = lowner;
		d->aliasing[d->naliasing++] = name;
		if (own != NULL)	/* an alias within a .forward or :include: keeps its owner */
			aown = *own;
		aown.parent = addr;
		if (aown.name == NULL)
			aown.alias = name;
		each_element(d, rcpt, pt_buf_str(&val), depth + 1, &aown);
		d->naliasing--;
		d->list_owner = outer;
		free(lowner);
		free(name);
		pt_buf_free(&val);
		return;
	}
	pt_buf_free(&val);
	/* F=5: a local name that is no alias may still go elsewhere (submit.cf relays it) */
	if (!self && !sticky && cf_mflag(&t->mailer->flags, '5') && depth < d->cfg->opt.max_alias_recursion &&
	    rw_localaddr(&d->rw, t, &t5) && !same_triple(t, &t5)) {
		if (t5.error) {
			struct dlv_target *tg = add_target(d, rcpt, NULL, "", addr, addr, own);

			if (tg != NULL)
				dlv_set(tg, t5.error_code / 100 == 4 ? DLV_DEFERRED : DLV_FAILED,
				    t5.error_code, t5.error_status, t5.error_text);
		} else if (t5.mailer != NULL)
			expand_triple(d, rcpt, &t5, addr, depth + 1, own, false);
		return;
	}
	if (cf_mflag(&t->mailer->flags, 'l') && strcmp(t->mailer->name, "local") == 0) {
		local_user(d, rcpt, t, addr, depth, own, self);
		return;
	}
	add_target(d, rcpt, t->mailer, t->host, t->user, addr, own);
}

/*
 * True if the C record c of queued recipient addr names the owner of a
 * .forward or :include: whose identity the delivery takes (an account
 * with those very ids, not the recipient itself); false for an expansion
 * of the aliases file ("user:uid:gid:alias" with the member's own account,
 * or the alias's name and DefaultUser's ids; ":alias"), which runs as
 * DefaultUser.
 */
static bool
ctl_is_owner(const struct queue_ctl *c, const char *addr)
{
	struct passwd *pw;

	if (c->user == NULL)
		return false;
	if (c->alias == NULL)	/* "user:uid:gid:", as Petrel wrote a .forward's before */
		return true;
	if (strcmp(c->user, addr) == 0 || (pw = getpwnam(c->user)) == NULL)
		return false;
	return (long)pw->pw_uid == c->uid && (long)pw->pw_gid == c->gid;
}

void
dlv_expand(struct dlv *d, int i)
{
	const struct queue_rcpt *r = &d->e->rcpts[i];
	const struct queue_ctl *c = r->ctl >= 0 ? &d->e->ctls[r->ctl] : NULL;
	int before = d->targets.n;

	if (c != NULL && ctl_is_owner(c, r->addr)) {
		struct owner own = { (uid_t)c->uid, (gid_t)c->gid, c->user, c->uid >= 0, c->alias,
			NULL };

		expand_addr(d, i, r->addr, 0, &own);
	} else if (c != NULL && (c->alias != NULL || c->user != NULL)) {
		/* an expansion of the aliases file, kept for a retry: DefaultUser's */
		struct owner own = { d->default_uid, d->default_gid, NULL, true, c->alias, c->user };

		expand_addr(d, i, r->addr, 0, &own);
	} else
		expand_addr(d, i, r->addr, 0, NULL);
	if (d->targets.n == before + 1 && strcmp(d->targets.v[before].addr, r->addr) == 0)
		d->targets.v[before].primary = true;
	pt_arena_reset(d->rw.arena);
}
