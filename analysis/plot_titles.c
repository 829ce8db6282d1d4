// SPDX-License-Identifier: GPL-2.0
/* The legend title of each run of a plot: its kernel, and what tells it apart from a run
 * whose kernel reads the same (start time, run id, directory). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "plot_int.h"

/* "6.18.4 spf-v2": a run's kernel release and candidate name. */
static void kernel_of(json_t *run, char *buf, size_t len)
{
	json_t *k = json_object_get(run, "kernel");
	const char *cand = json_string_value(json_object_get(k, "candidate"));

	snprintf(buf, len, "%s%s%s", fl_cmp_str(k, "release"), cand ? " " : "", cand ? cand : "");
}

/* What tells run r apart at level 0, 1 or 2: "run 2026-11-30 12:05" (its start time),
 * "run ID", "DIR" (the last part of its directory). */
static void run_tag(json_t *ident, const struct fl_run *r, int level, char *buf, size_t len)
{
	const char *st = json_string_value(json_object_get(r ? r->info : NULL, "started"));
	const char *dir = r && r->dir ? strrchr(r->dir, '/') : NULL;

	if (!level && st && strlen(st) >= 16 && st[10] == 'T')
		snprintf(buf, len, "run %.10s %.5s", st, st + 11);
	else if (level <= 1 && json_is_string(json_object_get(ident, "id")))
		snprintf(buf, len, "run %.60s", fl_cmp_str(ident, "id"));
	else
		snprintf(buf, len, "%.60s", dir ? dir + 1 : r && r->dir ? r->dir : "?");
}

/* A legend title, cut on a character if it is longer than FL_PLOT_TITLE. */
static void __attribute__((format(printf, 2, 3))) title_set(char *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(t, FL_PLOT_TITLE, fmt, ap) >= FL_PLOT_TITLE)
		fl_utf8_cut(t);
	va_end(ap);
}

/* Whether run r's kernel reads as another run's, and with the tag of that level too. */
static void same_as_other(json_t *ids, struct fl_run *runs, size_t nruns, size_t nr, size_t r,
			  int level, bool *kernel, bool *tag)
{
	char k[FL_PLOT_TITLE], other[FL_PLOT_TITLE], t[100], u[100];

	*kernel = *tag = false;
	kernel_of(json_array_get(ids, r), k, sizeof(k));
	run_tag(json_array_get(ids, r), r < nruns ? &runs[r] : NULL, level, t, sizeof(t));
	for (size_t q = 0; q < nr; q++) {
		kernel_of(json_array_get(ids, q), other, sizeof(other));
		if (q == r || strcmp(k, other))
			continue;
		*kernel = true;
		run_tag(json_array_get(ids, q), q < nruns ? &runs[q] : NULL, level, u, sizeof(u));
		*tag |= !strcmp(t, u);
	}
}

/* The legend title of each run: "A: 6.18.4 spf-v2"; runs whose kernels read the same get
 * what tells them apart, "A: 6.18.4 (run 2026-11-30 12:05)", else their run id, else their
 * directory, so no two legends look alike. */
static void default_titles(struct fl_plot *p, json_t *cmp, struct fl_run *runs, size_t nruns)
{
	json_t *ids = json_object_get(cmp, "runs");
	char k[FL_PLOT_TITLE], tag[100];

	for (size_t r = 0; r < p->nruns; r++) {
		bool kernel = false, clash = true;
		int level = 0;

		for (; level < 3 && clash; level++)
			same_as_other(ids, runs, nruns, p->nruns, r, level, &kernel, &clash);
		kernel_of(json_array_get(ids, r), k, sizeof(k));
		run_tag(json_array_get(ids, r), r < nruns ? &runs[r] : NULL, level - 1, tag,
			sizeof(tag));
		title_set(p->titles[r], "%s: %s%s%s%s", fl_cmp_str(json_array_get(ids, r), "label"),
			  k, kernel ? " (" : "", kernel ? tag : "", kernel ? ")" : "");
	}
}

int fl_plot_titles_init(struct fl_plot *p, json_t *cmp, struct fl_run *runs, size_t nruns,
			const struct fl_plot_opts *o)
{
	p->nruns = json_array_size(json_object_get(cmp, "runs"));
	p->titles = calloc(p->nruns + 1, sizeof(*p->titles));
	if (!p->titles)
		return -1;
	default_titles(p, cmp, runs, nruns);
	for (size_t r = 0; o && o->titles && r < p->nruns; r++)
		if (o->titles[r])
			title_set(p->titles[r], "%s", o->titles[r]);
	return 0;
}
