// SPDX-License-Identifier: GPL-2.0
/* The image of a nightly trend: one panel per series over the same runs, labelled by date and
 * kernel, regressed runs marked. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "plot_int.h"

/* Runs whose two-line x labels (date over kernel, ~110 px) fit side by side; with more,
 * each label is one line turned 45 degrees and the panels grow to make room. */
#define TREND_FLAT 7

/* The x tics of a trend: each run's date and kernel, set once for every panel. */
static void trend_xtics(struct fl_plot *p, json_t *runs)
{
	bool flat = json_array_size(runs) <= TREND_FLAT;
	json_t *r;
	size_t i;

	fputs("set xtics (", p->gp);
	json_array_foreach(runs, i, r) {
		fputs(i ? ", " : "", p->gp);
		fl_gp_quote(p->gp, fl_cmp_str(r, "date"));
		/* the line break comes from the script, never from a document */
		fputs(flat ? ".\"\\n\"." : ".' '.", p->gp);
		fl_gp_quote(p->gp, fl_cmp_str(r, "kernel"));
		fprintf(p->gp, " %zu", i + 1);
	}
	fprintf(p->gp, ")%s\nset xrange [0.5:%zu.5]\n%s", flat ? "" : " rotate by 45 right",
		json_array_size(runs), flat ? "set bmargin 4\n" :
		"set bmargin 12\nset lmargin 20\nset rmargin 4\n");
}

/* "i mean sd regressed-mean" per run of the window, '?' where the run has no value. */
static void trend_dat(FILE *f, json_t *se, json_t *runs)
{
	size_t n = json_array_size(runs), k;
	json_t *pt;
	double *m = calloc(n + 1, sizeof(double)), *sd = calloc(n + 1, sizeof(double));

	for (size_t i = 0; m && sd && i < n; i++)
		m[i] = sd[i] = NAN;
	json_array_foreach(json_object_get(se, "points"), k, pt) {
		double x = fl_cmp_num(json_array_get(pt, 0));

		if (m && sd && x >= 1 && x <= (double)n) {
			m[(size_t)x - 1] = fl_cmp_num(json_array_get(pt, 1));
			sd[(size_t)x - 1] = fl_cmp_num(json_array_get(pt, 2));
		}
	}
	fprintf(f, "# run (1 = oldest shown), mean, stddev, mean again if the run regressed\n");
	for (size_t i = 0; m && sd && i < n; i++) {
		bool reg = !strcmp(fl_cmp_str(json_array_get(runs, i), "status"), "regressed");

		fprintf(f, "%zu", i + 1);
		fl_dat_num(f, " ", m[i]);
		fl_dat_num(f, " ", isfinite(sd[i]) ? sd[i] : 0);
		fl_dat_num(f, " ", reg ? m[i] : NAN);
		fputc('\n', f);
	}
	free(m);
	free(sd);
}

int fl_plot_trend(json_t *trend, const char *path, char *err, size_t errlen)
{
	json_t *series = json_object_get(trend, "series"), *runs = json_object_get(trend, "runs");
	bool regressed = false;
	struct fl_plot p;
	json_t *se;
	size_t i;
	int ret;

	json_array_foreach(runs, i, se)
		regressed |= !strcmp(fl_cmp_str(se, "status"), "regressed");
	if (fl_plot_open(&p, path, err, errlen))
		return -1;
	if (json_array_size(runs) > TREND_FLAT)
		p.panel_h = 440;
	fl_plot_header(&p, (int)(json_array_size(series) > FL_PLOT_MAX_PANELS ? FL_PLOT_MAX_PANELS :
			 json_array_size(series)));
	fputs("set key inside left top\nunset xlabel\n", p.gp);	/* the tics say it */
	trend_xtics(&p, runs);
	json_array_foreach(series, i, se) {
		char dat[300];
		FILE *f;

		if (!fl_plot_room(&p, fl_cmp_str(se, "title")))
			continue;
		f = fl_plot_dat(&p, dat, sizeof(dat));
		if (!f)
			continue;
		trend_dat(f, se, runs);
		fclose(f);
		fl_gp_set(p.gp, "title", "%s (each run's mean and sd; %s is better)",
			  fl_cmp_str(se, "title"), fl_cmp_str(se, "better"));
		fl_gp_set(p.gp, "ylabel", "%s", fl_cmp_str(se, "unit"));
		fputs("set autoscale y\nset offsets 0, 0, graph 0.1, graph 0.1\nplot ", p.gp);
		fl_gp_quote(p.gp, dat);
		fputs(" using 1:2:3 with yerrorlines notitle", p.gp);
		if (regressed) {
			fputs(", \\\n     ", p.gp);
			fl_gp_quote(p.gp, dat);
			fputs(" using 1:4 with points pt 7 ps 1.5 lc rgb '#c00000' title 'run "
			      "flagged as a regression'", p.gp);
		}
		fputc('\n', p.gp);
	}
	ret = fl_plot_run(&p, err, errlen);
	fl_plot_free(&p);
	return ret;
}
