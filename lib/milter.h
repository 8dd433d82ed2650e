/*
 * milter: the MTA side of the mail filter protocol that libmilter 8.17
 * filters speak (protocol version 6).
 *
 * Framing: every packet in both directions is
 *
 *   | length (4 bytes, network order, counts cmd and data) | cmd (1 byte) | data |
 *
 * MTA to filter (cmd, data; "s0" is a NUL-terminated string):
 *   O  option negotiation   version(4) actions(4) protocol(4)
 *   D  macros               stage cmd(1), then name s0 value s0 pairs
 *   C  connect              hostname s0, family(1: U L 4 6), [port(2) address s0]
 *   H  helo                 name s0
 *   M  mail                 sender s0, ESMTP args s0...
 *   R  rcpt                 recipient s0, ESMTP args s0...
 *   T  data                 -
 *   L  header               name s0, value s0
 *   N  end of header        -
 *   B  body chunk           up to 65535 bytes (CR LF line ends)
 *   E  end of message       -
 *   A  abort                -   (no reply)
 *   Q  quit                 -   (no reply)
 *   K  quit, new connection -   (no reply)
 *   U  unknown command      the command line s0
 *
 * Filter to MTA:
 *   O  negotiation reply    version(4) actions(4) protocol(4), [stage(4) macros s0]...
 *   a accept   c continue   d discard   r reject   t tempfail   s skip (body)
 *   y reply code            "ddd d.d.d text" s0 (may hold CR LF for several lines)
 *   f connection failure    4 shutdown   p progress (keep waiting)
 *   at end of message only, before the final reply (modifications):
 *   h add header            name s0, value s0
 *   i insert header         index(4), name s0, value s0
 *   m change header         index(4), name s0, value s0 (empty value deletes)
 *   + add recipient         rcpt s0
 *   2 add recipient, args   rcpt s0, args s0
 *   - delete recipient      rcpt s0
 *   e change sender         sender s0, [args s0]
 *   b replace body          a chunk (the chunks together are the new body)
 *   q quarantine            reason s0
 *
 * The negotiated protocol bits tell which commands the filter does not want
 * (SMFIP_NO*: not sent), which it will not answer (SMFIP_NR_*: no reply is
 * awaited), whether header values keep their leading space (HDR_LEADSPC),
 * and whether it may skip the rest of the body (SKIP).  The actions bits
 * tell which modifications it may make; upstream honours ones a filter did
 * not announce and logs that it lied, and so does this module.
 *
 * One struct milter is one filter's connection for one SMTP session; the
 * server runs its filters in order and applies each result.  Nothing here
 * touches the queue or the SMTP client: results are values.
 *
 * What upstream (Debian's 8.17.1.9) replies for each result, found with
 * tests/tools/test_milter_filter behind its -bs; the server does the same
 * (sendmail/smtpd_milter.c, smtpd_milter_msg.c):
 *   MAIL, RCPT reject     550 5.7.1 <addr>... Command rejected
 *   MAIL, RCPT tempfail   451 4.3.2 Please try again later
 *   MAIL, RCPT reply      the filter's code and status, "<addr>... " before the
 *                         first line's text ("550-5.7.1 <a@b>... first line",
 *                         "550 5.7.1 second line")
 *   RCPT discard, accept  the usual 250 2.1.5
 *   HELO reject           HELO gets its usual 250; then MAIL and RCPT get
 *                         550 5.0.0 Command rejected (tempfail: MAIL gets 451
 *                         4.3.2 Please try again later; reply: the filter's
 *                         reply, without the address)
 *   header/EOH/body/EOM   reject 554 5.7.1 Command rejected; tempfail 451 4.3.2
 *                         Please try again later; discard: the usual 250 2.0.0
 *                         "id Message accepted for delivery", then dropped
 *   unknown command       500 5.5.1 Command unrecognized as without a filter
 *   filter unreachable    F=T: 220 greeting, MAIL gets 451 4.3.2 Please try
 *                         again later; F=R: greeting "554 <host> ESMTP not
 *                         accepting messages", EHLO 250, every other command
 *                         550 5.0.0 Command rejected; no F=: as without a filter
 */
#ifndef MILTER_H
#define MILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pt_buf.h"
#include "smtp_io.h"
#include "smtp_reply.h"

