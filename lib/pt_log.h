/*
 * pt_log: logging to syslog (facility mail) in sendmail's line shapes, and to
 * standard error when a program runs in the foreground.
 *
 * The log context (identity, queue id prefix, where lines go) is the only
 * process-wide mutable state outside the loaded configuration.
 */
#ifndef PT_LOG_H
#define PT_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

/* Where log lines go. */
enum pt_log_dest {
	PT_LOG_SYSLOG = 1,	/* syslog, facility mail */
	PT_LOG_STDERR = 2,	/* standard error, one line per entry */
};

/*
 * Sets the syslog identity (sendmail's -L tag; "sendmail" by default) and
 * the destinations, a mask of enum pt_log_dest.
 */
void pt_log_open(const char *ident, int dest);
/*
 * Sets the LogLevel option's value (9 until called, as upstream's default):
 * a line logged at level n (pt_log_lv, pt_log_id_lv) is written only when
 * n <= LogLevel.  The levels are upstream's (the Operation Guide's "Log
 * Level" table): 4 refusals by check_* rulesets, 5 message collection,
 * 6 notices created, 7 delivery failures, 8 successful deliveries,
 * 9 deferrals, 11 alias expansion, 12 connections,
 * 13 unsafe files, 14 refused connections.  pt_log and pt_log_id lines are
 * always written.
 */
void pt_log_set_level(int loglevel);
/* Sets the queue id that prefixes following lines ("ID: text"); NULL clears it. */
void pt_log_set_qid(const char *qid);

/* Logs one line. */
void pt_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pt_vlog(int prio, const char *fmt, va_list ap);
/* Logs one line when level <= LogLevel. */
void pt_log_lv(int level, int prio, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Logs one line prefixed by an explicit queue id when level <= LogLevel. */
void pt_log_id_lv(int level, int prio, const char *qid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Logs one line prefixed by an explicit queue id ("NOQUEUE" when qid is NULL). */
void pt_log_id(int prio, const char *qid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A programming error: logs the message and aborts. */
void pt_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
