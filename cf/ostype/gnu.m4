divert(-1)
dnl # OSTYPE(`gnu'): the GNU system (Hurd).
_PT_SET_DEFAULT_(`STATUS_FILE', `/var/log/sendmail.st')
_PT_SET_DEFAULT_(`LOCAL_MAILER_PATH', `/libexec/mail.local')
_PT_SET_DEFAULT_(`LOCAL_MAILER_ARGS', `mail $u')
define(`confEBINDIR', `/libexec')
