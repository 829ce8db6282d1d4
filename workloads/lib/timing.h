/* SPDX-License-Identifier: GPL-2.0 */
/* Monotonic time. */
#ifndef FL_TIMING_H
#define FL_TIMING_H

#include <stdint.h>
#include <time.h>

static inline uint64_t fl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sleep until the absolute monotonic time t_ns (restarts after signals unless *stop). */
void fl_sleep_until_ns(uint64_t t_ns);

#endif
