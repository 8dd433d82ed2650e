/*
 * milter_session: one filter's conversation for one SMTP session: option
 * negotiation, the macros and command of each stage, the no-send and
 * no-reply bits, replies and end-of-message modifications as values.
 *
 * Owns the filter's connection (closed by milter_free) and the results it
 * fills.  A filter that breaks the protocol, goes silent past its timeouts
 * or closes its socket is marked dead and reported as MILTER_FAILED once;
 * the server then applies the F= flag and never calls it again.  Never
 * exits; never logs (results carry the reasons).  Runs in the SMTP server
 * process of one connection.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "milter_int.h"
#include "pt_alloc.h"
#include "pt_str.h"

/* What we offer a filter: every action and every protocol bit of version 6. */
#define OFFER_ACTIONS ((uint32_t)SMFI_CURR_ACTS)
#define OFFER_PROTOCOL ((uint32_t)SMFI_CURR_PROT)

/* The command and macro letters and the bits of each stage, one row per command. */
struct stage_row {
	char cmd;		/* the command letter */
	int stage;		/* macros stage (enum milter_stage), or -1 */
	uint32_t nosend;	/* SMFIP_NO* bit, or 0 */
	uint32_t noreply;	/* SMFIP_NR_* bit, or 0 */
	bool in_msg;		/* a command within a message */
};

static const struct stage_row rows[] = {
	{ SMFIC_CONNECT, MILTER_STAGE_CONNECT, SMFIP_NOCONNECT, SMFIP_NR_CONN, false },
	{ SMFIC_HELO, MILTER_STAGE_HELO, SMFIP_NOHELO, SMFIP_NR_HELO, false },
	{ SMFIC_MAIL, MILTER_STAGE_ENVFROM, SMFIP_NOMAIL, SMFIP_NR_MAIL, true },
	{ SMFIC_RCPT, MILTER_STAGE_ENVRCPT, SMFIP_NORCPT, SMFIP_NR_RCPT, true },
	{ SMFIC_DATA, MILTER_STAGE_DATA, SMFIP_NODATA, SMFIP_NR_DATA, true },
	{ SMFIC_HEADER, -1, SMFIP_NOHDRS, SMFIP_NR_HDR, true },
	{ SMFIC_EOH, MILTER_STAGE_EOH, SMFIP_NOEOH, SMFIP_NR_EOH, true },
	{ SMFIC_BODY, -1, SMFIP_NOBODY, SMFIP_NR_BODY, true },
	{ SMFIC_BODYEOB, MILTER_STAGE_EOM, 0, 0, true },
	{ SMFIC_UNKNOWN, -1, SMFIP_NOUNKNOWN, SMFIP_NR_UNKN, false },
};

/* The row of a command letter. */
static const struct stage_row *
row_of(char cmd)
{
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].cmd == cmd)
			return &rows[i];
	return NULL;
}

void
milter_result_reset(struct milter_result *res)
{
	size_t i;

	for (i = 0; i < res->nmods; i++) {
		free(res->mods[i].name);
		free(res->mods[i].value);
		free(res->mods[i].args);
	}
	free(res->mods);
	res->mods = NULL;
	res->nmods = 0;
	res->action = MILTER_CONTINUE;
	smtp_reply_free(&res->reply);
	pt_buf_reset(&res->err);
}

/* Marks the filter broken and fills res. */
static enum milter_action
fail(struct milter *m, struct milter_result *res)
{
	m->state = MS_DEAD;
	res->action = MILTER_FAILED;
	if (res->err.len == 0)
		pt_buf_printf(&res->err, "Milter (%s): to error state", m->name);
	return MILTER_FAILED;
}

