/*
 * deliver_smtp: the SMTP client of the [IPC] mailers (smtp, esmtp, smtp8,
 * dsmtp, relay): MX hosts in order, EHLO with a HELO fallback, the ESMTP
 * parameters the server offers (SIZE, 8BITMIME, DSN), one transaction for
 * all recipients of one host, each reply mapped to a delivery status.
 *
 * Runs in a delivery process and keeps its identity: root in the daemon's
 * and root's queue runs' delivery processes; for the client queue the
 * submitting user (group smmsp) or submit.cf's RunAsUser.  Nothing here
 * gives privileges up before connecting: as upstream's client, the process
 * that connects is the one that rewrites the queue file and the host status
 * records and reads the client's TLS key, files only that user may write or
 * read.  Only mailer programs (pipe_session, through dlv_spawn) run under
 * another identity.  Connections go where the
 * rulesets and DNS say, with the Timeout.* limits on every stage.  A long-lived delivery process keeps the
 * connections whose last transaction ended cleanly in its cache
 * (deliver_cache.c) and starts the next transaction to the same place on
 * them with MAIL; one the server closed meanwhile is replaced by a new one.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "deliver.h"
#include "hoststat.h"
#include "mx.h"
#include "pt_alloc.h"
#include "pt_exit.h"
#include "pt_log.h"
#include "pt_str.h"
#include "smtp_data.h"
#include "smtp_io.h"
#include "smtp_param.h"
#include "smtp_reply.h"

/* The pipe to a mailer program that speaks SMTP or LMTP: a 100 KB message in one write. */
#define PIPE_SESSION_BUF (256 * 1024)

/* One client session to one host (or one mailer program on a pipe). */
struct client {
	struct dlv *d;
	struct smtp_io *io;
	int fd;
	bool lmtp;		/* LHLO, and a reply per recipient after the data */
	const char *host;
	struct smtp_ehlo ehlo;
	struct smtp_reply r;
	struct pt_buf err;
	struct dlv_tls tls;	/* STARTTLS (deliver_tls.c) */
	bool clear;		/* do not try STARTTLS (a retry after a failed handshake) */
	bool retry;		/* the handshake failed: connect again in clear */
	bool held;		/* the targets got their outcome */
	int wfd;		/* a mailer program's input (fd is its output), or -1 */
	pid_t pid;		/* the mailer program, or -1 */
	bool reused;		/* the connection came from the cache */
	bool broken;		/* an I/O error or a 421: the connection cannot be kept */
	bool greeted;		/* the server's 220 came: a refused EHLO/HELO is followed by QUIT */
	bool stale;		/* a reused connection failed at MAIL: nothing was done on it */
	unsigned long long auth_tag;	/* the credentials' dlv_auth_tag when AUTH was offered */
	bool rset_pending;	/* a reused connection: RSET goes ahead of MAIL in the same write */
	char addr[INET6_ADDRSTRLEN + 8];	/* the address tried last: "[192.0.2.1]", "" for none */
	struct hs_entry st;	/* how the session went, for HostStatusDirectory */
	bool refused;		/* the server refused the transaction at MAIL, DATA or the dot: */
	char refused_dsn[16];	/* ... the status the host status keeps ("" for none) */
	char *refused_reply;	/* ... and the reply (NULL for none) */
	char last[512];		/* the last command sent (the message's dot aside), for the
				 * transcript of a bounce */
};

/* What trying the hosts of a domain came to, for the targets left undecided. */
struct outcome {
	struct pt_buf why;	/* the reason ("Connection refused by mx.example.net.") */
	char dsn[16];		/* its enhanced status */
	bool remote;		/* why is a server's reply */
	struct pt_buf relay;	/* the host tried last, as logged */
	int code;		/* the reply code the targets get: 451, or a 5xx greeting's */
	bool nohost;		/* the host had no address (the bounce's Remote-MTA names it) */
	const char *host;	/* the host tried last */
};

/*
 * Writes a socket address as upstream logs it: "[192.0.2.1]", and IPv6 as
 * eight groups without "::" shortening: "[IPv6:2001:db8:0:0:0:0:0:1]".
 */
static void
format_addr(const struct sockaddr *sa, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		snprintf(out, len, "[IPv6:%x:%x:%x:%x:%x:%x:%x:%x]", b[0] << 8 | b[1],
		    b[2] << 8 | b[3], b[4] << 8 | b[5], b[6] << 8 | b[7], b[8] << 8 | b[9],
		    b[10] << 8 | b[11], b[12] << 8 | b[13], b[14] << 8 | b[15]);
	} else if (inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, a,
	    sizeof a) == NULL)
		snprintf(out, len, "%s", "");
	else
		snprintf(out, len, "[%s]", a);
}

/*
 * Connects to host:port within the connect timeout; -1 on failure (errno
 * set; *herr the resolver's h_errno when the name had no address:
 * HOST_NOT_FOUND, NO_DATA or TRY_AGAIN, else 0).  "[host]" (FallbackMXhost's
 * form) is host.  addr receives the address tried last.
 */
static int
connect_to(const char *host, const char *port, long timeout_ms, char *addr, size_t addrlen,
    int *herr)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc;
	size_t n = strlen(host);
	char *bare = n >= 2 && host[0] == '[' && host[n - 1] == ']' ? pt_strndup(host + 1, n - 2) : NULL;
	const char *name = bare ? bare : host;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if (pt_strncasecmp(name, "IPv6:", 5) == 0) {	/* an address literal: [IPv6:::1] */
		name += 5;
		hints.ai_flags = AI_NUMERICHOST;
	}
	*herr = 0;
	rc = getaddrinfo(name, port, &hints, &res);
	free(bare);
	if (rc != 0) {
		*herr = rc == EAI_AGAIN ? TRY_AGAIN : rc == EAI_NODATA ? NO_DATA :
		    rc == EAI_NONAME ? HOST_NOT_FOUND : 0;
		errno = rc == EAI_AGAIN ? EAGAIN : ENOENT;
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd p;
		int pr;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		format_addr(ai->ai_addr, addr, addrlen);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		p.fd = fd;
		p.events = POLLOUT;
		pr = errno == EINPROGRESS ? poll(&p, 1, (int)timeout_ms) : -1;
		if (pr == 1) {
			int e = 0;
			socklen_t l = sizeof e;

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
			if (e == 0)
				break;
			errno = e;
		} else if (pr == 0)
			errno = ETIMEDOUT;
		pr = errno;
		close(fd);
		errno = pr;
		fd = -1;
	}
	rc = errno;
	freeaddrinfo(res);
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	errno = rc;
	return fd;
}

