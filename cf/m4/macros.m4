divert(-1)
dnl #
dnl # macros.m4: the macros an .mc file calls (cf/README's interface).
dnl #
dnl # Nothing here prints: each macro records what it was asked for, in m4
dnl # definitions named _PT_*, and m4/emit.m4 writes the configuration from them
dnl # when the input ends.  The order rules sendmail's package enforces are
dnl # enforced here too, with messages that name the .mc line:
dnl #   - OSTYPE before MAILER, at most one OSTYPE;
dnl #   - FEATURE before MAILER;
dnl #   - an OSTYPE, DOMAIN, FEATURE, MAILER or HACK must name a file of the
dnl #     package (or one the site added to it).
dnl #

dnl # Where the site's files live (cf/README: FILE LOCATIONS).
_PT_SET_DEFAULT_(`MAIL_SETTINGS_DIR', `/etc/mail/')
_PT_SET_DEFAULT_(`DATABASE_MAP_TYPE', `hash')

dnl ######################################################################
dnl # Loading package files
dnl ######################################################################

dnl # _PT_LOAD_(folder, name, macro[, diversion]): reads <cfdir>/folder/name.m4
dnl # with its output going to the diversion (discarded by default), or stops
dnl # with a message naming the caller's line.
define(`_PT_LOAD_', `_PT_READABLE_(_CF_DIR_`$1/$2.m4',
	`_PT_PUSH_DIVERT_(ifelse(`$4', `', `-1', `$4'))_PT_INCLUDE_(_CF_DIR_`$1/$2.m4')_PT_POP_DIVERT_()',
	`_PT_DIE_(`unknown $3 "$2": there is no file '_CF_DIR_`$1/$2.m4')')')

dnl # _PT_PUSH_ARGS_(a1, ..., a9) / _PT_POP_ARGS_: the optional arguments of
dnl # the FEATURE, MAILER, DOMAIN or HACK being read; _PT_ARG_(n) returns the
dnl # n-th one unexpanded.
define(`_PT_PUSH_ARGS_', `pushdef(`_PT_A1_', `$1')pushdef(`_PT_A2_', `$2')dnl
pushdef(`_PT_A3_', `$3')pushdef(`_PT_A4_', `$4')pushdef(`_PT_A5_', `$5')dnl
pushdef(`_PT_A6_', `$6')pushdef(`_PT_A7_', `$7')pushdef(`_PT_A8_', `$8')dnl
pushdef(`_PT_A9_', `$9')')
define(`_PT_POP_ARGS_', `popdef(`_PT_A1_')popdef(`_PT_A2_')popdef(`_PT_A3_')dnl
popdef(`_PT_A4_')popdef(`_PT_A5_')popdef(`_PT_A6_')popdef(`_PT_A7_')dnl
popdef(`_PT_A8_')popdef(`_PT_A9_')')
define(`_PT_ARG_', `defn(`_PT_A$1_')')
dnl # _PT_HAS_ARG_(word): whether one of the optional arguments is word.
define(`_PT_HAS_ARG_', `ifelse(_PT_ARG_(1), `$1', `1', _PT_ARG_(2), `$1', `1',
	_PT_ARG_(3), `$1', `1', _PT_ARG_(4), `$1', `1', _PT_ARG_(5), `$1', `1',
	_PT_ARG_(6), `$1', `1', _PT_ARG_(7), `$1', `1', _PT_ARG_(8), `$1', `1',
	_PT_ARG_(9), `$1', `1', `0')')

dnl # The names sendmail's own package gives the same arguments.
define(`_ARG_', `_PT_ARG_(1)')
define(`_ARG2_', `_PT_ARG_(2)')
define(`_ARG3_', `_PT_ARG_(3)')

dnl ######################################################################
dnl # VERSIONID, OSTYPE, DOMAIN, FEATURE, MAILER, HACK.  Like m4's own
dnl # builtins, the last five are only recognized with arguments, so their
dnl # names may appear in the comments of an .mc.
dnl ######################################################################

define(`_PT_B_VERSIONID', `_PT_NOTE_()`#####  $1  #####'')

define(`OSTYPE', `ifelse(`$#', `0', ``OSTYPE'', `_PT_OSTYPE_CALL_($@)')')
define(`_PT_OSTYPE_CALL_', `_PT_NOTE_()dnl
ifdef(`_PT_MAILER_SEEN_',
	`_PT_DIE_(`OSTYPE($1) comes after MAILER('_PT_FIRST_MAILER_`): the system type must be set before any mailer is defined; move the OSTYPE line up, next to VERSIONID')')dnl
ifdef(`__OSTYPE__',
	`_PT_WARN_(`a second OSTYPE($1) after OSTYPE(__OSTYPE__): both are read')')dnl
define(`__OSTYPE__', `$1')dnl
_PT_PUSH_ARGS_(shift($@))_PT_LOAD_(`ostype', `$1', `OSTYPE')_PT_POP_ARGS_()')

define(`DOMAIN', `ifelse(`$#', `0', ``DOMAIN'', `_PT_DOMAIN_CALL_($@)')')
define(`_PT_DOMAIN_CALL_', `_PT_NOTE_()dnl
_PT_PUSH_ARGS_(shift($@))_PT_LOAD_(`domain', `$1', `DOMAIN')_PT_POP_ARGS_()')

define(`HACK', `ifelse(`$#', `0', ``HACK'', `_PT_HACK_CALL_($@)')')
define(`_PT_HACK_CALL_', `_PT_NOTE_()dnl
_PT_PUSH_ARGS_(shift($@))_PT_LOAD_(`hack', `$1', `HACK')_PT_POP_ARGS_()')

dnl # FEATURE(name, args...): _PT_F_<name> is defined once the feature is on;
dnl # the feature's file records what it needs.
define(`FEATURE', `ifelse(`$#', `0', ``FEATURE'', `_PT_FEATURE_CALL_($@)')')
define(`_PT_FEATURE_CALL_', `_PT_NOTE_()dnl
ifdef(`_PT_MAILER_SEEN_',
	`_PT_DIE_(`FEATURE($1) comes after MAILER('_PT_FIRST_MAILER_`): features change the rules the mailers are built on; move every FEATURE line above the first MAILER line')')dnl
_PT_PUSH_ARGS_(shift($@))_PT_LOAD_(`feature', `$1', `FEATURE')_PT_POP_ARGS_()')

dnl # _PT_FEATURE_ON_(name): marks a feature as used (feature files call it).
define(`_PT_FEATURE_ON_', `define(`_PT_F_$1', `1')')
define(`_PT_IF_', `ifdef(`_PT_F_$1', `$2', `$3')')

dnl # MAILER(name): mailers are written out in the order first named, after
dnl # the local and prog mailers, which every configuration but a null client
dnl # gets whether or not the .mc names them.
define(`MAILER', `ifelse(`$#', `0', ``MAILER'', `_PT_MAILER_CALL_($@)')')
define(`_PT_MAILER_CALL_', `_PT_NOTE_()dnl
ifdef(`__OSTYPE__', `',
	`_PT_DIE_(`MAILER($1) comes before any OSTYPE: name the system type first, for example OSTYPE(linux), above the MAILER lines')')dnl
ifdef(`_PT_MAILER_SEEN_', `', `define(`_PT_MAILER_SEEN_', `1')define(`_PT_FIRST_MAILER_', `$1')')dnl
_PT_MAILER_LOAD_($@)')

dnl # _PT_MAILER_LOAD_(name, args...): reads a mailer file once; the local and
dnl # prog mailers go to diversion 30, the others to 31 in the order named.
define(`_PT_MAILER_LOAD_', `ifdef(`_PT_M_$1', `',
	`define(`_PT_M_$1', `1')dnl
_PT_PUSH_ARGS_(shift($@))dnl
_PT_LOAD_(`mailer', `$1', `MAILER', ifelse(`$1', `local', `30', `31'))dnl
_PT_POP_ARGS_()')')

dnl # MAILER_DEFINITIONS and the LOCAL_* sections: what follows in the .mc is
dnl # literal cf text, kept in a diversion of its own and placed where
dnl # cf/README says (see emit.m4 for the numbers).
define(`LOCAL_CONFIG', `_PT_NOTE_()divert(10)')
define(`LOCAL_RULE_3', `_PT_NOTE_()divert(11)')
define(`LOCAL_RULE_0', `_PT_NOTE_()divert(12)')
define(`LOCAL_NET_CONFIG', `_PT_NOTE_()divert(13)')
define(`LOCAL_RULE_1', `_PT_NOTE_()divert(14)')
define(`LOCAL_RULE_2', `_PT_NOTE_()divert(15)')
define(`LOCAL_RULESETS', `_PT_NOTE_()divert(16)')
define(`MAILER_DEFINITIONS', `_PT_NOTE_()divert(17)')
define(`LOCAL_SRV_FEATURES', `_PT_NOTE_()define(`_PT_LOCAL_srv_features_')divert(18)')
define(`LOCAL_CLT_FEATURES', `_PT_NOTE_()define(`_PT_LOCAL_clt_features_')divert(19)')
define(`LOCAL_TRY_TLS', `_PT_NOTE_()define(`_PT_LOCAL_try_tls_')divert(20)')
define(`LOCAL_TLS_RCPT', `_PT_NOTE_()define(`_PT_LOCAL_tls_rcpt_')divert(21)')
define(`LOCAL_TLS_CLIENT', `_PT_NOTE_()define(`_PT_LOCAL_tls_client_')divert(22)')
define(`LOCAL_TLS_SERVER', `_PT_NOTE_()define(`_PT_LOCAL_tls_server_')divert(23)')
define(`LOCAL_UUCP', `_PT_NOTE_()divert(24)')

dnl ######################################################################
dnl # Classes and macros of the configuration
dnl ######################################################################

dnl # _PT_CLASS_(name, words) and _PT_CLASS_FILE_(name, file): class lines
dnl # written into the local-info part in the order the .mc gave them.
define(`_PT_CLASS_', `_PT_APPEND_(`_PT_CLASSES_', `C'_PT_CLASS_NAME_(`$1')`$2')')
define(`_PT_CLASS_FILE_', `_PT_APPEND_(`_PT_CLASSES_', `F'_PT_CLASS_NAME_(`$1')`$2')')

define(`_PT_B_LOCAL_DOMAIN', `_PT_CLASS_(`w', `$1')')
define(`_PT_B_MASQUERADE_AS', `define(`_PT_MASQ_AS_', `$1')')
define(`_PT_B_MASQUERADE_DOMAIN', `_PT_CLASS_(`M', `$1')')
define(`_PT_B_MASQUERADE_DOMAIN_FILE', `_PT_CLASS_FILE_(`M', `$1')')
define(`_PT_B_MASQUERADE_EXCEPTION', `_PT_CLASS_(`N', `$1')')
define(`_PT_B_MASQUERADE_EXCEPTION_FILE', `_PT_CLASS_FILE_(`N', `$1')')
define(`_PT_B_EXPOSED_USER', `_PT_CLASS_(`E', `$1')')
define(`_PT_B_EXPOSED_USER_FILE', `_PT_CLASS_FILE_(`E', `$1')')
define(`_PT_B_LOCAL_USER', `_PT_CLASS_(`L', `$1')')
define(`_PT_B_LOCAL_USER_FILE', `_PT_CLASS_FILE_(`L', `$1')')
define(`_PT_B_GENERICS_DOMAIN', `_PT_CLASS_(`G', `$1')')
define(`_PT_B_GENERICS_DOMAIN_FILE', `_PT_CLASS_FILE_(`G', `$1')')
define(`_PT_B_RELAY_DOMAIN', `_PT_CLASS_(`R', `$1')')
define(`_PT_B_RELAY_DOMAIN_FILE', `_PT_CLASS_FILE_(`R', `$1')')
define(`_PT_B_VIRTUSER_DOMAIN', `define(`_PT_VIRTHOST_')_PT_CLASS_(`VirtHost', `$1')')
define(`_PT_B_VIRTUSER_DOMAIN_FILE', `define(`_PT_VIRTHOST_')_PT_CLASS_FILE_(`VirtHost', `$1')')
define(`_PT_B_CANONIFY_DOMAIN', `_PT_CLASS_(`Canonify', `$1')')
define(`_PT_B_CANONIFY_DOMAIN_FILE', `_PT_CLASS_FILE_(`Canonify', `$1')')
define(`_PT_B_TRUST_AUTH_MECH', `define(`_PT_USE_AUTH_')_PT_CLASS_(`TrustAuthMech', `$1')')
define(`_PT_B_LDAPROUTE_DOMAIN', `_PT_CLASS_(`LDAPRoute', `$1')')
define(`_PT_B_LDAPROUTE_DOMAIN_FILE', `_PT_CLASS_FILE_(`LDAPRoute', `$1')')

dnl # UUCPSMTP(uucpname, domain): a LOCAL_RULE_3 rule turning uucpname!user
dnl # into user@domain.
define(`_PT_B_UUCPSMTP', `R$`'* < @ $1 .UUCP > $`'*	$`'@ $`'1 < @ $2 . > $`'2
')

define(`_PT_B_SITECONFIG', `_PT_DIE_(`SITECONFIG($1) (UUCP site tables) is not supported by this package; route UUCP hosts with FEATURE(mailertable)')')

dnl ######################################################################
dnl # Daemons, clients, filters, queue groups
dnl ######################################################################

dnl # The listeners of DAEMON_OPTIONS replace the default MTA one, in order;
dnl # the MSA listener on 587 comes after them unless FEATURE(no_default_msa)
dnl # is used.
define(`_PT_B_DAEMON_OPTIONS', `_PT_APPEND_(`_PT_DAEMONS_', `O DaemonPortOptions=$1')')
define(`_PT_B_CLIENT_OPTIONS', `_PT_APPEND_(`_PT_CLIENTS_', `O ClientPortOptions=$1')')

define(`_PT_B_MAIL_FILTER', `_PT_APPEND_(`_PT_FILTERS_', `X$1, $2')')
define(`_PT_B_INPUT_MAIL_FILTER', `MAIL_FILTER(`$1', `$2')dnl
ifdef(`confINPUT_MAIL_FILTERS',
	`define(`confINPUT_MAIL_FILTERS', defn(`confINPUT_MAIL_FILTERS')`, $1')',
	`define(`confINPUT_MAIL_FILTERS', `$1')')')

define(`_PT_B_QUEUE_GROUP', `_PT_APPEND_(`_PT_QGROUPS_', `Q$1, $2')')

dnl # MODIFY_MAILER_FLAGS(NAME, change): +flags adds, -flags removes, anything
dnl # else replaces the flags of mailer NAME (LOCAL, SHELL for prog, SMTP,
dnl # ESMTP, SMTP8, DSMTP, RELAY, PROCMAIL, CYRUS, ...).  Removals apply before
dnl # additions.
define(`_PT_B_MODIFY_MAILER_FLAGS', `ifelse(substr(`$2', 0, 1), `+',
	`define(`_PT_MF_ADD_$1', ifdef(`_PT_MF_ADD_$1', `defn(`_PT_MF_ADD_$1')')`'substr(`$2', 1))',
	substr(`$2', 0, 1), `-',
	`define(`_PT_MF_DEL_$1', ifdef(`_PT_MF_DEL_$1', `defn(`_PT_MF_DEL_$1')')`'substr(`$2', 1))',
	`define(`_PT_MF_SET_$1', `$2')define(`_PT_MF_ADD_$1', `')define(`_PT_MF_DEL_$1', `')')')

dnl # _PT_MAILER_FLAGS_(NAME, defaults): the flags of a mailer after the .mc's
dnl # MODIFY_MAILER_FLAGS calls.
define(`_PT_MAILER_FLAGS_', `_PT_FLAGS_ADD_(_PT_FLAGS_DEL_(ifdef(`_PT_MF_SET_$1',
	`defn(`_PT_MF_SET_$1')', `$2'), ifdef(`_PT_MF_DEL_$1', `defn(`_PT_MF_DEL_$1')')),
	ifdef(`_PT_MF_ADD_$1', `defn(`_PT_MF_ADD_$1')'))')


dnl # Like m4's own builtins, the macros that take arguments are only
dnl # recognized with them, so their names may appear in comments.
define(`LOCAL_DOMAIN', `ifelse(`$#', `0', ``LOCAL_DOMAIN'', `_PT_B_LOCAL_DOMAIN($@)')')
define(`MASQUERADE_AS', `ifelse(`$#', `0', ``MASQUERADE_AS'', `_PT_B_MASQUERADE_AS($@)')')
define(`MASQUERADE_DOMAIN', `ifelse(`$#', `0', ``MASQUERADE_DOMAIN'', `_PT_B_MASQUERADE_DOMAIN($@)')')
define(`MASQUERADE_DOMAIN_FILE', `ifelse(`$#', `0', ``MASQUERADE_DOMAIN_FILE'', `_PT_B_MASQUERADE_DOMAIN_FILE($@)')')
define(`MASQUERADE_EXCEPTION', `ifelse(`$#', `0', ``MASQUERADE_EXCEPTION'', `_PT_B_MASQUERADE_EXCEPTION($@)')')
define(`MASQUERADE_EXCEPTION_FILE', `ifelse(`$#', `0', ``MASQUERADE_EXCEPTION_FILE'', `_PT_B_MASQUERADE_EXCEPTION_FILE($@)')')
define(`EXPOSED_USER', `ifelse(`$#', `0', ``EXPOSED_USER'', `_PT_B_EXPOSED_USER($@)')')
define(`EXPOSED_USER_FILE', `ifelse(`$#', `0', ``EXPOSED_USER_FILE'', `_PT_B_EXPOSED_USER_FILE($@)')')
define(`LOCAL_USER', `ifelse(`$#', `0', ``LOCAL_USER'', `_PT_B_LOCAL_USER($@)')')
define(`LOCAL_USER_FILE', `ifelse(`$#', `0', ``LOCAL_USER_FILE'', `_PT_B_LOCAL_USER_FILE($@)')')
define(`GENERICS_DOMAIN', `ifelse(`$#', `0', ``GENERICS_DOMAIN'', `_PT_B_GENERICS_DOMAIN($@)')')
define(`GENERICS_DOMAIN_FILE', `ifelse(`$#', `0', ``GENERICS_DOMAIN_FILE'', `_PT_B_GENERICS_DOMAIN_FILE($@)')')
define(`RELAY_DOMAIN', `ifelse(`$#', `0', ``RELAY_DOMAIN'', `_PT_B_RELAY_DOMAIN($@)')')
define(`RELAY_DOMAIN_FILE', `ifelse(`$#', `0', ``RELAY_DOMAIN_FILE'', `_PT_B_RELAY_DOMAIN_FILE($@)')')
define(`VIRTUSER_DOMAIN', `ifelse(`$#', `0', ``VIRTUSER_DOMAIN'', `_PT_B_VIRTUSER_DOMAIN($@)')')
define(`VIRTUSER_DOMAIN_FILE', `ifelse(`$#', `0', ``VIRTUSER_DOMAIN_FILE'', `_PT_B_VIRTUSER_DOMAIN_FILE($@)')')
define(`CANONIFY_DOMAIN', `ifelse(`$#', `0', ``CANONIFY_DOMAIN'', `_PT_B_CANONIFY_DOMAIN($@)')')
define(`CANONIFY_DOMAIN_FILE', `ifelse(`$#', `0', ``CANONIFY_DOMAIN_FILE'', `_PT_B_CANONIFY_DOMAIN_FILE($@)')')
define(`TRUST_AUTH_MECH', `ifelse(`$#', `0', ``TRUST_AUTH_MECH'', `_PT_B_TRUST_AUTH_MECH($@)')')
define(`LDAPROUTE_DOMAIN', `ifelse(`$#', `0', ``LDAPROUTE_DOMAIN'', `_PT_B_LDAPROUTE_DOMAIN($@)')')
define(`LDAPROUTE_DOMAIN_FILE', `ifelse(`$#', `0', ``LDAPROUTE_DOMAIN_FILE'', `_PT_B_LDAPROUTE_DOMAIN_FILE($@)')')
define(`UUCPSMTP', `ifelse(`$#', `0', ``UUCPSMTP'', `_PT_B_UUCPSMTP($@)')')
define(`SITECONFIG', `ifelse(`$#', `0', ``SITECONFIG'', `_PT_B_SITECONFIG($@)')')
define(`DAEMON_OPTIONS', `ifelse(`$#', `0', ``DAEMON_OPTIONS'', `_PT_B_DAEMON_OPTIONS($@)')')
define(`CLIENT_OPTIONS', `ifelse(`$#', `0', ``CLIENT_OPTIONS'', `_PT_B_CLIENT_OPTIONS($@)')')
define(`MAIL_FILTER', `ifelse(`$#', `0', ``MAIL_FILTER'', `_PT_B_MAIL_FILTER($@)')')
define(`INPUT_MAIL_FILTER', `ifelse(`$#', `0', ``INPUT_MAIL_FILTER'', `_PT_B_INPUT_MAIL_FILTER($@)')')
define(`QUEUE_GROUP', `ifelse(`$#', `0', ``QUEUE_GROUP'', `_PT_B_QUEUE_GROUP($@)')')
define(`MODIFY_MAILER_FLAGS', `ifelse(`$#', `0', ``MODIFY_MAILER_FLAGS'', `_PT_B_MODIFY_MAILER_FLAGS($@)')')
define(`VERSIONID', `ifelse(`$#', `0', ``VERSIONID'', `_PT_B_VERSIONID($@)')')

dnl ######################################################################
dnl # Maps the features declare
dnl ######################################################################

dnl # _PT_MAP_SPEC_(given, type-options, file): the K-line spec of a table
dnl # feature: the .mc's own spec if it gave one, else DATABASE_MAP_TYPE with
dnl # the options and the file under MAIL_SETTINGS_DIR.
define(`_PT_MAP_SPEC_', `ifelse(`$1', `',
	`DATABASE_MAP_TYPE`'ifelse(`$2', `', `', ` $2') MAIL_SETTINGS_DIR`$3'',
	`$1', `LDAP', `_PT_DIE_(`LDAP map specifications are not supported by this package')',
	`$1')')

dnl # _PT_MAP_(name, spec): a K line in the local-info part.
define(`_PT_MAP_', `_PT_APPEND_(`_PT_MAPS_', `K$1 $2')')
