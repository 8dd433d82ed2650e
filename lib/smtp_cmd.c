/*
 * smtp_cmd: the verb table, the cutting of command lines, the HELO argument
 * check and the cutting of MAIL and RCPT arguments into address and
 * parameters.
 *
 * Owns nothing: every result is a slice of the caller's line or a reply
 * value.  Pure functions over bytes from the network: no I/O, no logging, no
 * exits.  Runs in the SMTP server process, which holds no privileges it does
 * not need.
 */
#include "config.h"

#include <string.h>

#include "smtp_cmd.h"

/* The command table, in the order of enum smtp_verb. */
static const struct smtp_verb_info verbs[SMTP_VERB_COUNT] = {
	[SMTP_VERB_UNKNOWN] = { "", SMTP_VERB_UNKNOWN, 0 },
	[SMTP_VERB_HELO] = { "HELO", SMTP_VERB_HELO, 0 },
	[SMTP_VERB_EHLO] = { "EHLO", SMTP_VERB_EHLO, 0 },
	[SMTP_VERB_MAIL] = { "MAIL", SMTP_VERB_MAIL, SMTP_VF_TRANS },
	[SMTP_VERB_RCPT] = { "RCPT", SMTP_VERB_RCPT, SMTP_VF_TRANS },
	[SMTP_VERB_DATA] = { "DATA", SMTP_VERB_DATA, SMTP_VF_TRANS },
	[SMTP_VERB_RSET] = { "RSET", SMTP_VERB_RSET, 0 },
	[SMTP_VERB_NOOP] = { "NOOP", SMTP_VERB_NOOP, 0 },
	[SMTP_VERB_QUIT] = { "QUIT", SMTP_VERB_QUIT, 0 },
	[SMTP_VERB_VRFY] = { "VRFY", SMTP_VERB_VRFY, 0 },
	[SMTP_VERB_EXPN] = { "EXPN", SMTP_VERB_EXPN, 0 },
	[SMTP_VERB_HELP] = { "HELP", SMTP_VERB_HELP, 0 },
	[SMTP_VERB_ETRN] = { "ETRN", SMTP_VERB_ETRN, 0 },
	[SMTP_VERB_VERB] = { "VERB", SMTP_VERB_VERB, 0 },
	[SMTP_VERB_STARTTLS] = { "STARTTLS", SMTP_VERB_STARTTLS, SMTP_VF_NOARG },
	[SMTP_VERB_AUTH] = { "AUTH", SMTP_VERB_AUTH, 0 },
	[SMTP_VERB_ONEX] = { "ONEX", SMTP_VERB_ONEX, 0 },
	[SMTP_VERB_XUSR] = { "XUSR", SMTP_VERB_XUSR, 0 },
	[SMTP_VERB_GET] = { "GET", SMTP_VERB_GET, SMTP_VF_HTTP },
	[SMTP_VERB_POST] = { "POST", SMTP_VERB_POST, SMTP_VF_HTTP },
	[SMTP_VERB_CONNECT] = { "CONNECT", SMTP_VERB_CONNECT, SMTP_VF_HTTP },
	[SMTP_VERB_USER] = { "USER", SMTP_VERB_USER, SMTP_VF_HTTP },
};

/* True for the blanks that separate words of a command (isspace in the C locale). */
static bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

const struct smtp_verb_info *
smtp_verb_find(const char *name, size_t len)
{
	int v;

	for (v = 1; v < SMTP_VERB_COUNT; v++)
		if (strlen(verbs[v].name) == len && pt_strncasecmp(name, verbs[v].name, len) == 0)
			return &verbs[v];
	return NULL;
}

const struct smtp_verb_info *
smtp_verb_info(enum smtp_verb verb)
{
	return (unsigned)verb < SMTP_VERB_COUNT ? &verbs[verb] : &verbs[0];
}

void
smtp_cmd_parse(const char *line, size_t len, struct smtp_cmd *cmd)
{
	const char *nul = memchr(line, '\0', len);
	size_t i = 0, w;

	memset(cmd, 0, sizeof *cmd);
	if (nul != NULL)
		len = (size_t)(nul - line);
	while (i < len && is_blank((unsigned char)line[i]))
		i++;
	while (len > i && is_blank((unsigned char)line[len - 1]))
		len--;
	cmd->line.p = line + i;
	cmd->line.len = len - i;
	if (i == len) {		/* blanks only: upstream echoes them */
		cmd->line.p = line;
		cmd->line.len = len;
	}
	w = i;
	while (w < len && !is_blank((unsigned char)line[w]))
		w++;
	cmd->word.p = line + i;
	cmd->word.len = w - i;
	while (w < len && is_blank((unsigned char)line[w]))
		w++;
	cmd->arg.p = line + w;
	cmd->arg.len = len - w;
	cmd->info = smtp_verb_find(cmd->word.p, cmd->word.len);
	cmd->verb = cmd->info != NULL ? cmd->info->verb : SMTP_VERB_UNKNOWN;
}

/* Appends a cleaned, shortened copy of s[0..len) to out, as upstream echoes input. */
static void
echo_slice(struct pt_buf *out, const char *s, size_t len)
{
	struct pt_buf clean = PT_BUF_INIT;

	smtp_echo_clean(&clean, s, len);
	smtp_echo_short(out, pt_buf_str(&clean), SMTP_SHORTSTR);
	pt_buf_free(&clean);
}