/* The stages that have their own macros (Milter.macros.* and the filter's symlist). */
enum milter_stage {
	MILTER_STAGE_CONNECT = 0,
	MILTER_STAGE_HELO,
	MILTER_STAGE_ENVFROM,
	MILTER_STAGE_ENVRCPT,
	MILTER_STAGE_DATA,
	MILTER_STAGE_EOM,
	MILTER_STAGE_EOH,
	MILTER_STAGE_COUNT
};

/* F= flags of an X line. */
enum milter_fail {
	MILTER_FAIL_CONTINUE = 0,	/* no flag: go on without the filter */
	MILTER_FAIL_REJECT,		/* F=R: reject */
	MILTER_FAIL_TEMPFAIL,		/* F=T: temporary failure */
};

/* The timeouts of T= (milliseconds). */
struct milter_timeouts {
	long connect;	/* C: connecting (default 5 minutes) */
	long send;	/* S: writing one packet (default 10 seconds) */
	long read;	/* R: waiting for a reply (default 10 seconds) */
	long eom;	/* E: the whole end-of-message exchange (default 5 minutes) */
};

/* One X line: a filter's name, socket, flags and timeouts. */
struct milter_spec {
	char *name;
	char *socket;			/* "unix:/path", "local:/path", "inet:port@host", "inet6:port@host" */
	enum milter_fail fail;
	struct milter_timeouts t;
};

/*
 * Parses the equates of an X line ("S=inet:8891@localhost, F=T, T=C:10s;E:5m")
 * into spec (name copied).  Returns false with err as upstream would word it.
 */
bool milter_spec_parse(const char *name, const char *equates, struct milter_spec *spec,
    struct pt_buf *err);
void milter_spec_free(struct milter_spec *spec);

/* What a filter answered (the final reply of a stage). */
enum milter_action {
	MILTER_CONTINUE = 0,	/* c: go on */
	MILTER_ACCEPT,		/* a: accept; this filter hears no more of this message (or connection) */
	MILTER_REJECT,		/* r: refuse */
	MILTER_TEMPFAIL,	/* t: refuse for now */
	MILTER_DISCARD,		/* d: accept and drop the message */
	MILTER_REPLY,		/* y: refuse with the filter's own reply (res->reply) */
	MILTER_SKIP,		/* s: send no more body */
	MILTER_CONN_FAIL,	/* f: the filter failed the connection */
	MILTER_SHUTDOWN,	/* 4: the filter shuts the connection down (421) */
	MILTER_NOREPLY,		/* no reply was awaited (SMFIP_NR_*) or the command was not sent */
	MILTER_FAILED,		/* the filter broke (I/O, timeout, protocol): apply the F= flag */
};

/* An end-of-message modification. */
enum milter_mod_kind {
	MILTER_MOD_ADDHEADER = 0,	/* h: name, value */
	MILTER_MOD_INSHEADER,		/* i: index, name, value */
	MILTER_MOD_CHGHEADER,		/* m: index (nth of that name, from 1), name, value ("" deletes) */
	MILTER_MOD_ADDRCPT,		/* +: value = recipient */
	MILTER_MOD_ADDRCPT_PAR,		/* 2: value = recipient, args */
	MILTER_MOD_DELRCPT,		/* -: value = recipient */
	MILTER_MOD_CHGFROM,		/* e: value = sender, args (may be NULL) */
	MILTER_MOD_REPLBODY,		/* b: value/len = one chunk of the new body */
	MILTER_MOD_QUARANTINE,		/* q: value = reason */
};

struct milter_mod {
	enum milter_mod_kind kind;
	uint32_t index;
	char *name;
	char *value;
	size_t len;			/* bytes of value (REPLBODY may hold NULs) */
	char *args;
	bool lied;			/* the filter did not announce this action */
};

/* The outcome of one stage call. */
struct milter_result {
	enum milter_action action;
	struct smtp_reply reply;	/* MILTER_REPLY: the filter's reply, parsed */
	struct milter_mod *mods;	/* end of message: the modifications, in order */
	size_t nmods;
	struct pt_buf err;		/* MILTER_FAILED: why */
};

#define MILTER_RESULT_INIT { MILTER_CONTINUE, SMTP_REPLY_INIT, NULL, 0, PT_BUF_INIT }

