/*
 * test_local: the local mailer of the test sandboxes, one process per
 * delivery instead of a shell and four programs (the script it replaces cost
 * five execs a message, which under load made queue runs crawl).
 *
 * The sandbox copies this program to DIR/local.sh; it is run as `local.sh
 * USER` with the message on standard input, and writes it to
 * DIR/mail/USER/msg.XXXXXX: first under a temporary name, then renamed, so a
 * reader sees whole messages only.  DIR is the folder of the running
 * program (/proc/self/exe).  Exit codes as a local mailer's: 67 for a bad
 * user name, 73 when the folder cannot be made, 74 on a read or write error,
 * 75 when the file cannot be made or renamed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
copy(int in, int out)
{
	char buf[65536];
	ssize_t n, w, off;

	while ((n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (off = 0; off < n; off += w) {
			w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char self[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX], *slash;
	const char *user = argc > 1 ? argv[1] : "";
	ssize_t n;
	int fd;

	if (*user == '\0' || *user == '.' || strchr(user, '/') != NULL)
		return 67;
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return 75;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return 75;
	*slash = '\0';
	if (snprintf(dir, sizeof dir, "%s/mail/%s", self, user) >= (int)sizeof dir)
		return 73;
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return 73;
	if (snprintf(tmp, sizeof tmp, "%s/.tmp.XXXXXX", dir) >= (int)sizeof tmp ||
	    (fd = mkstemp(tmp)) < 0)
		return 75;
	if (copy(0, fd) < 0 || close(fd) < 0)
		return 74;
	if (snprintf(final, sizeof final, "%s/msg.%s", dir, strrchr(tmp, '.') + 1) >= (int)sizeof final ||
	    rename(tmp, final) < 0)
		return 75;
	return 0;
}
