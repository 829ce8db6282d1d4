// SPDX-License-Identifier: GPL-2.0
/* The target options run and hunt share (target_opts.h). */
#include "cmd_opts.h"
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
	long long num;

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
		if (fl_opt_whole(cmd, "--cpus", arg, 1, 64, "a whole number from 1 to 64", &num))
			return -1;
		a->t.cpus = (int)num;
		return 0;
	case FL_TOPT_MEM:
		if (fl_opt_whole(cmd, "--mem", arg, 128, 1 << 20,
				 "a whole number of MiB from 128 to 1048576", &num))
			return -1;
		a->t.mem_mib = (long)num;
		return 0;
	case FL_TOPT_BOOT_TIMEOUT:
		return fl_opt_double(cmd, "--boot-timeout", arg, 1, 3600,
				     "seconds from 1 to 3600", &a->t.boot_timeout_s);
	}
	return -1;
}
