// SPDX-License-Identifier: GPL-2.0
/* faultline nightly SUITE --history DIR: run the suite (or take --run DIR), add the run to the
 * history, compare it with the pooled iterations of the last N good runs, write summary.md and
 * index.html with plots, print a verdict and exit 1 on a significant regression that is also
 * beyond the runs' own run-to-run noise (noise_floor.h). */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cmd_opts.h"
#include "compare.h"
#include "fl_util.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "history.h"
#include "history_cp.h"
#include "nightly.h"
#include "nightly_lock.h"
#include "commands.h"

struct nightly_args {
	const char *suite, *history, *run;
	double threshold, wait_s;
	long long baseline, keep;
	struct fl_cmp_opts o;
	struct fl_cmp_floors fl;
};

static void usage(FILE *out)
{
	fputs("usage: faultline nightly SUITE --history DIR [--threshold PCT] [--baseline N]\n"
	      "                         [--run RUN_DIR] [--alpha 0.05] [--wait S] [--keep N]\n"
	      "  run SUITE (or take the finished run RUN_DIR), add it to the history in DIR,\n"
	      "  compare it with the pooled iterations of the last N good runs (default 5)\n"
	      "  A regression is worse, significant (Welch, or the bootstrap for skewed samples\n"
	      "  of 8+; Holm within its family, a case's primary metric weighted to half of\n"
	      "  it), at least PCT % (a count, e.g. IPIs per munmap:\n"
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
		FL_SOPT_ENTRY_ALPHA,
		{ "wait", required_argument, NULL, 'w' },
		{ "keep", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, bad = 0;

	*a = (struct nightly_args){ .threshold = 2, .baseline = 5 };
	fl_cmp_opts_default(&a->o, &a->fl);
	optind = 1;
	while (!bad && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (FL_SOPT_IS(c))
			bad = fl_stats_opt("nightly", c, optarg, &a->o, &a->fl);
		else if (c == 'H')
			a->history = optarg;
		else if (c == 't')
			bad = fl_opt_double("nightly", "--threshold", optarg, 0, INFINITY,
					    "a percentage >= 0", &a->threshold);
		else if (c == 'b')
			bad = fl_opt_whole("nightly", "--baseline", optarg, 1, LONG_MAX,
					   "a number of runs >= 1", &a->baseline);
		else if (c == 'r')
			a->run = optarg;
		else if (c == 'w')
			bad = fl_opt_double("nightly", "--wait", optarg, 0, INFINITY,
					    "seconds >= 0", &a->wait_s);
		else if (c == 'k')
			bad = fl_opt_whole("nightly", "--keep", optarg, 1, LONG_MAX,
					   "a number of runs >= 1", &a->keep);
		else if (c == 'h')
			return usage(stdout), -1;
		else
			return usage(stderr), FL_EXIT_USAGE;
	}
	if (bad)
		return FL_EXIT_USAGE;
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

/* The new run in DIR/runs/ID: the suite run into DIR/runs/.running-TIME, renamed to its id
 * once it has one, or --run RUN_DIR imported. 0, or an exit status (said). */
static int take_run(const struct nightly_args *a, time_t now, char *id, size_t idlen,
		    char *newdir, size_t dirlen)
{
	char err[FL_ERRLEN], tmpout[1400], path[1500];
	const char *run = a->run;
	int rc;

	if (!run) {
		snprintf(tmpout, sizeof(tmpout), "%s/runs/.running-%ld", a->history, (long)now);
		snprintf(path, sizeof(path), "%s/runs", a->history);
		mkdir(path, 0755);
		rc = run_suite(a->suite, tmpout);
		if (rc == FL_EXIT_USAGE || rc == FL_EXIT_ENV || rc > 3) {
			fl_err("faultline run %s failed (exit %d); the history is unchanged",
			       a->suite, rc);
			return rc == FL_EXIT_USAGE ? FL_EXIT_USAGE : FL_EXIT_ENV;
		}
		run = tmpout;
	}
	if (run_id(run, id, idlen, err, sizeof(err))) {
		fl_err_shown(err);
		return FL_EXIT_USAGE;
	}
	if (run == tmpout) {		/* our own run: move it into place */
		snprintf(newdir, dirlen, "%s/runs/%s", a->history, id);
		if (rename(tmpout, newdir)) {
			fl_err("cannot rename %s to %s: %s", tmpout, newdir, strerror(errno));
			return FL_EXIT_ENV;
		}
	} else if (fl_history_import(a->history, run, id, newdir, dirlen, err, sizeof(err))) {
		fl_err_shown(err);
		return FL_EXIT_USAGE;
	}
	return 0;
}

/* The run's entry in the index with its verdict, completed by the history's change points
 * (*verdict becomes that longer text); the index saved, then rotated by --keep.
 * FL_EXIT_OK, or FL_EXIT_ENV (said). */
static int record(const struct nightly_args *a, json_t *index, const struct fl_run *cur,
		  const struct fl_nightly_verdict *nv, bool regressed, time_t now,
		  char **verdict, json_t **cps)
{
	char err[FL_ERRLEN], path[1500], stamp[32];
	int ret = FL_EXIT_OK, rc;
	json_t *entry;

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(path, sizeof(path), "runs/%s", nv->id);
	entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id", nv->id, "dir", path,
			  "added", stamp, "status", regressed ? "regressed" : "good", "verdict",
			  *verdict ? *verdict : "", "regressions", nv->regs ?
			  json_incref(nv->regs) : json_array(), "summary", fl_history_summary(cur));
	fl_history_entry_run(entry, cur);	/* the trend's x labels: start and kernel */
	json_array_append_new(json_object_get(index, "runs"), entry);
	*cps = fl_history_change_points(a->history, index, FL_NIGHTLY_CP_REPORTED,
					a->threshold);
	*verdict = fl_nightly_with_change_points(*verdict, *cps,
						 json_array_size(json_object_get(index, "runs")));
	json_object_set_new(entry, "verdict", json_string(*verdict ? *verdict : ""));
	if (fl_history_save(a->history, index, err, sizeof(err))) {
		fl_err_shown(err);
		ret = FL_EXIT_ENV;
	}
	if (a->keep > 0) {	/* rotation: the index is saved before any files go */
		rc = fl_history_prune(a->history, index, (size_t)a->keep, err, sizeof(err));
		if (rc < 0 || (rc > 0 && fl_history_save(a->history, index, err, sizeof(err)))) {
			fl_err("%s (history rotation)", err);
			ret = FL_EXIT_ENV;
		}
	}
	return ret;
}

/* The plots and files of DIR, the verdict on stdout. ret, or FL_EXIT_ENV (said). */
static int report(const struct nightly_args *a, json_t *index, const struct fl_run *cur,
		  const struct fl_nightly_verdict *nv, struct fl_run *pair, const char *verdict,
		  json_t *cps, int ret)
{
	struct fl_nightly_report rep;
	char err[FL_ERRLEN], suite[256];

	fl_text_clean(suite, sizeof(suite),	/* it goes into the mail's Subject: line */
		      json_string_value(json_object_get(cur->info, "suite")) ?: a->suite);
	rep = (struct fl_nightly_report){ .verdict = verdict ? verdict : "", .cmp = nv->cmp,
			       .index = index, .id = nv->id, .suite = suite,
			       .history = a->history, .nbase = nv->nbase,
			       .status = json_array_size(nv->regs) ? "regression" : nv->problems ?
			       "failed_cases" : !nv->cmp ? "first_run" : "ok" };
	if (nv->cmp)
		fl_nightly_plot_compare(nv->cmp, pair, &rep);
	fl_nightly_plot_trend(&rep);
	if (fl_nightly_write_pages(&rep, err, sizeof(err))) {
		fl_err_shown(err);
		ret = FL_EXIT_ENV;
	}
	if (fl_nightly_write_verdict(&rep, nv, ret, cps, err, sizeof(err))) {
		fl_err_shown(err);
		ret = FL_EXIT_ENV;
	}
	printf("%s\nsummary: %s/summary.md  page: %s/index.html\n", rep.verdict, a->history,
	       a->history);
	return ret;
}

static int nightly(struct nightly_args *a)
{
	char err[FL_ERRLEN], id[256], newdir[1400];
	struct fl_run cur = { 0 }, pair[2], *hist = NULL;
	struct fl_nightly_verdict nv = { .id = id, .threshold = a->threshold };
	json_t *index, *cps = NULL;
	char *verdict = NULL;
	time_t now;
	int ret, lock;

	if (mkdir(a->history, 0755) && errno != EEXIST) {
		fl_err("cannot create the history directory %s: %s", a->history, strerror(errno));
		return FL_EXIT_ENV;
	}
	lock = fl_nightly_lock(a->history, a->wait_s, err, sizeof(err));
	if (lock < 0) {
		fl_err_shown(err);
		return FL_EXIT_ENV;
	}
	now = time(NULL);	/* after the wait: the run's own time */
	index = fl_history_load(a->history, err, sizeof(err));
	if (!index) {
		fl_err_shown(err);
		return FL_EXIT_USAGE;
	}
	ret = take_run(a, now, id, sizeof(id), newdir, sizeof(newdir));
	if (ret)
		goto out;
	if (fl_run_load(&cur, newdir, err, sizeof(err))) {
		fl_err_shown(err);
		ret = FL_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < cur.ncases; i++)
		nv.problems += strcmp(cur.cases[i].status, "ok") != 0;
	if (fl_nightly_baseline_load(a->history, index, a->baseline, &hist, &nv.nbase, err,
				     sizeof(err)) ||
	    (nv.nbase && fl_nightly_compare(&cur, hist, &a->o, &nv, pair, err, sizeof(err)))) {
		fl_err_shown(err);
		ret = FL_EXIT_USAGE;
		goto out;
	}
	verdict = fl_nightly_verdict_text(&nv);
	if (json_array_size(nv.regs) || nv.problems)
		ret = FL_EXIT_FOUND;
	ret = record(a, index, &cur, &nv, ret == FL_EXIT_FOUND, now, &verdict, &cps) ?: ret;
	ret = report(a, index, &cur, &nv, pair, verdict, cps, ret);
out:
	free(verdict);
	json_decref(nv.cmp);
	json_decref(nv.regs);
	json_decref(cps);
	json_decref(nv.largest);
	json_decref(index);
	if (hist)
		fl_nightly_baseline_free(hist, nv.nbase);
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
