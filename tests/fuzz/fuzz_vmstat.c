// SPDX-License-Identifier: GPL-2.0
/* /proc/vmstat parser (workloads/probes/procparse.c fl_vmstat_parse) and the delta the vmstat
 * probe builds from two snapshots. */
#include <jansson.h>
#include "fuzz_util.h"
#include "probes/procparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_vmstat vs;
	char *text = fuzz_cstr(data, size);

	memset(&vs, 0, sizeof(vs));
	if (!fl_vmstat_parse(text, &vs)) {
		json_t *j = fl_vmstat_delta_json(&vs, &vs);
		char *s = json_dumps(j, 0);
		bool gauge;

		for (size_t i = 0; i < vs.n; i++) {
			fl_vmstat_find(&vs, vs.v[i].name);
			fl_vmstat_unit(vs.v[i].name, &gauge);
		}
		free(s);
		json_decref(j);
		fl_vmstat_free(&vs);
	}
	free(text);
	return 0;
}
