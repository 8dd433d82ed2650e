/*
 * test_milter_filter: a mail filter built on Debian's libmilter, driven by
 * what it is sent, so that tests can provoke every reply and every
 * modification of the milter protocol and check what the MTA sent.
 *
 *   test_milter_filter -p unix:/path/sock -l logfile [-n FLAGS] [-s LISTS] [-t TAG]
 *
 *   -n FLAGS  protocol bits to ask for in xxfi_negotiate (hex, e.g. 0x100480
 *             for HDR_LEADSPC|SKIP|NR_HDR); without -n all steps are wanted
 *   -s LISTS  macro lists to ask for with smfi_setsymlist: "stage:names;..."
 *   -t TAG    react to the control headers below with "-TAG" after their
 *             name ("X-Mods-TAG: ..."), so that several filters in a row can
 *             be told apart; headers it adds say "by TAG"
 *
 * What it does is chosen by words in what it receives:
 *   connect host "reject.test"/"tempfail.test"/"accept.test"   that answer
 *   HELO "reject"/"reply"/"tempfail"                           that answer
 *   MAIL or RCPT local part "reject", "tempfail", "reply", "mlreply",
 *     "discard", "accept"                                       that answer
 *   MAIL local part "data" + one of those words ("datareject")  that answer
 *                                                               at DATA
 *   header "X-Act: reject|tempfail|discard|accept"             at that header
 *   body containing "SKIPME"                                   answer skip
 *   header "X-Mods: m1,m2,..."                                 at end of message:
 *     addheader insheader chgheader delheader addrcpt addrcpt_par delrcpt
 *     chgfrom replbody quarantine progress; with arguments:
 *     insheader=N (X-Inserted at index N), chgheader=NAME/N (the Nth NAME
 *     becomes "changed NAME"), delheader=NAME/N, addrcpt=ADDR,
 *     addrcpt_par=ADDR (with NOTIFY=NEVER), delrcpt=ADDR,
 *     chgfrom=ADDR, replbody=TEXT (the new body, "_" for spaces, one line)
 *   header "X-Eom: reject|tempfail|discard|reply|accept"       the final answer
 *   header "X-Sleep: N"                                        sleep N s at end
 *   header "X-Slow: N"                                         work N s at end,
 *                                                               sending progress
 *                                                               every 0.25 s
 *   header "X-Crash: yes"                                      exit at end
 * Every callback appends a line to the log file ("stage: details").
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

static FILE *flog_fp;
static unsigned long want_flags;
static int have_flags;
static char *symlists;
static const char *tag;

/* Per-message state. */
struct priv {
	char mods[512];
	char eom[32];
	int sleep_s;
	int slow_s;
	int crash;
	int skip_seen;
	char sender[128];
};

/* Appends one line to the log. */
static void
logline(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(flog_fp, fmt, ap);
	va_end(ap);
	fputc('\n', flog_fp);
	fflush(flog_fp);
}

/* Logs the values of a few macros the MTA may have sent. */
static void
log_macros(SMFICTX *ctx, const char *stage)
{
	static const char *const names[] = { "j", "{daemon_name}", "{client_addr}", "i",
		"{mail_addr}", "{rcpt_addr}", "{test_macro}", "{client_name}", "{client_port}", "{daemon_port}",
		"{client_ptr}" };
	size_t i;
	char *v;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((v = smfi_getsymval(ctx, (char *)names[i])) != NULL)
			logline("%s macro %s=%s", stage, names[i], v);
}

/* True if header name is the control header X-<what> (with -TAG when tagged). */
static int
control(const char *name, const char *what)
{
	char want[128];

	snprintf(want, sizeof want, "X-%s%s%s", what, tag ? "-" : "", tag ? tag : "");
	return strcasecmp(name, want) == 0;
}

/* The answer a word asks for, or -1. */
static int
word_action(SMFICTX *ctx, const char *w)
{
	if (strncasecmp(w, "reject", 6) == 0)
		return SMFIS_REJECT;
	if (strncasecmp(w, "tempfail", 8) == 0)
		return SMFIS_TEMPFAIL;
	if (strncasecmp(w, "discard", 7) == 0)
		return SMFIS_DISCARD;
	if (strncasecmp(w, "accept", 6) == 0)
		return SMFIS_ACCEPT;
	if (strncasecmp(w, "mlreply", 7) == 0) {
		smfi_setmlreply(ctx, "550", "5.7.1", "first line", "second line", NULL);
		return SMFIS_REJECT;
	}
	if (strncasecmp(w, "reply", 5) == 0) {
		smfi_setreply(ctx, "553", "5.7.1", "refused by the test filter");
		return SMFIS_REJECT;
	}
	return -1;
}

/* The local part of an address argument ("<reject@x>" gives "reject@x>"). */
static const char *
local_part(const char *a)
{
	return *a == '<' ? a + 1 : a;
}