/* Sends a command and reads the reply into c->r; false on an I/O failure. */
static bool
command(struct client *c, long timeout, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
command(struct client *c, long timeout, const char *fmt, ...)
{
	va_list ap;
	struct pt_buf line = PT_BUF_INIT;

	if (fmt != NULL) {
		va_start(ap, fmt);
		pt_buf_vprintf(&line, fmt, ap);
		va_end(ap);
		dlv_verbose(c->d, ">>> %s", line.s);
		if (strcmp(line.s, ".") != 0)
			pt_strlcpy(c->last, line.s, sizeof c->last);
		pt_buf_adds(&line, "\r\n");
		smtp_io_write(c->io, line.s, line.len);
		pt_buf_free(&line);
		if (smtp_io_flush(c->io) != SMTP_IO_OK) {
			c->broken = true;
			return false;
		}
	}
	smtp_io_set_timeout(c->io, timeout > 0 ? timeout * 1000 : 300000);
	pt_buf_reset(&c->err);
	/* as upstream, an enhanced code counts only from a server that announced them */
	c->r.no_status = !(c->ehlo.ext & SMTP_EXT_ENHANCEDSTATUSCODES);
	if (smtp_reply_read(c->io, &c->r, &c->err) != SMTP_IO_OK) {
		c->broken = true;
		return false;
	}
	if (c->r.code == 421)
		c->broken = true;
	dlv_verbose_reply(c->d, &c->r);
	return true;
}

/* Writes a command without sending it yet (PIPELINING: the flush comes later). */
static void
queue_command(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
queue_command(struct client *c, const char *fmt, ...)
{
	va_list ap;
	struct pt_buf line = PT_BUF_INIT;

	va_start(ap, fmt);
	pt_buf_vprintf(&line, fmt, ap);
	va_end(ap);
	dlv_verbose(c->d, ">>> %s", line.s);
	pt_strlcpy(c->last, line.s, sizeof c->last);
	pt_buf_adds(&line, "\r\n");
	smtp_io_write(c->io, line.s, line.len);
	pt_buf_free(&line);
}

/* Sets the outcome of the listed targets from reply r. */
static void
set_all(struct dlv *d, const int *idx, int n, int code, const char *status, const char *text)
{
	for (int i = 0; i < n; i++) {
		struct dlv_target *t = &d->targets.v[idx[i]];

		if (t->state != DLV_PENDING)
			continue;
		dlv_set(t, code >= 500 ? DLV_FAILED : code >= 400 ? DLV_DEFERRED : DLV_SENT, code,
		    status, text);
	}
}

/* The text of a reply for logs and DSNs: "550 5.1.1 <x>... User unknown". */
static void
reply_text(const struct smtp_reply *r, struct pt_buf *out)
{
	smtp_reply_summary(r, out);
}

/* The status of a reply without an enhanced code: upstream's for a refused RCPT, else the class's. */
static const char *
default_status(int code, bool rcpt)
{
	if (rcpt && code == 550)
		return "5.1.1";
	if (rcpt && code == 551)
		return "5.1.6";
	if (rcpt && code == 553)
		return "5.1.3";
	return code >= 500 ? "5.0.0" : code >= 400 ? "4.0.0" : "2.0.0";
}

/* The name of the server target t is given to, as bounces name it: "[192.0.2.1]", "mx.example.net.". */
static const char *
server_name(const struct client *c, const struct dlv_target *t)
{
	return t->host[0] == '[' ? t->host : c->host;
}

/* Appends reply r as a transcript shows it: "<<< " and a line of the reply, for each. */
static void
reply_lines(const struct smtp_reply *r, struct pt_buf *out)
{
	struct pt_buf t = PT_BUF_INIT;

	smtp_reply_format(r, &t);
	for (const char *line = t.s; line != NULL && *line;) {
		size_t len = strcspn(line, "\r\n");

		pt_buf_printf(out, "<<< %.*s\n", (int)len, line);
		line += len;
		line += strspn(line, "\r\n");
	}
	pt_buf_free(&t);
}

/*
 * Keeps for t's bounce what upstream's transcript shows of a refusal: the
 * server, the last command sent (DATA, when the commands went out
 * pipelined) and the reply the client holds.
 */
static void
transcript(struct client *c, struct dlv_target *t)
{
	struct pt_buf b = PT_BUF_INIT;

	pt_buf_printf(&b, "... while talking to %s:\n", server_name(c, t));
	if (c->last[0])
		pt_buf_printf(&b, ">>> %s\n", c->last);
	reply_lines(&c->r, &b);
	free(t->xscript);
	t->xscript = pt_buf_steal(&b);
}

/*
 * The reply to a DATA pipelined behind RCPTs that were all refused: upstream's
 * transcript shows it after the refused recipients' lines.
 */
static void
after_refusals(struct client *c, const int *idx, int n)
{
	for (int i = 0; i < n; i++) {
		struct dlv_target *t = &c->d->targets.v[idx[i]];
		struct pt_buf b = PT_BUF_INIT;

		if (!t->remote_rcpt)
			continue;
		reply_lines(&c->r, &b);
		free(t->xscript_after);
		t->xscript_after = pt_buf_steal(&b);
	}
}

/* Notes the reply that accepted t's RCPT (a relayed success notice quotes it). */
static void
rcpt_accepted(struct client *c, struct dlv_target *t)
{
	struct pt_buf b = PT_BUF_INIT;

	reply_text(&c->r, &b);
	free(t->rcpt_reply);
	t->rcpt_reply = pt_buf_steal(&b);
}

/* Sets targets from the reply the client holds (rcpt: the reply to their RCPT). */
static void
set_reply(struct client *c, const int *idx, int n, bool rcpt)
{
	struct pt_buf t = PT_BUF_INIT;
	char status[16];

	reply_text(&c->r, &t);
	snprintf(status, sizeof status, "%s", c->r.status[0] ? c->r.status :
	    default_status(c->r.code, rcpt));
	for (int i = 0; i < n; i++) {
		struct dlv_target *tg = &c->d->targets.v[idx[i]];

		if (tg->state != DLV_PENDING)
			continue;
		/* a relay's acceptance is quoted, as upstream does: "Sent (ID Message accepted ...)" */
		set_all(c->d, &idx[i], 1, c->r.code, status, c->r.code >= 300 ? t.s :
		    !c->lmtp && c->r.nlines > 0 && c->r.lines[0][0] ? c->r.lines[0] : "Sent");
		tg->remote = c->r.code >= 400;
		tg->remote_rcpt = tg->remote && rcpt;
		if (tg->remote)
			transcript(c, tg);
	}
	pt_buf_free(&t);
}

/* Sets targets from the reply the client holds. */
static void
set_from_reply(struct client *c, const int *idx, int n)
{
	set_reply(c, idx, n, false);
}

/*
 * Notes that the server refused the transaction, for the host status record
 * as upstream writes it: the reply's status and text (with_reply), or
 * neither (a refused DATA).
 */
static void
refused(struct client *c, bool with_reply)
{
	struct pt_buf t = PT_BUF_INIT;

	c->refused = true;
	free(c->refused_reply);
	c->refused_reply = NULL;
	c->refused_dsn[0] = '\0';
	if (!with_reply)
		return;
	snprintf(c->refused_dsn, sizeof c->refused_dsn, "%s", c->r.status[0] ? c->r.status :
	    default_status(c->r.code, false));
	reply_text(&c->r, &t);
	c->refused_reply = pt_buf_steal(&t);
}

/*
 * DATA refused for the accepted targets: upstream logs the class's status
 * (dsn=5.0.0) whatever the reply says, its bounce gives 5.5.0 and neither a
 * reason nor a Diagnostic-Code, and the host status keeps no status.
 */
static void
data_refused(struct client *c, const int *accepted, int nacc)
{
	set_from_reply(c, accepted, nacc);
	for (int i = 0; i < nacc; i++) {
		struct dlv_target *t = &c->d->targets.v[accepted[i]];

		free(t->status);
		t->status = pt_strdup(c->r.code >= 500 ? "5.0.0" : "4.0.0");
		t->dsn_status = pt_strdup(c->r.code >= 500 ? "5.5.0" : "4.5.0");
		t->diag = pt_strdup("");
	}
	refused(c, false);
}

/*
 * Every RCPT refused after MAIL was taken: RSET, as upstream, whose host
 * status then keeps neither a status nor a reply.
 */
static void
no_recipient(struct client *c)
{
	(void)command(c, c->d->cfg->opt.timeout.rset, "RSET");
	refused(c, false);
}

/* Remembers that t was given to c's server (the bounce's Remote-MTA). */
static void
given(struct client *c, struct dlv_target *t)
{
	const char *name = server_name(c, t);
	size_t n = strlen(name);

	free(t->mta);
	t->mta = pt_strndup(name, n > 1 && name[n - 1] == '.' ? n - 1 : n);
}

/* EHLO, or HELO when EHLO is refused.  False if the session cannot go on. */
static bool
greet(struct client *c, const char *me)
{
	const struct cf_timeouts *to = &c->d->cfg->opt.timeout;

	if (!command(c, to->initial, NULL) || c->r.code != 220)
		return false;
	c->greeted = true;
	if (!command(c, to->helo, "%s %s", c->lmtp ? "LHLO" : "EHLO", me))
		return false;
	if (c->r.code == 250) {
		smtp_ehlo_parse(&c->r, &c->ehlo);
		/* -v asks the server for its side of the delivery too, as upstream does */
		if (c->d->run->verbose && (c->ehlo.ext & SMTP_EXT_VERB) &&
		    !command(c, to->misc, "VERB"))
			return false;
		return true;
	}
	return !c->lmtp && command(c, to->helo, "HELO %s", me) && c->r.code == 250;
}

/* STARTTLS when offered and allowed, then EHLO again over TLS.  False if the session cannot go on. */
static bool
secure(struct client *c, const char *me, const int *idx, int n)
{
	const struct cf_timeouts *to = &c->d->cfg->opt.timeout;
	bool offered = (c->ehlo.ext & SMTP_EXT_STARTTLS) != 0;

	switch (dlv_starttls(c->d, c->io, offered, c->clear, c->host, &c->tls, &c->r)) {
	case DLV_TLS_PLAIN:
		return true;
	case DLV_TLS_ACTIVE:
		if (!command(c, to->helo, "EHLO %s", me) || c->r.code != 250)
			return false;
		smtp_ehlo_parse(&c->r, &c->ehlo);
		return true;
	case DLV_TLS_RETRY:
		c->retry = true;
		return false;
	case DLV_TLS_REFUSED:
		set_from_reply(c, idx, n);
		c->held = true;
		command(c, to->quit, "QUIT");
		return false;
	case DLV_TLS_BROKEN:
		set_from_reply(c, idx, n);
		c->held = true;
		return false;
	default:
		return false;
	}
}

/* SMTP AUTH when the server offers it and there are credentials; false if the session must end. */
static bool
authenticate(struct client *c)
{
	long bits = 0;

	if (c->tls.sess != NULL)
		pt_str_to_long(tls_session_info(c->tls.sess)->cipher_bits, &bits);
	if (c->ehlo.auth != NULL)
		c->auth_tag = dlv_auth_tag(c->d, c->host);
	return dlv_auth(c->d, c->io, c->ehlo.auth, c->host, bits > 0 ? (unsigned)bits : 0,
	    &c->r) == 0;
}

/* The MAIL command's parameters this server understands. */
static void
mail_params(struct client *c, struct pt_buf *p)
{
	const struct queue_env *e = c->d->e;

	if (c->ehlo.ext & SMTP_EXT_SIZE) {
		struct stat st;
		int fd = queue_msg_df(c->d->m);

		if (fd >= 0 && fstat(fd, &st) == 0) {
			long long size = (long long)st.st_size + 1;	/* the body and the blank line */

			for (size_t i = 0; i < e->nhdrs; i++)	/* "Name:value" and LF */
				size += (long long)(strlen(e->hdrs[i].name) + strlen(e->hdrs[i].value) + 2);
			pt_buf_printf(p, " SIZE=%lld", size);
		}
	}
	if ((c->ehlo.ext & SMTP_EXT_8BITMIME) && e->bodytype != NULL &&
	    pt_strcasecmp(e->bodytype, "8BITMIME") == 0)
		pt_buf_adds(p, " BODY=8BITMIME");
	if (c->ehlo.ext & SMTP_EXT_DSN) {
		if (e->flags & QEF_RET_PARAM)
			pt_buf_adds(p, (e->flags & QEF_NO_BODY_RETURN) ? " RET=HDRS" : " RET=FULL");
		if (e->envid != NULL)
			pt_buf_printf(p, " ENVID=%s", e->envid);
	}
	dlv_by_param(c->d, c->ehlo.ext, c->ehlo.by_min, p);
}

/* The RCPT command's parameters for queued recipient r. */
static void
rcpt_params(struct client *c, const struct queue_rcpt *r, struct pt_buf *p)
{
	if (!(c->ehlo.ext & SMTP_EXT_DSN))
		return;
	if (r->flags & QRF_HAS_NOTIFY) {
		pt_buf_adds(p, " NOTIFY=");
		if (!(r->flags & (QRF_NOTIFY_SUCCESS | QRF_NOTIFY_FAILURE | QRF_NOTIFY_DELAY)))
			pt_buf_adds(p, "NEVER");
		else {
			bool first = true;

			if (r->flags & QRF_NOTIFY_SUCCESS)
				pt_buf_adds(p, "SUCCESS"), first = false;
			if (r->flags & QRF_NOTIFY_FAILURE)
				pt_buf_printf(p, "%sFAILURE", first ? "" : ","), first = false;
			if (r->flags & QRF_NOTIFY_DELAY)
				pt_buf_printf(p, "%sDELAY", first ? "" : ",");
		}
	}
	if (r->orcpt != NULL)
		pt_buf_printf(p, " ORCPT=%s", r->orcpt);
}

/* Sends the message after a 354, dot-stuffed. */
static bool
send_body(struct client *c, const struct cf_mailer *m)
{
	struct pt_buf msg = PT_BUF_INIT, wire = PT_BUF_INIT;
	struct smtp_stuffer st = { false };
	bool ok;

	if (dlv_message_eol(c->d, m, false, "\n", &msg) < 0) {	/* the stuffer makes CR LF */
		pt_buf_free(&msg);
		return false;
	}
	smtp_data_stuff(&st, msg.s, msg.len, &wire);
	smtp_data_stuff_end(&st, &wire);
	smtp_io_write(c->io, wire.s, wire.len);
	ok = smtp_io_flush(c->io) == SMTP_IO_OK;
	dlv_verbose(c->d, ">>> .");
	pt_buf_free(&msg);
	pt_buf_free(&wire);
	return ok;
}

/*
 * PIPELINING: writes (RSET,) MAIL, the RCPTs and DATA at once; sent[i] says
 * which targets got a RCPT (tls_rcpt may refuse one first).  False when
 * the write failed.
 */
static bool
send_envelope(struct client *c, const int *idx, int n, bool *sent)
{
	struct dlv *d = c->d;
	const struct cf_mailer *m = d->targets.v[idx[0]].mailer;
	struct pt_buf sender = PT_BUF_INIT, p = PT_BUF_INIT;

	if (c->rset_pending)
		queue_command(c, "RSET");
	dlv_envelope_sender(d, m, &sender);
	mail_params(c, &p);
	queue_command(c, "MAIL From:<%s>%s", pt_buf_str(&sender), pt_buf_str(&p));
	for (int i = 0; i < n; i++) {
		struct dlv_target *t = &d->targets.v[idx[i]];

		if (dlv_tls_rcpt(d, t->user, &c->r) < 0) {
			set_from_reply(c, &idx[i], 1);
			continue;
		}
		pt_buf_reset(&p);
		rcpt_params(c, &d->e->rcpts[t->rcpt], &p);
		t->dsn_passed = (c->ehlo.ext & SMTP_EXT_DSN) != 0;
		t->by_hop = (c->ehlo.ext & SMTP_EXT_DELIVERBY) != 0;
		queue_command(c, "RCPT To:<%s>%s", t->user, pt_buf_str(&p));
		given(c, t);
		sent[i] = true;
	}
	queue_command(c, "DATA");
	pt_buf_free(&sender);
	pt_buf_free(&p);
	if (smtp_io_flush(c->io) != SMTP_IO_OK)
		c->broken = true;
	return !c->broken;
}

/*
 * PIPELINING: reads the replies to send_envelope's commands in order,
 * setting refused targets and listing the accepted ones; returns the
 * count, or -1 when the connection failed (or a cached one turned out
 * stale: c->stale).  *data: DATA got 354.
 */
static int
read_envelope(struct client *c, const int *idx, int n, const bool *sent, int *accepted,
    bool *data)
{
	const struct cf_timeouts *to = &c->d->cfg->opt.timeout;
	bool mail_ok;
	int nacc = 0;

	if (c->rset_pending && (!command(c, to->rset, NULL) || c->r.code != 250)) {
		c->stale = true;	/* closed or confused while cached: try anew */
		return -1;
	}
	if (!command(c, to->mail, NULL)) {
		c->stale = c->reused;	/* closed by the other side while cached: try anew */
		return -1;
	}
	if (!(mail_ok = c->r.code == 250)) {
		set_from_reply(c, idx, n);
		refused(c, true);
		for (int i = 0; i < n; i++) {	/* their RCPTs came to nothing */
			free(c->d->targets.v[idx[i]].mta);
			c->d->targets.v[idx[i]].mta = NULL;
		}
	}
	for (int i = 0; i < n; i++) {
		if (!sent[i])
			continue;
		if (!command(c, to->rcpt, NULL))
			return -1;
		if (mail_ok && (c->r.code == 250 || c->r.code == 251)) {
			rcpt_accepted(c, &c->d->targets.v[idx[i]]);
			accepted[nacc++] = idx[i];
		}
		else if (mail_ok)
			set_reply(c, &idx[i], 1, true);
	}
	if (!command(c, to->datainit, NULL))
		return -1;
	*data = c->r.code == 354;
	if (nacc > 0 && !*data)
		data_refused(c, accepted, nacc);
	else if (nacc == 0 && mail_ok && !*data)
		after_refusals(c, idx, n);
	return nacc;
}

/* The end of DATA: one reply, or one per accepted recipient with LMTP. */
static void
read_final(struct client *c, const int *accepted, int nacc)
{
	const struct cf_timeouts *to = &c->d->cfg->opt.timeout;

	if (c->lmtp) {
		for (int i = 0; i < nacc; i++) {
			if (!command(c, to->datafinal, NULL))
				return;
			set_from_reply(c, &accepted[i], 1);
		}
	} else if (command(c, to->datafinal, NULL)) {
		set_from_reply(c, accepted, nacc);
		if (c->r.code >= 400)
			refused(c, true);
	}
}

/* True when commands go out pipelined: the server offers it and no -v transcript is shown. */
static bool
pipelining(const struct client *c)
{
	return (c->ehlo.ext & SMTP_EXT_PIPELINING) && !c->d->run->verbose;
}

/* One transaction with PIPELINING: two round trips (envelope and DATA, then the message). */
static void
pipelined(struct client *c, const int *idx, int n)
{
	struct dlv *d = c->d;
	const struct cf_mailer *m = d->targets.v[idx[0]].mailer;
	int *accepted = pt_calloc((size_t)n, sizeof(int)), nacc = -1;
	bool *sent = pt_calloc((size_t)n, sizeof(bool)), data = false;

	if (send_envelope(c, idx, n, sent))
		nacc = read_envelope(c, idx, n, sent, accepted, &data);
	else
		c->stale = c->reused;
	c->rset_pending = false;
	for (int i = 0; i < n && c->stale; i++) {	/* nothing happened: the next connection decides */
		d->targets.v[idx[i]].state = DLV_PENDING;
		d->targets.v[idx[i]].dsn_passed = false;
		free(d->targets.v[idx[i]].mta);
		d->targets.v[idx[i]].mta = NULL;
	}
	if (c->stale)
		c->refused = false;
	if (nacc == 0 && data)	/* DATA accepted with no recipient: an empty message ends it */
		(void)command(c, d->cfg->opt.timeout.datafinal, ".");
	else if (nacc == 0 && !c->refused && !c->stale && !c->broken)
		no_recipient(c);
	else if (nacc > 0 && data && send_body(c, m))
		read_final(c, accepted, nacc);
	for (int i = 0; i < n && !c->stale; i++)
		dlv_report(d, &d->targets.v[idx[i]]);
	free(accepted);
	free(sent);
}

/* One transaction for the targets idx[0..n) on an open session. */
static void
transaction(struct client *c, const int *idx, int n)
{
	struct dlv *d = c->d;
	const struct cf_mailer *m = d->targets.v[idx[0]].mailer;
	const struct cf_timeouts *to = &d->cfg->opt.timeout;
	struct pt_buf sender = PT_BUF_INIT, p = PT_BUF_INIT;
	int *accepted, nacc = 0;

	if (dlv_by_refuse(d, c->ehlo.ext, c->ehlo.by_min, idx, n)) {	/* no MAIL at all */
		for (int i = 0; i < n; i++)
			dlv_report(d, &d->targets.v[idx[i]]);
		return;
	}
	if (pipelining(c)) {
		pipelined(c, idx, n);
		return;
	}
	accepted = pt_calloc((size_t)n, sizeof(int));

	dlv_envelope_sender(d, m, &sender);
	mail_params(c, &p);
	if (!command(c, to->mail, "MAIL From:<%s>%s", pt_buf_str(&sender), pt_buf_str(&p)) ||
	    c->r.code != 250) {
		if (c->reused && c->broken) {
			c->stale = true;	/* closed by the other side while cached: try anew */
			goto out;
		}
		if (smtp_reply_is_set(&c->r)) {
			set_from_reply(c, idx, n);
			refused(c, true);
		}
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct dlv_target *t = &d->targets.v[idx[i]];

		if (dlv_tls_rcpt(d, t->user, &c->r) < 0) {
			set_from_reply(c, &idx[i], 1);
			continue;
		}
		pt_buf_reset(&p);
		rcpt_params(c, &d->e->rcpts[t->rcpt], &p);
		t->dsn_passed = (c->ehlo.ext & SMTP_EXT_DSN) != 0;	/* the next hop reports */
		t->by_hop = (c->ehlo.ext & SMTP_EXT_DELIVERBY) != 0;
		given(c, t);
		if (!command(c, to->rcpt, "RCPT To:<%s>%s", t->user, pt_buf_str(&p)))
			goto out;
		if (c->r.code == 250 || c->r.code == 251) {
			rcpt_accepted(c, t);
			accepted[nacc++] = idx[i];
		} else
			set_reply(c, &idx[i], 1, true);
	}
	if (nacc == 0) {
		no_recipient(c);
		goto out;
	}
	if (!command(c, to->datainit, "DATA") || c->r.code != 354) {
		if (smtp_reply_is_set(&c->r))
			data_refused(c, accepted, nacc);
		goto out;
	}
	if (!send_body(c, m))
		goto out;
	if (c->lmtp) {
		/* LMTP: one reply per accepted recipient, in order */
		for (int i = 0; i < nacc; i++) {
			if (!command(c, to->datafinal, NULL))
				goto out;
			set_from_reply(c, &accepted[i], 1);
		}
	} else if (command(c, to->datafinal, NULL)) {
		set_from_reply(c, accepted, nacc);
		if (c->r.code >= 400)
			refused(c, true);
	}
out:
	for (int i = 0; i < n && !c->stale; i++)
		dlv_report(d, &d->targets.v[idx[i]]);
	free(accepted);
	pt_buf_free(&sender);
	pt_buf_free(&p);
}

/* The port of an [IPC] mailer: A=TCP $h [port]. */
static const char *
mailer_port(const struct cf_mailer *m)
{
	return m->argv[1] != NULL && m->argv[2] != NULL ? m->argv[2] : "25";
}

/* Ends c's connection: QUIT (when it still works and quit is set), TLS, descriptors, program. */
static void
hangup(struct client *c, bool quit)
{
	if (c->io != NULL) {
		if (quit && !c->broken)
			command(c, c->d->cfg->opt.timeout.quit, "QUIT");
		dlv_tls_end(&c->tls, c->io);
		smtp_io_free(c->io);
	}
	if (c->fd >= 0)
		close(c->fd);
	if (c->wfd >= 0 && c->wfd != c->fd)
		close(c->wfd);
	if (c->pid > 0)
		dlv_reap(c->pid);
	smtp_ehlo_free(&c->ehlo);
	c->io = NULL;
	c->fd = c->wfd = -1;
	c->pid = -1;
	c->reused = c->broken = c->stale = false;
}

/* Keeps c's connection in the delivery process's cache under key, or ends it. */
static void
release(struct client *c, const char *key)
{
	struct dlv *d = c->d;
	struct dlv_conn *k;
	const char *v;

	if (key == NULL || d->cache == NULL || d->cache->max <= 0 || c->broken) {
		hangup(c, true);
		return;
	}
	k = dlv_conn_new(key);
	k->io = c->io;
	k->rfd = c->fd;
	k->wfd = c->wfd;
	k->pid = c->pid;
	k->lmtp = c->lmtp;
	k->ehlo = c->ehlo;
	k->tls = c->tls;
	k->auth_tag = c->auth_tag;
	if ((v = mac_get_name(d->rw.macros, "{server_addr}")) != NULL)
		k->server_addr = pt_strdup(v);
	k->addr = pt_strdup(c->addr);
	if ((v = mac_get_name(d->rw.macros, "{verify}")) != NULL)
		k->verify = pt_strdup(v);
	memset(&c->ehlo, 0, sizeof c->ehlo);
	memset(&c->tls, 0, sizeof c->tls);
	c->io = NULL;
	c->fd = c->wfd = -1;
	c->pid = -1;
	dlv_cache_put(d->cache, k, time(NULL));
}

/*
 * Takes the cached connection for key into c; false if there is none, or
 * if the credentials for the server changed since it was opened (the
 * authinfo ruleset reads the {server_*} macros, so they are set first).
 */
static bool
reuse(struct client *c, const char *key)
{
	struct dlv *d = c->d;
	struct dlv_conn *k = key != NULL ? dlv_cache_take(d->cache, key, time(NULL)) : NULL;

	if (k == NULL)
		return false;
	mac_set_name(d->rw.macros, "{server_name}", c->host, 0);
	mac_set_name(d->rw.macros, "{server_addr}", k->server_addr, 0);
	mac_set_name(d->rw.macros, "{verify}", k->verify, 0);
	if (k->ehlo.auth != NULL && dlv_auth_tag(d, c->host) != k->auth_tag) {
		dlv_conn_close(k, d->cache->quit_timeout);	/* other credentials now */
		return false;
	}
	c->io = k->io;
	snprintf(c->addr, sizeof c->addr, "%s", k->addr ? k->addr : "");
	c->auth_tag = k->auth_tag;
	c->fd = k->rfd;
	c->wfd = k->wfd;
	c->pid = k->pid;
	c->lmtp = k->lmtp;
	c->ehlo = k->ehlo;
	c->tls = k->tls;
	dlv_tls_macros(d, &c->tls);
	dlv_conn_free(k);
	c->reused = true;
	return true;
}

/*
 * A transaction on a cached connection for key, after an RSET that proves
 * the connection still works; true if it was held (false: none, or stale).
 */
static bool
cached_transaction(struct client *c, const char *key, const int *idx, int n)
{
	if (!reuse(c, key))
		return false;
	dlv_verbose(c->d, "Using cached %sSMTP connection to %s via %s...", c->lmtp ? "L" :
	    (c->ehlo.ext != 0 ? "E" : ""), c->host, c->d->targets.v[idx[0]].mailer->name);
	if (pipelining(c))
		c->rset_pending = true;	/* sent with MAIL, checked first */
	else if (!command(c, c->d->cfg->opt.timeout.rset, "RSET") || c->r.code != 250) {
		hangup(c, true);	/* closed or confused while cached: a new connection */
		smtp_reply_free(&c->r);
		c->r = (struct smtp_reply)SMTP_REPLY_INIT;
		return false;
	}
	transaction(c, idx, n);
	if (c->stale) {
		hangup(c, false);
		return false;
	}
	c->held = true;
	release(c, key);
	return true;
}

/* The cache key of an [IPC] connection: mailer, host, port. */
static char *
ipc_key(const struct cf_mailer *m, const char *host)
{
	struct pt_buf k = PT_BUF_INIT;

	pt_buf_printf(&k, "ipc %s %s %s", m->name, host, mailer_port(m));
	return pt_buf_steal(&k);
}

/* Notes how a session ended for HostStatusDirectory: status, enhanced code, reply (NULL: none). */
static void
note(struct client *c, int err, int exitst, const char *dsn, const char *reply)
{
	hs_entry_free(&c->st);
	c->st.err = err;
	c->st.exitst = exitst;
	pt_strlcpy(c->st.dsn, dsn, sizeof c->st.dsn);
	c->st.reply = reply != NULL ? pt_strdup(reply) : NULL;
}

/* One connection to host (in clear when c->clear); true if the session was held. */
static bool
session(struct client *c, const int *idx, int n, struct outcome *o)
{
	struct dlv *d = c->d;
	const struct cf_mailer *m = d->targets.v[idx[0]].mailer;
	const struct cf_timeouts *to = &d->cfg->opt.timeout;
	const char *me = d->cfg->opt.helo_name ? d->cfg->opt.helo_name :
	    mac_get(d->cfg->macros, 'j', NULL);
	const struct dlv_target *t0 = &d->targets.v[idx[0]];
	const char *shown = pt_buf_str(&o->relay);
	int herr;
	bool quit = false;

	if (m->argv[1] != NULL && m->argv[2] != NULL)
		dlv_verbose(d, "%s... Connecting to %s port %s via %s...", t0->addr, shown,
		    mailer_port(m), m->name);
	else
		dlv_verbose(d, "%s... Connecting to %s via %s...", t0->addr, shown, m->name);
	c->addr[0] = '\0';
	c->refused = false;
	c->greeted = false;
	c->fd = connect_to(c->host, mailer_port(m), to->connect > 0 ? to->connect * 1000 : 30000,
	    c->addr, sizeof c->addr, &herr);
	if (c->fd < 0 && (herr == HOST_NOT_FOUND || herr == NO_DATA)) {
		/* the host has no address: upstream bounces (5.1.2, EX_NOHOST) */
		note(c, 0, EX_NOHOST, "5.1.2", NULL);
		c->st.herr = herr;
		pt_buf_reset(&o->why);
		pt_buf_printf(&o->why, "Host unknown (Name server: %s: %s)", shown,
		    herr == NO_DATA ? "no data known" : "host not found");
		pt_strlcpy(o->dsn, "5.1.2", sizeof o->dsn);
		o->code = 550;
		o->remote = false;
		o->nohost = true;
		return false;
	}
	if (c->fd < 0 && herr == TRY_AGAIN) {
		note(c, EAGAIN, EX_TEMPFAIL, "4.4.3", NULL);
		c->st.herr = herr;
		pt_buf_reset(&o->why);
		pt_buf_printf(&o->why, "Name server: %s: host name lookup failure", shown);
		pt_strlcpy(o->dsn, "4.4.3", sizeof o->dsn);
		o->code = 451;
		o->remote = false;
		o->nohost = false;
		return false;
	}
	if (c->fd < 0) {
		note(c, errno ? errno : ECONNREFUSED, EX_TEMPFAIL, "4.4.1", NULL);
		hs_reason(&c->st, shown, &o->why);
		pt_strlcpy(o->dsn, "4.4.1", sizeof o->dsn);
		o->code = 451;
		o->remote = false;
		o->nohost = false;
		return false;
	}
	o->nohost = false;
	c->io = smtp_io_new(c->fd, c->fd);
	if (greet(c, me) && secure(c, me, idx, n) && authenticate(c)) {
		char *key = ipc_key(m, c->host);
		struct pt_buf last = PT_BUF_INIT;

		transaction(c, idx, n);
		c->held = true;
		if (smtp_reply_is_set(&c->r))
			reply_text(&c->r, &last);
		if (c->refused)	/* what the server refused, as upstream keeps it */
			note(c, 0, EX_OK, c->refused_dsn, c->refused_reply);
		else
			note(c, 0, EX_OK, "2.0.0", pt_buf_str(&last));
		pt_buf_free(&last);
		if (d->cache == NULL || d->cache->max <= 0)
			dlv_verbose(d, "Closing connection to %s", shown);
		release(c, key);
		free(key);
		return true;
	} else if (!c->held && smtp_reply_is_set(&c->r)) {
		/*
		 * refused at the greeting or by EHLO/HELO: 4xx defers with upstream's
		 * 4.5.0 and an empty R; 5xx bounces (5.5.0) and the record keeps the reply
		 */
		pt_buf_reset(&o->why);
		reply_text(&c->r, &o->why);
		pt_strlcpy(o->dsn, c->r.code >= 500 ? "5.5.0" : "4.5.0", sizeof o->dsn);
		o->code = c->r.code >= 500 ? c->r.code : 451;
		o->remote = true;
		note(c, 0, c->r.code >= 500 ? EX_UNAVAILABLE : EX_TEMPFAIL, o->dsn,
		    c->r.code >= 500 ? o->why.s : "");
		quit = c->greeted;	/* the server refused EHLO and HELO: QUIT, as upstream */
	} else if (!c->held) {
		pt_buf_reset(&o->why);
		pt_buf_printf(&o->why, "lost connection with %s", shown);
		pt_strlcpy(o->dsn, "4.4.2", sizeof o->dsn);
		o->code = 451;
		o->remote = false;
		note(c, 0, EX_TEMPFAIL, "4.4.2", NULL);
	} else
		note(c, 0, EX_TEMPFAIL, "4.0.0", NULL);
	hangup(c, quit);
	return c->held;
}

/* The host as logged: a bracketed one as written, a name with its root dot ("mx.example.net."). */
static void
relay_name(const char *host, struct pt_buf *out)
{
	size_t n = strlen(host);

	pt_buf_reset(out);
	pt_buf_adds(out, host);
	if (n > 0 && host[0] != '[' && host[n - 1] != '.')
		pt_buf_addc(out, '.');
}

/*
 * True when host failed within Timeout.hoststatus, o filled with the
 * recorded reason.  With HostStatusDirectory (hsdir not NULL) the record is
 * the host's status file, *fd (or -1) to record the new attempt in; without
 * it, the queue run's table in memory (*fd is -1).
 */
static bool
host_down(struct dlv *d, const char *hsdir, const char *host, int *fd, struct outcome *o)
{
	struct hs_entry e;
	bool down;

	*fd = hsdir != NULL ? hs_open(d->cfg, hsdir, host) : -1;
	if (*fd < 0 && (hsdir != NULL || !hs_mem_get(d->run->hs_mem, host, &e)))
		return false;
	if (*fd < 0)
		goto judge;
	if (d->cfg->opt.single_thread_delivery && flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		/* another process is talking to this host */
		pt_buf_reset(&o->why);
		pt_strlcpy(o->dsn, "4.4.5", sizeof o->dsn);
		o->code = 451;
		o->remote = false;
		o->nohost = false;
		return true;
	}
	if (!d->cfg->opt.single_thread_delivery)
		flock(*fd, LOCK_SH);
	if (!hs_read_fd(*fd, &e)) {
		if (!d->cfg->opt.single_thread_delivery)
			flock(*fd, LOCK_UN);
		return false;
	}
	if (!d->cfg->opt.single_thread_delivery)
		flock(*fd, LOCK_UN);
judge:
	down = hs_failed(d->cfg, &e, time(NULL));
	if (down) {
		hs_reason(&e, pt_buf_str(&o->relay), &o->why);
		pt_strlcpy(o->dsn, e.dsn[0] ? e.dsn : "4.0.0", sizeof o->dsn);
		o->code = 451;
		o->remote = false;
		o->nohost = false;
	}
	hs_entry_free(&e);
	return down;
}

/*
 * Tries one host, again in clear after a failed handshake that may fall
 * back; true if held.  A cached connection is used first; otherwise a host
 * that failed recently (HostStatusDirectory, hsdir) is skipped, and the
 * outcome of a new session is recorded there.
 */
static bool
try_host(struct dlv *d, const char *host, const char *hsdir, const int *idx, int n,
    struct outcome *o)
{
	struct client c = { .d = d, .fd = -1, .wfd = -1, .pid = -1, .host = host,
		.r = SMTP_REPLY_INIT, .err = PT_BUF_INIT };
	char *key = ipc_key(d->targets.v[idx[0]].mailer, host);
	bool held;
	int fd;

	relay_name(d->targets.v[idx[0]].host[0] == '[' ? d->targets.v[idx[0]].host : host,
	    &o->relay);
	held = cached_transaction(&c, key, idx, n);
	free(key);
	if (held) {
		if (c.addr[0])	/* the address the connection was opened to */
			pt_buf_printf(&o->relay, " %s", c.addr);
		smtp_reply_free(&c.r);
		pt_buf_free(&c.err);
		free(c.refused_reply);
		return true;
	}
	if (host_down(d, hsdir, host, &fd, o)) {
		hs_close(fd);
		smtp_reply_free(&c.r);
		pt_buf_free(&c.err);
		return false;
	}
	d->relay = pt_buf_str(&o->relay);	/* for the STARTTLS= and AUTH= lines */
	held = session(&c, idx, n, o);

	if (!held && c.retry) {
		c.retry = false;
		c.clear = true;
		held = session(&c, idx, n, o);
	}
	d->relay = NULL;
	if (c.addr[0])
		pt_buf_printf(&o->relay, " %s", c.addr);
	if (fd >= 0 && flock(fd, LOCK_EX) == 0)	/* held already with SingleThreadDelivery */
		hs_write_fd(fd, &c.st, time(NULL));
	else if (hsdir == NULL)	/* for the rest of the queue run */
		hs_mem_put(d->run->hs_mem, host, &c.st, time(NULL));
	hs_close(fd);
	hs_entry_free(&c.st);
	smtp_reply_free(&c.r);
	pt_buf_free(&c.err);
	free(c.refused_reply);
	return held;
}

/*
 * The cache key of a mailer program (the caller frees it), or NULL when its
 * A= words use macros (each delivery may need another program): the mailer
 * and the identity it runs with (F=S: its own).
 */
static char *
prog_key(const struct dlv_target *t)
{
	const struct cf_mailer *m = t->mailer;
	struct pt_buf k = PT_BUF_INIT;

	for (int i = 0; m->argv[i] != NULL; i++)
		if (strchr(m->argv[i], '$') != NULL)
			return NULL;
	pt_buf_printf(&k, "prog %s", m->name);
	if (!cf_mflag(&m->flags, 'S'))
		pt_buf_printf(&k, " %ld:%ld:%s", (long)t->uid, (long)t->gid, t->owner ? t->owner : "");
	return pt_buf_steal(&k);
}

/* Runs a mailer program that speaks SMTP (or LMTP with F=z) on a pipe. */
static void
pipe_session(struct dlv *d, const int *idx, int n)
{
	const struct dlv_target *t0 = &d->targets.v[idx[0]];
	const struct cf_mailer *m = t0->mailer;
	const char *me = mac_get(d->cfg->macros, 'j', NULL);
	struct client c = { .d = d, .fd = -1, .wfd = -1, .pid = -1, .lmtp = cf_mflag(&m->flags, 'z'),
		.host = m->name, .r = SMTP_REPLY_INIT, .err = PT_BUF_INIT };
	char *key = prog_key(t0);
	int in, out;

	if (cached_transaction(&c, key, idx, n))
		goto out;
	c.lmtp = cf_mflag(&m->flags, 'z');
	c.pid = dlv_spawn(d, t0, &in, &out);
	if (c.pid < 0) {
		set_all(d, idx, n, 451, "4.3.0", "cannot start the mailer");
		goto out;
	}
	c.fd = out;
	c.wfd = in;
	/* whole buffers into the pipe (smtp_io writes only what fits), fewer wake-ups of the mailer */
	(void)fcntl(in, F_SETFL, fcntl(in, F_GETFL) | O_NONBLOCK);
	(void)fcntl(in, F_SETPIPE_SZ, PIPE_SESSION_BUF);
	c.io = smtp_io_new(out, in);
	if (greet(&c, me ? me : "localhost")) {
		transaction(&c, idx, n);
		release(&c, key);
	} else
		hangup(&c, true);
	set_all(d, idx, n, 451, "4.0.0", "mailer closed the connection");
out:
	free(key);
	smtp_reply_free(&c.r);
	smtp_ehlo_free(&c.ehlo);
	pt_buf_free(&c.err);
	free(c.refused_reply);
}

/* True if host is one of this host's names (class w), for mx_trim_local. */
static bool
is_local(const char *host, void *arg)
{
	const struct dlv *d = arg;

	return cf_class_has(d->cfg, 'w', host);
}

/* Sets the targets still undecided from o, and the relay every target of the group logs. */
static void
settle(struct dlv *d, const int *idx, int n, const struct outcome *o)
{
	for (int i = 0; i < n; i++) {
		struct dlv_target *t = &d->targets.v[idx[i]];
		bool pending = t->state == DLV_PENDING;

		set_all(d, &idx[i], 1, o->code, o->dsn[0] ? o->dsn : "4.4.1", pt_buf_str(&o->why));
		if (pending)
			t->remote = o->remote;
		if (pending && o->nohost) {	/* upstream's bounce: no reason, the host as Remote-MTA */
			size_t len = strlen(o->host);

			t->diag = pt_strdup("");
			free(t->mta);
			t->mta = pt_strndup(o->host, len > 1 && o->host[len - 1] == '.' ? len - 1 : len);
		}
		if (o->relay.len > 0) {
			free(t->relay);
			t->relay = pt_strdup(o->relay.s);
		}
	}
}

void
dlv_smtp(struct dlv *d, const int *idx, int n)
{
	const struct dlv_target *t0 = &d->targets.v[idx[0]];
	struct mx_list mx;
	struct outcome o = { .why = PT_BUF_INIT, .relay = PT_BUF_INIT, .code = 451 };
	char *hsdir;
	int st;

	if (strcmp(t0->mailer->path, "[IPC]") != 0) {
		pipe_session(d, idx, n);
		return;
	}
	st = mx_lookup(t0->host, d->cfg->opt.fallback_mx_host, &mx);
	if (st == MX_OK && t0->host[0] != '[')
		st = mx_trim_local(&mx, t0->host, d->cfg->opt.fallback_mx_host, is_local, d,
		    d->cfg->opt.try_null_mx_list);
	if (st == MX_LOOP) {
		pt_log(LOG_ERR, "MX list for %s points back to %s", t0->host,
		    mac_get(d->cfg->macros, 'j', NULL));
		set_all(d, idx, n, 554, "5.3.5", "Local configuration error");
		mx_list_free(&mx);
		return;
	}

	if (st == MX_NOHOST) {
		/* upstream's words: the host in the log line, "550 Host unknown" in the bounce */
		struct pt_buf why = PT_BUF_INIT;

		pt_buf_printf(&why, "Host unknown (Name server: %s: host not found)", t0->host);
		set_all(d, idx, n, 550, "5.1.2", why.s);
		for (int i = 0; i < n; i++) {
			struct dlv_target *t = &d->targets.v[idx[i]];

			t->diag = pt_strdup("550 Host unknown");
			free(t->mta);
			t->mta = pt_strdup(t0->host);
		}
		pt_buf_free(&why);
		mx_list_free(&mx);
		return;
	}
	if (st == MX_TEMP) {
		set_all(d, idx, n, 451, "4.4.3", "Host name lookup failure");
		return;
	}
	/* F=W: this mailer ignores the long-term host status */
	hsdir = cf_mflag(&t0->mailer->flags, 'W') ? NULL : hs_dir(d->cfg);
	relay_name(t0->host, &o.relay);
	pt_buf_printf(&o.why, "Connection refused by %s", o.relay.s);
	pt_strlcpy(o.dsn, "4.4.1", sizeof o.dsn);
	for (int i = 0; i < mx.n; i++) {
		o.host = mx.host[i];
		if (try_host(d, mx.host[i], hsdir, idx, n, &o))
			break;
	}
	settle(d, idx, n, &o);
	free(hsdir);
	mx_list_free(&mx);
	pt_buf_free(&o.why);
	pt_buf_free(&o.relay);
}