int
milter_negotiate(struct milter *m, struct pt_buf *err)
{
	struct pt_buf b = PT_BUF_INIT;
	const char *p, *end;
	char cmd;
	uint32_t st;

	milter_put32(&b, SMFI_PROT_VERSION);
	milter_put32(&b, OFFER_ACTIONS);
	milter_put32(&b, OFFER_PROTOCOL);
	if (!milter_write_packet(m, SMFIC_OPTNEG, b.s, b.len, err) ||
	    !milter_read_packet(m, &cmd, &b, err))
		goto bad;
	if (cmd != SMFIC_OPTNEG || b.len < MILTER_OPTLEN) {
		pt_buf_printf(err, "Milter (%s): negotiate: returned %c instead of %c", m->name, cmd,
		    SMFIC_OPTNEG);
		goto bad;
	}
	m->version = milter_get32(b.s);
	m->actions = milter_get32(b.s + 4);
	m->protocol = milter_get32(b.s + 8);
	if (m->version < 2 || m->version > SMFI_PROT_VERSION) {
		pt_buf_printf(err, "Milter (%s): negotiate: version %u unsupported", m->name, m->version);
		goto bad;
	}
	if ((m->actions & ~OFFER_ACTIONS) || (m->protocol & ~OFFER_PROTOCOL)) {
		pt_buf_printf(err, "Milter (%s): negotiate: filter abilities 0x%x/0x%x not offered",
		    m->name, m->actions, m->protocol);
		goto bad;
	}
	/* Macro lists the filter asks for: stage(4) list s0, repeated. */
	for (p = b.s + MILTER_OPTLEN, end = b.s + b.len; end - p >= 5; p = memchr(p, '\0', (size_t)(end - p)) + 1) {
		st = milter_get32(p);
		p += 4;
		if (memchr(p, '\0', (size_t)(end - p)) == NULL || st >= MILTER_STAGE_COUNT) {
			pt_buf_printf(err, "Milter (%s): negotiate: bad macro list", m->name);
			goto bad;
		}
		free(m->symlist[st]);
		m->symlist[st] = pt_strdup(p);
	}
	pt_buf_free(&b);
	m->state = MS_READY;
	return 0;
bad:
	pt_buf_free(&b);
	m->state = MS_DEAD;
	return -1;
}

/* Sends the macros of a stage (a 'D' packet), if there are any. */
static bool
send_macros(struct milter *m, char cmd, const struct milter_macro *mac, size_t n,
    struct pt_buf *err)
{
	struct pt_buf b = PT_BUF_INIT;
	size_t i;
	bool ok;

	if (n == 0)
		return true;
	pt_buf_addc(&b, cmd);
	for (i = 0; i < n; i++) {
		if (mac[i].value == NULL)
			continue;
		pt_buf_add(&b, mac[i].name, strlen(mac[i].name) + 1);
		pt_buf_add(&b, mac[i].value, strlen(mac[i].value) + 1);
	}
	ok = milter_write_packet(m, SMFIC_MACRO, b.s, b.len, err);
	pt_buf_free(&b);
	return ok;
}

/* Appends a modification to res. */
static struct milter_mod *
add_mod(struct milter_result *res, enum milter_mod_kind kind)
{
	struct milter_mod *mod;

	res->mods = pt_reallocarray(res->mods, res->nmods + 1, sizeof *res->mods);
	mod = &res->mods[res->nmods++];
	memset(mod, 0, sizeof *mod);
	mod->kind = kind;
	return mod;
}

