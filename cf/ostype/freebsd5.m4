divert(-1)
dnl # OSTYPE(`freebsd5'): FreeBSD; mail.local delivers, root's mail is kept (S).
_PT_SET_DEFAULT_(`STATUS_FILE', `/var/log/sendmail.st')
MODIFY_MAILER_FLAGS(`LOCAL', `+S')
_PT_SET_DEFAULT_(`LOCAL_MAILER_PATH', `/usr/libexec/mail.local')
_PT_SET_DEFAULT_(`LOCAL_MAILER_ARGS', `mail $u')
