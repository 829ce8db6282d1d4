/* SPDX-License-Identifier: GPL-2.0 */
/* The end-of-run table: per case (workload + suite parameters), mean, stddev and CoV of each
 * metric over the measured iterations, and the main counters per op. */
#ifndef FL_SUMMARY_H
#define FL_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

/* Print the summary of the run in dir. Returns 0, or -1 (message printed) if run.json is
 * unreadable. */
int fl_summary_print(const char *dir, FILE *out);

/*
 * A duration of s seconds for a person: "7m05s" under an hour, "5h02m" under 100 days,
 * "1234 days", "more than a billion days"; "an unknown time" for NaN or a negative value.
 * Never a negative or wrapped number, whatever s is (a suite's timeout_s of 1e308 is valid).
 */
char *fl_fmt_duration(char *buf, size_t len, double s);

#endif
