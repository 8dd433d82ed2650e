dnl mailer/smtp.m4: the SMTP mailers smtp, esmtp, smtp8, dsmtp and relay.
dnl Knobs: SMTP_MAILER_{FLAGS,MAX,MAXMSGS,MAXRCPTS,CHARSET,LL,ARGS,QGRP},
dnl {ESMTP,SMTP8,DSMTP,RELAY}_MAILER_ARGS and _QGRP, RELAY_MAILER_{FLAGS,
dnl MAXMSGS,CHARSET,LL}, and MODIFY_MAILER_FLAGS for each mailer.
define(`_PT_SMTP_DEFINED_', `1')dnl
_PT_SET_DEFAULT_(`SMTP_MAILER_ARGS', `TCP $h')dnl
_PT_SET_DEFAULT_(`ESMTP_MAILER_ARGS', `TCP $h')dnl
_PT_SET_DEFAULT_(`SMTP8_MAILER_ARGS', `TCP $h')dnl
_PT_SET_DEFAULT_(`DSMTP_MAILER_ARGS', `TCP $h')dnl
_PT_SET_DEFAULT_(`RELAY_MAILER_ARGS', `TCP $h')dnl
_PT_SET_DEFAULT_(`SMTP_MAILER_LL', `990')dnl
_PT_SET_DEFAULT_(`RELAY_MAILER_LL', `2040')dnl
define(`_PT_SMTP_FLAGS_', ifdef(`SMTP_MAILER_FLAGS', `defn(`SMTP_MAILER_FLAGS')'))dnl
define(`_PT_RELAY_FLAGS_', ifdef(`RELAY_MAILER_FLAGS', `defn(`RELAY_MAILER_FLAGS')', `defn(`_PT_SMTP_FLAGS_')'))dnl
define(`_PT_SMTP_RCPT_RULES_', ifdef(`_PT_F_allmasquerade', `EnvToSMTP/HdrFromSMTP', `EnvToSMTP'))dnl
define(`_PT_SMTP_LIMITS_', `ifdef(`SMTP_MAILER_MAX', ` M=SMTP_MAILER_MAX,')dnl
ifdef(`SMTP_MAILER_MAXMSGS', ` m=SMTP_MAILER_MAXMSGS,')dnl
ifdef(`SMTP_MAILER_MAXRCPTS', ` r=SMTP_MAILER_MAXRCPTS,')dnl
ifdef(`SMTP_MAILER_CHARSET', ` C=SMTP_MAILER_CHARSET,')')dnl

######################################################################
#  SMTP mailers
######################################################################
# MasqSMTP: qualify a bare local name
SMasqSMTP
R$* < @ $* > $*		$@ $1 < @ $2 > $3
R$+			$@ $1 < @ *LOCAL* >

# PseudoDomains: route addresses stay; .UUCP hosts go out in bang form
# through the UUCP relay
SPseudoDomains
R< @ $+ > $*		$@ < @ $1 > $2
ifdef(`_PT_NO_UUCP_', `', `R$+ < @ $+ .UUCP. >	$: < $2 ! > $1
R$+ < @ $* > $*		$@ $1 < @ $2 > $3
R< $&h ! > $- ! $+	$@ $2 < @ $1 .UUCP. >
R< $&h ! > $-.$+ ! $+	$@ $3 < @ $1.$2 >
R< $&h ! > $+		$@ $1 < @ $&h .UUCP. >
R< $+ ! > $+		$: $1 ! $2 < @ $Y >
R$+ < @ $~[ $* : $+ >	$@ $1 < @ $4 >
R$+ < @ >		$: $1 < @ *LOCAL* >
')dnl

# envelope sender
SEnvFromSMTP
R$+			$: $>PseudoDomains $1
R$* : ; <@>		$@
R$*			$: $>MasqSMTP $1
R$+			$: $>MasqEnv $1

# envelope recipient (and header recipient unless allmasquerade)
SEnvToSMTP
R$+			$: $>PseudoDomains $1
R$+			$: $>MasqSMTP $1
R$* < @ *LOCAL* > $*	$: $1 < @ $j . > $2

# header sender (and header recipient with allmasquerade)
SHdrFromSMTP
R$+			$: $>PseudoDomains $1
R: ; <@>		$@
R$* <@> $*		$@ $1 <@> $2
R< @ $* > $*		$@ < @ $1 > $2
R$*			$: $>MasqSMTP $1
R$+			$: $>MasqHdr $1

# header recipients of the relay mailer with allmasquerade
SMasqRelay
R$+			$: $>MasqSMTP $1
R$+			$: $>MasqHdr $1

Msmtp,		P=[IPC], F=_PT_MAILER_FLAGS_(`SMTP', `mDFMuX'_PT_SMTP_FLAGS_), S=EnvFromSMTP/HdrFromSMTP, R=_PT_SMTP_RCPT_RULES_, E=\r\n, L=SMTP_MAILER_LL,_PT_SMTP_LIMITS_`'ifdef(`SMTP_MAILER_QGRP', ` Q=SMTP_MAILER_QGRP,')
		T=DNS/RFC822/SMTP,
		A=SMTP_MAILER_ARGS
Mesmtp,		P=[IPC], F=_PT_MAILER_FLAGS_(`ESMTP', `mDFMuXa'_PT_SMTP_FLAGS_), S=EnvFromSMTP/HdrFromSMTP, R=_PT_SMTP_RCPT_RULES_, E=\r\n, L=SMTP_MAILER_LL,_PT_SMTP_LIMITS_`'ifdef(`ESMTP_MAILER_QGRP', ` Q=ESMTP_MAILER_QGRP,')
		T=DNS/RFC822/SMTP,
		A=ESMTP_MAILER_ARGS
Msmtp8,		P=[IPC], F=_PT_MAILER_FLAGS_(`SMTP8', `mDFMuX8'_PT_SMTP_FLAGS_), S=EnvFromSMTP/HdrFromSMTP, R=_PT_SMTP_RCPT_RULES_, E=\r\n, L=SMTP_MAILER_LL,_PT_SMTP_LIMITS_`'ifdef(`SMTP8_MAILER_QGRP', ` Q=SMTP8_MAILER_QGRP,')
		T=DNS/RFC822/SMTP,
		A=SMTP8_MAILER_ARGS
Mdsmtp,		P=[IPC], F=_PT_MAILER_FLAGS_(`DSMTP', `mDFMuXa%'_PT_SMTP_FLAGS_), S=EnvFromSMTP/HdrFromSMTP, R=_PT_SMTP_RCPT_RULES_, E=\r\n, L=SMTP_MAILER_LL,_PT_SMTP_LIMITS_`'ifdef(`DSMTP_MAILER_QGRP', ` Q=DSMTP_MAILER_QGRP,')
		T=DNS/RFC822/SMTP,
		A=DSMTP_MAILER_ARGS
Mrelay,		P=[IPC], F=_PT_MAILER_FLAGS_(`RELAY', `mDFMuXa8'_PT_RELAY_FLAGS_), S=EnvFromSMTP/HdrFromSMTP, R=MasqSMTP`'ifdef(`_PT_F_allmasquerade', `/MasqRelay'), E=\r\n, L=RELAY_MAILER_LL,dnl
ifdef(`RELAY_MAILER_CHARSET', ` C=RELAY_MAILER_CHARSET,')dnl
ifdef(`RELAY_MAILER_MAXMSGS', ` m=RELAY_MAILER_MAXMSGS,')dnl
ifdef(`SMTP_MAILER_MAXRCPTS', ` r=SMTP_MAILER_MAXRCPTS,')dnl
ifdef(`RELAY_MAILER_QGRP', ` Q=RELAY_MAILER_QGRP,')
		T=DNS/RFC822/SMTP,
		A=RELAY_MAILER_ARGS