static sfsistat
t_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2, unsigned long f3,
    unsigned long *pf0, unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	char *copy, *item, *save = NULL;

	logline("negotiate offered actions=0x%lx protocol=0x%lx", f0, f1);
	*pf0 = f0;
	*pf1 = have_flags ? want_flags : 0;
	*pf2 = *pf3 = 0;
	if (symlists != NULL) {
		copy = strdup(symlists);
		for (item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save))
			smfi_setsymlist(ctx, atoi(item), strchr(item, ':') + 1);
		free(copy);
	}
	(void)f2;
	(void)f3;
	return SMFIS_CONTINUE;
}

static sfsistat
t_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	int a;

	logline("connect host=%s family=%d", host, sa ? sa->sa_family : -1);
	log_macros(ctx, "connect");
	smfi_setpriv(ctx, calloc(1, sizeof(struct priv)));
	a = word_action(ctx, host);
	return a >= 0 ? a : SMFIS_CONTINUE;
}

static sfsistat
t_helo(SMFICTX *ctx, char *helo)
{
	int a = word_action(ctx, helo);

	logline("helo %s", helo);
	log_macros(ctx, "helo");
	return a >= 0 ? a : SMFIS_CONTINUE;
}

static sfsistat
t_envfrom(SMFICTX *ctx, char **argv)
{
	struct priv *p = smfi_getpriv(ctx);
	int i, a;

	memset(p, 0, sizeof *p);
	snprintf(p->sender, sizeof p->sender, "%s", local_part(argv[0]));
	for (i = 0; argv[i] != NULL; i++)
		logline("mail arg%d=%s", i, argv[i]);
	log_macros(ctx, "mail");
	a = word_action(ctx, local_part(argv[0]));
	return a >= 0 ? a : SMFIS_CONTINUE;
}

static sfsistat
t_envrcpt(SMFICTX *ctx, char **argv)
{
	int i, a;

	for (i = 0; argv[i] != NULL; i++)
		logline("rcpt arg%d=%s", i, argv[i]);
	log_macros(ctx, "rcpt");
	a = word_action(ctx, local_part(argv[0]));
	return a >= 0 ? a : SMFIS_CONTINUE;
}

static sfsistat
t_data(SMFICTX *ctx)
{
	struct priv *p = smfi_getpriv(ctx);
	int a = -1;

	logline("data");
	log_macros(ctx, "data");
	if (strncasecmp(p->sender, "data", 4) == 0)
		a = word_action(ctx, p->sender + 4);
	return a >= 0 ? a : SMFIS_CONTINUE;
}

static sfsistat
t_header(SMFICTX *ctx, char *name, char *value)
{
	struct priv *p = smfi_getpriv(ctx);
	int a;

	logline("header %s=[%s]", name, value);
	while (*value == ' ' || *value == '\t')	/* HDR_LEADSPC leaves the blank */
		value++;
	if (control(name, "Mods"))
		snprintf(p->mods, sizeof p->mods, "%s", value);
	else if (control(name, "Eom"))
		snprintf(p->eom, sizeof p->eom, "%s", value);
	else if (control(name, "Sleep"))
		p->sleep_s = atoi(value);
	else if (control(name, "Slow"))
		p->slow_s = atoi(value);
	else if (control(name, "Crash"))
		p->crash = 1;
	else if (control(name, "Act") && (a = word_action(ctx, value)) >= 0)
		return a;
	if (have_flags && (want_flags & SMFIP_NR_HDR))
		return SMFIS_NOREPLY;
	return SMFIS_CONTINUE;
}

static sfsistat
t_eoh(SMFICTX *ctx)
{
	logline("eoh");
	log_macros(ctx, "eoh");
	return SMFIS_CONTINUE;
}

static sfsistat
t_body(SMFICTX *ctx, unsigned char *b, size_t len)
{
	struct priv *p = smfi_getpriv(ctx);

	logline("body %zu [%.*s]", len, (int)(len > 200 ? 200 : len), b);
	if (memmem(b, len, "SKIPME", 6) != NULL) {
		p->skip_seen = 1;
		return SMFIS_SKIP;
	}
	return SMFIS_CONTINUE;
}

/* A header change "NAME/N" (N defaults to 1) into name and index. */
static void
name_index(const char *arg, const char *dflt, char *name, size_t len, int *idx)
{
	const char *slash;

	snprintf(name, len, "%s", arg ? arg : dflt);
	*idx = 1;
	if (arg != NULL && (slash = strchr(arg, '/')) != NULL) {
		name[slash - arg < (long)len ? slash - arg : (long)len - 1] = '\0';
		*idx = atoi(slash + 1);
	}
}

