/*
 * submit_rcpt: who submits a message from the command line and to whom:
 * the real user's login name and full name (-F, $NAME or the passwd
 * entry's), the envelope sender (-f/-r, or the login name), whether the user
 * may set the sender, the recipients of the command line and, with -t, of
 * the To, Cc and Bcc headers, and the X-Authentication-Warning headers
 * upstream adds for what an untrusted user did.
 *
 * Runs in the submitting process, as the real user (the smmsp group at
 * most).  Addresses are only parsed here, never delivered.
 */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_header.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"
#include "submit.h"

/* The characters that make a full name need quotes in a From: phrase. */
#define PHRASE_SPECIALS "()<>@,;:\\\".[]"

/* Makes the full name from a passwd GECOS field: up to the first comma, & is the login. */
static char *
gecos_name(const char *gecos, const char *login)
{
	struct pt_buf b = PT_BUF_INIT;

	for (const char *p = gecos; *p && *p != ','; p++) {
		if (*p == '&') {
			pt_buf_addc(&b, toupper((unsigned char)login[0]));
			pt_buf_adds(&b, login[0] ? login + 1 : "");
		} else
			pt_buf_addc(&b, *p);
	}
	if (b.len == 0) {
		pt_buf_free(&b);
		return NULL;
	}
	return pt_buf_steal(&b);
}

/* Quotes a full name that holds specials, so that it stays a phrase. */
static char *
phrase(const char *name)
{
	struct pt_buf b = PT_BUF_INIT;

	if (strpbrk(name, PHRASE_SPECIALS) == NULL)
		return pt_strdup(name);
	pt_buf_addc(&b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"' || *p == '\\')
			pt_buf_addc(&b, '\\');
		if (*p != '\n' && *p != '\r')
			pt_buf_addc(&b, *p);
	}
	pt_buf_addc(&b, '"');
	return pt_buf_steal(&b);
}

/* True if login may set the envelope sender: root, a T line, or TrustedUser. */
static bool
trusted_user(const struct cf_config *cfg, uid_t uid, const char *login)
{
	if (uid == 0)
		return true;
	for (int i = 0; i < cfg->trusted.n; i++)
		if (strcmp(cfg->trusted.v[i], login) == 0)
			return true;
	return cfg->opt.trusted_user != NULL && strcmp(cfg->opt.trusted_user, login) == 0;
}

void
submit_identity(struct submit *s)
{
	struct passwd *pw = getpwuid(s->uid);
	const char *name = s->run->fullname;
	char *gecos = NULL;

	if (pw != NULL) {
		s->login = pt_strdup(pw->pw_name);
		s->home = pw->pw_dir != NULL ? pt_strdup(pw->pw_dir) : NULL;
		gecos = pw->pw_gecos != NULL ? gecos_name(pw->pw_gecos, pw->pw_name) : NULL;
	} else {
		struct pt_buf b = PT_BUF_INIT;

		pt_buf_printf(&b, "%lu", (unsigned long)s->uid);
		s->login = pt_buf_steal(&b);
	}
	s->trusted = trusted_user(s->cfg, s->uid, s->login);
	s->e->sender = queue_env_str(s->e, s->run->sender != NULL && *s->run->sender ?
	    s->run->sender : s->login);
	/* the passwd name only describes the user's own address */
	if (name == NULL && (s->run->sender == NULL || strcmp(s->run->sender, s->login) == 0))
		name = getenv("NAME") != NULL && *getenv("NAME") ? getenv("NAME") : gecos;
	s->fullname = name != NULL && *name ? phrase(name) : NULL;
	free(gecos);
}

/*
 * Keeps a recipient that ruleset 0 sent to the error mailer for the
 * bounce (deliver_errmode.c), and logs it as upstream does, before the
 * message's from= line.
 */
static void
refused(struct submit *s, const char *addr, const struct rw_triple *t)
{
	struct sm_run *run = s->run;
	struct sm_refused *r;

	run->refused = pt_realloc(run->refused, (size_t)(run->nrefused + 1) * sizeof *r);
	r = &run->refused[run->nrefused++];
	r->addr = pt_strdup(addr);
	r->user = pt_strdup(t->user_raw);
	r->status = pt_strdup(t->error_status);
	r->text = pt_strdup(t->error_text);
	r->code = t->error_code;
	pt_log_id(LOG_NOTICE, s->e->id, "%s... %s", addr, t->error_text);
}

