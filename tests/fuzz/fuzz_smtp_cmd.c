/*
 * fuzz_smtp_cmd: the command parser, the MAIL/RCPT splitter, the ESMTP
 * parameter parsers and xtext over arbitrary lines: slices stay inside the
 * line, every refusal carries a 5xx reply, accepted values are consistent,
 * and xtext encoding always decodes back to the original bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_cmd.h"
#include "smtp_param.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless s lies inside [base, base+len]. */
static void
inside(struct pt_slice s, const char *base, size_t len)
{
	if (s.len > 0 && (s.p < base || s.p + s.len > base + len))
		abort();
}

/* The MAIL and RCPT path: split, then parameters. */
static void
path(const struct smtp_cmd *cmd, const char *line, size_t len, unsigned flags)
{
	struct smtp_param_opts opts = { flags & 1, (flags >> 1) & 1, (flags & 4) ? 1000 : 0,
	    (flags & 8) ? 30 : (flags & 16) ? -1 : 0 };
	struct smtp_reply err = SMTP_REPLY_INIT;
	struct smtp_mail_params mp;
	struct smtp_rcpt_params rp;
	struct smtp_path p;
	bool good;

	if (!smtp_cmd_split_path(cmd, &p, &err)) {
		if (err.code < 500)
			abort();
		smtp_reply_free(&err);
		return;
	}
	inside(p.addr, line, len);
	inside(p.params, line, len);
	if (p.addr.len == 0)
		abort();
	if (cmd->verb == SMTP_VERB_MAIL) {
		good = smtp_mail_params_parse(p.params, &opts, &mp, &err);
		if (good && opts.max_size && mp.has_size && mp.size > opts.max_size)
			abort();
		smtp_mail_params_free(&mp);
	} else {
		good = smtp_rcpt_params_parse(p.params, &opts, &rp, &err);
		if (good && (rp.notify & SMTP_NOTIFY_NEVER) && rp.notify != SMTP_NOTIFY_NEVER)
			abort();
		smtp_rcpt_params_free(&rp);
	}
	if (!good && err.code < 500)
		abort();
	smtp_reply_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_cmd cmd;
	struct smtp_reply err = SMTP_REPLY_INIT;
	struct pt_buf b = PT_BUF_INIT, d = PT_BUF_INIT;
	const char *line = (const char *)data;
	unsigned flags = size > 0 ? data[0] : 0;

	smtp_cmd_parse(line, size, &cmd);
	inside(cmd.line, line, size);
	inside(cmd.word, line, size);
	inside(cmd.arg, line, size);
	smtp_cmd_echo(&cmd, &b);
	{
		/* The echo in a formatted reply can never split it. */
		struct pt_buf w = PT_BUF_INIT;
		char *crlf;

		smtp_reply_set(&err, 500, "5.5.1", "Command unrecognized: \"%s\"", pt_buf_str(&b));
		smtp_reply_format(&err, &w);
		crlf = strstr(w.s, "\r\n");
		if (crlf == NULL || crlf + 2 != w.s + w.len || memchr(w.s, '\n', w.len - 1) != NULL)
			abort();
		pt_buf_free(&w);
	}
	if (cmd.verb == SMTP_VERB_HELO || cmd.verb == SMTP_VERB_EHLO)
		smtp_cmd_check_helo(&cmd, &err);
	/* Every line is also tried as MAIL and as RCPT, so the splitter sees all inputs. */
	cmd.verb = SMTP_VERB_MAIL;
	path(&cmd, line, size, flags);
	cmd.verb = SMTP_VERB_RCPT;
	path(&cmd, line, size, flags);
	pt_buf_reset(&b);
	smtp_xtext_encode(line, size, &b);
	if (!smtp_xtext_valid(b.s ? b.s : "", b.len) || !smtp_xtext_decode(b.s ? b.s : "", b.len, &d) ||
	    d.len != size || (size > 0 && memcmp(d.s, data, size) != 0))
		abort();
	pt_buf_reset(&d);
	smtp_xtext_decode(line, size, &d);
	smtp_reply_free(&err);
	pt_buf_free(&b);
	pt_buf_free(&d);
	return 0;
}
