/*
 * pt_log: the log context and the writers to syslog and standard error.
 *
 * Owns the process's log context: identity, destinations, LogLevel and the
 * current queue id.  It never exits except in pt_panic, which aborts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_buf.h"
#include "pt_log.h"
#include "pt_str.h"

static struct {
	char ident[64];
	int dest;
	int level;		/* LogLevel */
	char qid[64];
	bool opened;
} ctx = { "sendmail", PT_LOG_STDERR, 9, "", false };

void
pt_log_open(const char *ident, int dest)
{
	if (ident != NULL)
		pt_strlcpy(ctx.ident, ident, sizeof ctx.ident);
	ctx.dest = dest;
	if (ctx.opened) {
		closelog();
		ctx.opened = false;
	}
	if (dest & PT_LOG_SYSLOG) {
		openlog(ctx.ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
		ctx.opened = true;
	}
}

void
pt_log_set_level(int loglevel)
{
	ctx.level = loglevel;
}


void
pt_log_set_qid(const char *qid)
{
	pt_strlcpy(ctx.qid, qid != NULL ? qid : "", sizeof ctx.qid);
}

/* Writes one finished line to every destination. */
static void
emit(int prio, const char *line)
{
	if (ctx.dest & PT_LOG_SYSLOG)
		syslog(prio | LOG_MAIL, "%s", line);
	if (ctx.dest & PT_LOG_STDERR) {
		fprintf(stderr, "%s\n", line);
		fflush(stderr);
	}
}

/* Formats prefix and message into one line and emits it. */
static void
log_line(int prio, const char *qid, const char *fmt, va_list ap)
{
	struct pt_buf b = PT_BUF_INIT;

	if (qid != NULL && *qid)
		pt_buf_printf(&b, "%s: ", qid);
	pt_buf_vprintf(&b, fmt, ap);
	emit(prio, pt_buf_str(&b));
	pt_buf_free(&b);
}

void
pt_vlog(int prio, const char *fmt, va_list ap)
{
	log_line(prio, ctx.qid, fmt, ap);
}

void
pt_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(prio, ctx.qid, fmt, ap);
	va_end(ap);
}

void
pt_log_lv(int level, int prio, const char *fmt, ...)
{
	va_list ap;

	if (level > ctx.level)
		return;
	va_start(ap, fmt);
	log_line(prio, ctx.qid, fmt, ap);
	va_end(ap);
}

void
pt_log_id_lv(int level, int prio, const char *qid, const char *fmt, ...)
{
	va_list ap;

	if (level > ctx.level)
		return;
	va_start(ap, fmt);
	log_line(prio, qid != NULL ? qid : "NOQUEUE", fmt, ap);
	va_end(ap);
}

void
pt_log_id(int prio, const char *qid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(prio, qid != NULL ? qid : "NOQUEUE", fmt, ap);
	va_end(ap);
}

void
pt_panic(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (ctx.dest & PT_LOG_SYSLOG)
		syslog(LOG_CRIT | LOG_MAIL, "panic: %s", line);
	fprintf(stderr, "%s: panic: %s\n", ctx.ident, line);
	abort();
}
