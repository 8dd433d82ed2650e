/*
 * cf: the loaded sendmail.cf, one immutable object.
 *
 * cf_load() reads a configuration file in the format of the Installation and
 * Operation Guide, section 5 (V D C F O S R M H K P T Q X E lines,
 * continuation lines, comments) and returns a struct cf_config; the loader
 * is the only code that knows the file's syntax.  After loading, nothing
 * changes the object except the per-process runtime state of maps (see
 * map.h) and the values of macros and classes a program deliberately copies
 * into tables of its own.
 *
 * Options are typed fields of struct cf_options, filled through one table
 * (cf_option.c) that knows every long name, its old one-character name, its
 * type and default.
 */
#ifndef CF_H
#define CF_H

#include <stdbool.h>
#include <sys/types.h>

#include "addr_token.h"
#include "mac.h"
#include "map.h"
#include "pt_buf.h"

#define CF_MAXRWSETS 200	/* rulesets 0..199; named ones are numbered down from 199 */
#define CF_MAXMAILERS 25

/* A list of strings (each O line of a list option adds to it). */
struct cf_strlist {
	char **v;
	int n;
};

/*
 * The options, as typed values.  Field types by table type: str -> char *
 * (NULL when unset), int/time/mode -> long (times in seconds), bool -> bool,
 * char -> int, list -> struct cf_strlist.
 */
#define CF_OPT_TYPE_str char *
#define CF_OPT_TYPE_int long
#define CF_OPT_TYPE_time long
#define CF_OPT_TYPE_mode long
#define CF_OPT_TYPE_bool bool
#define CF_OPT_TYPE_char int
#define CF_OPT_TYPE_list struct cf_strlist