void
smtp_cmd_echo(const struct smtp_cmd *cmd, struct pt_buf *out)
{
	echo_slice(out, cmd->line.p, cmd->line.len);
}

bool
smtp_cmd_check_helo(const struct smtp_cmd *cmd, struct smtp_reply *err)
{
	size_t i;

	if (cmd->arg.len == 0) {
		smtp_reply_set(err, 501, "5.0.0", "%s requires domain address",
		    cmd->info != NULL ? cmd->info->name : "HELO");
		return false;
	}
	if (cmd->arg.len > SMTP_HELO_MAXLEN) {
		smtp_reply_set(err, 501, "5.0.0", "Invalid domain name");
		return false;
	}
	for (i = 0; i < cmd->arg.len; i++) {
		unsigned char c = (unsigned char)cmd->arg.p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		if (strchr("#-.:[]_", c) == NULL || c == '\0') {
			smtp_reply_set(err, 501, "5.0.0", "Invalid domain name");
			return false;
		}
	}
	return true;
}

/* Sets err to upstream's reply for a MAIL/RCPT argument it cannot scan. */
static bool
scan_error(struct smtp_reply *err, struct pt_slice arg)
{
	struct pt_buf b = PT_BUF_INIT;
	const char *colon = memchr(arg.p, ':', arg.len);
	size_t n = colon != NULL ? (size_t)(colon - arg.p) : arg.len;

	if (colon == NULL)	/* no colon: upstream names the first word */
		for (size_t i = 0; i < n; i++)
			if (arg.p[i] == ' ' || arg.p[i] == '\t') {
				n = i;
				break;
			}
	echo_slice(&b, arg.p, n);
	smtp_reply_set(err, 501, "5.5.2", "Syntax error in parameters scanning \"%s\"",
	    pt_buf_str(&b));
	pt_buf_free(&b);
	return false;
}

/* Sets err to upstream's reply for an unbalanced character c in the address. */
static bool
unbalanced(struct smtp_reply *err, const char *p, size_t len, char c)
{
	struct pt_buf b = PT_BUF_INIT;

	echo_slice(&b, p, len);
	smtp_reply_set(err, 553, "5.0.0", "%s... Unbalanced '%c'", pt_buf_str(&b), c);
	pt_buf_free(&b);
	return false;
}

/* The nesting state of the address scanner. */
struct scan {
	bool quoted;		/* inside "..." */
	int comment;		/* depth of (...) */
	int angle;		/* depth of <...> */
	bool escaped;		/* the previous byte was a backslash */
};

/*
 * Feeds one byte to the scanner.  Returns 0 to go on, 1 when the byte is a
 * blank that ends the address, or the character that is unbalanced.
 */
static int
scan_byte(struct scan *s, unsigned char c)
{
	if (s->escaped) {
		s->escaped = false;
		return 0;
	}
	if (c == '\\') {
		s->escaped = true;
		return 0;
	}
	if (s->quoted) {
		s->quoted = c != '"';
		return 0;
	}
	if (s->comment > 0) {
		s->comment += c == '(' ? 1 : c == ')' ? -1 : 0;
		return 0;
	}
	switch (c) {
	case '"': s->quoted = true; return 0;
	case '(': s->comment = 1; return 0;
	case ')': return ')';
	case '<': s->angle++; return 0;
	case '>': return s->angle-- > 0 ? 0 : '>';
	case ' ': case '\t': return s->angle > 0 ? 0 : 1;
	default: return 0;
	}
}

/* Finds the end of the address that starts p[0..len); false with err on imbalance. */
static bool
scan_address(const char *p, size_t len, size_t *end, struct smtp_reply *err)
{
	struct scan s = { false, 0, 0, false };
	size_t i;
	int r;

	for (i = 0; i < len; i++) {
		r = scan_byte(&s, (unsigned char)p[i]);
		if (r == 1)
			break;
		if (r != 0)
			return unbalanced(err, p, len, (char)r);
	}
	if (s.quoted)
		return unbalanced(err, p, len, '"');
	if (s.comment > 0)
		return unbalanced(err, p, len, '(');
	if (s.angle > 0)
		return unbalanced(err, p, len, '<');
	*end = i;
	return true;
}

bool
smtp_cmd_split_path(const struct smtp_cmd *cmd, struct smtp_path *path, struct smtp_reply *err)
{
	const char *kw = cmd->verb == SMTP_VERB_RCPT ? "TO" : "FROM";
	size_t klen = strlen(kw), i, end = 0;
	struct pt_slice arg = cmd->arg;

	memset(path, 0, sizeof *path);
	if (arg.len < klen || pt_strncasecmp(arg.p, kw, klen) != 0)
		return scan_error(err, arg);
	i = klen;
	while (i < arg.len && is_blank((unsigned char)arg.p[i]))
		i++;
	if (i >= arg.len || arg.p[i] != ':')
		return scan_error(err, arg);
	i++;
	while (i < arg.len && is_blank((unsigned char)arg.p[i]))
		i++;
	if (i >= arg.len)
		return scan_error(err, arg);
	if (!scan_address(arg.p + i, arg.len - i, &end, err))
		return false;
	path->addr.p = arg.p + i;
	path->addr.len = end;
	i += end;
	while (i < arg.len && is_blank((unsigned char)arg.p[i]))
		i++;
	path->params.p = arg.p + i;
	path->params.len = arg.len - i;
	return true;
}
