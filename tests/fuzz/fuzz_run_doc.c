// SPDX-License-Identifier: GPL-2.0
/* Run documents as compare, report and nightly load them (analysis/runload.c fl_run_load),
 * and compare's reading of what they say (the run identity, the precision reached:
 * analysis/compare_prec.c): the input is run.json of a run directory whose cases/ holds one
 * valid case document (tests/fixtures/schema/valid/case-full.json, copied in by the harness on
 * first use), compared with itself, and the summary `faultline report` prints of it (its
 * precision block included: analysis/precision_doc.c), written to /dev/null. */
#include "fuzz_util.h"
#include "compare.h"
#include "runload.h"
#include "summary.h"

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

/* The comparison of the two loads of the run, and each group's precision line. */
static void compare(struct fl_run *r)
{
	struct fl_cmp_opts o;
	struct fl_cmp_floors f;
	char err[1024], line[1024];
	json_t *cmp, *g;
	size_t i;

	fl_cmp_opts_default(&o, &f);
	cmp = fl_compare_build_floors(r, 2, &o, &f, err, sizeof(err));
	json_array_foreach(json_object_get(cmp, "groups"), i, g)
		fl_cmp_precision_text(cmp, g, line, sizeof(line));
	json_decref(cmp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[300], path[400];
	static FILE *null;
	struct fl_run r[2] = { 0 };
	char err[1024];

	if (!dir[0]) {
		fuzz_run_dir(dir, sizeof(dir), path, sizeof(path));
		copy_case(path);
		snprintf(path, sizeof(path), "%s/run.json", dir);
		null = fopen("/dev/null", "w");
		if (!null)
			abort();
	}
	fuzz_write(path, data, size);
	if (!fl_run_load(&r[0], dir, err, sizeof(err)) &&
	    !fl_run_load(&r[1], dir, err, sizeof(err)))
		compare(r);
	fl_summary_print(dir, null);
	fl_run_free(&r[0]);
	fl_run_free(&r[1]);
	return 0;
}
