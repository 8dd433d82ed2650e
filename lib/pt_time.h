/*
 * pt_time: pauses measured on the monotonic clock.
 */
#ifndef PT_TIME_H
#define PT_TIME_H

/*
 * Sleeps until seconds have passed on the monotonic clock from now: a
 * signal that interrupts the sleep does not cut it short (the sleep goes on
 * to the same deadline), and the time spent handling it is not added.
 */
void pt_sleep_whole(unsigned seconds);

#endif
