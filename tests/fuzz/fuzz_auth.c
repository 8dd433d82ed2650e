/*
 * fuzz_auth: the parsers of the auth module over arbitrary bytes: base64
 * (what an SMTP client sends after AUTH and each 334) must decode only what
 * re-encodes to the same text, and the AuthInfo: credentials parser must
 * either refuse or give a user and a password.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_buf dec = PT_BUF_INIT, enc = PT_BUF_INIT, err = PT_BUF_INIT;
	struct auth_creds c;
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	if (auth_b64_decode((const char *)data, size, &dec)) {
		auth_b64_encode(dec.s, dec.len, &enc);
		if (enc.len != size || (size > 0 && memcmp(enc.s, data, size) != 0))
			abort();	/* only canonical base64 is accepted */
	}
	if (auth_creds_parse(s, &c, &err)) {
		if (c.user == NULL || c.pass == NULL)
			abort();
		auth_creds_free(&c);
	}
	if (auth_creds_lines(s, &c, &err))
		auth_creds_free(&c);
	(void)auth_word_in(s, strcspn(s, " "), s);
	(void)auth_options(s);
	free(s);
	pt_buf_free(&dec);
	pt_buf_free(&enc);
	pt_buf_free(&err);
	return 0;
}
