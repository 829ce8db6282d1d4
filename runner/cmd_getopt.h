/* SPDX-License-Identifier: GPL-2.0 */
/* What the getopt loops of run, hunt and doctor share (cmd_getopt.c): a number or a duration
 * in range, and the sentence for an option getopt_long refused. Every sentence starts with
 * the command's name ("run: --cpus wants a number from 1 to 64, not '0'"). */
#ifndef FL_CMD_GETOPT_H
#define FL_CMD_GETOPT_H

/* ARG as a number from MIN to MAX into *OUT: 0, or -1 with "CMD: OPT wants WHAT from MIN to
 * MAX, not 'ARG'" said on stderr (WHAT: "a number", "seconds" ...). */
int fl_opt_number(const char *cmd, const char *opt, const char *what, const char *arg,
		  double min, double max, double *out);
/* ARG as a duration (fl_parse_duration: 600, 90s, 10m, 1h30m) into *OUT: 0, or -1 said. */
int fl_opt_duration(const char *cmd, const char *opt, const char *arg, double *out);
/* getopt_long returned ':' (a value missing) or a code the command does not know: say which
 * option (argv[optind - 1]) and where the command's help is. */
void fl_opt_refused(const char *cmd, int c, char **argv);

#endif
