/* fuzz_cf: the sendmail.cf loader must never crash or hang on any file. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz-cf-XXXXXX";
	struct pt_buf err = PT_BUF_INIT;
	struct cf_env env = { "mx.example.test", NULL, true, NULL };
	struct cf_config *cfg;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	cfg = cf_load(path, &env, &err);
	cf_free(cfg);
	pt_buf_free(&err);
	unlink(path);
	return 0;
}
