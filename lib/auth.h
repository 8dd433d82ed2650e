/*
 * auth: SMTP AUTH (RFC 4954) through Cyrus SASL, the only code in Petrel
 * that touches libsasl2.
 *
 * The server side (auth_server.c): auth_server_init once per process (the
 * daemon does it as root, before it forks, so the plugins and the
 * configuration file "Sendmail.conf" are read once; SASL_CONF_PATH names
 * another folder for it, as libsasl2 allows), then an auth_server per
 * session, remade after STARTTLS so that the TLS layer's strength and the
 * client certificate count.  It lists the mechanisms SASL permits under the
 * security flags of AuthOptions and runs one exchange at a time; the
 * session owns the SMTP side (the AUTH verb, 334 lines, base64).
 *
 * The client side (auth_client.c): credentials as the authinfo ruleset or
 * DefaultAuthInfo give them (user, authorization id, password, realm,
 * mechanisms), an exchange with a server's offered mechanisms.
 *
 * No security layer is ever negotiated (the maximum SSF asked of SASL is
 * 0): after AUTH the session goes on over the same stream, encrypted only if
 * STARTTLS made it so.  Library code: never exits, logs nothing; failures
 * come back as values with a text in upstream's words.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "pt_buf.h"

/* The security flags of AuthOptions (server side) as a mask. */
enum auth_flag {
	AUTH_NOPLAINTEXT = 1u << 0,	/* p: no PLAIN, LOGIN ... without a security layer */
	AUTH_NOACTIVE = 1u << 1,	/* a */
	AUTH_NODICTIONARY = 1u << 2,	/* d */
	AUTH_FORWARD_SECRECY = 1u << 3,	/* f */
	AUTH_NOANONYMOUS = 1u << 4,	/* y */
	AUTH_PASS_CREDENTIALS = 1u << 5,	/* c */
	AUTH_MUTUAL = 1u << 6,		/* m */
};

/* Parses AuthOptions ("p,y", "p y") into a mask of enum auth_flag; unknown letters are ignored. */
unsigned auth_options(const char *s);

/* The result of one step of an exchange. */
enum auth_result {
	AUTH_OK = 0,		/* authenticated */
	AUTH_CONTINUE,		/* send the challenge, read another response */
	AUTH_FAIL,		/* authentication failed (535) */
	AUTH_TEMPFAIL,		/* try again later (454) */
	AUTH_NOMECH,		/* no such mechanism, or not permitted (504) */
	AUTH_BADPROT,		/* the client broke the mechanism's protocol (535) */
};

/* What a server session is made from. */
struct auth_server_conf {
	const char *hostname;	/* $j: the server's name */
	const char *realm;	/* AuthRealm, or NULL (SASL then takes the host name) */
	const char *local;	/* "addr;port" of our end, or NULL */
	const char *remote;	/* "addr;port" of the client, or NULL */
	unsigned flags;		/* enum auth_flag */
	unsigned ext_ssf;	/* the TLS layer's strength in bits (0: none) */
	const char *ext_id;	/* a verified client certificate's subject, for EXTERNAL; or NULL */
};

struct auth_server;

/*
 * Initialises the server side of the SASL library once per process, for
 * the application "Sendmail" (so Sendmail.conf is its configuration).
 * Returns false with err when SASL cannot be used (then no AUTH is offered).
 */
bool auth_server_init(struct pt_buf *err);

/* Makes the state of one session; NULL with err on failure. */
struct auth_server *auth_server_new(const struct auth_server_conf *c, struct pt_buf *err);
void auth_server_free(struct auth_server *a);

/*
 * Appends to out, separated by spaces, the mechanisms SASL permits now that
 * are also in allowed (AuthMechanisms, compared without case; NULL: all).
 */
void auth_server_mechs(struct auth_server *a, const char *allowed, struct pt_buf *out);

/*
 * Starts an exchange with mechanism mech and the client's initial response
 * (decoded; resp NULL when none was given).  The challenge to send (raw,
 * not yet base64) goes to challenge.  On failure why gets upstream's text
 * "errstring (code) detail".  Returns enum auth_result.
 */
int auth_server_start(struct auth_server *a, const char *mech, const char *resp, size_t len,
    struct pt_buf *challenge, struct pt_buf *why);
/* Goes on with the client's next response (decoded); as auth_server_start. */
int auth_server_step(struct auth_server *a, const char *resp, size_t len,
    struct pt_buf *challenge, struct pt_buf *why);
/*
 * After AUTH_OK: the authentication id ("" if unknown), the authorization
 * id (the authentication id if none was asked for) and the layer's SSF.
 * Borrowed until the next call on a.  The user is also known after a
 * failure when the mechanism got that far.
 */
const char *auth_server_user(const struct auth_server *a);
const char *auth_server_authzid(const struct auth_server *a);
unsigned auth_server_ssf(const struct auth_server *a);

/* Credentials for authenticating as a client (AuthInfo: or DefaultAuthInfo). */
struct auth_creds {
	char *user;		/* U: (or I: when no U: is given) */
	char *authzid;		/* I: */
	char *pass;		/* P: (P= was base64) */
	char *realm;		/* R: */
	char *mechs;		/* M: (space separated), or NULL */
};

/*
 * Parses an authinfo ruleset result or AuthInfo: value: quoted items
 * "U:user" "I:authzid" "P:password" "P=base64" "R:realm" "M:mechs".
 * Returns false with err when no user or no password is given.
 */
bool auth_creds_parse(const char *s, struct auth_creds *c, struct pt_buf *err);
/* Reads DefaultAuthInfo's lines (user, authzid, password, realm, mechanisms). */
bool auth_creds_lines(const char *text, struct auth_creds *c, struct pt_buf *err);
void auth_creds_free(struct auth_creds *c);

struct auth_client;

/* Initialises the client side of SASL once per process; false with err if it cannot. */
bool auth_client_init(struct pt_buf *err);
/*
 * Makes one client exchange to server host with creds (borrowed for the
 * life of the exchange).  ext_ssf is the TLS layer's strength.
 */
struct auth_client *auth_client_new(const char *host, const struct auth_creds *creds,
    unsigned ext_ssf, struct pt_buf *err);
void auth_client_free(struct auth_client *a);
/*
 * Chooses a mechanism among mechs (the server's offer, intersected by the
 * caller) and makes the initial response.  *mech points at its name
 * (borrowed); *has_resp says whether resp holds an initial response.
 * Returns AUTH_OK (send "AUTH mech [resp]"), AUTH_NOMECH or AUTH_FAIL.
 */
int auth_client_start(struct auth_client *a, const char *mechs, const char **mech,
    struct pt_buf *resp, bool *has_resp, struct pt_buf *why);
/* Answers a server challenge (decoded) into resp.  AUTH_OK or AUTH_FAIL. */
int auth_client_step(struct auth_client *a, const char *chal, size_t len, struct pt_buf *resp,
    struct pt_buf *why);

/* True if the n bytes at w are one of the words of list (spaces or commas between), ignoring case. */
bool auth_word_in(const char *w, size_t n, const char *list);

/* Base64 (RFC 4648) of n bytes, appended to out. */
void auth_b64_encode(const void *p, size_t n, struct pt_buf *out);
/* Decodes base64 text (whitespace not allowed) into out; false if it is not valid. */
bool auth_b64_decode(const char *s, size_t n, struct pt_buf *out);

#endif
