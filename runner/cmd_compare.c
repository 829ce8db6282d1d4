// SPDX-License-Identifier: GPL-2.0
/* faultline compare RUN_A RUN_B [RUN_C...]: the runs against the first, as text, Markdown,
 * CSV or JSON, and optionally a gnuplot image. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "compare.h"
#include "table.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "plot.h"
#include "cmd_opts.h"
#include "commands.h"

static void usage(FILE *out)
{
	fputs("usage: faultline compare RUN_A RUN_B [RUN_C...] [--format text|md|csv|json|matrix]\n"
	      "                         [--table ebizzy|kernbench|percore|munmap|collapse]\n"
	      "                         [--metrics GLOB,...] [--counters]\n"
	      "                         [--plot FILE.png|FILE.svg]\n"
	      "                         [--test auto|welch|mwu|bootstrap] [--min-effect PCT]\n"
	      "                         [--alpha 0.05] [--correction holm|bh|none]\n"
	      "  compare runs (results/<run-id> directories) against the first, the base:\n"
	      "  per workload + parameters, each metric and counter (also per op) with n,\n"
	      "  mean, stddev, CoV, min, max, harmonic mean of rates, delta %, a 95% CI of\n"
	      "  the difference and a test corrected for multiple testing (Holm by default).\n"
	      "  --test auto (default): Welch's t, or where a sample of 8 or more is skewed\n"
	      "  (|skewness| > 1) or has a severe outlier (beyond 3 IQR), the percentile\n"
	      "  bootstrap (10,000 resamples, fixed seed); each CI is its test's own.\n"
	      "  Outliers (Tukey's fences: mild beyond 1.5 IQR, severe beyond 3) are\n"
	      "  flagged, never dropped. Three families: timing and other metrics, counts\n"
	      "  (metrics whose unit counts events: IPIs/op, faults/page, flushes), probe\n"
	      "  counters. Each case's primary metric (its first with a better direction,\n"
	      "  the one --precision aims at) carries half its family's weight: tested at\n"
	      "  alpha/2 first, not alpha/(number of metrics).\n"
	      "  Better/worse needs the test AND a floor: counts move by >= 0.5\n"
	      "  events (their unit) and >= 1%; others by >= --min-effect PCT (default 1).\n"
	      "  Runs made with --precision: each group says what each run reached (the\n"
	      "  95% CI half-width of its metric's mean, the target, why it stopped).\n"
	      "  --plot writes FILE and FILE.gp (the gnuplot script) with its data files.\n"
	      "  --format matrix: means only, one column per run headed by its arch.\n"
	      "  --table NAME: a seed thread's published table (text, md or csv), columns\n"
	      "  named by the kernels (candidate, else release): ebizzy (seed 001),\n"
	      "  kernbench (seed 001), percore (seed 004), munmap (seed 000), collapse\n"
	      "  (seed 003). --metrics: only rows whose name matches a glob (fnmatch), in\n"
	      "  every format. Text folds counter, IPI and vmstat rows: --counters shows them.\n"
	      "  Exit: 0 compared, 2 usage or input error.\n", out);
}

struct cmp_args {
	const char *format, *plot, *metrics, *table;
	bool counters;
	struct fl_cmp_opts o;
	struct fl_cmp_floors fl;
	int first;		/* argv index of the first run */
};

