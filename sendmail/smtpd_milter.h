/*
 * smtpd_milter.h: the SMTP server's use of mail filters (the X lines named
 * by InputMailFilters, or by a daemon's InputMailFilters=).  The server's
 * files call these at upstream's moments; each returns what the server must
 * do and has already sent any refusal the filters asked for.
 *
 * What upstream (8.17) does, and so what these do:
 *   connect   filters opened in order; a filter that cannot be reached
 *             refuses per F= (R: 554 greeting, then "550 5.0.0 Command
 *             rejected"; T: MAIL gets "451 4.3.2 Please try again later";
 *             none: the session goes on without it)
 *   HELO      usual reply; a refusal refuses the session's later commands
 *             (EHLO then offers only ENHANCEDSTATUSCODES)
 *   MAIL/RCPT refusals with "<addr>... " before the text; discard marks
 *             the whole transaction for discarding
 *   DATA      the DATA command, then after the message is read, for each
 *             filter in turn: headers, end of headers, body, end of message
 *             and its modifications, so that each filter sees the changes
 *             of the ones before; all applied to the envelope and the df
 *             before the commit and the 250
 */
#ifndef SMTPD_MILTER_H
#define SMTPD_MILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "queue.h"
#include "smtp_cmd.h"
#include "smtp_reply.h"

struct smtpd;

/* What smtpd_milter_connect asks of the greeting. */
enum smtpd_milter_greet {
	SMTPD_MILTER_GREET = 0,		/* the usual 220 */
	SMTPD_MILTER_NULLSERVER,	/* "554 <host> ESMTP not accepting messages" */
	SMTPD_MILTER_CLOSE,		/* 421: the filters shut the session down */
};

/*
 * Opens the session's filters, negotiates and sends the connection (with
 * the Milter.macros.connect macros).  Does nothing when no filter is
 * configured.  Returns what to greet with (the caller sends the greeting).
 */
enum smtpd_milter_greet smtpd_milter_connect(struct smtpd *s);
/* Sends quit to every filter and frees them (end of the session). */
void smtpd_milter_close(struct smtpd *s);

/*
 * Called for every command before its handler: true when the filters have
 * refused the session (or asked to fail it for now) and this command got
 * its refusal here.
 */
bool smtpd_milter_refuse(struct smtpd *s, enum smtp_verb verb);
/* HELO/EHLO with a valid argument (s->helo set): tells the filters. */
void smtpd_milter_helo(struct smtpd *s);
/* The EHLO reply r: cut to its first line and ENHANCEDSTATUSCODES when refusing. */
void smtpd_milter_ehlo_trim(struct smtpd *s, struct smtp_reply *r);
/*
 * MAIL accepted by the checks: addr as the client wrote it ("<a@b>"),
 * params the ESMTP parameters' text.  Returns false when a filter refused
 * (the reply is sent); a discard sets s->discard and returns true.
 */
bool smtpd_milter_mail(struct smtpd *s, const char *addr, struct pt_slice params);
/* RCPT, the same way. */
bool smtpd_milter_rcpt(struct smtpd *s, const char *addr, struct pt_slice params);
/*
 * DATA, once the message has its queue id (set as macro i): false when a
 * filter refused (the reply is sent; the envelope stays, as upstream).
 */
bool smtpd_milter_data(struct smtpd *s, const char *id);
/*
 * The message has been read into m and s->env (its first ntempl headers are
 * the configuration's templates, in the order of the H lines).  Runs the
 * message through each filter in turn and applies their modifications to
 * s->env and m (a replaced body is written to a new df that the commit
 * puts in place).  Returns false when the message is refused: the reply
 * has been sent and the caller aborts m.  A discard sets s->discard.
 */
bool smtpd_milter_message(struct smtpd *s, struct queue_msg *m, size_t ntempl);
/* An unknown command line: the filters hear it (their answer changes nothing). */
void smtpd_milter_unknown(struct smtpd *s, const char *line);
/* The transaction ended without end of message (RSET, refusal): filters hear abort. */
void smtpd_milter_abort(struct smtpd *s);

#endif