/* X(long name, old one-character name or 0, type, field, default unit for times) */
#define CF_OPTIONS(X)                                                          \
	X("AliasFile", 'A', list, alias_file, 0)                              \
	X("AliasWait", 'a', time, alias_wait, 'm')                            \
	X("AllowBogusHELO", 0, bool, allow_bogus_helo, 0)                     \
	X("AuthMaxBits", 0, int, auth_max_bits, 0)                            \
	X("AuthMechanisms", 0, str, auth_mechanisms, 0)                       \
	X("AuthOptions", 0, str, auth_options, 0)                             \
	X("AuthRealm", 0, str, auth_realm, 0)                                 \
	X("BadRcptShutdown", 0, int, bad_rcpt_shutdown, 0)                    \
	X("BadRcptShutdownGood", 0, int, bad_rcpt_shutdown_good, 0)           \
	X("BadRcptThrottle", 0, int, bad_rcpt_throttle, 0)                    \
	X("BlankSub", 'B', char, blank_sub, 0)                                \
	X("CACertFile", 0, str, ca_cert_file, 0)                              \
	X("CACertPath", 0, str, ca_cert_path, 0)                              \
	X("CertFingerprintAlgorithm", 0, str, cert_fingerprint_algorithm, 0)  \
	X("CheckAliases", 'n', bool, check_aliases, 0)                        \
	X("CheckpointInterval", 'C', int, checkpoint_interval, 0)             \
	X("CipherList", 0, str, cipher_list, 0)                               \
	X("CipherSuites", 0, str, cipher_suites, 0)                           \
	X("ClassFactor", 'z', int, class_factor, 0)                           \
	X("ClientCertFile", 0, str, client_cert_file, 0)                      \
	X("ClientKeyFile", 0, str, client_key_file, 0)                        \
	X("ClientPortOptions", 0, list, client_port_options, 0)               \
	X("ClientSSLOptions", 0, str, client_ssl_options, 0)                  \
	X("ColonOkInAddr", 0, bool, colon_ok_in_addr, 0)                      \
	X("ConnectionCacheSize", 'k', int, connection_cache_size, 0)          \
	X("ConnectionCacheTimeout", 'K', time, connection_cache_timeout, 's') \
	X("ConnectionRateThrottle", 0, int, connection_rate_throttle, 0)      \
	X("ConnectionRateWindowSize", 0, time, connection_rate_window, 's')   \
	X("ConnectOnlyTo", 0, str, connect_only_to, 0)                        \
	X("ControlSocketName", 0, str, control_socket_name, 0)                \
	X("CRLFile", 0, str, crl_file, 0)                                     \
	X("CRLPath", 0, str, crl_path, 0)                                     \
	X("DaemonPortOptions", 'O', list, daemon_port_options, 0)             \
	X("DataFileBufferSize", 0, int, data_file_buffer_size, 0)             \
	X("DeadLetterDrop", 0, str, dead_letter_drop, 0)                      \
	X("DefaultAuthInfo", 0, str, default_auth_info, 0)                    \
	X("DefaultCharSet", 0, str, default_charset, 0)                       \
	X("DefaultUser", 'u', str, default_user, 0)                           \
	X("DelayLA", 0, int, delay_la, 0)                                     \
	X("DeliverByMin", 0, time, deliver_by_min, 's')                       \
	X("DeliveryMode", 'd', char, delivery_mode, 0)                        \
	X("DHParameters", 0, str, dh_parameters, 0)                           \
	X("DialDelay", 0, time, dial_delay, 's')                              \
	X("DirectSubmissionModifiers", 0, str, direct_submission_modifiers, 0) \
	X("DontBlameSendmail", 0, list, dont_blame_sendmail, 0)               \
	X("DontExpandCnames", 0, bool, dont_expand_cnames, 0)                 \
	X("DontInitGroups", 0, bool, dont_init_groups, 0)                     \
	X("DontProbeInterfaces", 0, str, dont_probe_interfaces, 0)            \
	X("DontPruneRoutes", 'R', bool, dont_prune_routes, 0)                 \
	X("DoubleBounceAddress", 0, str, double_bounce_address, 0)            \
	X("EightBitMode", '8', char, eight_bit_mode, 0)                       \
	X("ErrorHeader", 'E', str, error_header, 0)                           \
	X("ErrorMode", 'e', char, error_mode, 0)                              \
	X("FallbackMXhost", 'V', str, fallback_mx_host, 0)                    \
	X("FallbackSmartHost", 0, str, fallback_smart_host, 0)                \
	X("FastSplit", 0, int, fast_split, 0)                                 \
	X("ForkEachJob", 'Y', bool, fork_each_job, 0)                         \
	X("ForwardPath", 'J', str, forward_path, 0)                           \
	X("HeloName", 0, str, helo_name, 0)                                   \
	X("HelpFile", 'H', str, help_file, 0)                                 \
	X("HoldExpensive", 'c', bool, hold_expensive, 0)                      \
	X("HostsFile", 0, str, hosts_file, 0)                                 \
	X("HostStatusDirectory", 0, str, host_status_directory, 0)            \
	X("IgnoreDots", 'i', bool, ignore_dots, 0)                            \
	X("InputMailFilters", 0, str, input_mail_filters, 0)                  \
	X("LDAPDefaultSpec", 0, str, ldap_default_spec, 0)                    \
	X("LogLevel", 'L', int, log_level, 0)                                 \
	X("MailboxDatabase", 0, str, mailbox_database, 0)                     \
	X("MatchGECOS", 'G', bool, match_gecos, 0)                            \
	X("MaxAliasRecursion", 0, int, max_alias_recursion, 0)                \
	X("MaxConnectionsPerProcess", 0, int, max_connections_per_process, 0) \
	X("MaxDaemonChildren", 0, int, max_daemon_children, 0)                \
	X("MaxHeadersLength", 0, int, max_headers_length, 0)                  \
	X("MaxHopCount", 'h', int, max_hop_count, 0)                          \
	X("MaxMessageSize", 0, int, max_message_size, 0)                      \
	X("MaxMimeHeaderLength", 0, str, max_mime_header_length, 0)           \
	X("MaxNOOPCommands", 0, int, max_noop_commands, 0)                    \
	X("MaxQueueAge", 0, time, max_queue_age, 's')                         \
	X("MaxQueueChildren", 0, int, max_queue_children, 0)                  \
	X("MaxQueueRunSize", 0, int, max_queue_run_size, 0)                   \
	X("MaxRecipientsPerMessage", 0, int, max_rcpts_per_message, 0)        \
	X("MaxRunnersPerQueue", 0, int, max_runners_per_queue, 0)             \
	X("MeToo", 'm', bool, me_too, 0)                                      \
	X("Milter.LogLevel", 0, int, milter_log_level, 0)                     \
	X("Milter.macros.connect", 0, str, milter_macros_connect, 0)          \
	X("Milter.macros.helo", 0, str, milter_macros_helo, 0)                \
	X("Milter.macros.envfrom", 0, str, milter_macros_envfrom, 0)          \
	X("Milter.macros.envrcpt", 0, str, milter_macros_envrcpt, 0)          \
	X("Milter.macros.data", 0, str, milter_macros_data, 0)                \
	X("Milter.macros.eoh", 0, str, milter_macros_eoh, 0)                  \
	X("Milter.macros.eom", 0, str, milter_macros_eom, 0)                  \
	X("MinFreeBlocks", 'b', str, min_free_blocks, 0)                      \
	X("MinQueueAge", 0, time, min_queue_age, 's')                         \
	X("MustQuoteChars", 0, str, must_quote_chars, 0)                      \
	X("NiceQueueRun", 0, int, nice_queue_run, 0)                          \
	X("NoRecipientAction", 0, str, no_recipient_action, 0)                \
	X("OldStyleHeaders", 'o', bool, old_style_headers, 0)                 \
	X("OperatorChars", 0, str, operator_chars, 0)                         \
	X("PidFile", 0, str, pid_file, 0)                                     \
	X("PostmasterCopy", 'P', str, postmaster_copy, 0)                     \
	X("PrivacyOptions", 'p', list, privacy_options, 0)                    \
	X("ProcessTitlePrefix", 0, str, process_title_prefix, 0)              \
	X("QueueDirectory", 'Q', str, queue_directory, 0)                     \
	X("QueueFactor", 'q', int, queue_factor, 0)                           \
	X("QueueFileMode", 0, mode, queue_file_mode, 0)                       \
	X("QueueLA", 'x', int, queue_la, 0)                                   \
	X("QueueSortOrder", 0, str, queue_sort_order, 0)                      \
	X("RandFile", 0, str, rand_file, 0)                                   \
	X("RecipientFactor", 'y', int, recipient_factor, 0)                   \
	X("RefuseLA", 'X', int, refuse_la, 0)                                 \
	X("RejectLogInterval", 0, time, reject_log_interval, 's')             \
	X("RejectNUL", 0, bool, reject_nul, 0)                                \
	X("RequiresDirfsync", 0, bool, requires_dirfsync, 0)                  \
	X("ResolverOptions", 'I', str, resolver_options, 0)                   \
	X("RetryFactor", 'Z', int, retry_factor, 0)                           \
	X("RrtImpliesDsn", 0, bool, rrt_implies_dsn, 0)                       \
	X("RunAsUser", 0, str, run_as_user, 0)                                \
	X("SafeFileEnvironment", 0, str, safe_file_environment, 0)            \
	X("SaveFromLine", 'f', bool, save_from_line, 0)                       \
	X("SendMimeErrors", 'j', bool, send_mime_errors, 0)                   \
	X("ServerCertFile", 0, str, server_cert_file, 0)                      \
	X("ServerKeyFile", 0, str, server_key_file, 0)                        \
	X("ServerSSLOptions", 0, str, server_ssl_options, 0)                  \
	X("ServiceSwitchFile", 0, str, service_switch_file, 0)                \
	X("SetCertAltnames", 0, bool, set_cert_altnames, 0)                   \
	X("SevenBitInput", '7', bool, seven_bit_input, 0)                     \
	X("SharedMemoryKey", 0, int, shared_memory_key, 0)                    \
	X("SharedMemoryKeyFile", 0, str, shared_memory_key_file, 0)           \
	X("SingleLineFromHeader", 0, bool, single_line_from_header, 0)        \
	X("SingleThreadDelivery", 0, bool, single_thread_delivery, 0)         \
	X("SmtpGreetingMessage", 0, str, smtp_greeting_message, 0)            \
	X("SmtpUTF8", 0, bool, smtp_utf8, 0)                                  \
	X("SoftBounce", 0, bool, soft_bounce, 0)                              \
	X("SSLEngine", 0, str, ssl_engine, 0)                                 \
	X("SSLEnginePath", 0, str, ssl_engine_path, 0)                        \
	X("StatusFile", 'S', str, status_file, 0)                             \
	X("StrictTransportSecurity", 0, bool, strict_transport_security, 0)   \
	X("SuperSafe", 's', str, super_safe, 0)                               \
	X("TempFileMode", 'F', mode, temp_file_mode, 0)                       \
	X("TimeZoneSpec", 't', str, time_zone_spec, 0)                        \
	X("TLSFallbacktoClear", 0, bool, tls_fallback_to_clear, 0)            \
	X("TLSSrvOptions", 0, str, tls_srv_options, 0)                        \
	X("TrustedUser", 0, str, trusted_user, 0)                             \
	X("TryNullMXList", 'w', bool, try_null_mx_list, 0)                    \
	X("UnixFromLine", 0, str, unix_from_line, 0)                          \
	X("UnsafeGroupWrites", 0, bool, unsafe_group_writes, 0)               \
	X("UseCompressedIPv6Addresses", 0, bool, use_compressed_ipv6, 0)      \
	X("UseErrorsTo", 'l', bool, use_errors_to, 0)                         \
	X("UseMSP", 0, bool, use_msp, 0)                                      \
	X("UserDatabaseSpec", 'U', str, user_database_spec, 0)                \
	X("Verbose", 'v', bool, verbose, 0)                                   \
	X("XscriptFileBufferSize", 0, int, xscript_file_buffer_size, 0)       \
	X("AlwaysBcc", 0, str, always_bcc, 0)