static int parse(int argc, char **argv, struct cmp_args *a)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "plot", required_argument, NULL, 'p' },
		FL_SOPT_ENTRY_TEST,
		FL_SOPT_ENTRY_ALPHA,
		FL_SOPT_ENTRY_CORRECTION,
		{ "metrics", required_argument, NULL, 'm' },
		{ "counters", no_argument, NULL, 'C' },
		{ "table", required_argument, NULL, 'T' },
		FL_SOPT_ENTRY_MIN_EFFECT,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "text", "md", "csv", "json", "matrix", NULL };
	char want[256];
	struct stat st;
	int c;

	*a = (struct cmp_args){ .format = "text" };
	fl_cmp_opts_default(&a->o, &a->fl);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (FL_SOPT_IS(c)) {
			if (fl_stats_opt("compare", c, optarg, &a->o, &a->fl))
				return FL_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'f':
			a->format = optarg;
			if (fl_opt_word("compare", "--format", optarg, formats,
					"text, md, csv, json or matrix") < 0)
				return FL_EXIT_USAGE;
			break;
		case 'p':
			a->plot = optarg;
			if (strlen(optarg) < 5 || (strcmp(optarg + strlen(optarg) - 4, ".png") &&
						   strcmp(optarg + strlen(optarg) - 4, ".svg"))) {
				fl_opt_bad("compare", "--plot", "an image name ending in .png or .svg",
					   optarg);
				return FL_EXIT_USAGE;
			}
			if (!lstat(optarg, &st) && S_ISLNK(st.st_mode)) {
				fl_err("--plot %s is a symbolic link; give the image's own path "
				       "(gnuplot would write through the link)", optarg);
				return FL_EXIT_USAGE;
			}
			break;
		case 'm':
			a->metrics = optarg;
			break;
		case 'C':
			a->counters = true;
			break;
		case 'T':
			if (!fl_table_find(optarg)) {
				snprintf(want, sizeof(want), "one of %s", fl_table_names());
				fl_opt_bad("compare", "--table", want, optarg);
				return FL_EXIT_USAGE;
			}
			a->table = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return FL_EXIT_USAGE;
		}
	}
	a->first = optind;
	if (a->table && (!strcmp(a->format, "json") || !strcmp(a->format, "matrix"))) {
		fl_err("--table %s --format %s: a table is text, md or csv", a->table, a->format);
		return FL_EXIT_USAGE;
	}
	if (argc - optind < 2) {
		fl_err("compare needs at least two run directories (the first is the base)");
		return FL_EXIT_USAGE;
	}
	if (argc - optind > 26) {
		fl_err("compare takes at most 26 runs");
		return FL_EXIT_USAGE;
	}
	return 0;
}

static void render(json_t *cmp, const struct cmp_args *a, FILE *out)
{
	const char *format = a->format;
	struct fl_render_opts ro = { a->counters };

	if (!strcmp(format, "md"))
		fl_render_md(cmp, out);
	else if (!strcmp(format, "csv"))
		fl_render_csv(cmp, out);
	else if (!strcmp(format, "matrix"))
		fl_render_matrix(cmp, out);
	else if (!strcmp(format, "json"))
		json_dumpf(cmp, out, JSON_INDENT(1) | JSON_REAL_PRECISION(10) |
			   JSON_ENSURE_ASCII), fputc('\n', out);	/* no raw C1 control */
	else
		fl_render_text_opts(cmp, out, &ro);
}

int fl_cmd_compare(int argc, char **argv)
{
	struct cmp_args a;
	struct fl_run *runs;
	char err[FL_ERRLEN];
	json_t *cmp;
	int ret = parse(argc, argv, &a), n;

	if (ret)
		return ret < 0 ? FL_EXIT_OK : ret;
	n = argc - a.first;
	runs = calloc((size_t)n, sizeof(*runs));
	if (!runs)
		return FL_EXIT_ENV;
	for (int i = 0; i < n && !ret; i++) {
		if (fl_run_load(&runs[i], argv[a.first + i], err, sizeof(err))) {
			fl_err_shown(err);
			ret = FL_EXIT_USAGE;
		}
		snprintf(runs[i].label, sizeof(runs[i].label), "%c", 'A' + i);
	}
	for (int i = 0; i < n && !ret; i++) {
		json_t *sk;
		size_t k;

		json_array_foreach(runs[i].skipped, k, sk)
			fl_err("%s/%s: skipped: %s", runs[i].dir,	/* runload made both ASCII */
			       json_string_value(json_object_get(sk, "file")),
			       json_string_value(json_object_get(sk, "reason")));
	}
	cmp = ret ? NULL : fl_compare_build_floors(runs, (size_t)n, &a.o, &a.fl, err,
							 sizeof(err));
	if (!ret && !cmp) {
		fl_err_shown(err);
		ret = FL_EXIT_USAGE;
	}
	if (cmp && !a.table && a.metrics && fl_cmp_filter(cmp, a.metrics, err, sizeof(err))) {
		fl_err_shown(err);
		ret = FL_EXIT_USAGE;
	} else if (cmp) {
		if (a.table)
			ret = fl_table_render(cmp, fl_table_find(a.table), a.format, a.metrics,
					      stdout, err, sizeof(err)) ? FL_EXIT_USAGE : 0;
		else
			render(cmp, &a, stdout);
		if (ret)
			fl_err_shown(err);
		else if (a.plot && fl_plot_compare(cmp, runs, (size_t)n, a.plot, err, sizeof(err))) {
			fl_err_shown(err);
			ret = FL_EXIT_ENV;
		} else if (a.plot) {
			fprintf(stderr, "plot: %s (its gnuplot script .gp and data .dat beside it)\n", a.plot);
		}
	}
	json_decref(cmp);
	for (int i = 0; i < n; i++)
		fl_run_free(&runs[i]);
	free(runs);
	return ret;
}
