// SPDX-License-Identifier: GPL-2.0
/* Run documents as compare, report and nightly load them (analysis/runload.c fl_run_load):
 * the input is run.json of a run directory whose cases/ holds one valid case document
 * (tests/fixtures/schema/valid/case-full.json, copied in by the harness on first use). */
#include "fuzz_util.h"
#include "runload.h"

static void copy_case(const char *to)
{
	const char *from = getenv("FL_FUZZ_CASE");
	char buf[1 << 16];
	FILE *in, *out;
	size_t n;

	if (!from)
		from = "tests/fixtures/schema/valid/case-full.json";
	in = fopen(from, "r");
	out = fopen(to, "w");
	if (!in || !out) {
		fprintf(stderr, "fuzz_run_doc: cannot copy %s (run from the repo root or set "
			"FL_FUZZ_CASE)\n", from);
		abort();
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	if (fclose(out))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[300], path[400];
	struct fl_run r;
	char err[1024];

	if (!dir[0]) {
		fuzz_run_dir(dir, sizeof(dir), path, sizeof(path));
		copy_case(path);
		snprintf(path, sizeof(path), "%s/run.json", dir);
	}
	fuzz_write(path, data, size);
	fl_run_load(&r, dir, err, sizeof(err));
	fl_run_free(&r);
	return 0;
}
