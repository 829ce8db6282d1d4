/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The target options faultline run and faultline hunt share, parsed once (target_opts.c):
 * --kernel (given several times: one kernel each), --arch, --accel, --cpus, --mem and
 * --boot-timeout. A command puts FL_TARGET_LONGOPTS in its getopt_long table and hands each
 * code for which FL_TOPT_IS() holds to fl_target_opt_parse().
 */
#ifndef FL_TARGET_OPTS_H
#define FL_TARGET_OPTS_H

#include <getopt.h>
#include "target.h"

#define FL_TARGET_MAX_KERNELS 8

/* getopt_long codes above any character, so they never meet a command's own. */
enum {
	FL_TOPT_KERNEL = 0x200,	/* cmd_opts.h's statistics options are 0x100.. */
	FL_TOPT_ARCH,
	FL_TOPT_ACCEL,
	FL_TOPT_CPUS,
	FL_TOPT_MEM,
	FL_TOPT_BOOT_TIMEOUT,
	FL_TOPT_END
};

/* Whether getopt_long's code c is one of them. */
#define FL_TOPT_IS(c) ((c) >= FL_TOPT_KERNEL && (c) < FL_TOPT_END)

#define FL_TARGET_LONGOPTS							\
	{ "kernel", required_argument, NULL, FL_TOPT_KERNEL },			\
	{ "arch", required_argument, NULL, FL_TOPT_ARCH },			\
	{ "accel", required_argument, NULL, FL_TOPT_ACCEL },			\
	{ "cpus", required_argument, NULL, FL_TOPT_CPUS },			\
	{ "mem", required_argument, NULL, FL_TOPT_MEM },			\
	{ "boot-timeout", required_argument, NULL, FL_TOPT_BOOT_TIMEOUT }

struct fl_target_args {
	struct fl_target_opts t;			/* t.kernel: the last --kernel */
	const char *kernels[FL_TARGET_MAX_KERNELS];	/* every --kernel, in order */
	int nkernels;
};

/* Target option c (FL_TOPT_IS) with its value arg into a: 0, or -1 for a bad value (said on
 * stderr as "CMD: ..."). */
int fl_target_opt_parse(const char *cmd, int c, const char *arg, struct fl_target_args *a);

#endif
