/*
 * tlsconf.h: STARTTLS settings of the sendmail program, read from the loaded
 * cf, for the server (smtpd_tls.c) and the SMTP client (deliver_smtp.c).
 */
#ifndef TLSCONF_H
#define TLSCONF_H

#include "cf.h"
#include "tls.h"

/*
 * Fills s from the cf's TLS options.  The strings are borrowed from cfg and
 * live as long as it.  uid is the owner key files may have besides root
 * (RunAsUser's, else 0).
 */
void tlsconf_settings(const struct cf_config *cfg, struct tls_settings *s);

/*
 * Makes the STARTTLS context of a role from the cf.  Returns NULL when
 * STARTTLS cannot be used in that role (the reasons are logged in
 * upstream's shapes, as tls_ctx_new does).
 */
struct tls_ctx *tlsconf_ctx(const struct cf_config *cfg, enum tls_role role);

#endif
