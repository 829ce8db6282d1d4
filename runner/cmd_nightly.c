// SPDX-License-Identifier: GPL-2.0
/* faultline nightly SUITE --history DIR: run the suite (or take --run DIR), add the run to the
 * history, compare it with the pooled iterations of the last N good runs, write summary.md and
 * index.html with plots, print a verdict and exit 1 on a significant regression that is also
 * beyond the runs' own run-to-run noise (noise_floor.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "compare.h"
#include "counts.h"
#include "fl_util.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "history.h"
#include "history_cp.h"
#include "nightly_lock.h"
#include "noise_floor.h"
#include "plot.h"
#include "commands.h"

struct nightly_args {
	const char *suite, *history, *run;
	double threshold, wait_s;
	long baseline, keep;
	struct fl_cmp_opts o;
	struct fl_cmp_floors fl;
};

/* An error sentence on stderr with its control characters made '?': errors quote documents. */
static void err_print(const char *err)
{
	char shown[FL_ERRLEN];

	fl_err("%s", fl_text_clean(shown, sizeof(shown), err));
}

static void usage(FILE *out)
{
	fputs("usage: faultline nightly SUITE --history DIR [--threshold PCT] [--baseline N]\n"
	      "                         [--run RUN_DIR] [--alpha 0.05] [--wait S] [--keep N]\n"
	      "  run SUITE (or take the finished run RUN_DIR), add it to the history in DIR,\n"
	      "  compare it with the pooled iterations of the last N good runs (default 5)\n"
	      "  A regression is worse, significant (Welch, or the bootstrap for skewed samples\n"
	      "  of 8+; Holm within its family), at least PCT % (a count, e.g. IPIs per munmap:\n"
	      "  at least 0.5 events and 1%), and outside the 99% prediction interval of those\n"
	      "  runs' means (their run-to-run noise; with fewer than 3 runs there is none and\n"
	      "  only the test and PCT or the count floor apply). Counts are their own family.\n"
	      "  and write DIR/summary.md, DIR/index.html (plots, trends), DIR/summary.txt (plain\n"
	      "  text for mail) and DIR/verdict.json (schema/verdict-1.schema.json, for CI).\n"
	      "  --wait S   another nightly holds DIR/.nightly.lock: wait up to S seconds\n"
	      "             (default 0), then exit 3 naming its pid and start time\n"
	      "  --keep N   keep the case files of the last N runs only (the index keeps every\n"
	      "             run's summary and verdict; default: keep all)\n"
	      "  Exit: 0 no significant regression beyond PCT % (default 2), 1 a regression\n"
	      "  or failed cases, 2 usage or input error, 3 environment problem.\n", out);
}

