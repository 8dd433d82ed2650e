/*
 * smrsh: the restricted shell of FEATURE(smrsh), smrsh(8).
 *
 * Run by the prog mailer as "smrsh -c command".  Each command of the line
 * (commands are joined by && or ||, and may start with "exec") must be one
 * of the shell builtins echo and exit or a program linked into the command
 * folder (SMRSH_CMDDIR, /etc/mail/smrsh); a leading path is dropped, so
 * /usr/bin/vacation and vacation both mean <cmddir>/vacation.  The rest of
 * the line may not hold the characters ` < > ; $ ( ) CR LF, nor a single |
 * or &.  What passes is run by /bin/sh -c with the program names rewritten
 * to their place in the folder and an environment of PATH only.  Refusals
 * are reported on standard error and to syslog (facility mail, identity
 * "smrsh", without a pid, as upstream's) and exit 69 (EX_UNAVAILABLE); a
 * bad command line exits 64 (EX_USAGE).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "pt_buf.h"
#include "pt_exit.h"

#ifndef SMRSH_CMDDIR
#define SMRSH_CMDDIR "/etc/mail/smrsh"	/* Debian's, whatever the prefix */
#endif
#define SMRSH_PATH "PATH=/usr/bin:/bin"
#define SMRSH_FORBIDDEN "`<>;$()\r\n"

/* The line being checked, the one built for the shell, and why it was refused. */
struct line {
	const char *prog;	/* argv[0], for messages */
	const char *cmd;	/* the command as given */
	struct pt_buf out;	/* the command for /bin/sh */
	struct pt_buf word;	/* a refused program's name ("" for a character) */
	const char *rest;	/* the line from the refused name on */
	const char *why;	/* " (stat failed)", " (not a file)" or "" */
	char bad;		/* a refused character */
};

/* Checks the program word (len bytes at p) and appends its folder path; false if refused. */
static bool
add_program(struct line *l, const char *p, size_t len)
{
	struct pt_buf path = PT_BUF_INIT;
	const char *base = p;
	struct stat st;

	for (size_t i = 0; i < len; i++)
		if (p[i] == '/')
			base = p + i + 1;
	pt_buf_reset(&l->word);
	pt_buf_add(&l->word, base, len - (size_t)(base - p));
	if (base == p && (strcmp(pt_buf_str(&l->word), "echo") == 0 ||
	    strcmp(pt_buf_str(&l->word), "exit") == 0)) {
		pt_buf_adds(&l->out, pt_buf_str(&l->word));
		return true;
	}
	pt_buf_printf(&path, "%s/%s", SMRSH_CMDDIR, pt_buf_str(&l->word));
	l->rest = base;
	if (stat(path.s, &st) < 0)
		l->why = " (stat failed)";
	else if (!S_ISREG(st.st_mode))
		l->why = " (not a file)";
	else if ((st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0)
		l->why = "";
	else
		pt_buf_adds(&l->out, path.s);
	pt_buf_free(&path);
	return l->why == NULL;
}

/*
 * Checks one command from p; returns where the next one starts, NULL at the
 * end or when refused (l->why or l->bad set).
 */
static const char *
check_command(struct line *l, const char *p)
{
	size_t n;

	while (*p == ' ' || *p == '\t')
		pt_buf_addc(&l->out, *p++);
	if (strncmp(p, "exec", 4) == 0 && (p[4] == ' ' || p[4] == '\t')) {
		pt_buf_add(&l->out, p, 4);
		for (p += 4; *p == ' ' || *p == '\t'; p++)
			pt_buf_addc(&l->out, *p);
	}
	if (*p == '\0')
		return NULL;	/* nothing after && or ||: the shell will say so */
	n = strcspn(p, " \t");
	if (!add_program(l, p, n))
		return NULL;
	for (p += n; *p != '\0'; p++) {
		if ((p[0] == '&' || p[0] == '|') && p[1] == p[0]) {
			pt_buf_add(&l->out, p, 2);
			return p + 2;
		}
		if (strchr(SMRSH_FORBIDDEN, *p) != NULL || *p == '&' || *p == '|') {
			l->bad = *p;
			return NULL;
		}
		pt_buf_addc(&l->out, *p);
	}
	return NULL;
}

/* Checks the whole line into l->out; false (and the reason in l) if refused. */
static bool
check_line(struct line *l)
{
	for (const char *p = l->cmd; p != NULL;)
		p = check_command(l, p);
	return l->why == NULL && l->bad == '\0';
}

/* Says why the line was refused, on standard error and to syslog, as upstream's. */
static void
report(const struct line *l)
{
	if (l->bad != '\0') {
		fprintf(stderr, "%s: cannot use %c in command\n", l->prog, l->bad);
		syslog(LOG_CRIT, "uid %d: attempt to use %c in command: %s", (int)getuid(),
		    l->bad, l->cmd);
		return;
	}
	fprintf(stderr, "%s: \"%s\" not available for sendmail programs%s\n", l->prog,
	    pt_buf_str(&l->word), l->why);
	syslog(LOG_CRIT, "uid %d: attempt to use \"%s\"%s", (int)getuid(), l->rest, l->why);
}

#ifndef SMRSH_NO_MAIN
int
main(int argc, char **argv)
{
	struct line l = { argv[0] != NULL ? argv[0] : "smrsh", NULL, PT_BUF_INIT, PT_BUF_INIT,
		NULL, NULL, '\0' };
	char *const env[] = { (char *)SMRSH_PATH, NULL };

	openlog("smrsh", 0, LOG_MAIL);
	if (argc != 3 || strcmp(argv[1], "-c") != 0 || argv[2][0] == '\0') {
		fprintf(stderr, "Usage: %s -c command\n", l.prog);
		syslog(LOG_ERR, "usage");
		closelog();
		return EX_USAGE;
	}
	l.cmd = argv[2];
	if (!check_line(&l)) {
		report(&l);
		closelog();
		pt_buf_free(&l.out);
		pt_buf_free(&l.word);
		return EX_UNAVAILABLE;
	}
	closelog();
	pt_buf_free(&l.word);
	execle("/bin/sh", "/bin/sh", "-c", pt_buf_str(&l.out), (char *)NULL, env);
	fprintf(stderr, "%s: cannot run /bin/sh: %s\n", l.prog, strerror(errno));
	pt_buf_free(&l.out);
	return EX_OSERR;
}
#endif
