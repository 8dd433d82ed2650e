divert(-1)
dnl #
dnl # emit.m4: writes the configuration once the .mc has been read.
dnl #
dnl # Layout of the generated file (cf/README, op.txt section 5):
dnl #   header and V line, the options sendmail needs before it reads any file,
dnl #   local information (classes, macros, maps), LOCAL_CONFIG, the version
dnl #   macro, options, queue groups, precedences, trusted users, headers,
dnl #   rulesets (canonicalization, parsing, local delivery, masquerading,
dnl #   policy checks, TLS and AUTH hooks, LOCAL_RULESETS), mail filters, and
dnl #   the mailers.
dnl #
dnl # The .mc's literal sections wait in these diversions until their place:
dnl #   10 LOCAL_CONFIG      11 LOCAL_RULE_3     12 LOCAL_RULE_0
dnl #   13 LOCAL_NET_CONFIG  14 LOCAL_RULE_1     15 LOCAL_RULE_2
dnl #   16 LOCAL_RULESETS    17 MAILER_DEFINITIONS
dnl #   18-23 LOCAL_SRV_FEATURES, LOCAL_CLT_FEATURES, LOCAL_TRY_TLS,
dnl #         LOCAL_TLS_RCPT, LOCAL_TLS_CLIENT, LOCAL_TLS_SERVER
dnl #   24 LOCAL_UUCP        30 the local and prog mailers   31 other mailers
dnl #

dnl # _PT_RULES_(file): reads one of the package's rule files into the output.
define(`_PT_RULES_', `_PT_INCLUDE_(_CF_DIR_`m4/$1.m4')')

dnl # The mailers rules resolve to.
define(`_PT_LOCAL_MAILER_', `confLOCAL_MAILER')
define(`_PT_SMTP_MAILER_', `confSMTP_MAILER')
define(`_PT_RELAY_MAILER_', `ifdef(`_PT_SMTP_DEFINED_', `confRELAY_MAILER', `unknown')')

dnl # _PT_DAEMON_LINES_: the listeners (see DAEMON_OPTIONS in macros.m4).
define(`_PT_DAEMON_LINES_', `ifdef(`_PT_DAEMONS_',
	`defn(`_PT_DAEMONS_')',
	`O DaemonPortOptions=Name=MTA
')dnl
ifdef(`_PT_F_no_default_msa', `',
	`O DaemonPortOptions=Port=587, Name=MSA, M=E
')dnl
_PT_EMIT_(`_PT_CLIENTS_')')

# The end of input: check the .mc as a whole, then write everything.
define(`_PT_FINISH_', `dnl
ifdef(`__OSTYPE__', `',
	`_PT_DIE_AT_END_(`no OSTYPE: every configuration must name its system type, for example OSTYPE(linux), near the top of the .mc, before any MAILER line')')dnl
_PT_RESOLVE_PATHS_()dnl
ifdef(`_PT_F_msp', `_PT_MAILER_LOAD_(`smtp')')dnl
ifdef(`_PT_F_nullclient', `_PT_MAILER_LOAD_(`smtp')')dnl
_PT_MAILER_LOAD_(`local')dnl
divert(0)dnl
_PT_RULES_(`head')dnl
_PT_RULES_(`rules_canon')dnl
_PT_RULES_(`rules_parse')dnl
_PT_RULES_(`rules_masq')dnl
_PT_RULES_(`rules_access')dnl
_PT_RULES_(`rules_check')dnl
_PT_RULES_(`rules_hooks')dnl
_PT_RULES_(`tail')dnl
')

dnl # _PT_MILTER_DEFAULTS_: the macros sent to mail filters, unless the .mc
# chose them (cf/README, confMILTER_MACROS_*).
define(`_PT_MILTER_DEFAULTS_', `dnl
_PT_SET_DEFAULT_(`confMILTER_MACROS_CONNECT', ``j, _, {daemon_name}, {if_name}, {if_addr}'')dnl
_PT_SET_DEFAULT_(`confMILTER_MACROS_HELO', ``{tls_version}, {cipher}, {cipher_bits}, {cert_subject}, {cert_issuer}'')dnl
_PT_SET_DEFAULT_(`confMILTER_MACROS_ENVFROM', ``i, {auth_type}, {auth_authen}, {auth_ssf}, {auth_author}, {mail_mailer}, {mail_host}, {mail_addr}'')dnl
_PT_SET_DEFAULT_(`confMILTER_MACROS_ENVRCPT', ``{rcpt_mailer}, {rcpt_host}, {rcpt_addr}'')dnl
_PT_SET_DEFAULT_(`confMILTER_MACROS_EOM', ``{msg_id}'')dnl
')

# _PT_RESOLVE_PATHS_: file names that default to MAIL_SETTINGS_DIR are
dnl # fixed only now, so an .mc may change MAIL_SETTINGS_DIR anywhere.
define(`_PT_RESOLVE_PATHS_', `dnl
ifdef(`_PT_F_msp', `', `ifdef(`_PT_F_nullclient', `',
	`_PT_SET_DEFAULT_(`ALIAS_FILE', MAIL_SETTINGS_DIR`aliases')')')dnl
_PT_SET_DEFAULT_(`HELP_FILE', MAIL_SETTINGS_DIR`helpfile')dnl
_PT_SET_DEFAULT_(`QUEUE_DIR', `/var/spool/mqueue')dnl
_PT_SET_DEFAULT_(`MSP_QUEUE_DIR', `/var/spool/clientmqueue')dnl
_PT_SET_DEFAULT_(`confCW_FILE', MAIL_SETTINGS_DIR`local-host-names')dnl
_PT_SET_DEFAULT_(`confCT_FILE', MAIL_SETTINGS_DIR`trusted-users')dnl
_PT_SET_DEFAULT_(`confCR_FILE', `-o 'MAIL_SETTINGS_DIR`relay-domains')dnl
ifdef(`_PT_F_msp', `_PT_SET_DEFAULT_(`STATUS_FILE', MSP_QUEUE_DIR`/sm-client.st')dnl
_PT_SET_DEFAULT_(`confPID_FILE', MSP_QUEUE_DIR`/sm-client.pid')')dnl
ifdef(`confTIME_ZONE', `ifelse(confTIME_ZONE, `USE_SYSTEM', `undefine(`confTIME_ZONE')',
	confTIME_ZONE, `USE_TZ', `define(`confTIME_ZONE', `')')')dnl
ifdef(`_PT_MASQ_AS_', `define(`_PT_MASQ_ON_', `1')')dnl
ifdef(`_PT_FILTERS_', `_PT_MILTER_DEFAULTS_()')dnl
ifdef(`_PT_F_msp', `define(`_PT_QUEUE_DIR_', defn(`MSP_QUEUE_DIR'))',
	`define(`_PT_QUEUE_DIR_', defn(`QUEUE_DIR'))')dnl
')
