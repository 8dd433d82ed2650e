divert(-1)
dnl #
dnl # options.m4: the confX names of cf/README and the O option each sets.
dnl #
dnl # An option line is written when its m4 name is defined, by the .mc, an
dnl # OSTYPE, DOMAIN or FEATURE file, or by the defaults below (which an .mc may
dnl # undefine).  A name defined as empty gives "O Option" with no value, which
dnl # resets the option to its empty value.
dnl #

dnl # Defaults every configuration gets unless the .mc says otherwise.
define(`confSEVEN_BIT_INPUT', `False')
define(`confALIAS_WAIT', `10')
define(`confMIN_FREE_BLOCKS', `100')
define(`confBLANK_SUB', `.')
define(`confCON_EXPENSIVE', `False')
define(`confDELIVERY_MODE', `background')
define(`confTEMP_FILE_MODE', `0600')
define(`confMIME_FORMAT_ERRORS', `True')
define(`confMCI_CACHE_SIZE', `2')
define(`confMCI_CACHE_TIMEOUT', `5m')
define(`confUSE_ERRORS_TO', `False')
define(`confLOG_LEVEL', `9')
define(`confCHECK_ALIASES', `False')
define(`confOLD_STYLE_HEADERS', `True')
define(`confPRIVACY_FLAGS', `authwarnings')
define(`confTO_QUEUERETURN', `5d')
define(`confTO_QUEUEWARN', `4h')
define(`confSAFE_QUEUE', `True')
define(`confSMTP_LOGIN_MSG', `$j Sendmail $v/$Z; $b')
define(`confFROM_LINE', `From $g $d')
define(`confOPERATORS', `.:%@!^/[]+')
define(`confMAILER_NAME', ``MAILER-DAEMON'')
define(`confSMTP_MAILER', `esmtp')
define(`confLOCAL_MAILER', `local')
define(`confRELAY_MAILER', `relay')
define(`confUUCP_MAILER', `uucp-old')
define(`confEBINDIR', `/usr/libexec')
define(`confFROM_HEADER', `$?x$x <$g>$|$g$.')
define(`confMESSAGEID_HEADER', `<$t.$i@$j>')
define(`confTRUSTED_USERS', `')
define(`confFORWARD_PATH', `$z/.forward.$w:$z/.forward')
define(`confRECEIVED_HEADER', `$?sfrom $s $.$?_($?s$|from $.$_)
	$.$?{auth_type}(authenticated$?{auth_ssf} bits=${auth_ssf}$.)
	$.by $j ($v/$Z)$?r with $r$. id $i$?{tls_version}
	(version=${tls_version} cipher=${cipher} bits=${cipher_bits} verify=${verify})$.$?u
	for $u; $|;
	$.$b')

dnl # _PT_OPTION_TABLE_(f): calls f(Option, confNAME) for every option, in the
dnl # order they are written.  The early ones (file safety, LDAP) are written
dnl # before any map or class file is read, by emit.m4.
define(`_PT_OPTION_TABLE_', `dnl
$1(`SevenBitInput', `confSEVEN_BIT_INPUT')dnl
$1(`EightBitMode', `confEIGHT_BIT_HANDLING')dnl
$1(`AliasWait', `confALIAS_WAIT')dnl
$1(`AliasFile', `ALIAS_FILE')dnl
$1(`MinFreeBlocks', `confMIN_FREE_BLOCKS')dnl
$1(`MaxMessageSize', `confMAX_MESSAGE_SIZE')dnl
$1(`BlankSub', `confBLANK_SUB')dnl
$1(`HoldExpensive', `confCON_EXPENSIVE')dnl
$1(`CheckpointInterval', `confCHECKPOINT_INTERVAL')dnl
$1(`DeliveryMode', `confDELIVERY_MODE')dnl
$1(`ErrorHeader', `confERROR_MESSAGE')dnl
$1(`ErrorMode', `confERROR_MODE')dnl
$1(`SaveFromLine', `confSAVE_FROM_LINES')dnl
$1(`QueueFileMode', `confQUEUE_FILE_MODE')dnl
$1(`TempFileMode', `confTEMP_FILE_MODE')dnl
$1(`MatchGECOS', `confMATCH_GECOS')dnl
$1(`MaxHopCount', `confMAX_HOP')dnl
$1(`HelpFile', `HELP_FILE')dnl
$1(`IgnoreDots', `confIGNORE_DOTS')dnl
$1(`ResolverOptions', `confBIND_OPTS')dnl
$1(`SendMimeErrors', `confMIME_FORMAT_ERRORS')dnl
$1(`ForwardPath', `confFORWARD_PATH')dnl
$1(`ConnectionCacheSize', `confMCI_CACHE_SIZE')dnl
$1(`ConnectionCacheTimeout', `confMCI_CACHE_TIMEOUT')dnl
$1(`HostStatusDirectory', `confHOST_STATUS_DIRECTORY')dnl
$1(`SingleThreadDelivery', `confSINGLE_THREAD_DELIVERY')dnl
$1(`UseErrorsTo', `confUSE_ERRORS_TO')dnl
$1(`UseCompressedIPv6Addresses', `confUSE_COMPRESSED_IPV6_ADDRESSES')dnl
$1(`LogLevel', `confLOG_LEVEL')dnl
$1(`MeToo', `confME_TOO')dnl
$1(`CheckAliases', `confCHECK_ALIASES')dnl
$1(`OldStyleHeaders', `confOLD_STYLE_HEADERS')dnl
_PT_DAEMON_LINES_()dnl
$1(`DirectSubmissionModifiers', `confDIRECT_SUBMISSION_MODIFIERS')dnl
$1(`UseMSP', `confUSE_MSP')dnl
$1(`PrivacyOptions', `confPRIVACY_FLAGS')dnl
$1(`PostmasterCopy', `confCOPY_ERRORS_TO')dnl
$1(`QueueFactor', `confQUEUE_FACTOR')dnl
$1(`MaxQueueChildren', `confMAX_QUEUE_CHILDREN')dnl
$1(`MaxRunnersPerQueue', `confMAX_RUNNERS_PER_QUEUE')dnl
$1(`NiceQueueRun', `confNICE_QUEUE_RUN')dnl
$1(`QueueSortOrder', `confQUEUE_SORT_ORDER')dnl
$1(`MinQueueAge', `confMIN_QUEUE_AGE')dnl
$1(`MaxQueueAge', `confMAX_QUEUE_AGE')dnl
$1(`MaxQueueRunSize', `confMAX_QUEUE_RUN_SIZE')dnl
$1(`FastSplit', `confFAST_SPLIT')dnl
$1(`QueueDirectory', `_PT_QUEUE_DIR_')dnl
$1(`SharedMemoryKey', `confSHARED_MEMORY_KEY')dnl
$1(`SharedMemoryKeyFile', `confSHARED_MEMORY_KEY_FILE')dnl
$1(`Timeout.initial', `confTO_INITIAL')dnl
$1(`Timeout.connect', `confTO_CONNECT')dnl
$1(`Timeout.aconnect', `confTO_ACONNECT')dnl
$1(`Timeout.iconnect', `confTO_ICONNECT')dnl
$1(`Timeout.helo', `confTO_HELO')dnl
$1(`Timeout.mail', `confTO_MAIL')dnl
$1(`Timeout.rcpt', `confTO_RCPT')dnl
$1(`Timeout.datainit', `confTO_DATAINIT')dnl
$1(`Timeout.datablock', `confTO_DATABLOCK')dnl
$1(`Timeout.datafinal', `confTO_DATAFINAL')dnl
$1(`Timeout.rset', `confTO_RSET')dnl
$1(`Timeout.quit', `confTO_QUIT')dnl
$1(`Timeout.misc', `confTO_MISC')dnl
$1(`Timeout.command', `confTO_COMMAND')dnl
$1(`Timeout.ident', `confTO_IDENT')dnl
$1(`Timeout.fileopen', `confTO_FILEOPEN')dnl
$1(`Timeout.control', `confTO_CONTROL')dnl
$1(`Timeout.queuereturn', `confTO_QUEUERETURN')dnl
$1(`Timeout.queuereturn.normal', `confTO_QUEUERETURN_NORMAL')dnl
$1(`Timeout.queuereturn.urgent', `confTO_QUEUERETURN_URGENT')dnl
$1(`Timeout.queuereturn.non-urgent', `confTO_QUEUERETURN_NONURGENT')dnl
$1(`Timeout.queuereturn.dsn', `confTO_QUEUERETURN_DSN')dnl
$1(`Timeout.queuewarn', `confTO_QUEUEWARN')dnl
$1(`Timeout.queuewarn.normal', `confTO_QUEUEWARN_NORMAL')dnl
$1(`Timeout.queuewarn.urgent', `confTO_QUEUEWARN_URGENT')dnl
$1(`Timeout.queuewarn.non-urgent', `confTO_QUEUEWARN_NONURGENT')dnl
$1(`Timeout.queuewarn.dsn', `confTO_QUEUEWARN_DSN')dnl
$1(`Timeout.hoststatus', `confTO_HOSTSTATUS')dnl
$1(`Timeout.resolver.retrans', `confTO_RESOLVER_RETRANS')dnl
$1(`Timeout.resolver.retrans.first', `confTO_RESOLVER_RETRANS_FIRST')dnl
$1(`Timeout.resolver.retrans.normal', `confTO_RESOLVER_RETRANS_NORMAL')dnl
$1(`Timeout.resolver.retry', `confTO_RESOLVER_RETRY')dnl
$1(`Timeout.resolver.retry.first', `confTO_RESOLVER_RETRY_FIRST')dnl
$1(`Timeout.resolver.retry.normal', `confTO_RESOLVER_RETRY_NORMAL')dnl
$1(`Timeout.lhlo', `confTO_LHLO')dnl
$1(`Timeout.auth', `confTO_AUTH')dnl
$1(`Timeout.starttls', `confTO_STARTTLS')dnl
$1(`DeliverByMin', `confDELIVER_BY_MIN')dnl
$1(`DontPruneRoutes', `confDONT_PRUNE_ROUTES')dnl
$1(`SuperSafe', `confSAFE_QUEUE')dnl
$1(`StatusFile', `STATUS_FILE')dnl
$1(`TimeZoneSpec', `confTIME_ZONE')dnl
$1(`DefaultUser', `confDEF_USER_ID')dnl
$1(`UserDatabaseSpec', `confUSERDB_SPEC')dnl
$1(`FallbackMXhost', `confFALLBACK_MX')dnl
$1(`FallbackSmartHost', `confFALLBACK_SMARTHOST')dnl
$1(`TryNullMXList', `confTRY_NULL_MX_LIST')dnl
$1(`QueueLA', `confQUEUE_LA')dnl
$1(`RefuseLA', `confREFUSE_LA')dnl
$1(`RejectLogInterval', `confREJECT_LOG_INTERVAL')dnl
$1(`DelayLA', `confDELAY_LA')dnl
$1(`MaxDaemonChildren', `confMAX_DAEMON_CHILDREN')dnl
$1(`MaxConnectionsPerProcess', `confMAX_CONNECTIONS_PER_PROCESS')dnl
$1(`ConnectionRateThrottle', `confCONNECTION_RATE_THROTTLE')dnl
$1(`ConnectionRateWindowSize', `confCONNECTION_RATE_WINDOW_SIZE')dnl
$1(`RecipientFactor', `confWORK_RECIPIENT_FACTOR')dnl
$1(`ForkEachJob', `confSEPARATE_PROC')dnl
$1(`ClassFactor', `confWORK_CLASS_FACTOR')dnl
$1(`RetryFactor', `confWORK_TIME_FACTOR')dnl
$1(`DefaultCharSet', `confDEF_CHAR_SET')dnl
$1(`ServiceSwitchFile', `confSERVICE_SWITCH_FILE')dnl
$1(`HostsFile', `confHOSTS_FILE')dnl
$1(`DialDelay', `confDIAL_DELAY')dnl
$1(`NoRecipientAction', `confNO_RCPT_ACTION')dnl
$1(`SafeFileEnvironment', `confSAFE_FILE_ENV')dnl
$1(`ColonOkInAddr', `confCOLON_OK_IN_ADDR')dnl
$1(`DontExpandCnames', `confDONT_EXPAND_CNAMES')dnl
$1(`SmtpGreetingMessage', `confSMTP_LOGIN_MSG')dnl
$1(`UnixFromLine', `confFROM_LINE')dnl
$1(`SingleLineFromHeader', `confSINGLE_LINE_FROM_HEADER')dnl
$1(`AllowBogusHELO', `confALLOW_BOGUS_HELO')dnl
$1(`MustQuoteChars', `confMUST_QUOTE_CHARS')dnl
$1(`OperatorChars', `confOPERATORS')dnl
$1(`DontInitGroups', `confDONT_INIT_GROUPS')dnl
$1(`UnsafeGroupWrites', `confUNSAFE_GROUP_WRITES')dnl
$1(`DoubleBounceAddress', `confDOUBLE_BOUNCE_ADDRESS')dnl
$1(`SoftBounce', `confSOFT_BOUNCE')dnl
$1(`DeadLetterDrop', `confDEAD_LETTER_DROP')dnl
$1(`RunAsUser', `confRUN_AS_USER')dnl
$1(`MaxRecipientsPerMessage', `confMAX_RCPTS_PER_MESSAGE')dnl
$1(`BadRcptThrottle', `confBAD_RCPT_THROTTLE')dnl
$1(`DontProbeInterfaces', `confDONT_PROBE_INTERFACES')dnl
$1(`RrtImpliesDsn', `confRRT_IMPLIES_DSN')dnl
$1(`ConnectOnlyTo', `confCONNECT_ONLY_TO')dnl
$1(`TrustedUser', `confTRUSTED_USER')dnl
$1(`ControlSocketName', `confCONTROL_SOCKET_NAME')dnl
$1(`MaxMimeHeaderLength', `confMAX_MIME_HEADER_LENGTH')dnl
$1(`MaxHeadersLength', `confMAX_HEADERS_LENGTH')dnl
$1(`MaxAliasRecursion', `confMAX_ALIAS_RECURSION')dnl
$1(`PidFile', `confPID_FILE')dnl
$1(`ProcessTitlePrefix', `confPROCESS_TITLE_PREFIX')dnl
$1(`DataFileBufferSize', `confDF_BUFFER_SIZE')dnl
$1(`XscriptFileBufferSize', `confXF_BUFFER_SIZE')dnl
$1(`MailboxDatabase', `confMAILBOX_DATABASE')dnl
$1(`RequiresDirfsync', `confREQUIRES_DIR_FSYNC')dnl
$1(`AuthMechanisms', `confAUTH_MECHANISMS')dnl
$1(`AuthRealm', `confAUTH_REALM')dnl
$1(`DefaultAuthInfo', `confDEF_AUTH_INFO')dnl
$1(`AuthOptions', `confAUTH_OPTIONS')dnl
$1(`AuthMaxBits', `confAUTH_MAX_BITS')dnl
$1(`TLSSrvOptions', `confTLS_SRV_OPTIONS')dnl
$1(`CipherList', `confCIPHER_LIST')dnl
$1(`ServerSSLOptions', `confSERVER_SSL_OPTIONS')dnl
$1(`ClientSSLOptions', `confCLIENT_SSL_OPTIONS')dnl
$1(`SSLEngine', `confSSL_ENGINE')dnl
$1(`SSLEnginePath', `confSSL_ENGINE_PATH')dnl
$1(`TLSFallbacktoClear', `confTLS_FALLBACK_TO_CLEAR')dnl
$1(`InputMailFilters', `confINPUT_MAIL_FILTERS')dnl
$1(`Milter.LogLevel', `confMILTER_LOG_LEVEL')dnl
$1(`Milter.macros.connect', `confMILTER_MACROS_CONNECT')dnl
$1(`Milter.macros.helo', `confMILTER_MACROS_HELO')dnl
$1(`Milter.macros.envfrom', `confMILTER_MACROS_ENVFROM')dnl
$1(`Milter.macros.envrcpt', `confMILTER_MACROS_ENVRCPT')dnl
$1(`Milter.macros.eom', `confMILTER_MACROS_EOM')dnl
$1(`Milter.macros.eoh', `confMILTER_MACROS_EOH')dnl
$1(`Milter.macros.data', `confMILTER_MACROS_DATA')dnl
$1(`CACertPath', `confCACERT_PATH')dnl
$1(`CACertFile', `confCACERT')dnl
$1(`ServerCertFile', `confSERVER_CERT')dnl
$1(`ServerKeyFile', `confSERVER_KEY')dnl
$1(`ClientCertFile', `confCLIENT_CERT')dnl
$1(`ClientKeyFile', `confCLIENT_KEY')dnl
$1(`CRLFile', `confCRL')dnl
$1(`CRLPath', `confCRL_PATH')dnl
$1(`DHParameters', `confDH_PARAMETERS')dnl
$1(`RandFile', `confRAND_FILE')dnl
$1(`CertFingerprintAlgorithm', `confCERT_FINGERPRINT_ALGORITHM')dnl
$1(`DANE', `confDANE')dnl
$1(`MaxNOOPCommands', `confMAX_NOOP_COMMANDS')dnl
$1(`HeloName', `confHELO_NAME')dnl
$1(`RejectNUL', `confREJECT_NUL')dnl
$1(`SMTPUTF8', `confSMTPUTF8')dnl
$1(`StrictTransportSecurity', `confSTRICT_TRANSPORT_SECURITY')dnl
$1(`AlwaysBcc', `_PT_ALWAYS_BCC_')dnl
')

dnl # _PT_OPTION_LINE_(Option, confNAME): one O line, if confNAME is defined.
define(`_PT_OPTION_LINE_', `ifdef(`$2', `ifelse(defn(`$2'), `', `O $1
', `O $1=$2
')')')
