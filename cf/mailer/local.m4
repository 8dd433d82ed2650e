dnl mailer/local.m4: the local and prog mailers.
dnl Every configuration gets them; MAILER(`local') only fixes their place.
dnl Knobs: LOCAL_MAILER_{PATH,FLAGS,ARGS,MAX,MAXMSGS,CHARSET,EOL,QGRP,
dnl DSN_DIAGNOSTIC_CODE}, LOCAL_SHELL_{PATH,FLAGS,ARGS,DIR}, LOCAL_PROG_QGRP,
dnl and MODIFY_MAILER_FLAGS(`LOCAL') / MODIFY_MAILER_FLAGS(`SHELL').
_PT_SET_DEFAULT_(`LOCAL_MAILER_PATH', `/bin/mail')dnl
_PT_SET_DEFAULT_(`LOCAL_MAILER_FLAGS', `Prmn9')dnl
_PT_SET_DEFAULT_(`LOCAL_MAILER_ARGS', `mail -d $u')dnl
_PT_SET_DEFAULT_(`LOCAL_MAILER_DSN_DIAGNOSTIC_CODE', `X-Unix')dnl
_PT_SET_DEFAULT_(`LOCAL_SHELL_PATH', `/bin/sh')dnl
_PT_SET_DEFAULT_(`LOCAL_SHELL_FLAGS', `eu9')dnl
_PT_SET_DEFAULT_(`LOCAL_SHELL_ARGS', `sh -c $u')dnl
_PT_SET_DEFAULT_(`LOCAL_SHELL_DIR', `$z:/')dnl

######################################################################
#  local and prog mailers
######################################################################
# envelope sender
SEnvFromL
R<@>			$n			bounces come from the mailer daemon
R@ <@ $*>		$n
R$+			$: $>AddDomain $1
ifdef(`_PT_F_local_no_masquerade', `', `R$*			$: $>MasqEnv $1
')dnl

# envelope recipient: the user, without +detail for a sender
SEnvToL
R$+ < @ $* >		$: $1
R$+ + $*		$: < $&{addr_type} > $1 + $2
R<e s> $+ + $*		$: $1
R< $* > $+		$: $2

# header sender
SHdrFromL
R<@>			$n
R@ <@ $*>		$n
R$+			$: $>AddDomain $1
ifdef(`_PT_F_local_no_masquerade', `', `R$*			$: $>MasqHdr $1
')dnl

# header recipient
SHdrToL
R$+			$: $>AddDomain $1
ifdef(`_PT_F_allmasquerade', `R$*			$: $>MasqHdr $1
', `R$* < @ *LOCAL* > $*	$: $1 < @ $j . > $2
')dnl

# AddDomain: qualifies bare local names (with always_add_domain)
SAddDomain
ifdef(`_PT_F_always_add_domain', `R$* < @ $* > $*		$@ $1 < @ $2 > $3
R$+			$@ $1 < @ ifelse(_PT_ADD_DOMAIN_, `', `*LOCAL*', `_PT_ADD_DOMAIN_') >
')dnl

ifdef(`_PT_F_msp', `dnl
Mlocal,		P=[IPC], F=_PT_MAILER_FLAGS_(`LOCAL', `lmDFMuXkw5'), S=EnvFromL/HdrFromL, R=EnvToL/HdrToL,
		T=DNS/RFC822/SMTP,
		A=TCP $h
Mprog,		P=[IPC], F=_PT_MAILER_FLAGS_(`SHELL', `lmDFMuXk5'), S=EnvFromL/HdrFromL, R=EnvToL/HdrToL, D=$z:/,
		T=X-Unix/X-Unix/X-Unix,
		A=TCP $h
', `dnl
Mlocal,		P=LOCAL_MAILER_PATH, dnl
F=_PT_MAILER_FLAGS_(`LOCAL', ifdef(`_PT_F_nullclient', `lsDFM5q', `lsDFMAw5:/|@q')`'defn(`LOCAL_MAILER_FLAGS')), dnl
S=ifdef(`_PT_LOCAL_LMTP_', `EnvFromSMTP', `EnvFromL')/HdrFromL, R=EnvToL/HdrToL,dnl
ifdef(`LOCAL_MAILER_EOL', ` E=LOCAL_MAILER_EOL,')dnl
ifdef(`LOCAL_MAILER_MAX', ` M=LOCAL_MAILER_MAX,')dnl
ifdef(`LOCAL_MAILER_MAXMSGS', ` m=LOCAL_MAILER_MAXMSGS,')dnl
ifdef(`LOCAL_MAILER_CHARSET', ` C=LOCAL_MAILER_CHARSET,')dnl
ifdef(`LOCAL_MAILER_QGRP', ` Q=LOCAL_MAILER_QGRP,')
		T=DNS/RFC822/ifdef(`_PT_LOCAL_LMTP_', `SMTP', `LOCAL_MAILER_DSN_DIAGNOSTIC_CODE'),
		A=LOCAL_MAILER_ARGS
Mprog,		P=LOCAL_SHELL_PATH, F=_PT_MAILER_FLAGS_(`SHELL', `lsDFMoq'defn(`LOCAL_SHELL_FLAGS')), dnl
S=EnvFromL/HdrFromL, R=EnvToL/HdrToL, D=LOCAL_SHELL_DIR,dnl
ifdef(`LOCAL_MAILER_MAX', ` M=LOCAL_MAILER_MAX,')dnl
ifdef(`LOCAL_PROG_QGRP', ` Q=LOCAL_PROG_QGRP,')
		T=X-Unix/X-Unix/X-Unix,
		A=LOCAL_SHELL_ARGS
')dnl

