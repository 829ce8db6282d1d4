/* SPDX-License-Identifier: GPL-2.0 */
/* Option values the commands share (cmd_opts.c): a number in a range, a word from a list,
 * and the statistics options of compare and nightly. Each says what is wrong in one sentence
 * on stderr ("--alpha 2: expected a number between 0 and 1") and returns -1. */
#ifndef FL_CMD_OPTS_H
#define FL_CMD_OPTS_H

#include <getopt.h>
#include "compare.h"

/* ARG as a number from LO to HI (an open end: nextafter(LO, HI)); else -1, said as
 * "OPT ARG: expected EXPECT". */
int fl_opt_double(const char *opt, const char *arg, double lo, double hi, const char *expect,
		  double *out);
/* The same for a decimal integer. */
int fl_opt_long(const char *opt, const char *arg, long lo, long hi, const char *expect,
		long *out);

/* A word of WORDS (NULL-terminated): its index, else -1, said as "OPT ARG: expected EXPECT". */
int fl_opt_word(const char *opt, const char *arg, const char *const *words, const char *expect);

/* The statistics options (getopt_long entries; a command lists those it takes). */
enum {
	FL_SOPT_TEST = 0x100, FL_SOPT_ALPHA, FL_SOPT_CORRECTION, FL_SOPT_MIN_EFFECT, FL_SOPT_END
};
#define FL_SOPT_ENTRY_TEST { "test", required_argument, NULL, FL_SOPT_TEST }
#define FL_SOPT_ENTRY_ALPHA { "alpha", required_argument, NULL, FL_SOPT_ALPHA }
#define FL_SOPT_ENTRY_CORRECTION { "correction", required_argument, NULL, FL_SOPT_CORRECTION }
#define FL_SOPT_ENTRY_MIN_EFFECT { "min-effect", required_argument, NULL, FL_SOPT_MIN_EFFECT }

/* Whether getopt_long's C is one of them. */
#define FL_SOPT_IS(c) ((c) >= FL_SOPT_TEST && (c) < FL_SOPT_END)

/* One of them (C, ARG) into o (--test, --alpha, --correction) or fl (--min-effect). 0 or -1
 * (said). */
int fl_stats_opt(int c, const char *arg, struct fl_cmp_opts *o, struct fl_cmp_floors *fl);

#endif
