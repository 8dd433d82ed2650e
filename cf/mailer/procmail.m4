dnl mailer/procmail.m4: procmail as a mailer for mailertable entries
dnl (host.com procmail:/etc/procmailrcs/host.com).  Needs MAILER(`smtp')
dnl first, whose address rewriting it shares.
dnl Knobs: PROCMAIL_MAILER_{PATH,FLAGS,ARGS,MAX,QGRP}, MODIFY_MAILER_FLAGS(`PROCMAIL').
ifdef(`_PT_SMTP_DEFINED_', `', `_PT_DIE_(`MAILER(procmail) needs MAILER(smtp) before it: the procmail mailer uses the SMTP address rewriting')')dnl
_PT_SET_DEFAULT_(`PROCMAIL_MAILER_PATH', `/usr/local/bin/procmail')dnl
_PT_SET_DEFAULT_(`PROCMAIL_MAILER_FLAGS', `SPhnu9')dnl
_PT_SET_DEFAULT_(`PROCMAIL_MAILER_ARGS', `procmail -Y -m $h $f $u')dnl

######################################################################
#  procmail mailer
######################################################################
Mprocmail,	P=PROCMAIL_MAILER_PATH, F=_PT_MAILER_FLAGS_(`PROCMAIL', `DFM'defn(`PROCMAIL_MAILER_FLAGS')), S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP/HdrFromSMTP,dnl
ifdef(`PROCMAIL_MAILER_MAX', ` M=PROCMAIL_MAILER_MAX,')dnl
ifdef(`PROCMAIL_MAILER_QGRP', ` Q=PROCMAIL_MAILER_QGRP,')
		T=DNS/RFC822/X-Unix,
		A=PROCMAIL_MAILER_ARGS

