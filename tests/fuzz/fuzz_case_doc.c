// SPDX-License-Identifier: GPL-2.0
/* Case documents as compare, report and nightly load them (analysis/runload.c fl_run_load):
 * the input is the only file in a run directory's cases/, with no run.json. */
#include "fuzz_util.h"
#include "runload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[300], path[400];
	struct fl_run r;
	char err[1024];

	if (!dir[0])
		fuzz_run_dir(dir, sizeof(dir), path, sizeof(path));
	fuzz_write(path, data, size);
	if (!fl_run_load(&r, dir, err, sizeof(err))) {
		for (size_t i = 0; i < r.ncases; i++)
			for (size_t k = 0; k < r.cases[i].nitems; k++)
				fl_run_case_item(&r.cases[i], r.cases[i].items[k].name);
	}
	fl_run_free(&r);
	return 0;
}
