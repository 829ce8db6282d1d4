// SPDX-License-Identifier: GPL-2.0
/* The measured phase of a team: start, sample the ops rate every second, stop, join. */
#include "samples.h"
#include "timing.h"

#define NSEC_PER_SEC	1000000000ull
#define POLL_NS		(50ull * 1000000ull)	/* how soon a team whose workers all quit is noticed */
#define MIN_PARTIAL_NS	(200ull * 1000000ull)	/* a shorter last interval is too noisy to keep */

/* Sleep until deadline, or until every worker has returned. Returns the time woken. */
static uint64_t sample_wait(struct fl_team *t, uint64_t deadline)
{
	uint64_t now = fl_now_ns();

	while (now < deadline && fl_team_running(t) > 0) {
		fl_sleep_until_ns(deadline - now > POLL_NS ? now + POLL_NS : deadline);
		now = fl_now_ns();
	}
	return now;
}

static int sample_push(json_t *arr, uint64_t dops, uint64_t dns)
{
	return json_array_append_new(arr, json_real((double)dops * 1e9 / (double)dns));
}

json_t *fl_run_team_sampled(struct fl_team *t, double seconds, double *elapsed_s)
{
	json_t *arr = json_array();
	uint64_t t0, end, prev_t, prev_ops = 0, now, ops, k;
	int rc = 0;

	t0 = fl_now_ns();
	end = t0 + (uint64_t)(seconds > 0 ? seconds * 1e9 : 0);
	prev_t = t0;
	fl_team_start(t);
	for (k = 1; ; k++) {
		uint64_t tick = t0 + k * NSEC_PER_SEC;
		bool last = tick >= end;

		now = sample_wait(t, last ? end : tick);
		ops = fl_team_ops(t);
		if (now < (last ? end : tick))
			last = true;	/* every worker has exited */
		if (!last || now - prev_t >= MIN_PARTIAL_NS)
			rc |= arr ? sample_push(arr, ops - prev_ops, now - prev_t) : -1;
		if (last)
			break;
		prev_t = now;
		prev_ops = ops;
	}
	fl_team_stop(t);
	fl_team_join(t);
	if (elapsed_s)
		*elapsed_s = (double)(fl_now_ns() - t0) / 1e9;
	if (rc) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}
