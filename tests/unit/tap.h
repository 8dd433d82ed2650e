/*
 * tap.h: the few macros the unit programs use to print TAP lines that
 * tests/run counts.  Each check names the behaviour it proves; a failure says
 * what was expected and what came.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n;
static int tap_failed;

/* Records one check: cond must hold. */
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* Records that two C strings are equal. */
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
/* Records that two integers are equal. */
#define is_int(got, want, ...) tap_is_int((long)(got), (long)(want), __FILE__, __LINE__, __VA_ARGS__)

static inline int __attribute__((format(printf, 4, 5)))
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		printf("#   at %s line %d\n", file, line);
		tap_failed++;
	}
	return cond;
}

static inline int __attribute__((format(printf, 5, 6)))
tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int cond = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		printf("#   at %s line %d\n#   expected: \"%s\"\n#   got:      \"%s\"\n", file, line,
		    want ? want : "(null)", got ? got : "(null)");
		tap_failed++;
	}
	return cond;
}

static inline int __attribute__((format(printf, 5, 6)))
tap_is_int(long got, long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int cond = got == want;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		printf("#   at %s line %d\n#   expected: %ld\n#   got:      %ld\n", file, line, want, got);
		tap_failed++;
	}
	return cond;
}

/* The exit status of a unit program. */
#define tap_done() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)

#endif