/* The modifications: reply letter, kind, the action bit that allows it, and its shape. */
static const struct {
	char cmd;
	enum milter_mod_kind kind;
	uint32_t action;
	int shape;	/* 0: one string, 1: two strings, 2: index and two strings, 3: bytes, 4: one or two */
} mod_rows[] = {
	{ SMFIR_ADDHEADER, MILTER_MOD_ADDHEADER, SMFIF_ADDHDRS, 1 },
	{ SMFIR_INSHEADER, MILTER_MOD_INSHEADER, SMFIF_ADDHDRS, 2 },
	{ SMFIR_CHGHEADER, MILTER_MOD_CHGHEADER, SMFIF_CHGHDRS, 2 },
	{ SMFIR_ADDRCPT, MILTER_MOD_ADDRCPT, SMFIF_ADDRCPT, 0 },
	{ SMFIR_ADDRCPT_PAR, MILTER_MOD_ADDRCPT_PAR, SMFIF_ADDRCPT_PAR, 4 },
	{ SMFIR_DELRCPT, MILTER_MOD_DELRCPT, SMFIF_DELRCPT, 0 },
	{ SMFIR_CHGFROM, MILTER_MOD_CHGFROM, SMFIF_CHGFROM, 4 },
	{ SMFIR_REPLBODY, MILTER_MOD_REPLBODY, SMFIF_CHGBODY, 3 },
	{ SMFIR_QUARANTINE, MILTER_MOD_QUARANTINE, SMFIF_QUARANTINE, 0 },
};

/* Decodes one modification packet into res; false on a malformed one. */
static bool
decode_mod(struct milter *m, size_t row, const struct pt_buf *d, struct milter_result *res)
{
	const char *s[2];
	struct milter_mod *mod;
	int n, shape = mod_rows[row].shape;
	size_t off = shape == 2 ? 4 : 0;
	const char *base = d->s != NULL ? d->s : "";

	if (shape == 2 && d->len < 4)
		return false;
	if (shape == 3) {
		mod = add_mod(res, mod_rows[row].kind);
		mod->value = pt_memdup0(base, d->len);
		mod->len = d->len;
	} else {
		n = milter_strings(base + off, d->len - off, s, 2);
		if (n < 1 || ((shape == 1 || shape == 2) && n < 2))
			return false;
		mod = add_mod(res, mod_rows[row].kind);
		if (shape == 2)
			mod->index = milter_get32(base);
		if (shape == 1 || shape == 2) {
			mod->name = pt_strdup(s[0]);
			mod->value = pt_strdup(s[1]);
		} else {
			mod->value = pt_strdup(s[0]);
			if (shape == 4 && n > 1)
				mod->args = pt_strdup(s[1]);
		}
		mod->len = strlen(mod->value);
	}
	mod->lied = !(m->actions & mod_rows[row].action);
	return true;
}

/* Parses a 'y' reply ("550 5.7.1 text", lines joined by CR LF) into res->reply. */
static bool
decode_replycode(const struct pt_buf *d, struct milter_result *res)
{
	const char *p = d->s, *end, *crlf;
	enum smtp_reply_feed f = SMTP_REPLY_MORE;

	if (d->len == 0 || p[d->len - 1] != '\0')
		return false;
	end = p + strlen(p);
	smtp_reply_reset(&res->reply);
	while (p < end && f == SMTP_REPLY_MORE) {
		crlf = strstr(p, "\r\n");
		f = smtp_reply_feed(&res->reply, p, (size_t)((crlf != NULL ? crlf : end) - p));
		p = crlf != NULL ? crlf + 2 : end;
	}
	return f == SMTP_REPLY_DONE && p >= end &&
	    (res->reply.code / 100 == 4 || res->reply.code / 100 == 5);
}

/* The final answers, by letter. */
static const struct {
	char cmd;
	enum milter_action action;
} answers[] = {
	{ SMFIR_ACCEPT, MILTER_ACCEPT }, { SMFIR_CONTINUE, MILTER_CONTINUE },
	{ SMFIR_DISCARD, MILTER_DISCARD }, { SMFIR_REJECT, MILTER_REJECT },
	{ SMFIR_TEMPFAIL, MILTER_TEMPFAIL }, { SMFIR_REPLYCODE, MILTER_REPLY },
	{ SMFIR_SKIP, MILTER_SKIP }, { SMFIR_CONN_FAIL, MILTER_CONN_FAIL },
	{ SMFIR_SHUTDOWN, MILTER_SHUTDOWN },
};

