// SPDX-License-Identifier: GPL-2.0
/*
 * The measured phase's resource use, owned by the harness (as will-it-scale's): the agent
 * takes getrusage of itself and of its children right before run(); a workload asks what was
 * used since then where its phase's work ends (ebizzy, fault-scale: after the team stopped;
 * kernbench: after make was waited for) and reports user_s/sys_s through one helper.
 */
#include <sys/resource.h>
#include "workload.h"

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

void fl_case_rusage_start(struct fl_case *c)
{
	getrusage(RUSAGE_SELF, &c->ru_start[FL_RU_SELF]);
	getrusage(RUSAGE_CHILDREN, &c->ru_start[FL_RU_CHILDREN]);
}

int fl_case_rusage(const struct fl_case *c, enum fl_ru_who who, struct fl_rusage *ru)
{
	const struct rusage *a = &c->ru_start[who];
	struct rusage b;

	if (getrusage(who == FL_RU_SELF ? RUSAGE_SELF : RUSAGE_CHILDREN, &b))
		return -1;
	ru->user_s = tv_s(b.ru_utime) - tv_s(a->ru_utime);
	ru->sys_s = tv_s(b.ru_stime) - tv_s(a->ru_stime);
	ru->faults = (double)(b.ru_minflt - a->ru_minflt + b.ru_majflt - a->ru_majflt);
	ru->nvcsw = (double)(b.ru_nvcsw - a->ru_nvcsw);
	ru->nivcsw = (double)(b.ru_nivcsw - a->ru_nivcsw);
	return 0;
}

void fl_case_cpu_metrics(struct fl_case *c, const struct fl_rusage *ru)
{
	fl_case_metric(c, "user_s", ru->user_s);
	fl_case_metric(c, "sys_s", ru->sys_s);
}