/* The Timeout.* family: X(suboption name, field, default in seconds). */
#define CF_TIMEOUTS(X)                                          \
	X("initial", initial, 300)                              \
	X("connect", connect, 0)                                \
	X("aconnect", aconnect, 0)                              \
	X("iconnect", iconnect, 0)                              \
	X("helo", helo, 300)                                    \
	X("mail", mail, 600)                                    \
	X("rcpt", rcpt, 3600)                                   \
	X("datainit", datainit, 300)                            \
	X("datablock", datablock, 3600)                         \
	X("datafinal", datafinal, 3600)                         \
	X("rset", rset, 300)                                    \
	X("quit", quit, 120)                                    \
	X("misc", misc, 120)                                    \
	X("command", command, 3600)                             \
	X("ident", ident, 5)                                    \
	X("fileopen", fileopen, 60)                             \
	X("control", control, 120)                              \
	X("lhlo", lhlo, 120)                                    \
	X("auth", auth, 600)                                    \
	X("starttls", starttls, 3600)                           \
	X("hoststatus", hoststatus, 1800)                       \
	X("resolver.retrans", resolver_retrans, 0)              \
	X("resolver.retrans.first", resolver_retrans_first, 0)  \
	X("resolver.retrans.normal", resolver_retrans_normal, 0) \
	X("resolver.retry", resolver_retry, 0)                  \
	X("resolver.retry.first", resolver_retry_first, 0)      \
	X("resolver.retry.normal", resolver_retry_normal, 0)    \
	X("queuewarn.normal", queuewarn_normal, 14400)          \
	X("queuewarn.urgent", queuewarn_urgent, 3600)           \
	X("queuewarn.non-urgent", queuewarn_nonurgent, 43200)   \
	X("queuewarn.dsn", queuewarn_dsn, 14400)                \
	X("queuereturn.normal", queuereturn_normal, 432000)     \
	X("queuereturn.urgent", queuereturn_urgent, 172800)     \
	X("queuereturn.non-urgent", queuereturn_nonurgent, 604800) \
	X("queuereturn.dsn", queuereturn_dsn, 432000)