/* Reads replies until a final one; modifications only at end of message. */
static enum milter_action
read_answer(struct milter *m, char sent, struct milter_result *res)
{
	struct pt_buf d = PT_BUF_INIT;
	size_t i;
	char cmd;

	for (;;) {
		if (!milter_read_packet(m, &cmd, &d, &res->err))
			break;
		if (cmd == SMFIR_PROGRESS)
			continue;
		for (i = 0; sent == SMFIC_BODYEOB && i < sizeof mod_rows / sizeof mod_rows[0]; i++)
			if (mod_rows[i].cmd == cmd)
				break;
		if (sent == SMFIC_BODYEOB && i < sizeof mod_rows / sizeof mod_rows[0]) {
			if (!decode_mod(m, i, &d, res))
				goto bogus;
			continue;
		}
		for (i = 0; i < sizeof answers / sizeof answers[0] && answers[i].cmd != cmd; i++)
			;
		if (i == sizeof answers / sizeof answers[0] ||
		    (answers[i].action == MILTER_SKIP && sent != SMFIC_BODY) ||
		    (answers[i].action == MILTER_REPLY && !decode_replycode(&d, res)))
			goto bogus;
		res->action = answers[i].action;
		pt_buf_free(&d);
		return res->action;
	}
	pt_buf_free(&d);
	return fail(m, res);
bogus:
	pt_buf_printf(&res->err, "Milter (%s): milter_send_command: returned bogus response %c",
	    m->name, cmd);
	pt_buf_free(&d);
	return fail(m, res);
}

/* Moves the filter's state on after a final answer to a command. */
static void
after_answer(struct milter *m, const struct stage_row *row, enum milter_action a)
{
	bool conn = row->cmd == SMFIC_CONNECT || row->cmd == SMFIC_HELO;

	switch (a) {
	case MILTER_ACCEPT:
		m->state = conn ? MS_CONN_DONE : MS_MSG_DONE;
		break;
	case MILTER_REJECT: case MILTER_TEMPFAIL: case MILTER_REPLY:
		if (row->cmd == SMFIC_CONNECT)
			m->state = MS_CONN_DONE;
		else if (row->in_msg && row->cmd != SMFIC_RCPT)
			m->state = MS_MSG_DONE;
		break;
	case MILTER_DISCARD:
		if (row->in_msg)
			m->state = MS_MSG_DONE;
		break;
	case MILTER_SKIP:
		m->skip_body = true;
		break;
	case MILTER_CONN_FAIL: case MILTER_SHUTDOWN:
		m->state = MS_CONN_DONE;
		break;
	default:
		break;
	}
}

/* Sends one command with its macros and reads the answer, honouring the negotiated bits. */
static enum milter_action
command(struct milter *m, char cmd, const struct milter_macro *mac, size_t nmac,
    const void *data, size_t len, struct milter_result *res)
{
	const struct stage_row *row = row_of(cmd);
	enum milter_action a;

	milter_result_reset(res);
	res->action = MILTER_NOREPLY;
	if (m->state != MS_READY && !(m->state == MS_MSG_DONE && !row->in_msg))
		return MILTER_NOREPLY;
	if (row->nosend & m->protocol)
		return MILTER_NOREPLY;
	if (cmd == SMFIC_MAIL)
		m->in_msg = true;
	if (!send_macros(m, cmd, mac, nmac, &res->err) ||
	    !milter_write_packet(m, cmd, data, len, &res->err))
		return fail(m, res);
	if (row->noreply & m->protocol)
		return MILTER_NOREPLY;
	a = read_answer(m, cmd, res);
	if (a != MILTER_FAILED)
		after_answer(m, row, a);
	return a;
}

/* Builds a packet of NUL-terminated strings. */
static void
put_strings(struct pt_buf *b, const char *const *argv, size_t argc)
{
	size_t i;

	for (i = 0; i < argc; i++)
		pt_buf_add(b, argv[i] != NULL ? argv[i] : "", strlen(argv[i] != NULL ? argv[i] : "") + 1);
}

