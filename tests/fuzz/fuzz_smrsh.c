/*
 * fuzz_smrsh: libFuzzer target for smrsh's check of a command line
 * (smrsh/smrsh.c, whose main is left out).  Checks: a line that passes gives
 * the shell no forbidden character and no single | or &; a refused line
 * says why (a character from the forbidden set, or a reason for a name).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SMRSH_NO_MAIN
#include "../../smrsh/smrsh.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True if s holds a lone | or & (not part of a doubled pair). */
static bool
has_single(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((*s == '&' || *s == '|') && s[1] == *s) {
			s++;
			continue;
		}
		if (*s == '&' || *s == '|')
			return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cmd = malloc(size + 1);
	struct line l = { "smrsh", cmd, PT_BUF_INIT, PT_BUF_INIT, NULL, NULL, '\0' };

	memcpy(cmd, data, size);
	cmd[size] = '\0';
	if (check_line(&l)) {
		if (strpbrk(pt_buf_str(&l.out), SMRSH_FORBIDDEN) != NULL ||
		    has_single(pt_buf_str(&l.out)))
			abort();
	} else if (l.bad != '\0') {
		if (strchr(SMRSH_FORBIDDEN "|&", l.bad) == NULL)
			abort();
	} else if (l.why == NULL || l.rest == NULL) {
		abort();
	}
	pt_buf_free(&l.out);
	pt_buf_free(&l.word);
	free(cmd);
	return 0;
}