/* Empties a result (keeps nothing). */
void milter_result_reset(struct milter_result *res);

/* One macro to send: name as upstream writes it ("j", "{daemon_name}") and value. */
struct milter_macro {
	const char *name;
	const char *value;
};

struct milter;

/*
 * Connects to the filter's socket within T=C.  Returns NULL with err (and
 * the session goes on per F=).  The struct keeps a copy of what it needs.
 */
struct milter *milter_open(const struct milter_spec *spec, struct pt_buf *err);
/*
 * Wraps an already connected descriptor (tests, or a socketpair); fd is
 * closed by milter_free.
 */
struct milter *milter_attach(const struct milter_spec *spec, int fd);
/* Sends quit (if the filter is alive) and frees everything, closing the socket. */
void milter_free(struct milter *m);

/*
 * Negotiates: offers version 6, every action and every protocol bit; checks
 * the filter's answer (version 2 or later, nothing not offered) and reads
 * the macro lists it asks for.  Returns 0, or -1 with err (the filter is
 * then dead).
 */
int milter_negotiate(struct milter *m, struct pt_buf *err);

/* The negotiated values (after milter_negotiate). */
uint32_t milter_version(const struct milter *m);
uint32_t milter_actions(const struct milter *m);
uint32_t milter_protocol(const struct milter *m);
/*
 * The macros the filter asked for at a stage (smfi_setsymlist), as a
 * space-separated list, or NULL: the server then sends those of the
 * Milter.macros.* option.
 */
const char *milter_wanted_macros(const struct milter *m, enum milter_stage stage);
/* True when the filter is usable (negotiated, not failed, not finished with the connection). */
bool milter_alive(const struct milter *m);
/* The filter's name (for log lines "milter=NAME, ..."). */
const char *milter_name(const struct milter *m);
/* Its F= flag. */
enum milter_fail milter_fail_mode(const struct milter *m);

/*
 * The stage calls.  Each sends the stage's macros (if any), then the command
 * unless the filter asked not to hear it, reads the reply unless it asked
 * not to answer, and fills res (reset first).  They return res->action.
 * family: 'U' unknown, 'L' local, '4' IPv4, '6' IPv6.
 */
enum milter_action milter_connect(struct milter *m, const struct milter_macro *mac, size_t nmac,
    const char *host, char family, unsigned port, const char *addr, struct milter_result *res);
enum milter_action milter_helo(struct milter *m, const struct milter_macro *mac, size_t nmac,
    const char *helo, struct milter_result *res);
/* argv[0] is the address ("<a@b>"), the rest ESMTP arguments ("SIZE=10"). */
enum milter_action milter_mail(struct milter *m, const struct milter_macro *mac, size_t nmac,
    const char *const *argv, size_t argc, struct milter_result *res);
enum milter_action milter_rcpt(struct milter *m, const struct milter_macro *mac, size_t nmac,
    const char *const *argv, size_t argc, struct milter_result *res);
enum milter_action milter_data(struct milter *m, const struct milter_macro *mac, size_t nmac,
    struct milter_result *res);
/* value as in the message, after the colon; its leading blank is dropped unless HDR_LEADSPC. */
enum milter_action milter_header(struct milter *m, const char *name, const char *value,
    struct milter_result *res);
enum milter_action milter_eoh(struct milter *m, const struct milter_macro *mac, size_t nmac,
    struct milter_result *res);
/* A piece of the body (CR LF line ends), sent in chunks of at most 65535 bytes. */
enum milter_action milter_body(struct milter *m, const char *p, size_t len,
    struct milter_result *res);
/* End of message: res->mods receives the modifications, res->action the final answer. */
enum milter_action milter_eom(struct milter *m, const struct milter_macro *mac, size_t nmac,
    struct milter_result *res);
enum milter_action milter_unknown(struct milter *m, const struct milter_macro *mac, size_t nmac,
    const char *line, struct milter_result *res);
/* Ends the current message for this filter (RSET, a refused message): no reply. */
void milter_abort(struct milter *m);
/* Ends the session with the filter (no reply); the socket stays open until milter_free. */
void milter_quit(struct milter *m);

/* The name of an action for log lines ("reject", "tempfail", ...). */
const char *milter_action_name(enum milter_action a);

#endif
