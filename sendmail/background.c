/*
 * background: what the long-running modes share: leaving the terminal
 * (sendmail -bd, and a queue runner started with an interval), and the
 * PidFile: the process id on the first line, the command line on the
 * second, as upstream writes it, so that init scripts and `kill -HUP
 * $(head -1 ...)` work alike.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "daemon.h"
#include "pt_buf.h"
#include "pt_exit.h"
#include "pt_file.h"
#include "pt_log.h"

void
sm_background(bool to_root)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		exit(EX_OSERR);
	if (pid > 0)
		_exit(EX_OK);
	setsid();
	if (to_root && chdir("/") < 0)
		pt_log(LOG_NOTICE, "chdir /: %s", strerror(errno));
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

void
sm_pidfile_write(const struct sm_run *run, const char *path)
{
	struct pt_buf b = PT_BUF_INIT;
	int err;

	pt_buf_printf(&b, "%ld\n", (long)getpid());
	for (int i = 0; i < run->argc; i++)
		pt_buf_printf(&b, "%s%s", i ? " " : "", run->argv[i]);
	pt_buf_addc(&b, '\n');
	if ((err = pt_file_write_atomic(path, b.s, b.len, 0644)) != 0)
		pt_log(LOG_ERR, "cannot write pid file %s: %s", path, strerror(err));
	pt_buf_free(&b);
}

void
sm_pidfile_remove(const char *path)
{
	struct pt_buf b = PT_BUF_INIT;

	if (pt_file_read(path, &b) == 0 && atol(pt_buf_str(&b)) == (long)getpid())
		unlink(path);
	pt_buf_free(&b);
}