struct cf_timeouts {
#define CF_TIMEOUT_FIELD(name, field, def) long field;
	CF_TIMEOUTS(CF_TIMEOUT_FIELD)
#undef CF_TIMEOUT_FIELD
};

struct cf_options {
#define CF_OPTION_FIELD(name, ch, type, field, unit) CF_OPT_TYPE_##type field;
	CF_OPTIONS(CF_OPTION_FIELD)
#undef CF_OPTION_FIELD
	struct cf_timeouts timeout;
};

/* A compiled rule. */
struct cf_rule {
	char **lhs;		/* pattern tokens, NULL-terminated */
	char **rhs;		/* replacement tokens, NULL-terminated */
	int *lhsclass;		/* per LHS token: the class id of $=x / $~x, else -1 */
	unsigned char *lhsop;	/* per LHS token: '*' '+' '-' '=' '~' '@' for the
				 * wildcards, 0 for a token matched literally */
	bool rhs_lookup;	/* the RHS has $( or $[ */
	bool rhs_call;		/* the RHS has $> */
	unsigned long long need[4];	/* first bytes (folded) of the LHS's literal tokens:
					 * an input lacking one of them cannot match */
	int nlhs, nrhs;
	int line;		/* where it was defined */
	const char *file;
};

/* A ruleset: its rules in order. */
struct cf_ruleset {
	char *name;		/* NULL for a ruleset known only by number */
	int number;
	struct cf_rule *rules;
	int nrules, cap;
	bool defined;		/* an S line named it */
};