/* Parses one recipient and adds it to the envelope, or reports why not. */
static void
add_one(struct submit *s, const char *addr)
{
	struct rw_triple t;
	struct queue_rcpt *r;
	int st = rw_parse(&s->rw, addr, 0, 0, NULL, &t);

	if (st == EX_OK && t.error)
		refused(s, addr, &t);
	pt_arena_reset(s->rw.arena);
	if ((st != EX_OK && st != EX_TEMPFAIL) || (st == EX_OK && t.error)) {
		s->nbad++;
		return;
	}
	for (size_t i = 0; i < s->e->nrcpts; i++)
		if (strcmp(s->e->rcpts[i].addr, addr) == 0)
			return;
	r = queue_env_add_rcpt(s->e, addr);
	r->flags = QRF_PRIMARY | (s->run->notify ? s->run->notify : QRF_NOTIFY_DEFAULT);
}

/* Adds every address of a comma-separated list. */
static void
add_list(struct submit *s, const char *list)
{
	struct pt_buf one = PT_BUF_INIT;
	const char *p = list;

	while (addr_list_next(&p, &one))
		add_one(s, one.s);
	pt_buf_free(&one);
}

void
submit_recipients(struct submit *s)
{
	static const char *const plain[] = { "To", "Cc", "Bcc", NULL };
	static const char *const resent[] = { "Resent-To", "Resent-Cc", "Resent-Bcc", NULL };
	const char *const *names = s->resent ? resent : plain;

	/* a refused address is told as ErrorMode says: on standard output for p
	 * (and with -t), else only in the bounce (deliver_errmode.c) */
	s->rw.msgs = s->cfg->opt.error_mode == 'p' || s->cfg->opt.error_mode == 0 ||
	    s->run->read_recipients ? stdout : NULL;
	for (int i = 0; i < s->run->nrcpts; i++)
		add_list(s, s->run->rcpts[i]);
	if (s->run->read_recipients)
		for (size_t h = 0; h < s->own->nhdrs; h++)
			for (int k = 0; names[k] != NULL; k++)
				if (pt_strcasecmp(s->own->hdrs[h].name, names[k]) == 0)
					add_list(s, s->own->hdrs[h].value);
	/* AlwaysBcc (FEATURE(always_bcc)): a copy in the envelope only, never in a header */
	if (s->e->nrcpts > 0 && s->cfg->opt.always_bcc != NULL && *s->cfg->opt.always_bcc)
		add_one(s, s->cfg->opt.always_bcc);
}

/* Adds one warning header, "X-Authentication-Warning: $j: text". */
static void
warning(struct submit *s, const char *fmt, const char *a, const char *b)
{
	struct pt_buf v = PT_BUF_INIT;

	pt_buf_printf(&v, " %s: ", mac_get(s->cfg->macros, 'j', NULL));
	pt_buf_printf(&v, fmt, a, b);
	queue_env_add_header(s->e, "", "X-Authentication-Warning", v.s);
	pt_buf_free(&v);
}

/* True if PrivacyOptions asks for authentication warnings (authwarnings or goaway). */
static bool
wants_warnings(const struct cf_config *cfg)
{
	const struct cf_strlist *l = &cfg->opt.privacy_options;

	for (int i = 0; i < l->n; i++)
		if (pt_strcasecmp(l->v[i], "authwarnings") == 0 ||
		    pt_strcasecmp(l->v[i], "goaway") == 0)
			return true;
	return false;
}

void
submit_auth_warnings(struct submit *s)
{
	const char *qdir = s->cfg->opt.queue_directory;

	if (!wants_warnings(s->cfg))
		return;
	if (!s->trusted && s->run->sender != NULL && strcmp(s->run->sender, s->login) != 0)
		warning(s, "%s set sender to %s using -f", s->login, s->run->sender);
	if (s->uid != 0 && s->run->unsafe && qdir != NULL)
		warning(s, "Processed from queue %s%s", qdir, "");
	if (s->uid != 0 && s->run->cf_given)
		warning(s, "Processed by %s with -C %s", s->login, s->run->cf_path);
}
