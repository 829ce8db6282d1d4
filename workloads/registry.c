// SPDX-License-Identifier: GPL-2.0
/* The one table of workloads: adding a workload is one file and one line here. */
#include <string.h>
#include "workload.h"

extern const struct fl_workload fl_wl_ebizzy;
extern const struct fl_workload fl_wl_fault_scale;
extern const struct fl_workload fl_wl_percore_map;
extern const struct fl_workload fl_wl_kernbench;
extern const struct fl_workload fl_wl_thp_munmap;
extern const struct fl_workload fl_wl_pt_retract;
extern const struct fl_workload fl_wl_swapin_collapse;

const struct fl_workload *const fl_workloads[] = {
	&fl_wl_ebizzy,
	&fl_wl_fault_scale,
	&fl_wl_percore_map,
	&fl_wl_kernbench,
	&fl_wl_thp_munmap,
	&fl_wl_pt_retract,
	&fl_wl_swapin_collapse,
	NULL,
};

const struct fl_workload *fl_workload_find(const char *name)
{
	for (int i = 0; fl_workloads[i]; i++)
		if (strcmp(fl_workloads[i]->name, name) == 0)
			return fl_workloads[i];
	return NULL;
}
