dnl mailer/cyrusv2.m4: delivery to Cyrus IMAP 2 and later over LMTP.
dnl Knobs: CYRUSV2_MAILER_{FLAGS,ARGS,MAXMSGS,MAXRCPTS,CHARSET,QGRP},
dnl MODIFY_MAILER_FLAGS(`CYRUSV2').  A `TCP $h lmtp' argument talks to a
dnl Cyrus server over TCP instead of its socket.
_PT_SET_DEFAULT_(`CYRUSV2_MAILER_FLAGS', `A@/:|m')dnl
_PT_SET_DEFAULT_(`CYRUSV2_MAILER_ARGS', `FILE /var/run/cyrus/socket/lmtp')dnl

######################################################################
#  cyrusv2 mailer
######################################################################
Mcyrusv2,	P=[IPC], F=_PT_MAILER_FLAGS_(`CYRUSV2', `lsDFMnqXz'defn(`CYRUSV2_MAILER_FLAGS')), S=EnvFromSMTP/HdrFromL, R=EnvToL/HdrToL, E=\r\n,dnl
ifdef(`CYRUSV2_MAILER_MAXMSGS', ` m=CYRUSV2_MAILER_MAXMSGS,')dnl
ifdef(`CYRUSV2_MAILER_MAXRCPTS', ` r=CYRUSV2_MAILER_MAXRCPTS,')dnl
ifdef(`CYRUSV2_MAILER_CHARSET', ` C=CYRUSV2_MAILER_CHARSET,')dnl
ifdef(`CYRUSV2_MAILER_QGRP', ` Q=CYRUSV2_MAILER_QGRP,')
		T=DNS/RFC822/SMTP,
		A=CYRUSV2_MAILER_ARGS

