/*
 * fuzz_hoststat: libFuzzer target for the reader of HostStatusDirectory
 * records (sendmail/hoststat.c: hs_read_fd) and the path of a host name
 * (hs_path).  The input is a record file; its first line is also taken as
 * a host name.  Checks: a record read back has a one-line reply and a
 * terminated status code, and writing it again gives a record that reads
 * back the same; a host's path stays below the folder (no empty, "." or
 * ".." component, no slash inside a label).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../sendmail/hoststat.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless path is "/top" followed by clean components. */
static void
check_path(const char *path)
{
	const char *p = path + 4;

	if (strncmp(path, "/top", 4) != 0)
		abort();
	while (*p) {
		const char *next;
		size_t n;

		if (*p != '/')
			abort();
		p++;
		next = strchr(p, '/');
		n = next ? (size_t)(next - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			abort();
		p += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_entry e, again;
	struct pt_buf path = PT_BUF_INIT;
	int fd = memfd_create("hoststat", MFD_CLOEXEC);
	size_t line = 0;
	char *host;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && hs_read_fd(fd, &e)) {
		if (memchr(e.dsn, '\0', sizeof e.dsn) == NULL)
			abort();
		if (e.reply != NULL && strpbrk(e.reply, "\n") != NULL)
			abort();
		hs_write_fd(fd, &e, (time_t)e.last);
		if (!hs_read_fd(fd, &again) || again.err != e.err || again.exitst != e.exitst ||
		    again.last != e.last || strcmp(again.dsn, e.dsn) != 0 ||
		    (again.reply == NULL) != (e.reply == NULL))
			abort();
		hs_entry_free(&again);
		hs_entry_free(&e);
	}
	close(fd);
	while (line < size && data[line] != '\n' && data[line] != '\0')
		line++;
	host = strndup((const char *)data, line);
	if (host != NULL && hs_path("/top", host, &path) == 0)
		check_path(path.s);
	free(host);
	pt_buf_free(&path);
	return 0;
}
