/*
 * smtp_probe: answers what Petrel's SMTP parsing layer makes of input, so
 * that tests/compat/smtp_proto.t can put it beside upstream's replies.
 *
 *   smtp_probe cmd              each line of stdin is a command; prints one
 *                               line per command: "ok" (the layer accepts it;
 *                               the rest is the server's and the rulesets'
 *                               business) or the reply "CODE STATUS TEXT"
 *   smtp_probe data [FEATURES] [nul]
 *                               stdin is what follows DATA; prints "ok" and
 *                               then the body and header lines in Python
 *                               repr-like hex, or the reply; FEATURES are
 *                               srv_features letters (G, g2, U, u2, O)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtp_cmd.h"
#include "smtp_data.h"
#include "smtp_param.h"

/* Prints the answer of the parsing layer for one command line. */
static void
one_command(const char *line, size_t len)
{
	struct smtp_param_opts opts = { true, false, 0, 0 };
	struct smtp_reply err = SMTP_REPLY_INIT;
	struct pt_buf out = PT_BUF_INIT;
	struct smtp_mail_params mp;
	struct smtp_rcpt_params rp;
	struct smtp_path path;
	struct smtp_cmd cmd;
	bool good = true;

	smtp_cmd_parse(line, len, &cmd);
	if (cmd.verb == SMTP_VERB_UNKNOWN) {
		smtp_cmd_echo(&cmd, &out);
		printf("500 5.5.1 Command unrecognized: \"%s\"\n", pt_buf_str(&out));
		pt_buf_free(&out);
		return;
	}
	if (cmd.verb == SMTP_VERB_HELO || cmd.verb == SMTP_VERB_EHLO)
		good = smtp_cmd_check_helo(&cmd, &err);
	else if (cmd.verb == SMTP_VERB_MAIL || cmd.verb == SMTP_VERB_RCPT) {
		good = smtp_cmd_split_path(&cmd, &path, &err);
		if (good && cmd.verb == SMTP_VERB_MAIL) {
			good = smtp_mail_params_parse(path.params, &opts, &mp, &err);
			smtp_mail_params_free(&mp);
		} else if (good) {
			good = smtp_rcpt_params_parse(path.params, &opts, &rp, &err);
			smtp_rcpt_params_free(&rp);
		}
	}
	if (good)
		printf("ok\n");
	else {
		smtp_reply_summary(&err, &out);
		printf("%s\n", pt_buf_str(&out));
	}
	smtp_reply_free(&err);
	pt_buf_free(&out);
}

/* The probe's sink: collects body bytes as upstream's df holds them. */
static int
collect(void *ctx, enum smtp_data_part part, const char *p, size_t len, bool more)
{
	if (part != SMTP_DATA_BODY)
		return 0;
	pt_buf_add(ctx, p, len);
	if (!more)
		pt_buf_addc(ctx, '\n');
	return 0;
}

/* Reads one message from stdin under the given features and prints the outcome. */
static int
one_message(int argc, char **argv)
{
	struct smtp_data_opts o = { 0 };
	struct smtp_data_result res = { 0 };
	struct pt_buf body = PT_BUF_INIT, out = PT_BUF_INIT;
	struct smtp_data_sink sink = { collect, &body };
	struct smtp_io *io = smtp_io_new(0, 1);
	bool big_g = false, big_o = false;
	int i;
	size_t k;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "nul") == 0)
			o.reject_nul = true;
		else if (strcmp(argv[i], "G") == 0)
			big_g = true;
		else if (strcmp(argv[i], "g2") == 0)
			o.bare_lf = SMTP_BARE_LF_SPACE;
		else if (strcmp(argv[i], "U") == 0)
			o.bare_cr = SMTP_BARE_CR_KEEP;
		else if (strcmp(argv[i], "u2") == 0)
			o.bare_cr = SMTP_BARE_CR_SPACE;
		else if (strcmp(argv[i], "O") == 0)
			big_o = true;
	}
	if (big_g)
		o.bare_lf = big_o ? SMTP_BARE_LF_EOL : SMTP_BARE_LF_KEEP;
	smtp_io_set_timeout(io, 5000);
	smtp_data_read(io, &o, &sink, &res);
	if (res.status == SMTP_DATA_OK) {
		printf("ok ");
		for (k = 0; k < body.len; k++)
			printf("%02x", (unsigned char)body.s[k]);
		printf("\n");
	} else if (res.status == SMTP_DATA_REJECT || res.status == SMTP_DATA_ABORT) {
		smtp_reply_summary(&res.reply, &out);
		printf("%s\n", pt_buf_str(&out));
	} else
		printf("io %s\n", smtp_io_status_name(res.io));
	smtp_reply_free(&res.reply);
	pt_buf_free(&body);
	pt_buf_free(&out);
	smtp_io_free(io);
	return 0;
}

int
main(int argc, char **argv)
{
	struct pt_buf line = PT_BUF_INIT;
	struct smtp_io *io;

	if (argc >= 2 && strcmp(argv[1], "data") == 0)
		return one_message(argc - 2, argv + 2);
	if (argc != 2 || strcmp(argv[1], "cmd") != 0) {
		fprintf(stderr, "usage: smtp_probe cmd | data [FEATURES] [nul]\n");
		return 2;
	}
	io = smtp_io_new(0, 1);
	while (smtp_io_getline(io, &line, SMTP_CMD_MAXLINE, NULL) == SMTP_IO_OK) {
		one_command(line.s != NULL ? line.s : "", line.len);
		fflush(stdout);
	}
	pt_buf_free(&line);
	smtp_io_free(io);
	return 0;
}
