/* SPDX-License-Identifier: GPL-2.0 */
/* The end-of-run table: per case (workload + suite parameters), mean, stddev and CoV of each
 * metric over the measured iterations, and the main counters per op. */
#ifndef FL_SUMMARY_H
#define FL_SUMMARY_H

#include <stdio.h>

/* Print the summary of the run in dir. Returns 0, or -1 (message printed) if run.json is
 * unreadable. */
int fl_summary_print(const char *dir, FILE *out);

#endif