/* Bits of a mailer's F= flags: one per ASCII character. */
struct cf_mflags {
	unsigned char bits[16];
};

/* A mailer of an M line (or a builtin one). */
struct cf_mailer {
	char *name;
	int index;		/* its number, as =M prints it */
	char *path;		/* P= */
	struct cf_mflags flags;	/* F= */
	int s_env, s_hdr;	/* S= rulesets, -1 for none */
	int r_env, r_hdr;	/* R= rulesets */
	char **argv;		/* A= words, macros unexpanded */
	char *eol;		/* E= */
	long maxsize;		/* M= */
	long maxmsgs;		/* m= */
	long maxrcpt;		/* r= */
	long linelimit;		/* L= */
	char *dirs;		/* D= */
	char *uid_str;		/* U= as written */
	uid_t uid;
	gid_t gid;		/* (uid_t)-1 / (gid_t)-1 when unset */
	long nice;		/* N= */
	char *charset;		/* C= */
	char *mtatype, *addrtype, *diagtype;	/* T= */
	long wait;		/* W= in seconds */
	char *qgrp;		/* Q= */
	char *rootdir;		/* /= */
	int line;
};

/* Tests and sets a mailer flag character. */
bool cf_mflag(const struct cf_mflags *f, int c);
void cf_mflag_set(struct cf_mflags *f, int c, bool on);

/* A header template of an H line. */
struct cf_header {
	char *name;
	char *value;		/* macros unexpanded */
	struct cf_mflags mflags;	/* ?flags?: added only for mailers with one of these */
	bool has_mflags;
	int macro;		/* ?${macro}?: added only when this macro is set; -1 none */
	int line;
};

/* A precedence of a P line. */
struct cf_prec {
	char *name;
	int value;
};

/* A queue group of a Q line, or a milter of an X line: name and equates. */
struct cf_named {
	char *name;
	char *equates;		/* the rest of the line, "P=..., F=..." */
	int line;
};

/* One word class (C and F lines): a set of words, matched without case. */
struct cf_class;
struct cf_pos;

/* One entry of the ruleset name index. */
struct cf_rsname {
	const char *name;
	int number;
};

