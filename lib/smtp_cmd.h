/*
 * smtp_cmd: the SMTP command line parser of the server.
 *
 * A command line (as smtp_io_getline returns it, without its line end) is
 * cut into a verb, looked up in one table, and an argument.  For MAIL and
 * RCPT the argument is further cut into the "FROM:" / "TO:" keyword, the
 * address and the ESMTP parameters (smtp_param.h parses those), with the
 * leniency and the refusals of sendmail 8.17 (found by experiment with
 * Debian's 8.17.1.9):
 *
 *   MAIL FROM:<a@b>          the address is "<a@b>"
 *   MAIL FROM: <a@b>         blanks after the colon are skipped
 *   MAIL FROM :<a@b>         blanks before the colon too
 *   MAIL FROM:a@b SIZE=1     no angle brackets: the address ends at a blank
 *   MAIL FROM:<a b@c>        a blank inside <>, "" or () does not end it
 *   MAIL FROM:<a@b>SIZE=1    nor does anything else: the address is "<a@b>SIZE=1"
 *   MAIL FROM:<a@b           553 5.0.0 <a@b... Unbalanced '<'   (also '>', '(', ')', '"')
 *   MAIL FRM:<a@b>           501 5.5.2 Syntax error in parameters scanning "FRM"
 *   MAIL FROM:               501 5.5.2 Syntax error in parameters scanning "FROM"
 *
 * The address itself (its syntax, length, routing) is the address parser's
 * and the rulesets' business: this module only finds where it is.
 *
 * Slices returned here point into the caller's line and live as long as it.
 */
#ifndef SMTP_CMD_H
#define SMTP_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "pt_str.h"
#include "smtp_reply.h"

/* sendmail's command buffer: a command line holds at most this many bytes before its LF. */
#define SMTP_CMD_MAXLINE 2047
/* The longest HELO/EHLO argument upstream takes (one more is "Invalid domain name"). */
#define SMTP_HELO_MAXLEN 256

/* The verbs of the command table. */
enum smtp_verb {
	SMTP_VERB_UNKNOWN = 0,
	SMTP_VERB_HELO,
	SMTP_VERB_EHLO,
	SMTP_VERB_MAIL,
	SMTP_VERB_RCPT,
	SMTP_VERB_DATA,
	SMTP_VERB_RSET,
	SMTP_VERB_NOOP,
	SMTP_VERB_QUIT,
	SMTP_VERB_VRFY,
	SMTP_VERB_EXPN,
	SMTP_VERB_HELP,
	SMTP_VERB_ETRN,
	SMTP_VERB_VERB,
	SMTP_VERB_STARTTLS,
	SMTP_VERB_AUTH,
	SMTP_VERB_ONEX,
	SMTP_VERB_XUSR,
	SMTP_VERB_GET,		/* HTTP and proxy verbs: upstream drops the connection */
	SMTP_VERB_POST,
	SMTP_VERB_CONNECT,
	SMTP_VERB_USER,
	SMTP_VERB_COUNT
};

/* Properties of a verb (a mask). */
enum smtp_verb_flag {
	SMTP_VF_HTTP = 1u << 0,		/* a web or proxy command sent to the mail port */
	SMTP_VF_NOARG = 1u << 1,	/* takes no argument (STARTTLS: 501 if given one) */
	SMTP_VF_TRANS = 1u << 2,	/* part of a mail transaction (MAIL, RCPT, DATA) */
};

/* One row of the command table. */
struct smtp_verb_info {
	const char *name;	/* upper case, as written in replies and logs */
	enum smtp_verb verb;
	unsigned flags;		/* enum smtp_verb_flag */
};

/* One parsed command line. */
struct smtp_cmd {
	enum smtp_verb verb;		/* SMTP_VERB_UNKNOWN if not in the table */
	const struct smtp_verb_info *info; /* the table row, or NULL */
	struct pt_slice line;		/* the line up to its first NUL, trailing blanks removed */
	struct pt_slice word;		/* the verb as sent */
	struct pt_slice arg;		/* the argument, blanks around it removed; may be empty */
};

/* Looks a verb up by name, ignoring case; NULL if unknown. */
const struct smtp_verb_info *smtp_verb_find(const char *name, size_t len);
/* The table row of a verb (never NULL for a verb of the enum). */
const struct smtp_verb_info *smtp_verb_info(enum smtp_verb verb);

/*
 * Cuts line[0..len) into cmd.  As upstream does, the line ends at its first
 * NUL; blanks (space, tab, CR, VT, FF) around the verb and the argument are
 * dropped.  Never fails: an empty line or unknown verb is SMTP_VERB_UNKNOWN.
 */
void smtp_cmd_parse(const char *line, size_t len, struct smtp_cmd *cmd);

/*
 * The text upstream echoes for an unrecognized command (cleaned by
 * smtp_echo_clean and shortened) appended to out; the server wraps it as
 * 500 5.5.1 Command unrecognized: "TEXT".
 */
void smtp_cmd_echo(const struct smtp_cmd *cmd, struct pt_buf *out);

/*
 * Checks the argument of HELO or EHLO as upstream does: present
 * ("501 5.0.0 EHLO requires domain address" otherwise) and made only of
 * letters, digits and "#-.:[]_" ("501 5.0.0 Invalid domain name").  Returns
 * true, or false with the reply in err.
 */
bool smtp_cmd_check_helo(const struct smtp_cmd *cmd, struct smtp_reply *err);

/* Where the address and the parameters of a MAIL or RCPT argument are. */
struct smtp_path {
	struct pt_slice addr;		/* the address as sent, with its <> if any */
	struct pt_slice params;		/* the ESMTP parameters after it; may be empty */
};

/*
 * Cuts the argument of a MAIL (keyword "FROM") or RCPT ("TO") command into
 * the address and the parameters (see the table at the top).  Returns true,
 * or false with upstream's reply in err (501 5.5.2 when the keyword or the
 * address is missing, 553 5.0.0 for unbalanced brackets, quotes or
 * parentheses).
 */
bool smtp_cmd_split_path(const struct smtp_cmd *cmd, struct smtp_path *path,
    struct smtp_reply *err);

#endif
