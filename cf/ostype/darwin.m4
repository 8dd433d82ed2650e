divert(-1)
dnl # OSTYPE(`darwin'): macOS and Darwin.
_PT_SET_DEFAULT_(`STATUS_FILE', `/var/log/sendmail.st')
MODIFY_MAILER_FLAGS(`LOCAL', `+S')
_PT_SET_DEFAULT_(`LOCAL_MAILER_PATH', `/usr/libexec/mail.local')
define(`confDONT_BLAME_SENDMAIL', `AssumeSafeChown,GroupWritableDirPathSafe')
