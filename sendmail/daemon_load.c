/*
 * daemon_load: the daemon's brakes: the load average options (RefuseLA,
 * DelayLA, QueueLA with QueueFactor) and ConnectionRateThrottle.
 *
 * The load average is the one-minute figure of /proc/loadavg (getloadavg
 * where that cannot be read), rounded to an integer as upstream compares
 * it.  Reading the file lets a test give the daemon a load of its choosing
 * with a bind mount in a private mount namespace.  A threshold of 0 turns its option off.
 * A figure read less than LA_FRESH_MS ago is used again: the daemon looks at
 * the load several times per message, and the kernel changes it only every
 * five seconds.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "pt_buf.h"
#include "pt_file.h"

#include "daemon.h"

#define LA_FRESH_MS 100

/* Milliseconds of a clock that only goes forward. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
sm_load_average(void)
{
	static long long read_at = -1;
	static int last;
	struct pt_buf b = PT_BUF_INIT;
	double la[1];
	char *end;
	long long t = now_ms();

	if (read_at >= 0 && t - read_at < LA_FRESH_MS)
		return last;

	if (pt_file_read("/proc/loadavg", &b) == 0) {
		la[0] = strtod(pt_buf_str(&b), &end);
		if (end == pt_buf_str(&b))
			la[0] = 0;
	} else if (getloadavg(la, 1) != 1) {
		la[0] = 0;
	}
	pt_buf_free(&b);
	read_at = t;
	last = la[0] > 0 ? (int)(la[0] + 0.5) : 0;
	return last;
}

bool
sm_la_refuse(const struct cf_options *o, int la)
{
	return o->refuse_la > 0 && la >= o->refuse_la;
}

int
sm_la_delay(const struct cf_options *o)
{
	int la;

	if (o->delay_la <= 0)
		return -1;
	la = sm_load_average();
	return la >= o->delay_la ? la : -1;
}

bool
sm_la_queue(const struct cf_options *o, long priority)
{
	int la;

	if (o->queue_la <= 0)
		return false;
	la = sm_load_average();
	return la >= o->queue_la &&
	    priority > o->queue_factor / (la - o->queue_la + 1);
}

bool
sm_throttle_admit(struct sm_throttle *t, long limit, time_t now)
{
	if (limit <= 0)
		return true;
	if (now != t->second) {
		t->second = now;
		t->count = 0;
		t->logged = false;
	}
	if (t->count >= limit)
		return false;
	t->count++;
	return true;
}
