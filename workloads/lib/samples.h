/* SPDX-License-Identifier: GPL-2.0 */
/* Per-second samples of a team's progress while the measured phase runs. */
#ifndef FL_SAMPLES_H
#define FL_SAMPLES_H

#include <jansson.h>
#include "team.h"

/* Run the team for `seconds`, sampling the ops rate each second (the last partial second is
 * scaled). Returns the per-second rates as a JSON array; *elapsed_s gets the exact time from
 * start to stop. Starts, stops and joins the team. */
json_t *fl_run_team_sampled(struct fl_team *t, double seconds, double *elapsed_s);

#endif
