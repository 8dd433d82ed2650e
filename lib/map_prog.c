/*
 * map_prog: the program class: "Kname program /path/to/prog arg ...": each
 * lookup runs the program with its arguments and the key as the last one,
 * and the first line it prints is the answer.
 *
 * Owns the child process of one lookup: it runs with standard input from
 * /dev/null, an empty environment but for PATH and AGENT, and, when Petrel
 * runs as root, as DefaultUser (uid 1 when that is root too), so a map
 * program never runs as root.  It is killed after PROG_TIMEOUT seconds.
 * Exit status 0 with a line is found; EX_TEMPFAIL is a temporary failure;
 * anything else is not found.  Never goes through a shell.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "map.h"
#include "map_impl.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"

/* Seconds a map program may take. */
#define PROG_TIMEOUT 30
/* Longest answer kept (the first line, up to this many bytes). */
#define PROG_LINE_MAX 4096

/* Checks that a program is named, with an absolute path. */
static int
prog_check(struct map *m, struct pt_buf *err)
{
	if (m->file == NULL || m->file[0] != '/') {
		pt_buf_printf(err, "program map %s: the program must be an absolute path", m->name);
		return -1;
	}
	return 0;
}

/* In the child: drops root, wires the descriptors and runs the program. */
static void
child(const struct map *m, const char *key, int out)
{
	const struct map_options *o = map_opts(m);
	char *env[] = { "PATH=/usr/bin:/bin", "AGENT=sendmail", NULL };
	const char **argv;
	size_t n = 0, i;
	int nul = open("/dev/null", O_RDWR);

	while (m->argv != NULL && m->argv[n] != NULL)
		n++;
	argv = pt_calloc(n + 3, sizeof *argv);
	argv[0] = m->file;
	for (i = 0; i < n; i++)
		argv[i + 1] = m->argv[i];
	argv[n + 1] = key;
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(out, 1) < 0)
		_exit(EX_OSERR);
	if (geteuid() == 0) {
		uid_t uid = o->prog_uid != 0 ? o->prog_uid : 1;
		gid_t gid = o->prog_uid != 0 ? o->prog_gid : 1;

		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
			_exit(EX_OSERR);
	}
	execve(m->file, (char *const *)argv, env);
	_exit(EX_UNAVAILABLE);
}

/* Reads the child's first line within the deadline; false on a timeout. */
static bool
read_answer(int fd, struct pt_buf *line)
{
	time_t deadline = time(NULL) + PROG_TIMEOUT;
	char buf[512];
	ssize_t n;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int left = (int)(deadline - time(NULL));

		if (left <= 0 || poll(&p, 1, left * 1000) == 0)
			return false;
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		if (line->len < PROG_LINE_MAX)
			pt_buf_add(line, buf, (size_t)n);
	}
}

/* Runs the program for one key. */
static int
prog_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct pt_buf line = PT_BUF_INIT;
	int fds[2], status = 0;
	bool done;
	char *nl;
	pid_t pid;

	(void)keylen;
	(void)av;
	(void)ac;
	(void)env;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return MAP_TEMPFAIL;
	pid = fork();
	if (pid == 0)
		child(m, key, fds[1]);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return MAP_TEMPFAIL;
	}
	done = read_answer(fds[0], &line);
	close(fds[0]);
	if (!done) {
		kill(pid, SIGKILL);
		pt_log(LOG_ERR, "prog_map_lookup(%s): %s timed out", m->name, m->file);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	nl = line.s != NULL ? memchr(line.s, '\n', line.len) : NULL;
	if (nl != NULL)
		pt_buf_truncate(&line, (size_t)(nl - line.s));
	if (done && WIFEXITED(status) && WEXITSTATUS(status) == 0 && line.len > 0) {
		pt_buf_add(value, line.s, line.len);
		pt_buf_free(&line);
		return MAP_FOUND;
	}
	pt_buf_free(&line);
	if (!done || (WIFEXITED(status) && WEXITSTATUS(status) == EX_TEMPFAIL))
		return MAP_TEMPFAIL;
	return MAP_NOTFOUND;
}

const struct map_class map_class_program = {
	.name = "program",
	.cflags = MAPC_REWRITE | MAPC_FILE | MAPC_SPLITARGS,
	.check = prog_check,
	.lookup = prog_lookup,
};
