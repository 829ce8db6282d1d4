/* SPDX-License-Identifier: GPL-2.0 */
/* Option values every command parses (cmd_opts.c): a number or a whole number in a range, a
 * word from a list, a duration, the statistics options of compare and nightly, and the
 * sentence for an option getopt_long refused. A bad value is said in one style on stderr,
 * naming the command, the option, what it wants and what was given:
 *   faultline: run: --cpus wants a whole number from 1 to 64, not 'x'
 * and the parser returns -1 (the command exits FL_EXIT_USAGE). */
#ifndef FL_CMD_OPTS_H
#define FL_CMD_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include "compare.h"

/* The one sentence for a bad value: "CMD: OPT wants WANT, not 'ARG'" (ARG's control
 * characters shown as '?'). Returns -1. */
int fl_opt_bad(const char *cmd, const char *opt, const char *want, const char *arg);

/* The parsing core: ARG, the whole of it (no blank, no trailing text), as a number from LO to
 * HI. NaN is refused; infinity only where HI is one ("--wait inf" waits for ever). */
bool fl_opt_num_in(const char *arg, double lo, double hi, double *out);

/* ARG as a number from LO to HI (an open end: nextafter(LO, HI)) into *OUT, untouched when
 * refused; 0, or -1 said with fl_opt_bad (WANT names the range: "a number from 0 to 60"). */
int fl_opt_double(const char *cmd, const char *opt, const char *arg, double lo, double hi,
		  const char *want, double *out);
/* The same for a decimal whole number ("2.0" and "1e3" are refused). */
int fl_opt_whole(const char *cmd, const char *opt, const char *arg, long long lo, long long hi,
		 const char *want, long long *out);
/* A word of WORDS (NULL-terminated): its index, or -1 said ("... wants WANT, not 'ARG'"). */
int fl_opt_word(const char *cmd, const char *opt, const char *arg, const char *const *words,
		const char *want);
/* ARG as a duration (fl_parse_duration: 600, 90s, 10m, 1h30m) into *OUT: 0, or -1 said. */
int fl_opt_duration(const char *cmd, const char *opt, const char *arg, double *out);

/* getopt_long returned ':' (a value missing) or a code the command does not know: say which
 * option (argv[optind - 1]) and where the command's help is. */
void fl_opt_refused(const char *cmd, int c, char **argv);

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

/* One of them (C, ARG) of command CMD into o (--test, --alpha, --correction) or fl
 * (--min-effect). 0 or -1 (said). */
int fl_stats_opt(const char *cmd, int c, const char *arg, struct fl_cmp_opts *o,
		 struct fl_cmp_floors *fl);

#endif
