// SPDX-License-Identifier: GPL-2.0
/* faultline export kcidb RUN_DIR [--origin NAME] [--out FILE]: the run as KCIDB JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cmd_opts.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "kcidb.h"
#include "commands.h"

static void usage(FILE *out)
{
	fputs("usage: faultline export kcidb RUN_DIR [--origin NAME] [--out FILE]\n"
	      "  the run as KernelCI KCIDB I/O JSON (schema v4.5): one checkout, one build, and per\n"
	      "  measured case a test faultline.WORKLOAD (PASS, FAIL, ERROR, MISS, SKIP) plus a test\n"
	      "  faultline.WORKLOAD.METRIC (DONE) per metric with its value in \"number\"\n"
	      "  --origin NAME   the KCIDB origin, [a-z0-9_]+ (default faultline)\n"
	      "  --out FILE      write there (atomically) instead of standard output\n"
	      "  Submit it with kcidb's own kcidb-submit (not packaged in Debian).\n", out);
}

int fl_cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "origin", required_argument, NULL, 'o' }, { "out", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *origin = "faultline", *out = NULL;
	char err[FL_ERRLEN];
	json_t *doc;
	int c, ret = FL_EXIT_OK;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return FL_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "kcidb")) {
		fl_err("export: the only format is kcidb (faultline export kcidb RUN_DIR)");
		return FL_EXIT_USAGE;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': origin = optarg; break;
		case 'O': out = optarg; break;
		case 'h': usage(stdout); return FL_EXIT_OK;
		default: usage(stderr); return FL_EXIT_USAGE;
		}
	}
	if (optind != argc - 2) {
		fl_err("export kcidb needs one RUN_DIR (faultline export --help)");
		return FL_EXIT_USAGE;
	}
	if (!fl_kcidb_origin_ok(origin)) {
		fl_opt_bad("export", "--origin", "a KCIDB origin (lower-case letters, digits, _)",
			   origin);
		return FL_EXIT_USAGE;
	}
	doc = fl_kcidb_export(argv[optind + 1], origin, err, sizeof(err));
	if (!doc) {
		fl_err_shown(err);
		return FL_EXIT_USAGE;
	}
	if (out) {
		if (fl_json_write_atomic(out, doc, err, sizeof(err))) {
			fl_err("%s", err);
			ret = FL_EXIT_ENV;
		}
	} else {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10) |
			   JSON_ENSURE_ASCII);	/* a terminal gets no raw C1 control */
		putchar('\n');
	}
	json_decref(doc);
	return ret;
}