static int parse(int argc, char **argv, struct nightly_args *a)
{
	static const struct option opts[] = {
		{ "history", required_argument, NULL, 'H' },
		{ "threshold", required_argument, NULL, 't' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "run", required_argument, NULL, 'r' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "wait", required_argument, NULL, 'w' },
		{ "keep", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	*a = (struct nightly_args){ .threshold = 2, .baseline = 5 };
	fl_cmp_opts_default(&a->o, &a->fl);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			a->history = optarg;
			break;
		case 't':
			a->threshold = strtod(optarg, &end);
			if (*end || a->threshold < 0) {
				fl_err("--threshold %s: expected a percentage >= 0", optarg);
				return FL_EXIT_USAGE;
			}
			break;
		case 'b':
			a->baseline = strtol(optarg, &end, 10);
			if (*end || a->baseline < 1) {
				fl_err("--baseline %s: expected a number of runs >= 1", optarg);
				return FL_EXIT_USAGE;
			}
			break;
		case 'r':
			a->run = optarg;
			break;
		case 'a':
			a->o.alpha = strtod(optarg, &end);
			if (*end || a->o.alpha <= 0 || a->o.alpha >= 1) {
				fl_err("--alpha %s: expected a number between 0 and 1", optarg);
				return FL_EXIT_USAGE;
			}
			break;
		case 'w':
			a->wait_s = strtod(optarg, &end);
			if (*end || a->wait_s < 0) {
				fl_err("--wait %s: expected seconds >= 0", optarg);
				return FL_EXIT_USAGE;
			}
			break;
		case 'k':
			a->keep = strtol(optarg, &end, 10);
			if (*end || a->keep < 1) {
				fl_err("--keep %s: expected a number of runs >= 1", optarg);
				return FL_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return FL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !a->history) {
		fl_err("nightly needs one SUITE and --history DIR (faultline nightly --help)");
		return FL_EXIT_USAGE;
	}
	a->suite = argv[optind];
	return 0;
}

/* Run "faultline run --out DIR SUITE" (this same executable); its exit status. */
static int run_suite(const char *suite, const char *out)
{
	char self[1024];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;
	int st;

	if (n <= 0)
		return FL_EXIT_ENV;
	self[n] = '\0';
	pid = fork();
	if (pid < 0)
		return FL_EXIT_ENV;
	if (!pid) {
		dup2(2, 1);	/* progress to stderr: stdout is the verdict */
		execl(self, "faultline", "run", "--out", out, suite, (char *)NULL);
		_exit(FL_EXIT_ENV);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return FL_EXIT_ENV;
	return WEXITSTATUS(st);
}

/* The new run's id: run.json's, else the directory's name. It names the run's directory in
 * the history, so it must be a safe name (no "../", no '/'). 0, or -1 with err. */
static int run_id(const char *dir, char *id, size_t len, char *err, size_t errlen)
{
	char tmp[1500], lerr[FL_ERRLEN], what[1600];
	struct fl_run r;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	snprintf(id, len, "%s", basename(tmp));
	snprintf(what, sizeof(what), "the name of the run directory %s", dir);
	if (!fl_run_load(&r, dir, lerr, sizeof(lerr))) {
		const char *v = json_string_value(json_object_get(r.info, "id"));

		if (v) {
			snprintf(id, len, "%s", v);
			snprintf(what, sizeof(what), "the run id (run.id) of %s", dir);
		}
		fl_run_free(&r);
	}
	return fl_name_check(what, id, err, errlen);
}

/* Prediction level of the noise floor: a nightly alarm costs a person's morning, so a clean
 * run should land outside it about once in a hundred metrics, not once in twenty. */
#define NOISE_LEVEL 0.99

/* Add to t[c->key] the noise floor over hist[] of each workload metric of case c. */
static void noise_of_case(json_t *t, const struct fl_run_case *c, const struct fl_run *hist,
			  size_t nhist)
{
	json_t *g = json_object_get(t, c->key);

	for (size_t k = 0; g && k < c->nitems; k++) {
		const struct fl_item *it = &c->items[k];
		struct fl_noise nf;

		if (it->kind != FL_ITEM_METRIC || json_object_get(g, it->name))
			continue;
		fl_noise_floor(hist, nhist, c->key, it->name, NOISE_LEVEL, &nf);
		json_object_set_new(g, it->name, json_pack("{s:I, s:f, s:o, s:o}", "runs",
			(json_int_t)nf.runs, "level", NOISE_LEVEL, "run_cov_pct",
			isfinite(nf.run_cov_pct) ? json_real(nf.run_cov_pct) : json_null(),
			"floor_pct", isfinite(nf.floor_pct) ? json_real(nf.floor_pct) : json_null()));
	}
}

/* The run-to-run noise of the baseline runs hist[], taken before they are pooled, for each
 * workload metric of cur's case groups (and of the baseline's, in those groups):
 * {key: {metric: {"runs", "level", "run_cov_pct", "floor_pct"}}}. */
static json_t *noise_table(const struct fl_run *cur, const struct fl_run *hist, size_t nhist)
{
	json_t *t = json_object();

	for (size_t i = 0; i < cur->ncases; i++)
		if (!json_object_get(t, cur->cases[i].key))
			json_object_set_new(t, cur->cases[i].key, json_object());
	for (size_t i = 0; i < cur->ncases; i++)
		noise_of_case(t, &cur->cases[i], hist, nhist);
	for (size_t r = 0; r < nhist; r++)
		for (size_t i = 0; i < hist[r].ncases; i++)
			noise_of_case(t, &hist[r].cases[i], hist, nhist);
	return t;
}

/* What a regression of a count says besides its %: the family, the means and the
 * difference in the metric's own unit, and the floor it passed. */
static void count_fields(json_t *r, json_t *m, json_t *c)
{
	json_t *rs = json_object_get(m, "runs"), *fl = json_object_get(c, "floor");

	json_object_set_new(r, "family", json_string(json_string_value(json_object_get(m,
			    "family")) ?: "metrics"));
	json_object_set_new(r, "unit", json_string(json_string_value(json_object_get(m,
			    "unit")) ?: ""));
	json_object_set(r, "base_mean", json_object_get(json_array_get(rs, 0), "mean") ?:
			json_null());
	json_object_set(r, "mean", json_object_get(json_array_get(rs, 1), "mean") ?:
			json_null());
	json_object_set(r, "delta", json_object_get(c, "delta") ?: json_null());
	json_object_set(r, "floor", json_object_get(fl, "abs") ?: json_null());
	json_object_set_new(r, "floor_source", json_string(json_string_value(
			    json_object_get(fl, "source")) ?: "none"));
}

/* A significant change of m in c (a comparison) that the rule (counts.h) would have called
 * worse without the history's noise floor: one that "stays within the run-to-run noise". */
static bool within_noise(json_t *m, json_t *c, double threshold)
{
	json_t *fl = json_object_get(c, "floor");
	const char *better = json_string_value(json_object_get(m, "better")) ?: "none";
	double base = fl_cmp_num(json_object_get(json_array_get(json_object_get(m, "runs"), 0),
						 "mean"));
	struct fl_floor f;
	bool beyond;

	if (!json_is_true(json_object_get(c, "significant")) ||
	    json_is_true(json_object_get(c, "beyond_floor")) ||
	    strcmp(json_string_value(json_object_get(fl, "source")) ?: "", "noise"))
		return false;
	fl_floor_of(!strcmp(json_string_value(json_object_get(m, "family")) ?: "", "counts"),
		    base, threshold, NAN, NAN, &f);
	return !strcmp(fl_decide(true, fl_cmp_num(json_object_get(c, "delta")), better[0], &f,
				 &beyond), "worse");
}

/* Regressions: the comparisons of workload metrics (the metrics and counts families) that
 * the rule called worse: significant, beyond the threshold or the count floor, and beyond
 * the noise floor where the history gives one. *noisy counts the worse changes that passed
 * all but the noise floor. */
static json_t *regressions_of(json_t *cmp, double threshold, json_t **largest, size_t *noisy)
{
	json_t *out = json_array(), *g, *m;
	double big = -1;
	size_t i, k;

	*largest = NULL;
	*noisy = 0;
	json_array_foreach(json_object_get(cmp, "groups"), i, g)
		json_array_foreach(json_object_get(g, "metrics"), k, m) {
			json_t *c = json_array_get(json_object_get(m, "comparisons"), 0);
			double d = fl_cmp_num(json_object_get(c, "delta_pct"));
			const char *v = json_string_value(json_object_get(c, "verdict")) ?: "";
			json_t *r, *floor = json_object_get(json_object_get(m, "noise_floor"),
							    "floor_pct");

			/* a count from 0 has no delta % but is a change: 0 -> 1 IPI per op */
			if (strcmp(json_string_value(json_object_get(m, "kind")), "metric") ||
			    (isnan(d) && strcmp(json_string_value(json_object_get(m, "family")) ?:
						"", "counts")))
				continue;
			r = json_pack("{s:s, s:s, s:s, s:O, s:O, s:O, s:O, s:s}", "workload",
				json_string_value(json_object_get(g, "workload")), "label",
				json_string_value(json_object_get(g, "label")), "metric",
				json_string_value(json_object_get(m, "name")), "delta_pct",
				json_object_get(c, "delta_pct") ?: json_null(), "ci_low_pct",
				json_object_get(c, "ci_low_pct") ?: json_null(), "ci_high_pct",
				json_object_get(c, "ci_high_pct") ?: json_null(), "p_adjusted",
				json_object_get(c, "p_adjusted") ?: json_null(), "verdict", v);
			if (strcmp(json_string_value(json_object_get(m, "better")), "none") &&
			    json_is_number(json_object_get(c, "p_adjusted")) && fabs(d) > big) {
				big = fabs(d);
				json_decref(*largest);
				*largest = json_incref(r);
			}
			json_object_set(r, "noise_floor_pct", floor ? floor : json_null());
			count_fields(r, m, c);
			if (!strcmp(v, "worse"))
				json_array_append(out, r);
			else if (within_noise(m, c, threshold))
				(*noisy)++;
			json_decref(r);
		}
	return out;
}

/* "ebizzy threads=2: records_per_s -3.10% (95% CI ...)", names made safe for a terminal. */
static void describe(json_t *r, char *buf, size_t len)
{
	double p = fl_cmp_num(json_object_get(r, "p_adjusted"));
	double lo = fl_cmp_num(json_object_get(r, "ci_low_pct"));
	double hi = fl_cmp_num(json_object_get(r, "ci_high_pct"));
	const char *label = json_string_value(json_object_get(r, "label")) ?: "";
	char wl[200], lb[300], m[200];

	fl_text_clean(wl, sizeof(wl), json_string_value(json_object_get(r, "workload")) ?: "?");
	fl_text_clean(lb, sizeof(lb), label);
	fl_text_clean(m, sizeof(m), json_string_value(json_object_get(r, "metric")) ?: "?");
	double nf = fl_cmp_num(json_object_get(r, "noise_floor_pct"));
	int n;

	if (!strcmp(json_string_value(json_object_get(r, "family")) ?: "", "counts")) {
		char unit[80], a[16], b[16], dl[16];

		fl_text_clean(unit, sizeof(unit), json_string_value(json_object_get(r, "unit")) ?:
			      "");
		fl_fmt_num(a, sizeof(a), fl_cmp_num(json_object_get(r, "base_mean")));
		fl_fmt_num(b, sizeof(b), fl_cmp_num(json_object_get(r, "mean")));
		fl_fmt_num(dl, sizeof(dl), fl_cmp_num(json_object_get(r, "delta")));
		double dp = fl_cmp_num(json_object_get(r, "delta_pct"));
		char pc[32] = "from 0";

		if (!isnan(dp))
			snprintf(pc, sizeof(pc), "%+.2f%%", dp);
		snprintf(buf, len, "%s%s%s: %s %s%s %s (%s -> %s, %s; count, floor %.3g, "
			     "adjusted p %s%.2g)", wl, *label ? " " : "", lb, m,
			     fl_cmp_num(json_object_get(r, "delta")) > 0 ? "+" : "", dl, unit, a,
			     b, pc,
			     fl_cmp_num(json_object_get(r, "floor")), p < 1e-16 ? "< " : "",
			     p < 1e-16 ? 1e-16 : p);
		return;
	}
	n = snprintf(buf, len, "%s%s%s: %s %+.2f%% (95%% CI %+.1f..%+.1f%%, adjusted p %.2g", wl,
		     *label ? " " : "", lb, m, fl_cmp_num(json_object_get(r, "delta_pct")), lo,
		     hi, p);
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, isnan(nf) ? ")" : ", run-to-run noise "
			 "+/-%.1f%%)", nf);
}

/* Append to the verdict text; what does not fit is left out (off never passes len). */
static void __attribute__((format(printf, 4, 5))) vappend(char *v, size_t len, size_t *off,
							  const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(v + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off = *off + (size_t)n < len ? *off + (size_t)n : len - 1;
}

static char *verdict_text(const char *id, size_t nbase, size_t baseiters, json_t *regs,
			  json_t *largest, size_t noisy, size_t problems, double threshold,
			  json_t *cmp)
{
	size_t len = 8192, off = 0, i;
	char *v = malloc(len), one[1000];
	json_t *r;

	if (!v)
		return NULL;
	if (!cmp) {
		snprintf(v, len, "nightly: run %s is the first of its history; no baseline to "
			 "compare with yet, so no verdict%s.", id, problems ?
			 " (it has failed or crashed cases: see summary.md)" : "");
		return v;
	}
	vappend(v, len, &off, "nightly: run %s against the last %zu good run(s) (%zu measured "
		"iterations pooled; %s, %s within each family (timing, counts), alpha %g; counts "
		"move by %g event and %g%% at least; %s): ",
		id, nbase, baseiters, strcmp(json_string_value(json_object_get(cmp, "test")) ?: "",
		"auto") ? json_string_value(json_object_get(cmp, "test")) ?: "?" :
		"Welch's t-test (bootstrap for skewed samples of 8+)",
		json_string_value(json_object_get(cmp, "correction")) ?: "?",
		fl_cmp_num(json_object_get(cmp, "alpha")), FL_COUNT_MIN_DELTA, FL_COUNT_MIN_REL_PCT,
		nbase >= FL_NOISE_MIN_RUNS ?
		"noise floor: 99% prediction interval of those runs' means" :
		"no noise floor with fewer than 3 runs");
	if (json_array_size(regs))
		vappend(v, len, &off, "REGRESSION in %zu metric(s) beyond %g%%: ",
			json_array_size(regs), threshold);
	json_array_foreach(regs, i, r) {
		describe(r, one, sizeof(one));
		vappend(v, len, &off, "%s%s", i ? "; " : "", one);
	}
	if (!json_array_size(regs)) {
		vappend(v, len, &off, "no significant regression beyond %g%%", threshold);
		if (largest) {
			describe(largest, one, sizeof(one));
			vappend(v, len, &off, " (largest change %s)", one);
		}
		if (noisy)
			vappend(v, len, &off, "; %zu worse change(s) beyond %g%% stay within the "
				"history's run-to-run noise", noisy, threshold);
	}
	if (problems)
		vappend(v, len, &off, "; %zu case(s) failed, crashed or timed out (see summary.md)",
			problems);
	vappend(v, len, &off, ".");
	return v;
}

static int write_text(const char *dir, const char *name, void (*fn)(FILE *, void *), void *arg,
		      char *err, size_t errlen)
{
	char tmp[1200], path[1200];
	FILE *f = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	unlink(tmp);	/* a stale one, or a link planted there: never written through */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0)
		f = fdopen(fd, "w");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return fl_seterr(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
	}
	fn(f, arg);
	if (fclose(f) || rename(tmp, path))
		return fl_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

struct report {
	const char *verdict;
	json_t *cmp, *index;
	bool compare_png, trend_png, cdf_png;
	const char *id, *suite, *history, *status;
	size_t nbase;
};

/* Plain text for a mail body; the first line is a Subject: header. */
static void summary_txt(FILE *f, void *arg)
{
	struct report *r = arg;
	static const char *const subject[][2] = {
		{ "ok", "ok" }, { "regression", "REGRESSION" },
		{ "failed_cases", "FAILED CASES" }, { "first_run", "first run, no baseline" },
	};
	const char *s = r->status;

	for (size_t i = 0; i < sizeof(subject) / sizeof(subject[0]); i++)
		if (!strcmp(r->status, subject[i][0]))
			s = subject[i][1];
	fprintf(f, "Subject: faultline nightly %s: %s (run %s)\n\n%s\n\n", r->suite, s, r->id,
		r->verdict);
	if (r->cmp)
		fl_render_text(r->cmp, f);
	fprintf(f, "\nhistory: %s (%zu runs); page: %s/index.html; tables: %s/summary.md\n",
		r->history, json_array_size(json_object_get(r->index, "runs")), r->history,
		r->history);
}

#define CP_REPORTED 5	/* change points named in the verdict, newest first */
#define CP_MIN_RUNS 10	/* two segments of changepoint.h's default 5 runs */

/* "; change points over the 60 runs: ebizzy records_per_s from run ID (#40, kernel A -> B):
 * -3.1% (4810 -> 4661, worse), p 0.005; ..." appended to verdict (a new string). */
static char *with_change_points(char *verdict, json_t *cps, size_t nruns)
{
	size_t len = strlen(verdict ? verdict : "") + 600 * (json_array_size(cps) + 1), off;
	char *v = malloc(len), wl[100], m[100], run[100], kb[100], ka[100];
	json_t *c;
	size_t i;

	if (!v)
		return verdict;
	off = (size_t)snprintf(v, len, "%s", verdict ? verdict : "");
	if (off && v[off - 1] == '.')
		v[--off] = '\0';
	if (nruns < CP_MIN_RUNS)
		vappend(v, len, &off, "; change points need %d runs (%zu so far)", CP_MIN_RUNS,
			nruns);
	else if (!json_array_size(cps))
		vappend(v, len, &off, "; no change point over the history's %zu runs", nruns);
	json_array_foreach(cps, i, c) {
		fl_text_clean(wl, sizeof(wl), json_string_value(json_object_get(c, "workload")));
		fl_text_clean(m, sizeof(m), json_string_value(json_object_get(c, "metric")));
		fl_text_clean(run, sizeof(run), json_string_value(json_object_get(c, "run")));
		fl_text_clean(kb, sizeof(kb), json_string_value(json_object_get(c,
			      "kernel_before")) ?: "?");
		fl_text_clean(ka, sizeof(ka), json_string_value(json_object_get(c,
			      "kernel_after")) ?: "?");
		vappend(v, len, &off, "%s %s %s from run %s (#%lld of %lld, kernel %s -> %s): "
			"%+.2f%% (%.4g -> %.4g, %s), p %.3f", i ? ";" : "; change points over the "
			"history (E-divisive means):", wl, m, run,
			(long long)json_integer_value(json_object_get(c, "run_index")),
			(long long)json_integer_value(json_object_get(c, "runs")), kb, ka,
			fl_cmp_num(json_object_get(c, "change_pct")),
			fl_cmp_num(json_object_get(c, "before")),
			fl_cmp_num(json_object_get(c, "after")),
			json_string_value(json_object_get(c, "direction")) ?: "?",
			fl_cmp_num(json_object_get(c, "p")));
	}
	vappend(v, len, &off, ".");
	free(verdict);
	return v;
}

/* DIR/verdict.json (faultline-verdict/1) for CI systems. */
static int write_verdict(const char *hist, const struct report *r, int exit_status,
			 double threshold, size_t nbase, size_t baseiters, json_t *regs,
			 json_t *cps, size_t problems, char *err, size_t errlen)
{
	char path[1200], stamp[32];
	time_t now = time(NULL);
	json_t *v;
	int ret;

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:{s:i, s:i}, s:O, s:i, s:s, "
		      "s:{s:s, s:s, s:s}}", "schema", "faultline-verdict/1", "run", r->id,
		      "suite", r->suite, "generated", stamp, "status", r->status, "exit_status",
		      exit_status, "threshold_pct", threshold, "baseline", "runs", (int)nbase,
		      "iterations", (int)baseiters, "regressions", regs ? regs : json_array(),
		      "problem_cases", (int)problems, "verdict", r->verdict, "files", "summary_txt",
		      "summary.txt", "summary_md", "summary.md", "index_html", "index.html");
	if (!regs)
		json_decref(json_object_get(v, "regressions"));
	json_object_set_new(v, "change_points", cps ? json_incref(cps) : json_array());
	snprintf(path, sizeof(path), "%s/verdict.json", hist);
	ret = fl_json_write_atomic(path, v, err, errlen);
	json_decref(v);
	return ret;
}

static void summary_md(FILE *f, void *arg)
{
	struct report *r = arg;
	char *v = fl_text_shown(r->verdict, true);

	fprintf(f, "# faultline nightly\n\n%s\n\n", v ? v : "?");
	free(v);
	if (r->cmp)
		fl_render_md(r->cmp, f);
}

/* Text for HTML element content and attribute values: &, <, >, " and ' as entities,
 * control characters as '?'. */
static void html_escape(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 1;
	char *clean = malloc(n);

	if (!clean)
		return;
	fl_text_clean(clean, n, s ? s : "");
	for (const char *c = clean; *c; c++)
		if (*c == '<')
			fputs("&lt;", f);
		else if (*c == '>')
			fputs("&gt;", f);
		else if (*c == '&')
			fputs("&amp;", f);
		else if (*c == '"')
			fputs("&quot;", f);
		else if (*c == '\'')
			fputs("&#39;", f);
		else
			fputc(*c, f);
	free(clean);
}

/* A section of the page: an image with what it shows and the gnuplot script it came from. */
static void html_plot(FILE *f, const char *heading, const char *name, const char *alt,
		      const char *caption)
{
	fprintf(f, "<h2>%s</h2>\n<figure><img src=\"%s.png\" alt=\"%s\"><figcaption>%s "
		"(gnuplot script: <a href=\"%s.gp\">%s.gp</a>)</figcaption></figure>\n", heading,
		name, alt, caption, name, name);
}

/* "6.18.4 spf-v2" of an index entry, "-" if it has none. */
static void html_kernel(FILE *f, json_t *e)
{
	json_t *k = json_object_get(e, "kernel");
	const char *rel = json_string_value(json_object_get(k, "release"));
	const char *cand = json_string_value(json_object_get(k, "candidate"));

	html_escape(f, rel ? rel : "-");
	if (cand) {
		fputc(' ', f);
		html_escape(f, cand);
	}
}

static void index_html(FILE *f, void *arg)
{
	struct report *r = arg;
	json_t *e;
	size_t i, n = json_array_size(json_object_get(r->index, "runs"));
	char cap[200];

	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>faultline nightly"
	      "</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:1em auto}"
	      "pre{white-space:pre-wrap}td,th{padding:0 .6em;vertical-align:top;text-align:left}"
	      "img{max-width:100%;height:auto}figure{margin:1em 0}figcaption{font-size:small}"
	      ".regressed{color:#b00}</style></head><body>\n<h1>faultline nightly</h1>\n<p>", f);
	html_escape(f, r->verdict);
	fputs("</p>\n", f);
	if (r->trend_png)
		html_plot(f, "Trend of each main metric", "trend", "trend", "Each run's mean with "
			  "its iterations' sd, by the run's start (UTC) and kernel; runs flagged as "
			  "a regression in red");
	snprintf(cap, sizeof(cap), "A: the baseline, the last %zu good run(s) pooled; B: this run",
		 r->nbase);
	if (r->compare_png)
		html_plot(f, "Latest run against the baseline", "compare", "comparison", cap);
	if (r->cdf_png)
		html_plot(f, "Latency distributions (CDF)", "compare-cdf", "latency CDFs", cap);
	fputs("<p>Tables: <a href=\"summary.md\">summary.md</a></p>\n<h2>History</h2>\n<table>"
	      "<tr><th>run</th><th>started</th><th>kernel</th><th>status</th><th>verdict</th>"
	      "</tr>\n", f);
	for (i = n; i-- > 0;) {
		const char *st;

		e = json_array_get(json_object_get(r->index, "runs"), i);
		st = json_string_value(json_object_get(e, "status")) ?: "?";
		fprintf(f, "<tr class=\"%s\"><td>", !strcmp(st, "regressed") ? "regressed" :
			"good");
		html_escape(f, json_string_value(json_object_get(e, "id")));
		fputs("</td><td>", f);
		html_escape(f, json_string_value(json_object_get(e, "started")) ?:
			    json_string_value(json_object_get(e, "added")));
		fputs("</td><td>", f);
		html_kernel(f, e);
		fputs("</td><td>", f);
		html_escape(f, st);
		fputs("</td><td>", f);
		html_escape(f, json_string_value(json_object_get(e, "verdict")));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
}

/* The comparison plot's legends: the pooled baseline and this run, which read alike when
 * one kernel ran both. */
static void plot_compare(const char *hist, json_t *cmp, struct fl_run *pair, size_t nbase,
			 const char *id, struct report *rep)
{
	char path[1500], err[FL_ERRLEN], a[FL_PLOT_TITLE], b[FL_PLOT_TITLE], ka[100], kb[100];
	struct fl_plot_opts o = { 0 };
	const char *titles[2] = { a, b };
	json_t *k;

	k = json_object_get(pair[0].info, "kernel");
	snprintf(ka, sizeof(ka), "%s", json_string_value(json_object_get(k, "candidate")) ?:
		 json_string_value(json_object_get(k, "release")) ?: "?");
	k = json_object_get(pair[1].info, "kernel");
	snprintf(kb, sizeof(kb), "%s", json_string_value(json_object_get(k, "candidate")) ?:
		 json_string_value(json_object_get(k, "release")) ?: "?");
	snprintf(a, sizeof(a), "A: baseline, last %zu good run%s (%.60s)", nbase, nbase == 1 ?
		 "" : "s", ka);
	snprintf(b, sizeof(b), "B: this run %.60s (%.60s)", id, kb);
	o.titles = titles;
	snprintf(path, sizeof(path), "%s/compare.png", hist);
	if (!fl_plot_compare_opts(cmp, pair, 2, path, &o, err, sizeof(err))) {
		rep->compare_png = true;
		rep->cdf_png = o.cdf_path[0] != '\0';
	} else {
		fl_err("%s (continuing without the comparison plot)", err);
	}
}

/* The last N good runs of the index, one by one (newest first); *out is NULL only when out
 * of memory. */
static int load_history_runs(const char *hist, json_t *index, long want, struct fl_run **out,
			     size_t *n, char *err, size_t errlen)
{
	json_t *runs = json_object_get(index, "runs");
	size_t i = json_array_size(runs);

	*n = 0;
	*out = calloc((size_t)want, sizeof(**out));
	if (!*out)
		return fl_seterr(err, errlen, "out of memory loading %ld runs of %s", want, hist);
	while (i-- > 0 && (long)*n < want) {
		json_t *e = json_array_get(runs, i);
		char dir[1400];

		if (strcmp(json_string_value(json_object_get(e, "status")) ?: "", "good") ||
		    json_is_true(json_object_get(e, "pruned")))
			continue;
		if (fl_history_run_dir(hist, e, dir, sizeof(dir), err, errlen) ||
		    fl_run_load(&(*out)[*n], dir, err, errlen))
			return -1;
		(*n)++;
	}
	return 0;
}

/* The runs' cases pooled into runs[0], the baseline (the others keep their identity). */
static void pool_runs(struct fl_run *runs, size_t n)
{
	for (size_t i = 1; i < n; i++)
		fl_run_absorb(&runs[0], &runs[i]);
}

static void history_runs_free(struct fl_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fl_run_free(&runs[i]);
	free(runs);
}

static int nightly(struct nightly_args *a)
{
	char err[FL_ERRLEN], id[256], newdir[1400], tmpout[1400], path[1500], stamp[32];
	json_t *index, *cmp = NULL, *regs = NULL, *largest = NULL, *entry, *cps = NULL;
	struct fl_run cur = { 0 }, pair[2], *hist = NULL;
	struct report rep = { 0 };
	size_t nbase = 0, problems = 0, baseiters = 0, noisy = 0;
	time_t now;
	int ret = FL_EXIT_OK, rc, lock;
	char *verdict, suite[256];

	if (mkdir(a->history, 0755) && errno != EEXIST) {
		fl_err("cannot create the history directory %s: %s", a->history, strerror(errno));
		return FL_EXIT_ENV;
	}
	lock = fl_nightly_lock(a->history, a->wait_s, err, sizeof(err));
	if (lock < 0) {
		err_print(err);
		return FL_EXIT_ENV;
	}
	now = time(NULL);	/* after the wait: the run's own time */
	index = fl_history_load(a->history, err, sizeof(err));
	if (!index) {
		err_print(err);
		return FL_EXIT_USAGE;
	}
	if (!a->run) {
		snprintf(tmpout, sizeof(tmpout), "%s/runs/.running-%ld", a->history, (long)now);
		snprintf(path, sizeof(path), "%s/runs", a->history);
		mkdir(path, 0755);
		rc = run_suite(a->suite, tmpout);
		if (rc == FL_EXIT_USAGE || rc == FL_EXIT_ENV || rc > 3) {
			fl_err("faultline run %s failed (exit %d); the history is unchanged",
			       a->suite, rc);
			json_decref(index);
			return rc == FL_EXIT_USAGE ? FL_EXIT_USAGE : FL_EXIT_ENV;
		}
		a->run = tmpout;
	}
	if (run_id(a->run, id, sizeof(id), err, sizeof(err))) {
		err_print(err);
		json_decref(index);
		return FL_EXIT_USAGE;
	}
	if (a->run == tmpout) {		/* our own run: move it into place */
		snprintf(newdir, sizeof(newdir), "%s/runs/%s", a->history, id);
		if (rename(tmpout, newdir)) {
			fl_err("cannot rename %s to %s: %s", tmpout, newdir, strerror(errno));
			json_decref(index);
			return FL_EXIT_ENV;
		}
	} else if (fl_history_import(a->history, a->run, id, newdir, sizeof(newdir), err,
				     sizeof(err))) {
		err_print(err);
		json_decref(index);
		return FL_EXIT_USAGE;
	}
	if (fl_run_load(&cur, newdir, err, sizeof(err))) {
		err_print(err);
		json_decref(index);
		return FL_EXIT_USAGE;
	}
	for (size_t i = 0; i < cur.ncases; i++)
		problems += strcmp(cur.cases[i].status, "ok") != 0;
	if (load_history_runs(a->history, index, a->baseline, &hist, &nbase, err,
			      sizeof(err))) {
		err_print(err);
		ret = FL_EXIT_USAGE;
		goto out;
	}
	if (nbase) {
		json_t *noise = noise_table(&cur, hist, nbase);

		pool_runs(hist, nbase);
		for (size_t i = 0; i < hist[0].ncases; i++)
			baseiters += !hist[0].cases[i].warmup &&
				     !strcmp(hist[0].cases[i].status, "ok");
		snprintf(hist[0].label, sizeof(hist[0].label), "A");
		snprintf(cur.label, sizeof(cur.label), "B");
		pair[0] = hist[0];
		pair[1] = cur;
		a->fl = (struct fl_cmp_floors){ a->threshold, noise };
		cmp = fl_compare_build_floors(pair, 2, &a->o, &a->fl, err, sizeof(err));
		a->fl.noise = NULL;
		if (cmp)
			regs = regressions_of(cmp, a->threshold, &largest, &noisy);
		json_decref(noise);
		if (!cmp) {
			err_print(err);
			ret = FL_EXIT_USAGE;
			goto out;
		}
	}
	verdict = verdict_text(id, nbase, baseiters, regs, largest, noisy, problems, a->threshold,
			       cmp);
	if (json_array_size(regs) || problems)
		ret = FL_EXIT_FOUND;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(path, sizeof(path), "runs/%s", id);
	entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id", id, "dir", path, "added",
			  stamp, "status", ret == FL_EXIT_FOUND ? "regressed" : "good", "verdict",
			  verdict ? verdict : "", "regressions", regs ? json_incref(regs) :
			  json_array(), "summary", fl_history_summary(&cur));
	fl_history_entry_run(entry, &cur);	/* the trend's x labels: start and kernel */
	json_array_append_new(json_object_get(index, "runs"), entry);
	cps = fl_history_change_points(a->history, index, CP_REPORTED);
	verdict = with_change_points(verdict, cps, json_array_size(json_object_get(index, "runs")));
	json_object_set_new(entry, "verdict", json_string(verdict ? verdict : ""));
	if (fl_history_save(a->history, index, err, sizeof(err))) {
		err_print(err);
		ret = FL_EXIT_ENV;
	}
	if (a->keep > 0) {	/* rotation: the index is saved before any files go */
		rc = fl_history_prune(a->history, index, (size_t)a->keep, err, sizeof(err));
		if (rc < 0 || (rc > 0 && fl_history_save(a->history, index, err, sizeof(err)))) {
			fl_err("%s (history rotation)", err);
			ret = FL_EXIT_ENV;
		}
	}
	fl_text_clean(suite, sizeof(suite),	/* it goes into the mail's Subject: line */
		      json_string_value(json_object_get(cur.info, "suite")) ?: a->suite);
	rep = (struct report){ .verdict = verdict ? verdict : "", .cmp = cmp, .index = index,
			       .id = id, .suite = suite, .history = a->history, .nbase = nbase,
			       .status = json_array_size(regs) ? "regression" : problems ?
			       "failed_cases" : !cmp ? "first_run" : "ok" };
	if (cmp)
		plot_compare(a->history, cmp, pair, nbase, id, &rep);
	snprintf(path, sizeof(path), "%s/trend.png", a->history);
	{
		json_t *trend = fl_history_trend(a->history, index, 30);
		size_t ns = json_array_size(json_object_get(trend, "series"));

		if (ns && !fl_plot_trend(trend, path, err, sizeof(err)))
			rep.trend_png = true;
		else if (ns)
			fl_err("%s (continuing without the trend plot)", err);
		json_decref(trend);
	}
	if (write_text(a->history, "summary.md", summary_md, &rep, err, sizeof(err)) ||
	    write_text(a->history, "index.html", index_html, &rep, err, sizeof(err)) ||
	    write_text(a->history, "summary.txt", summary_txt, &rep, err, sizeof(err))) {
		err_print(err);
		ret = FL_EXIT_ENV;
	}
	if (write_verdict(a->history, &rep, ret, a->threshold, nbase, baseiters, regs, cps,
			  problems, err, sizeof(err))) {
		err_print(err);
		ret = FL_EXIT_ENV;
	}
	printf("%s\nsummary: %s/summary.md  page: %s/index.html\n", rep.verdict, a->history,
	       a->history);
	free(verdict);
out:
	json_decref(cmp);
	json_decref(regs);
	json_decref(cps);
	json_decref(largest);
	json_decref(index);
	if (hist)
		history_runs_free(hist, nbase);
	fl_run_free(&cur);
	return ret;
}

int fl_cmd_nightly(int argc, char **argv)
{
	struct nightly_args a;
	int ret = parse(argc, argv, &a);

	if (ret)
		return ret < 0 ? FL_EXIT_OK : ret;
	return nightly(&a);
}
