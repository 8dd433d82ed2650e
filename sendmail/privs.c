/*
 * privs: which configuration a run reads and which privileges it keeps.
 *
 * The sendmail program is installed set-group-ID to the smmsp group (never
 * set-user-ID root), as upstream's is since 8.12: that group lets a user's
 * submission write the client queue (/var/spool/clientmqueue, 0770
 * smmsp:smmsp) and nothing else.  A run keeps the group only when it needs
 * it and the user cannot steer it: a submission (-bm, -t, -bs), a listing
 * (-bp, -bP) or a run (-q) of the submission queue, with the compiled-in
 * submit.cf and only harmless -o/-O options.  Anything else (-C given by a
 * user, an option that names files or folders, another mode) gives the
 * group up for good before the configuration is read, as upstream gives up
 * its set-ID privileges.  Root running with the submission configuration
 * becomes its RunAsUser (smmsp) once the file is loaded.
 *
 * Runs first thing in every sendmail process; prints refusals on standard
 * error.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt_exit.h"
#include "pt_str.h"
#include "sendmail.h"

/*
 * Options a user may set without the run losing its group: they change how
 * this one message is read or reported, never which files are touched.
 */
static const char *const safe_options[] = {
	"SevenBitInput", "7", "EightBitMode", "8", "DeliveryMode", "d", "ErrorMode", "e",
	"IgnoreDots", "i", "MeToo", "m", "OldStyleHeaders", "o", "Verbose", "v",
	"SendMimeErrors", "j", "SaveFromLine", "f", "BlankSub", "B", NULL,
};

/* True if option setting "name=value" (from -o or -O) is in the safe list. */
static bool
safe_option(const char *setting)
{
	size_t n = strcspn(setting, "=");

	while (n > 0 && (setting[n - 1] == ' ' || setting[n - 1] == '\t'))
		n--;
	for (int i = 0; safe_options[i] != NULL; i++)
		if (strlen(safe_options[i]) == n && pt_strncasecmp(setting, safe_options[i], n) == 0)
			return true;
	return false;
}

/* True if mode is one of those that read submit.cf for a user. */
static bool
submission_mode(int mode)
{
	return mode == 'm' || mode == 's';
}

void
privs_choose_cf(struct sm_run *run)
{
	if (run->cf_given)
		return;
	if (run->queue_sel != NULL && run->queue_sel[0] == 'c')
		run->cf_path = SM_SUBMIT_CF;
	else if (run->queue_sel != NULL && run->queue_sel[0] == 'm')
		run->cf_path = SM_DEFAULT_CF;
	else if (getuid() != 0 && submission_mode(run->mode) && access(SM_SUBMIT_CF, F_OK) == 0)
		run->cf_path = SM_SUBMIT_CF;
	else
		run->cf_path = SM_DEFAULT_CF;
	run->msp = strcmp(run->cf_path, SM_SUBMIT_CF) == 0;
}

/* True if this run may keep the set-group-ID group. */
static bool
keeps_group(const struct sm_run *run)
{
	if (!run->msp || run->unsafe)
		return false;
	if (!submission_mode(run->mode) && (run->mode == '\0' || strchr("pPq", run->mode) == NULL))
		return false;
	return true;
}

int
privs_settle(struct sm_run *run)
{
	gid_t rgid = getgid();

	/* -M could point the cf's macros (the relay, names) elsewhere: not for the group */
	run->unsafe = (run->cf_given || run->ndefines > 0) && getuid() != 0;
	for (int i = 0; i < run->noptions; i++)
		if (!safe_option(run->options[i]) && getuid() != 0)
			run->unsafe = true;
	if (getegid() == rgid || keeps_group(run))
		return 0;
	if (setresgid(rgid, rgid, rgid) < 0) {
		fprintf(stderr, "%s: cannot give up the group privilege: %s\n", run->progname,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Resolves RunAsUser ("user", "uid", "user:group" or "uid:gid") to ids. */
static int
run_as_ids(const char *spec, uid_t *uid, gid_t *gid)
{
	char *copy = strdup(spec), *colon = strchr(copy, ':');
	struct passwd *pw;
	struct group *gr;
	int rc = 0;

	if (colon != NULL)
		*colon++ = '\0';
	if ((pw = getpwnam(copy)) != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	} else if (copy[0] >= '0' && copy[0] <= '9') {
		*uid = (uid_t)strtoul(copy, NULL, 10);
		*gid = (gid_t)-1;
	} else
		rc = -1;
	if (rc == 0 && colon != NULL && *colon != '\0') {
		if ((gr = getgrnam(colon)) != NULL)
			*gid = gr->gr_gid;
		else if (colon[0] >= '0' && colon[0] <= '9')
			*gid = (gid_t)strtoul(colon, NULL, 10);
		else
			rc = -1;
	}
	if (rc == 0 && *gid == (gid_t)-1)
		rc = -1;
	free(copy);
	return rc;
}

/* Root running the submission configuration becomes its RunAsUser. */
static int
become_run_as_user(struct sm_run *run)
{
	const char *spec = run->cfg->opt.run_as_user;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0 || spec == NULL || *spec == '\0' || !run->cfg->opt.use_msp)
		return 0;
	if (run_as_ids(spec, &uid, &gid) < 0) {
		fprintf(stderr, "%s: RunAsUser %s: unknown user or group\n", run->progname, spec);
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		fprintf(stderr, "%s: cannot become RunAsUser %s: %s\n", run->progname, spec,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* With PrivacyOptions restrictqrun only root and the queue's owner may run it. */
static bool
may_run_queue(const struct sm_run *run)
{
	const struct cf_strlist *l = &run->cfg->opt.privacy_options;
	const char *qdir = run->cfg->opt.queue_directory;
	struct stat st;
	bool restricted = false;

	for (int i = 0; i < l->n; i++)
		if (pt_strcasecmp(l->v[i], "restrictqrun") == 0)
			restricted = true;
	if (!restricted || getuid() == 0)
		return true;
	return stat(qdir ? qdir : LOCALSTATEDIR "/spool/mqueue", &st) == 0 && st.st_uid == getuid();
}

int
privs_after_load(struct sm_run *run)
{
	if (run->mode == 'q' && !may_run_queue(run)) {
		fprintf(stderr, "You do not have permission to process the queue\n");
		return EX_NOPERM;
	}
	if ((run->mode == 'q' || submission_mode(run->mode)) && become_run_as_user(run) < 0)
		return EX_OSERR;
	return EX_OK;
}

void
privs_done(void)
{
	gid_t rgid = getgid();

	if (getegid() != rgid && setresgid(rgid, rgid, rgid) < 0)
		_exit(EX_OSERR);
}