enum milter_action
milter_connect(struct milter *m, const struct milter_macro *mac, size_t nmac, const char *host,
    char family, unsigned port, const char *addr, struct milter_result *res)
{
	struct pt_buf b = PT_BUF_INIT;
	enum milter_action a;

	pt_buf_add(&b, host, strlen(host) + 1);
	pt_buf_addc(&b, family);
	if (family != SMFIA_UNKNOWN) {
		pt_buf_addc(&b, (int)(port >> 8) & 0xff);
		pt_buf_addc(&b, (int)port & 0xff);
		pt_buf_add(&b, addr != NULL ? addr : "", strlen(addr != NULL ? addr : "") + 1);
	}
	a = command(m, SMFIC_CONNECT, mac, nmac, b.s, b.len, res);
	pt_buf_free(&b);
	return a;
}

enum milter_action
milter_helo(struct milter *m, const struct milter_macro *mac, size_t nmac, const char *helo,
    struct milter_result *res)
{
	return command(m, SMFIC_HELO, mac, nmac, helo, strlen(helo) + 1, res);
}

/* MAIL and RCPT: the address and its arguments as strings. */
static enum milter_action
envelope(struct milter *m, char cmd, const struct milter_macro *mac, size_t nmac,
    const char *const *argv, size_t argc, struct milter_result *res)
{
	struct pt_buf b = PT_BUF_INIT;
	enum milter_action a;

	put_strings(&b, argv, argc);
	a = command(m, cmd, mac, nmac, b.s, b.len, res);
	pt_buf_free(&b);
	return a;
}

enum milter_action
milter_mail(struct milter *m, const struct milter_macro *mac, size_t nmac, const char *const *argv,
    size_t argc, struct milter_result *res)
{
	if (m->state == MS_MSG_DONE)
		m->state = MS_READY;	/* a new message: a filter that accepted the last one hears again */
	m->skip_body = false;
	return envelope(m, SMFIC_MAIL, mac, nmac, argv, argc, res);
}

enum milter_action
milter_rcpt(struct milter *m, const struct milter_macro *mac, size_t nmac, const char *const *argv,
    size_t argc, struct milter_result *res)
{
	return envelope(m, SMFIC_RCPT, mac, nmac, argv, argc, res);
}

enum milter_action
milter_data(struct milter *m, const struct milter_macro *mac, size_t nmac, struct milter_result *res)
{
	if (m->version < 4) {	/* DATA came with protocol version 4 */
		milter_result_reset(res);
		res->action = MILTER_NOREPLY;
		return MILTER_NOREPLY;
	}
	return command(m, SMFIC_DATA, mac, nmac, NULL, 0, res);
}

enum milter_action
milter_header(struct milter *m, const char *name, const char *value, struct milter_result *res)
{
	struct pt_buf b = PT_BUF_INIT;
	enum milter_action a;

	if (!(m->protocol & SMFIP_HDR_LEADSPC) && *value == ' ')
		value++;
	pt_buf_add(&b, name, strlen(name) + 1);
	pt_buf_add(&b, value, strlen(value) + 1);
	a = command(m, SMFIC_HEADER, NULL, 0, b.s, b.len, res);
	pt_buf_free(&b);
	return a;
}

enum milter_action
milter_eoh(struct milter *m, const struct milter_macro *mac, size_t nmac, struct milter_result *res)
{
	return command(m, SMFIC_EOH, mac, nmac, NULL, 0, res);
}

enum milter_action
milter_body(struct milter *m, const char *p, size_t len, struct milter_result *res)
{
	enum milter_action a = MILTER_NOREPLY;
	size_t n;

	milter_result_reset(res);
	res->action = MILTER_NOREPLY;
	while (len > 0 && !m->skip_body) {
		n = len > MILTER_CHUNK_SIZE ? MILTER_CHUNK_SIZE : len;
		a = command(m, SMFIC_BODY, NULL, 0, p, n, res);
		if (a != MILTER_CONTINUE && a != MILTER_NOREPLY)
			break;
		p += n;
		len -= n;
	}
	return a;
}

