divert(-1)
dnl # OSTYPE(`hpux11'): HP-UX 11, delivering with rmail.
_PT_SET_DEFAULT_(`LOCAL_MAILER_PATH', `/usr/bin/rmail')
_PT_SET_DEFAULT_(`LOCAL_MAILER_FLAGS', `m9')
_PT_SET_DEFAULT_(`LOCAL_MAILER_ARGS', `rmail -d $u')
_PT_SET_DEFAULT_(`LOCAL_SHELL_PATH', `/usr/bin/sh')
define(`confTIME_ZONE', `USE_TZ')