struct cf_config {
	char *path;
	int version;		/* the V line's level (0 when absent) */
	char *vendor;		/* the V line's vendor, or NULL */
	struct mac_names *names;	/* macro and class names */
	struct mac_table *macros;	/* D lines and the built-in definitions */
	struct cf_class **classes;	/* by name id */
	int nclasses;
	struct cf_options opt;
	struct addr_toktab toktab;	/* for addresses, from OperatorChars */
	struct addr_toktab toktab_nocomment;	/* for rules and -bt input */
	struct cf_ruleset *rulesets[CF_MAXRWSETS];
	struct cf_mailer *mailers[CF_MAXMAILERS];
	int nmailers;
	struct cf_header *headers;
	int nheaders;
	struct cf_prec *precs;
	int nprecs;
	struct cf_strlist trusted;	/* T lines */
	struct cf_named *qgroups;	/* Q lines */
	int nqgroups;
	struct cf_named *milters;	/* X lines */
	int nmilters;
	struct map_set *maps;	/* K lines plus the builtin maps */
	struct cf_rsname *rsindex;	/* ruleset names, sorted, for cf_ruleset_find */
	int nrsindex;
	struct cf_strlist mailer_env;	/* E lines: NAME=value for mailers */
	struct pt_buf warnings;	/* what the loader warned about, one per line */
	const struct cf_pos *loading;	/* the loader's position while loading, else NULL */
};

/* Where the loader gets the host's identity and the environment it runs in. */
struct cf_env {
	const char *hostname;	/* the qualified host name ($j) */
	const char *const *host_names;	/* more names and [addr] literals for class w */
	bool bt_mode;		/* -bt: some messages go to standard output */
	const char *const *defines;	/* extra macros, "xvalue" or "{name}value" (-M) */
};

/*
 * Loads path.  Returns the configuration, or NULL with the reason in err
 * ("file: line N: ...").  Warnings (unknown options, unreadable F files
 * that are optional ...) are kept in cfg->warnings, one per line, each with
 * the file and line; loading goes on after them, as upstream does.
 */
struct cf_config *cf_load(const char *path, const struct cf_env *env, struct pt_buf *err);
void cf_free(struct cf_config *cfg);

/* Sets an option by long name or one-character name, as the O line or -o/-O does. */
int cf_option_set(struct cf_config *cfg, const char *name, const char *value, struct pt_buf *err);

/*
 * Applies the command line's -o/-O settings ("name=value" each) after the
 * cf, as upstream does: a list option named there (DaemonPortOptions,
 * AliasFile ...) replaces the cf's values instead of adding to them, except
 * PrivacyOptions, which only adds.  Returns -1 (reasons in err, one per
 * line) when a setting was refused; the others still apply.
 */
int cf_options_cmdline(struct cf_config *cfg, char *const *opts, int n, struct pt_buf *err);

/*
 * SuperSafe: true when queue files are to be made durable before the reply
 * (unset, upstream's booleans for true, Interactive and PostMilter); false
 * only for a false boolean ("False", "No").
 */
bool cf_super_safe(const struct cf_options *o);

/* Finds a ruleset by name or number text; -1 if none. */
int cf_ruleset_find(const struct cf_config *cfg, const char *name);
/* Returns the name of ruleset n for traces: its name, or its number in text. */
const char *cf_ruleset_name(const struct cf_config *cfg, int n, char buf[16]);

/* Finds a mailer by name (case-insensitive); NULL if none. */
struct cf_mailer *cf_mailer_find(const struct cf_config *cfg, const char *name);
/* Appends the =M line of a mailer, as upstream prints it. */
void cf_mailer_format(const struct cf_config *cfg, const struct cf_mailer *m, struct pt_buf *out);

/* Class membership: true if word (or the tokens joined) is in class id. */
bool cf_class_has(const struct cf_config *cfg, int id, const char *word);
/* The length of the longest word of class id (0 when empty). */
size_t cf_class_maxlen(const struct cf_config *cfg, int id);
/* Adds a word to class id (used by the loader and by -bt's .C). */
void cf_class_add(struct cf_config *cfg, int id, const char *word);
/* Calls fn for each word of class id, in no particular order. */
void cf_class_each(const struct cf_config *cfg, int id, void (*fn)(const char *word, void *arg),
    void *arg);

/* Parses a time like "5m", "1h30m", "90" (unit when none: def 's', 'm', 'h', 'd'). */
bool cf_parse_time(const char *s, int def_unit, long *seconds);

#endif
