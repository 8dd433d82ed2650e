/*
 * queue_id: queue ids in upstream 8.17's format.
 *
 * An id is six base-60 digits of the local time (year modulo 60, month
 * 0-11, day of the month, hour, minute, second), two base-60 digits of a
 * per-process counter, and the process id in at least six decimal digits,
 * e.g. "6ASAM7t3012318".  Uniqueness across processes comes from the pid and
 * the time; within a process from the counter; a collision with an existing
 * file (a recycled pid in the same second) is caught when the df is claimed
 * without replacing (queue_msg.c) and a new id is made.  Owns no state
 * beyond the caller's struct queue_idgen.  Runs anywhere.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "queue.h"

/* The 60 digits, in value order. */
static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx";

#define SEQ_MOD (60 * 60)

void
queue_idgen_init(struct queue_idgen *g, long pid, unsigned seed)
{
	g->pid = pid;
	g->seq = seed % SEQ_MOD;
}

int
queue_id_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'x')
		return c - 'a' + 36;
	return -1;
}

void
queue_id_make(struct queue_idgen *g, time_t now, char out[QUEUE_ID_MAX])
{
	struct tm tm;
	unsigned seq;
	long pid = g->pid;

	if (localtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	seq = g->seq;
	g->seq = (g->seq + 1) % SEQ_MOD;
	out[0] = digits[((tm.tm_year % 60) + 60) % 60];
	out[1] = digits[tm.tm_mon % 60];
	out[2] = digits[tm.tm_mday % 60];
	out[3] = digits[tm.tm_hour % 60];
	out[4] = digits[tm.tm_min % 60];
	out[5] = digits[tm.tm_sec % 60];
	out[6] = digits[seq / 60];
	out[7] = digits[seq % 60];
	if (pid < 0)
		pid = -pid;
	snprintf(out + 8, QUEUE_ID_MAX - 8, "%06ld", pid % 10000000000L);
}

bool
queue_id_valid(const char *id)
{
	size_t i, n = strlen(id);

	if (n < 14 || n >= QUEUE_ID_MAX)
		return false;
	for (i = 0; i < 8; i++)
		if (queue_id_digit((unsigned char)id[i]) < 0)
			return false;
	if (queue_id_digit((unsigned char)id[1]) > 11 || queue_id_digit((unsigned char)id[2]) > 31 ||
	    queue_id_digit((unsigned char)id[3]) > 23 || queue_id_digit((unsigned char)id[4]) > 59)
		return false;
	for (i = 8; i < n; i++)
		if (id[i] < '0' || id[i] > '9')
			return false;
	return true;
}
