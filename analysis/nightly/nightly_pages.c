// SPDX-License-Identifier: GPL-2.0
/* The nightly's files beside index.html: DIR/summary.md (the verdict and the Markdown
 * tables), DIR/summary.txt (plain text for a mail) and DIR/verdict.json (for CI), each
 * written to a temporary name and renamed (nightly.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "compare.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "nightly.h"

/* DIR/NAME as fn writes it from r, through DIR/.NAME.tmp. 0, or -1 with err. */
static int write_text(const char *dir, const char *name,
		      void (*fn)(FILE *, const struct fl_nightly_report *),
		      const struct fl_nightly_report *r, char *err, size_t errlen)
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
	fn(f, r);
	if (fclose(f) || rename(tmp, path))
		return fl_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* Plain text for a mail body; the first line is a Subject: header. */
static void summary_txt(FILE *f, const struct fl_nightly_report *r)
{
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


/* DIR/verdict.json (faultline-verdict/1) for CI systems. */
int fl_nightly_write_verdict(const struct fl_nightly_report *r,
			     const struct fl_nightly_verdict *nv, int exit_status, json_t *cps,
			     char *err, size_t errlen)
{
	const char *hist = r->history;
	double threshold = nv->threshold;
	size_t nbase = nv->nbase, baseiters = nv->baseiters, problems = nv->problems;
	json_t *regs = nv->regs;
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

static void summary_md(FILE *f, const struct fl_nightly_report *r)
{
	char *v = fl_text_shown(r->verdict, true);

	fprintf(f, "# faultline nightly\n\n%s\n\n", v ? v : "?");
	free(v);
	if (r->cmp)
		fl_render_md(r->cmp, f);
}

int fl_nightly_write_pages(const struct fl_nightly_report *r, char *err, size_t errlen)
{
	if (write_text(r->history, "summary.md", summary_md, r, err, errlen) ||
	    write_text(r->history, "index.html", fl_nightly_index_html, r, err, errlen) ||
	    write_text(r->history, "summary.txt", summary_txt, r, err, errlen))
		return -1;
	return 0;
}
