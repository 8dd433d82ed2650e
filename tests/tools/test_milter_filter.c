/*
 * test_milter_filter: a mail filter built on Debian's libmilter, driven by
 * what it is sent, so that tests can provoke every reply and every
 * modification of the milter protocol and check what the MTA sent.
 *
 *   test_milter_filter -p unix:/path/sock -l logfile [-n FLAGS] [-s LISTS]
 *
 *   -n FLAGS  protocol bits to ask for in xxfi_negotiate (hex, e.g. 0x100480
 *             for HDR_LEADSPC|SKIP|NR_HDR); without -n all steps are wanted
 *   -s LISTS  macro lists to ask for with smfi_setsymlist: "stage:names;..."
 *
 * What it does is chosen by words in what it receives:
 *   connect host "reject.test"/"tempfail.test"/"accept.test"   that answer
 *   HELO "reject"/"reply"/"tempfail"                           that answer
 *   MAIL or RCPT local part "reject", "tempfail", "reply", "mlreply",
 *     "discard", "accept"                                       that answer
 *   header "X-Act: reject|tempfail|discard|accept"             at that header
 *   body containing "SKIPME"                                   answer skip
 *   header "X-Mods: m1,m2,..."                                 at end of message:
 *     addheader insheader chgheader delheader addrcpt addrcpt_par delrcpt
 *     chgfrom replbody quarantine progress
 *   header "X-Eom: reject|tempfail|discard|reply|accept"       the final answer
 *   header "X-Sleep: N"                                        sleep N s at end
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

/* Per-message state. */
struct priv {
	char mods[512];
	char eom[32];
	int sleep_s;
	int crash;
	int skip_seen;
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
		"{mail_addr}", "{rcpt_addr}", "{test_macro}" };
	size_t i;
	char *v;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((v = smfi_getsymval(ctx, (char *)names[i])) != NULL)
			logline("%s macro %s=%s", stage, names[i], v);
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
	logline("data");
	log_macros(ctx, "data");
	return SMFIS_CONTINUE;
}

static sfsistat
t_header(SMFICTX *ctx, char *name, char *value)
{
	struct priv *p = smfi_getpriv(ctx);
	int a;

	logline("header %s=[%s]", name, value);
	if (strcasecmp(name, "X-Mods") == 0)
		snprintf(p->mods, sizeof p->mods, "%s", value);
	else if (strcasecmp(name, "X-Eom") == 0)
		snprintf(p->eom, sizeof p->eom, "%s", value);
	else if (strcasecmp(name, "X-Sleep") == 0)
		p->sleep_s = atoi(value);
	else if (strcasecmp(name, "X-Crash") == 0)
		p->crash = 1;
	else if (strcasecmp(name, "X-Act") == 0 && (a = word_action(ctx, value)) >= 0)
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

/* Performs the modifications listed in X-Mods. */
static void
do_mods(SMFICTX *ctx, const char *mods)
{
	char *copy = strdup(mods), *m, *save = NULL;

	for (m = strtok_r(copy, ", ", &save); m != NULL; m = strtok_r(NULL, ", ", &save)) {
		int rc = 0;

		if (!strcmp(m, "addheader"))
			rc = smfi_addheader(ctx, "X-Added", "by the filter");
		else if (!strcmp(m, "insheader"))
			rc = smfi_insheader(ctx, 1, "X-Inserted", "at 1");
		else if (!strcmp(m, "chgheader"))
			rc = smfi_chgheader(ctx, "Subject", 1, "changed subject");
		else if (!strcmp(m, "delheader"))
			rc = smfi_chgheader(ctx, "X-Mods", 1, NULL);
		else if (!strcmp(m, "addrcpt"))
			rc = smfi_addrcpt(ctx, "<added@example.test>");
		else if (!strcmp(m, "addrcpt_par"))
			rc = smfi_addrcpt_par(ctx, "<addedpar@example.test>", "NOTIFY=NEVER");
		else if (!strcmp(m, "delrcpt"))
			rc = smfi_delrcpt(ctx, "<gone@example.test>");
		else if (!strcmp(m, "chgfrom"))
			rc = smfi_chgfrom(ctx, "<newfrom@example.test>", "SIZE=1");
		else if (!strcmp(m, "replbody"))
			rc = smfi_replacebody(ctx, (unsigned char *)"new body\r\n", 10);
		else if (!strcmp(m, "quarantine"))
			rc = smfi_quarantine(ctx, "held by the test filter");
		else if (!strcmp(m, "progress"))
			rc = smfi_progress(ctx);
		logline("mod %s rc=%d", m, rc);
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

	while ((c = getopt(argc, argv, "p:l:n:s:")) != -1) {
		switch (c) {
		case 'p': sock = optarg; break;
		case 'l': log = optarg; break;
		case 'n': want_flags = strtoul(optarg, NULL, 0); have_flags = 1; break;
		case 's': symlists = optarg; break;
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
