/*
 * auth_util: what both sides of SMTP AUTH need beyond SASL itself: base64
 * as RFC 4954 uses it (strict: no whitespace, padding required), the
 * credentials of the authinfo ruleset and of DefaultAuthInfo, and word
 * lists of mechanisms.
 *
 * Pure functions over strings: no SASL, no I/O, no logging.  The base64
 * decoder and the credential parser read text from outside (an SMTP client,
 * an access map) and are fuzzed (tests/fuzz/fuzz_auth.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "pt_alloc.h"
#include "pt_str.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
auth_b64_encode(const void *p, size_t n, struct pt_buf *out)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		pt_buf_addc(out, b64[(v >> 18) & 63]);
		pt_buf_addc(out, b64[(v >> 12) & 63]);
		pt_buf_addc(out, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		pt_buf_addc(out, i + 2 < n ? b64[v & 63] : '=');
	}
}

/* The value of a base64 digit, or -1. */
static int
digit(char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p != NULL ? (int)(p - b64) : -1;
}

bool
auth_b64_decode(const char *s, size_t n, struct pt_buf *out)
{
	if (n % 4 != 0)
		return false;
	for (size_t i = 0; i < n; i += 4) {
		int d[4];
		bool last = i + 4 == n;

		for (int k = 0; k < 4; k++)
			d[k] = digit(s[i + k]);
		if (d[0] < 0 || d[1] < 0)
			return false;
		/* "=" only at the end: xx==, xxx= */
		if (d[2] < 0 && !(last && s[i + 2] == '=' && s[i + 3] == '='))
			return false;
		if (d[3] < 0 && !(last && s[i + 3] == '='))
			return false;
		/* the bits a pad leaves over must be zero: one encoding per byte string */
		if ((d[2] < 0 && (d[1] & 15) != 0) || (d[2] >= 0 && d[3] < 0 && (d[2] & 3) != 0))
			return false;
		pt_buf_addc(out, (char)((d[0] << 2) | (d[1] >> 4)));
		if (d[2] >= 0)
			pt_buf_addc(out, (char)(((d[1] & 15) << 4) | (d[2] >> 2)));
		if (d[2] >= 0 && d[3] >= 0)
			pt_buf_addc(out, (char)(((d[2] & 3) << 6) | d[3]));
	}
	return true;
}

bool
auth_word_in(const char *w, size_t n, const char *list)
{
	while (list != NULL && *list) {
		size_t k;

		list += strspn(list, " ,\t");
		k = strcspn(list, " ,\t");
		if (k == n && k > 0 && pt_strncasecmp(list, w, n) == 0)
			return true;
		list += k;
	}
	return false;
}

/* Sets *field to a copy of n bytes at v, replacing an earlier value. */
static void
set(char **field, const char *v, size_t n)
{
	free(*field);
	*field = pt_strndup(v, n);
}

/* Takes one "X:value" or "P=base64" item; false if it is malformed. */
static bool
item(struct auth_creds *c, const char *s, size_t n, struct pt_buf *err)
{
	struct pt_buf dec = PT_BUF_INIT;
	char **f;

	if (n < 2 || (s[1] != ':' && s[1] != '=')) {
		pt_buf_printf(err, "bad authinfo item %.*s", (int)(n > 40 ? 40 : n), s);
		return false;
	}
	switch (s[0]) {
	case 'U': f = &c->user; break;
	case 'I': f = &c->authzid; break;
	case 'P': f = &c->pass; break;
	case 'R': f = &c->realm; break;
	case 'M': f = &c->mechs; break;
	default: return true;	/* unknown items are ignored, as upstream does */
	}
	if (s[0] == 'P' && s[1] == '=') {
		if (!auth_b64_decode(s + 2, n - 2, &dec) || memchr(pt_buf_str(&dec), '\0', dec.len)) {
			pt_buf_adds(err, "authinfo P= is not base64");
			pt_buf_free(&dec);
			return false;
		}
		set(f, pt_buf_str(&dec), dec.len);
		pt_buf_free(&dec);
	} else
		set(f, s + 2, n - 2);
	return true;
}

/* Checks that credentials are complete; the user defaults to the authorization id. */
static bool
complete(struct auth_creds *c, struct pt_buf *err)
{
	if (c->user == NULL && c->authzid != NULL)
		c->user = pt_strdup(c->authzid);
	if (c->user == NULL || c->pass == NULL) {
		pt_buf_adds(err, c->user == NULL ? "authinfo has no user" : "authinfo has no password");
		auth_creds_free(c);
		return false;
	}
	return true;
}

bool
auth_creds_parse(const char *s, struct auth_creds *c, struct pt_buf *err)
{
	memset(c, 0, sizeof *c);
	while (*s) {
		const char *end;

		s += strspn(s, " \t");
		if (*s == '\0')
			break;
		if (*s == '"') {
			end = strchr(s + 1, '"');
			if (end == NULL) {
				pt_buf_adds(err, "authinfo: unbalanced quote");
				auth_creds_free(c);
				return false;
			}
			if (!item(c, s + 1, (size_t)(end - s - 1), err)) {
				auth_creds_free(c);
				return false;
			}
			s = end + 1;
		} else {
			end = s + strcspn(s, " \t");
			if (!item(c, s, (size_t)(end - s), err)) {
				auth_creds_free(c);
				return false;
			}
			s = end;
		}
	}
	return complete(c, err);
}

bool
auth_creds_lines(const char *text, struct auth_creds *c, struct pt_buf *err)
{
	char **fields[] = { &c->user, &c->authzid, &c->pass, &c->realm, &c->mechs };
	size_t i = 0;

	memset(c, 0, sizeof *c);
	while (*text && i < sizeof fields / sizeof fields[0]) {
		size_t n = strcspn(text, "\n");
		size_t k = n;

		if (k > 0 && text[k - 1] == '\r')
			k--;
		if (k > 0)
			set(fields[i], text, k);
		i++;
		text += n + (text[n] == '\n');
	}
	return complete(c, err);
}

void
auth_creds_free(struct auth_creds *c)
{
	free(c->user);
	free(c->authzid);
	if (c->pass != NULL)
		memset(c->pass, 0, strlen(c->pass));
	free(c->pass);
	free(c->realm);
	free(c->mechs);
	memset(c, 0, sizeof *c);
}
