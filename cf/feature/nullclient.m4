divert(-1)
dnl #
dnl # FEATURE(`nullclient', `hub'): a host that keeps no mail: every address,
dnl # local or not, goes to hub over SMTP, masqueraded as hub.  No mailer needs
dnl # to be named; FEATURE(`nocanonify') is the only other feature that fits.
dnl #
ifelse(_PT_ARG_(1), `', `_PT_DIE_(`FEATURE(nullclient) needs the name of the hub, for example FEATURE(nullclient, mailhost.example.com)')')
_PT_FEATURE_ON_(`nullclient')
define(`MAIL_HUB', _PT_ARG_(1))
define(`SMART_HOST', _PT_ARG_(1))
MASQUERADE_AS(_PT_ARG_(1))
define(`_PT_F_allmasquerade', `1')
define(`_PT_F_masquerade_envelope', `1')
define(`confFROM_HEADER', `<$g>')
define(`confFORWARD_PATH', `')
define(`_PT_NO_ALIASES_', `1')
