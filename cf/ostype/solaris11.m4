divert(-1)
dnl # OSTYPE(`solaris11'): Solaris with an LMTP mail.local.
define(`confEBINDIR', `/usr/lib')
define(`confPID_FILE', `/system/volatile/sendmail.pid')
FEATURE(`local_lmtp')
