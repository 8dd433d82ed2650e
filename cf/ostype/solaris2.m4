divert(-1)
dnl # OSTYPE(`solaris2'): Solaris 2 to 7, with mail.local in /usr/lib.
_PT_SET_DEFAULT_(`LOCAL_MAILER_PATH', `/usr/lib/mail.local')
_PT_SET_DEFAULT_(`LOCAL_MAILER_FLAGS', `fSmn9')
_PT_SET_DEFAULT_(`LOCAL_MAILER_ARGS', `mail.local -d $u')
define(`confEBINDIR', `/usr/lib')
