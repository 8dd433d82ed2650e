/* test_util: the util layer: buffers, strings, files and the safe-file checks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "pt_buf.h"
#include "pt_file.h"
#include "pt_str.h"
#include "pt_time.h"
#include "tap.h"

/* Buffers grow without bound, stay NUL-terminated and count bytes. */
static void
test_buf(void)
{
	struct pt_buf b = PT_BUF_INIT;
	int i;

	is_str(pt_buf_str(&b), "", "an empty buffer reads as the empty string");
	for (i = 0; i < 1000; i++)
		pt_buf_addc(&b, 'a' + i % 26);
	is_int(b.len, 1000, "a buffer grows to hold 1000 bytes");
	is_int(strlen(b.s), 1000, "the buffer is NUL-terminated after growth");
	pt_buf_reset(&b);
	pt_buf_printf(&b, "%s=%d", "x", 42);
	pt_buf_printf(&b, "%0600d", 7);
	is_int(b.len, 604, "printf appends beyond the current capacity");
	ok(strncmp(b.s, "x=42000", 7) == 0, "printf output is appended in order");
	pt_buf_truncate(&b, 4);
	is_str(b.s, "x=42", "truncate cuts to the given length");
	pt_buf_add(&b, "a\0b", 3);
	is_int(b.len, 7, "binary bytes with a NUL are counted");
	char *s = pt_buf_steal(&b);
	ok(b.s == NULL && b.len == 0, "steal empties the buffer");
	free(s);
	pt_buf_free(&b);
}

/* String helpers are ASCII-only and locale independent. */
static void
test_str(void)
{
	char t[32] = "  \thello world \r\n";
	long v;

	ok(pt_strcasecmp("MAILER-Daemon", "mailer-daemon") == 0, "case-insensitive equality");
	ok(pt_strcasecmp("abc", "abd") < 0, "case-insensitive order");
	ok(pt_strncasecmp("Received:", "RECEIVED: x", 9) == 0, "bounded comparison");
	ok(pt_str_iprefix("Connect:10.3", "connect:"), "prefix test ignores case");
	is_str(pt_str_trim(t), "hello world", "trim removes blanks at both ends");
	ok(pt_str_to_long(" 42 ", &v) && v == 42, "a padded number parses");
	ok(!pt_str_to_long("42x", &v), "junk after a number is refused");
	ok(!pt_str_to_long("99999999999999999999999", &v), "overflow is refused");
	ok(!pt_str_to_long("", &v), "an empty string is not a number");
	char small[4];
	is_int(pt_strlcpy(small, "abcdef", sizeof small), 6, "strlcpy reports the full length");
	is_str(small, "abc", "strlcpy truncates and terminates");
	ok(pt_str_hash("Foo", true) == pt_str_hash("fOO", true), "folded hashes ignore case");
	ok(pt_slice_ieq(pt_slice_of("LOCAL"), "local"), "slices compare without case");
}

/* Atomic replacement leaves the new content and no temporary file. */
static void
test_file(void)
{
	char dir[] = "/tmp/petrel-test-XXXXXX";
	struct pt_buf path = PT_BUF_INIT, got = PT_BUF_INIT;
	struct stat st;
	const char *why;

	ok(mkdtemp(dir) != NULL, "a scratch folder is made");
	chmod(dir, 0755);
	pt_buf_printf(&path, "%s/f", dir);
	is_int(pt_file_write_atomic(path.s, "one\ntwo\n", 8, 0644), 0, "atomic write succeeds");
	is_int(pt_file_read(path.s, &got), 0, "the file reads back");
	is_str(got.s, "one\ntwo\n", "the content is what was written");
	is_int(pt_file_write_atomic(path.s, "3\n", 2, 0644), 0, "atomic replacement succeeds");
	pt_buf_reset(&got);
	pt_file_read(path.s, &got);
	is_str(got.s, "3\n", "the replacement is complete");

	FILE *fp = fopen(path.s, "r");
	struct pt_buf line = PT_BUF_INIT;
	ok(pt_file_getline(fp, &line) && strcmp(line.s, "3") == 0, "getline returns a line without LF");
	ok(!pt_file_getline(fp, &line), "getline reports end of file");
	fclose(fp);
	pt_buf_free(&line);

	is_int(pt_safefile(path.s, 0, PT_SFF_NOWWFILES | PT_SFF_NOGWFILES, &st, &why), 0,
	    "a 0644 file passes the write checks");
	chmod(path.s, 0666);
	is_int(pt_safefile(path.s, 0, PT_SFF_NOWWFILES, &st, &why), EPERM,
	    "a world-writable file is refused");
	ok(strstr(why, "World writable") != NULL, "the reason names world write permission");
	struct pt_buf ln = PT_BUF_INIT;
	pt_buf_printf(&ln, "%s/link", dir);
	ok(symlink(path.s, ln.s) == 0, "a symbolic link is made");
	is_int(pt_safefile(ln.s, 0, PT_SFF_NOSLINK, &st, &why), ELOOP, "a symbolic link is refused when asked");
	is_int(pt_safefile(ln.s, 0, 0, &st, &why), 0, "a symbolic link is followed otherwise");
	unlink(ln.s);
	unlink(path.s);
	rmdir(dir);
	pt_buf_free(&ln);
	pt_buf_free(&path);
	pt_buf_free(&got);
}

/* Dates as upstream writes them: GMT for a zero offset, else the offset and the zone's name. */
static void
test_date(void)
{
	char d[PT_DATE_MAX];

	setenv("TZ", "UTC", 1);
	tzset();
	pt_str_date((time_t)1793437502, d);	/* 2026-10-31 09:05:02 UTC */
	is_str(d, "Sat, 31 Oct 2026 09:05:02 GMT", "a zero offset is GMT");
	pt_str_date((time_t)1793437502 + 86400, d);
	is_str(d, "Sun, 1 Nov 2026 09:05:02 GMT", "the day has no leading zero");
	setenv("TZ", "CET-1", 1);
	tzset();
	pt_str_date((time_t)1793437502, d);
	is_str(d, "Sat, 31 Oct 2026 10:05:02 +0100", "an offset, without the zone's name (as upstream)");
	setenv("TZ", "XST+3:30", 1);
	tzset();
	pt_str_date((time_t)1793437502, d);
	is_str(d, "Sat, 31 Oct 2026 05:35:02 -0330", "a negative offset in hours and minutes");
	unsetenv("TZ");
	tzset();
}

/* A handler, so that a signal interrupts the sleep. */
static void
on_usr1(int sig)
{
	(void)sig;
}

/* Seconds elapsed on the monotonic clock since t0. */
static double
since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* pt_sleep_whole: a handled signal in the middle does not cut the pause short. */
static void
test_sleep(void)
{
	struct sigaction sa;
	struct timespec t0;
	pid_t parent = getpid(), kid;
	double took;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kid = fork();
	if (kid == 0) {
		struct timespec d = { 0, 200000000 };

		for (int i = 0; i < 3; i++) {
			nanosleep(&d, NULL);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	pt_sleep_whole(1);
	took = since(&t0);
	waitpid(kid, NULL, 0);
	signal(SIGUSR1, SIG_DFL);
	ok(took >= 1.0, "a one-second pause lasts a second though three signals came (%.3f s)", took);
}

int
main(void)
{
	test_buf();
	test_str();
	test_date();
	test_file();
	test_sleep();
	return tap_done();
}
