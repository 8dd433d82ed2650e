divert(-1)
dnl # OSTYPE(`linux'): GNU/Linux.  Local mail goes through procmail, as on
dnl # most Linux distributions; define PROCMAIL_MAILER_PATH before OSTYPE to
dnl # use another copy.
define(`confEBINDIR', `/usr/sbin')
_PT_SET_DEFAULT_(`PROCMAIL_MAILER_PATH', `/usr/bin/procmail')
FEATURE(`local_procmail')
