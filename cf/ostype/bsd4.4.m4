divert(-1)
dnl # OSTYPE(`bsd4.4'): 4.4BSD and its descendants; mail.local delivers.
_PT_SET_DEFAULT_(`STATUS_FILE', `/var/log/sendmail.st')
_PT_SET_DEFAULT_(`LOCAL_MAILER_PATH', `/usr/libexec/mail.local')
