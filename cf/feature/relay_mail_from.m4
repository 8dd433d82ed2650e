divert(-1)
dnl # FEATURE(`relay_mail_from'[, domain]): From: RELAY entries may relay.
_PT_FEATURE_ON_(`relay_mail_from')
define(`_PT_RELAY_MAIL_DOMAIN_', ifelse(_PT_ARG_(1), `domain', `1', `0'))
_PT_WARN_(`FEATURE(relay_mail_from) trusts the sender address, which anyone can forge; prefer SMTP AUTH or STARTTLS')
