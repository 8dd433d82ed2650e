divert(-1)
dnl # OSTYPE(`solaris8'): Solaris with an LMTP mail.local.
define(`confEBINDIR', `/usr/lib')
define(`confPID_FILE', `/var/run/sendmail.pid')
FEATURE(`local_lmtp')
