/*
 * headers.h: the headers a message gets when it is queued from the command
 * line (headers.c): the configuration's H templates with their macros.
 */
#ifndef HEADERS_H
#define HEADERS_H

#include <stdbool.h>

#include "cf.h"
#include "mac.h"
#include "queue.h"

/*
 * Sets the date macros of a message created at e->ctime with queue id id:
 * $i, $b (now, RFC 5322), $t (YYYYMMDDhhmm), and $a (the message's own
 * Date header when it has one, in own, else $b).
 */
void hdr_date_macros(struct mac_table *m, const struct queue_env *own, long long ctime,
    const char *id);

/*
 * Expands the value of template name into out (appended): macros now, and
 * $g (bound early, as upstream) to sender with its angle brackets removed
 * (MAILER-DAEMON for the null sender), but for Return-Path, whose $g stays as the byte \201 and "g" for the
 * delivery to fill in with the sender as each mailer sees it.
 */
void hdr_expand_template(const struct mac_table *macros, const char *name, const char *value,
    const char *sender, struct pt_buf *out);

/*
 * Appends to e the configuration's header templates (H lines) in their
 * order: each one the message's own headers (own) do not already have,
 * trace headers (Received) always, Resent- ones only for a resent message,
 * ?${macro}? ones only when the macro is set.  Values are expanded as
 * hdr_expand_template says, with e->sender for $g.  ?flags? conditions go
 * into the header's cond for the delivery to decide per mailer.  Templates
 * that expand to nothing are left out.
 */
void hdr_add_templates(const struct cf_config *cfg, const struct mac_table *macros,
    struct queue_env *e, const struct queue_env *own, bool resent);

/*
 * The envelope flags upstream gives a new message (received or submitted)
 * once its headers are known: QEF_SPLIT always (the F record's s), and
 * QEF_DELETE_BCC when it has a To, Cc or Apparently-To header: its Bcc
 * headers are then left out on delivery, else delivered empty ("Bcc:").
 */
unsigned hdr_new_message_flags(const struct queue_env *e);

/*
 * The message's class: the value the cf's P lines give the name in its
 * Precedence header (the last one), 0 when it has none or an unknown name.
 * Negative classes (bulk, junk, list) get no postmaster copy of a bounce.
 */
int hdr_class(const struct cf_config *cfg, const struct queue_env *e);

#endif
