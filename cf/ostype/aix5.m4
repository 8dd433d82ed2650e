divert(-1)
dnl # OSTYPE(`aix5'): AIX 5, delivering with bellmail.
_PT_SET_DEFAULT_(`LOCAL_MAILER_PATH', `/bin/bellmail')
_PT_SET_DEFAULT_(`LOCAL_MAILER_ARGS', `mail -F $g $u')
_PT_SET_DEFAULT_(`LOCAL_MAILER_FLAGS', `mn9')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