/* Performs one modification word (arg: the text after "=", or NULL); returns smfi's rc. */
static int
do_mod(SMFICTX *ctx, const char *m, const char *arg)
{
	char name[128], value[256], body[600];
	int idx;
	size_t i;

	snprintf(value, sizeof value, "by %s", tag ? tag : "the filter");
	if (!strcmp(m, "addheader"))
		return smfi_addheader(ctx, (char *)(arg ? arg : "X-Added"), value);
	if (!strcmp(m, "insheader"))
		return smfi_insheader(ctx, arg ? atoi(arg) : 1, "X-Inserted",
		    arg ? (char *)arg : "at 1");
	if (!strcmp(m, "chgheader") || !strcmp(m, "delheader")) {
		name_index(arg, m[0] == 'c' ? "Subject" : "X-Mods", name, sizeof name, &idx);
		if (m[0] == 'd')
			return smfi_chgheader(ctx, name, idx, NULL);
		snprintf(value, sizeof value, "changed %s", arg ? name : "subject");
		return smfi_chgheader(ctx, name, idx, value);
	}
	if (!strcmp(m, "addrcpt"))
		return smfi_addrcpt(ctx, (char *)(arg ? arg : "<added@example.test>"));
	if (!strcmp(m, "addrcpt_par"))
		return smfi_addrcpt_par(ctx, (char *)(arg ? arg : "<addedpar@example.test>"),
		    "NOTIFY=NEVER");
	if (!strcmp(m, "delrcpt"))
		return smfi_delrcpt(ctx, (char *)(arg ? arg : "<gone@example.test>"));
	if (!strcmp(m, "chgfrom"))
		return smfi_chgfrom(ctx, (char *)(arg ? arg : "<newfrom@example.test>"),
		    arg ? NULL : "SIZE=1");
	if (!strcmp(m, "replbody")) {
		snprintf(body, sizeof body, "%s\r\n", arg ? arg : "new body");
		for (i = 0; body[i]; i++)
			if (body[i] == '_')
				body[i] = ' ';
		return smfi_replacebody(ctx, (unsigned char *)body, (int)strlen(body));
	}
	if (!strcmp(m, "quarantine"))
		return smfi_quarantine(ctx, "held by the test filter");
	if (!strcmp(m, "progress"))
		return smfi_progress(ctx);
	return -2;
}

/* Performs the modifications listed in X-Mods. */
static void
do_mods(SMFICTX *ctx, const char *mods)
{
	char *copy = strdup(mods), *m, *save = NULL, *eq;

	for (m = strtok_r(copy, ", ", &save); m != NULL; m = strtok_r(NULL, ", ", &save)) {
		if ((eq = strchr(m, '=')) != NULL)
			*eq++ = '\0';
		logline("mod %s rc=%d", m, do_mod(ctx, m, eq));
	}
	free(copy);
}

static sfsistat
t_eom(SMFICTX *ctx)
{
	struct priv *p = smfi_getpriv(ctx);
	int a;

	logline("eom");
	log_macros(ctx, "eom");
	if (p->crash)
		_exit(3);
	if (p->sleep_s)
		sleep((unsigned)p->sleep_s);
	for (a = 0; a < p->slow_s * 4; a++) {
		usleep(250000);
		smfi_progress(ctx);
	}
	do_mods(ctx, p->mods);
	if (p->eom[0] && (a = word_action(ctx, p->eom)) >= 0)
		return a;
	return SMFIS_CONTINUE;
}

static sfsistat
t_abort(SMFICTX *ctx)
{
	logline("abort");
	return SMFIS_CONTINUE;
}

static sfsistat
t_close(SMFICTX *ctx)
{
	logline("close");
	free(smfi_getpriv(ctx));
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static sfsistat
t_unknown(SMFICTX *ctx, const char *cmd)
{
	logline("unknown %s", cmd);
	return SMFIS_REJECT;
}

static struct smfiDesc desc = {
	"petrel-test", SMFI_VERSION,
	SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | SMFIF_ADDRCPT | SMFIF_ADDRCPT_PAR |
	    SMFIF_DELRCPT | SMFIF_CHGFROM | SMFIF_QUARANTINE | SMFIF_SETSYMLIST,
	t_connect, t_helo, t_envfrom, t_envrcpt, t_header, t_eoh, t_body, t_eom, t_abort, t_close,
	t_unknown, t_data, t_negotiate,
};

int
main(int argc, char **argv)
{
	const char *sock = NULL, *log = NULL;
	int c;

	while ((c = getopt(argc, argv, "p:l:n:s:t:")) != -1) {
		switch (c) {
		case 'p': sock = optarg; break;
		case 'l': log = optarg; break;
		case 'n': want_flags = strtoul(optarg, NULL, 0); have_flags = 1; break;
		case 's': symlists = optarg; break;
		case 't': tag = optarg; break;
		default: return 2;
		}
	}
	if (sock == NULL || log == NULL || (flog_fp = fopen(log, "a")) == NULL)
		return 2;
	if (strncmp(sock, "unix:", 5) == 0)
		unlink(sock + 5);
	if (smfi_setconn((char *)sock) == MI_FAILURE || smfi_register(desc) == MI_FAILURE)
		return 1;
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
