dnl mailer/cyrus.m4: delivery into Cyrus mailboxes (cyrus) and bulletin
dnl boards (cyrusbb) with Cyrus's deliver program.
dnl Knobs: CYRUS_MAILER_{PATH,FLAGS,ARGS,MAX,USER,QGRP},
dnl CYRUS_BB_MAILER_{FLAGS,ARGS}, MODIFY_MAILER_FLAGS(`CYRUS').
_PT_SET_DEFAULT_(`CYRUS_MAILER_PATH', `/usr/sbin/cyrdeliver')dnl
_PT_SET_DEFAULT_(`CYRUS_MAILER_FLAGS', `Ah5@/:|')dnl
_PT_SET_DEFAULT_(`CYRUS_MAILER_ARGS', `cyrdeliver -e -m $h -- $u')dnl
_PT_SET_DEFAULT_(`CYRUS_MAILER_USER', `cyrus:mail')dnl
_PT_SET_DEFAULT_(`CYRUS_BB_MAILER_FLAGS', `u')dnl
_PT_SET_DEFAULT_(`CYRUS_BB_MAILER_ARGS', `cyrdeliver -e -m $u')dnl

######################################################################
#  cyrus mailers
######################################################################
Mcyrus,		P=CYRUS_MAILER_PATH, F=_PT_MAILER_FLAGS_(`CYRUS', `lsDFMnPq'defn(`CYRUS_MAILER_FLAGS')), S=EnvFromL, R=EnvToL/HdrToL,dnl
ifdef(`CYRUS_MAILER_MAX', ` M=CYRUS_MAILER_MAX,')dnl
ifdef(`CYRUS_MAILER_QGRP', ` Q=CYRUS_MAILER_QGRP,')
		U=CYRUS_MAILER_USER, T=DNS/RFC822/X-Unix,
		A=CYRUS_MAILER_ARGS
Mcyrusbb,	P=CYRUS_MAILER_PATH, F=_PT_MAILER_FLAGS_(`CYRUS_BB', `lsDFMnP'defn(`CYRUS_BB_MAILER_FLAGS')), S=EnvFromL, R=EnvToL/HdrToL,
		U=CYRUS_MAILER_USER, T=DNS/RFC822/X-Unix,
		A=CYRUS_BB_MAILER_ARGS

