// SPDX-License-Identifier: GPL-2.0
/* The table of workloads, derived from the one list in workloads.def. */
#include <string.h>
#include "workload.h"

#define FL_WORKLOAD(id) extern const struct fl_workload fl_wl_##id;
#include "workloads.def"
#undef FL_WORKLOAD

const struct fl_workload *const fl_workloads[] = {
#define FL_WORKLOAD(id) &fl_wl_##id,
#include "workloads.def"
#undef FL_WORKLOAD
	NULL,
};

const struct fl_workload *fl_workload_find(const char *name)
{
	for (int i = 0; fl_workloads[i]; i++)
		if (strcmp(fl_workloads[i]->name, name) == 0)
			return fl_workloads[i];
	return NULL;
}
