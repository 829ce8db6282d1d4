/* SPDX-License-Identifier: GPL-2.0 */
/* The runner's one clock for deadlines and elapsed times: CLOCK_MONOTONIC in seconds, so a
 * wall-clock step (NTP, a guest's RTC) never shortens or stretches a timeout. */
#ifndef FL_CLOCK_H
#define FL_CLOCK_H

#include <time.h>

static inline double fl_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
