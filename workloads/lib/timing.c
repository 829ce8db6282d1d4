// SPDX-License-Identifier: GPL-2.0
/* Monotonic absolute sleeps. */
#include <errno.h>
#include <time.h>
#include "timing.h"

void fl_sleep_until_ns(uint64_t t_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t_ns / 1000000000ull),
		.tv_nsec = (long)(t_ns % 1000000000ull),
	};

	/* An absolute deadline: restarting after a signal does not drift. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}
