/*
 * daemon_load: the daemon's brakes: the load average options (RefuseLA,
 * DelayLA, QueueLA with QueueFactor) and ConnectionRateThrottle.
 *
 * The load average is the one-minute figure of /proc/loadavg (getloadavg
 * where that cannot be read), rounded to an integer as upstream compares
 * it.  Reading the file lets a test give the daemon a load of its choosing
 * with a bind mount in a private mount namespace.  A threshold of 0 turns its option off.
 */
#include "config.h"

#include <stdlib.h>

#include "pt_buf.h"
#include "pt_file.h"

#include "daemon.h"

int
sm_load_average(void)
{
	struct pt_buf b = PT_BUF_INIT;
	double la[1];
	char *end;

	if (pt_file_read("/proc/loadavg", &b) == 0) {
		la[0] = strtod(pt_buf_str(&b), &end);
		if (end == pt_buf_str(&b))
			la[0] = 0;
	} else if (getloadavg(la, 1) != 1) {
		la[0] = 0;
	}
	pt_buf_free(&b);
	return la[0] > 0 ? (int)(la[0] + 0.5) : 0;
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
