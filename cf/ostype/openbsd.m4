divert(-1)
dnl # OSTYPE(`openbsd'): OpenBSD; mail.local delivers.
_PT_SET_DEFAULT_(`STATUS_FILE', `/var/log/sendmail.st')
_PT_SET_DEFAULT_(`LOCAL_MAILER_PATH', `/usr/libexec/mail.local')
_PT_SET_DEFAULT_(`LOCAL_MAILER_FLAGS', `rmn9S')
