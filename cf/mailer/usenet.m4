dnl mailer/usenet.m4: news delivery: local mail to group.usenet goes to
dnl inews.  Knobs: USENET_MAILER_{PATH,FLAGS,ARGS,MAX,QGRP}.
define(`_PT_USENET_', `1')dnl
_PT_SET_DEFAULT_(`USENET_MAILER_PATH', `/usr/lib/news/inews')dnl
_PT_SET_DEFAULT_(`USENET_MAILER_FLAGS', `rsDFMmn')dnl
_PT_SET_DEFAULT_(`USENET_MAILER_ARGS', `-m -h -n')dnl

######################################################################
#  usenet mailer
######################################################################
Musenet,	P=USENET_MAILER_PATH, F=_PT_MAILER_FLAGS_(`USENET', defn(`USENET_MAILER_FLAGS')), S=EnvFromL, R=EnvToL,dnl
ifdef(`USENET_MAILER_MAX', ` M=USENET_MAILER_MAX,')dnl
ifdef(`USENET_MAILER_QGRP', ` Q=USENET_MAILER_QGRP,')
		T=X-Usenet/X-Usenet/X-Unix,
		A=inews USENET_MAILER_ARGS $u