enum milter_action
milter_eom(struct milter *m, const struct milter_macro *mac, size_t nmac, struct milter_result *res)
{
	enum milter_action a;

	smtp_io_set_deadline(m->io, m->t.eom);
	a = command(m, SMFIC_BODYEOB, mac, nmac, NULL, 0, res);
	smtp_io_clear_deadline(m->io);
	m->in_msg = false;
	m->skip_body = false;
	if (m->state == MS_MSG_DONE)
		m->state = MS_READY;
	return a;
}

enum milter_action
milter_unknown(struct milter *m, const struct milter_macro *mac, size_t nmac, const char *line,
    struct milter_result *res)
{
	if (m->version < 3) {	/* unknown commands came with protocol version 3 */
		milter_result_reset(res);
		res->action = MILTER_NOREPLY;
		return MILTER_NOREPLY;
	}
	return command(m, SMFIC_UNKNOWN, mac, nmac, line, strlen(line) + 1, res);
}

void
milter_abort(struct milter *m)
{
	struct pt_buf err = PT_BUF_INIT;

	if ((m->state == MS_READY || m->state == MS_MSG_DONE) && m->in_msg &&
	    !milter_write_packet(m, SMFIC_ABORT, NULL, 0, &err))
		m->state = MS_DEAD;
	if (m->state == MS_MSG_DONE)
		m->state = MS_READY;
	m->in_msg = false;
	m->skip_body = false;
	pt_buf_free(&err);
}

void
milter_quit(struct milter *m)
{
	struct pt_buf err = PT_BUF_INIT;

	if (m->state != MS_DEAD && m->state != MS_QUIT && m->state != MS_NEW)
		milter_write_packet(m, SMFIC_QUIT, NULL, 0, &err);
	m->state = MS_QUIT;
	pt_buf_free(&err);
}

void
milter_free(struct milter *m)
{
	int i;

	if (m == NULL)
		return;
	milter_quit(m);
	smtp_io_free(m->io);
	close(m->fd);
	for (i = 0; i < MILTER_STAGE_COUNT; i++)
		free(m->symlist[i]);
	free(m->name);
	free(m);
}

uint32_t
milter_version(const struct milter *m)
{
	return m->version;
}

uint32_t
milter_actions(const struct milter *m)
{
	return m->actions;
}

uint32_t
milter_protocol(const struct milter *m)
{
	return m->protocol;
}

const char *
milter_wanted_macros(const struct milter *m, enum milter_stage stage)
{
	return (unsigned)stage < MILTER_STAGE_COUNT ? m->symlist[stage] : NULL;
}

bool
milter_alive(const struct milter *m)
{
	return m->state == MS_READY || m->state == MS_MSG_DONE;
}

const char *
milter_name(const struct milter *m)
{
	return m->name;
}

enum milter_fail
milter_fail_mode(const struct milter *m)
{
	return m->fail;
}

const char *
milter_action_name(enum milter_action a)
{
	static const char *const names[] = {
		[MILTER_CONTINUE] = "continue", [MILTER_ACCEPT] = "accept",
		[MILTER_REJECT] = "reject", [MILTER_TEMPFAIL] = "tempfail",
		[MILTER_DISCARD] = "discard", [MILTER_REPLY] = "reply",
		[MILTER_SKIP] = "skip", [MILTER_CONN_FAIL] = "connfail",
		[MILTER_SHUTDOWN] = "shutdown", [MILTER_NOREPLY] = "noreply",
		[MILTER_FAILED] = "failed",
	};

	return (unsigned)a < sizeof names / sizeof names[0] ? names[a] : "unknown";
}
