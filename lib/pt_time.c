/*
 * pt_time: pauses to a deadline on the monotonic clock (CLOCK_MONOTONIC, so
 * that a change of the wall clock neither shortens nor stretches them).
 * Used by every process that must wait a fixed time whatever signals come
 * meanwhile (the daemon's DelayLA spacing, a session's DelayLA and
 * BadRcptThrottle pauses).  No state.
 */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "pt_time.h"

void
pt_sleep_whole(unsigned seconds)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)seconds;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL) == EINTR)
		;
}
