// SPDX-License-Identifier: GPL-2.0
/* The target options run and hunt share (target_opts.h). */
#include "cmd_getopt.h"
#include "fl_util.h"
#include "target_opts.h"

static int add_kernel(const char *cmd, const char *arg, struct fl_target_args *a)
{
	if (a->nkernels == FL_TARGET_MAX_KERNELS) {
		fl_err("%s: at most %d --kernel", cmd, FL_TARGET_MAX_KERNELS);
		return -1;
	}
	a->kernels[a->nkernels++] = a->t.kernel = arg;
	return 0;
}

int fl_target_opt_parse(const char *cmd, int c, const char *arg, struct fl_target_args *a)
{
	double num;

	switch (c) {
	case FL_TOPT_KERNEL:
		return add_kernel(cmd, arg, a);
	case FL_TOPT_ARCH:
		a->t.arch = arg;
		return 0;
	case FL_TOPT_ACCEL:
		a->t.accel = arg;
		return 0;
	case FL_TOPT_CPUS:
		if (fl_opt_number(cmd, "--cpus", "a number", arg, 1, 64, &num))
			return -1;
		a->t.cpus = (int)num;
		return 0;
	case FL_TOPT_MEM:
		if (fl_opt_number(cmd, "--mem", "a number", arg, 128, 1 << 20, &num))
			return -1;
		a->t.mem_mib = (long)num;
		return 0;
	case FL_TOPT_BOOT_TIMEOUT:
		return fl_opt_number(cmd, "--boot-timeout", "a number", arg, 1, 3600,
				     &a->t.boot_timeout_s);
	}
	return -1;
}
