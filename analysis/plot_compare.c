// SPDX-License-Identifier: GPL-2.0
/* The image of a comparison: the scaling curve of each sweep, a run chart of the first group
 * and its per-CPU IPI bars; the latency CDFs go beside it (plot_cdf.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "fl_util.h"
#include "plot_int.h"

static json_t *main_metric(json_t *g)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(g, "metrics"), i, m)
		if (!strcmp(fl_cmp_str(m, "kind"), "metric") &&
		    strcmp(fl_cmp_str(m, "better"), "none"))
			return m;
	return NULL;
}

/* The swept values of a family: a log2 x axis when they span 8x or more (threads 1..64). */
static void sweep_axis(struct fl_plot *p, json_t *groups, const char *family)
{
	double lo = INFINITY, hi = -INFINITY;
	json_t *h;
	size_t j;

	json_array_foreach(groups, j, h) {
		json_t *hs = json_object_get(h, "sweep");
		double v = fl_cmp_num(json_object_get(hs, "value"));

		if (!hs || strcmp(fl_cmp_str(hs, "family"), family) || !isfinite(v))
			continue;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	if (lo > 0 && hi / lo >= 8)
		fputs("set logscale x 2\n", p->gp);
}

static int scaling_panels(struct fl_plot *p, json_t *cmp, bool write)
{
	json_t *groups = json_object_get(cmp, "groups");
	json_t *seen = json_object(), *g, *h;
	size_t nr = p->nruns, i, j;
	int n = 0;

	json_array_foreach(groups, i, g) {
		json_t *sw = json_object_get(g, "sweep"), *mm = main_metric(g);
		char dat[300];
		FILE *f;

		if (!sw || !mm || json_object_get(seen, fl_cmp_str(sw, "family")))
			continue;
		json_object_set_new(seen, fl_cmp_str(sw, "family"), json_true());
		n++;
		if (!write || !fl_plot_room(p, fl_cmp_str(sw, "family")) ||
		    !(f = fl_plot_dat(p, dat, sizeof(dat))))
			continue;
		fl_dat_comment(f, "# %s: %s against %s; per run: mean stddev\n",
			       fl_cmp_str(sw, "family"), fl_cmp_str(mm, "name"),
			       fl_cmp_str(sw, "key"));
		json_array_foreach(groups, j, h) {
			json_t *hs = json_object_get(h, "sweep"), *hm;

			if (!hs || strcmp(fl_cmp_str(hs, "family"), fl_cmp_str(sw, "family")))
				continue;
			hm = fl_cmp_find(json_object_get(h, "metrics"), "name", fl_cmp_str(mm, "name"));
			fl_dat_num(f, "", fl_cmp_num(json_object_get(hs, "value")));
			for (size_t r = 0; r < nr; r++) {
				json_t *st = json_array_get(json_object_get(hm, "runs"), r);
				double sd = fl_cmp_num(json_object_get(st, "sd"));

				fl_dat_num(f, " ", fl_cmp_num(json_object_get(st, "mean")));
				fl_dat_num(f, " ", isfinite(sd) ? sd : 0);
			}
			fputc('\n', f);
		}
		fclose(f);
		fl_gp_set(p->gp, "title", "%s: %s against %s (mean of each run; error bars: sd)",
			  fl_cmp_str(sw, "family"), fl_cmp_str(mm, "name"), fl_cmp_str(sw, "key"));
		fl_gp_set(p->gp, "xlabel", "%s", fl_cmp_str(sw, "key"));
		fl_gp_set(p->gp, "ylabel", "%s", fl_cmp_str(mm, "unit"));
		sweep_axis(p, groups, fl_cmp_str(sw, "family"));
		fputs("set autoscale\nset offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
		      "plot ", p->gp);
		for (size_t r = 0; r < nr; r++) {	/* x tics at the swept values */
			fputs(r ? ", \\\n     " : "", p->gp);
			fl_gp_quote(p->gp, dat);
			fprintf(p->gp, " using 1:%zu:%zu:xtic(1) with yerrorlines title ", 2 + 2 * r,
				3 + 2 * r);
			fl_plot_title(p, r, "");
		}
		fputs("\nset offsets 0,0,0,0\nunset logscale x\nset xtics autofreq\n", p->gp);
	}
	json_decref(seen);
	return n;
}

/* Per-iteration values of the main metric of the first group: drift shows. */
static int run_chart(struct fl_plot *p, json_t *cmp, bool write)
{
	json_t *runs = json_object_get(cmp, "runs");
	json_t *g = json_array_get(json_object_get(cmp, "groups"), 0), *mm = main_metric(g);
	size_t nr = json_array_size(runs), maxn = 0;
	char dat[300];
	FILE *f;

	if (!mm)
		return 0;
	if (!write)
		return 1;
	if (!fl_plot_room(p, "run chart"))
		return 1;
	f = fl_plot_dat(p, dat, sizeof(dat));
	if (!f)
		return 1;
	for (size_t r = 0; r < nr; r++) {
		size_t n = json_array_size(json_object_get(json_array_get(json_object_get(mm, "runs"),
								r), "values"));
		maxn = n > maxn ? n : maxn;
	}
	fl_dat_comment(f, "# %s %s: %s per measured iteration, one column per run\n",
		       fl_cmp_str(g, "workload"), fl_cmp_str(g, "label"), fl_cmp_str(mm, "name"));
	for (size_t i = 0; i < maxn; i++) {
		fprintf(f, "%zu", i + 1);
		for (size_t r = 0; r < nr; r++)
			fl_dat_num(f, " ", fl_cmp_num(json_array_get(json_object_get(json_array_get(
				json_object_get(mm, "runs"), r), "values"), i)));
		fputc('\n', f);
	}
	fclose(f);
	fl_gp_set(p->gp, "title", "run chart: %s %s, %s per iteration", fl_cmp_str(g, "workload"),
		  fl_cmp_str(g, "label"), fl_cmp_str(mm, "name"));
	fl_gp_set(p->gp, "ylabel", "%s", fl_cmp_str(mm, "unit"));
	fputs("set xlabel 'measured iteration'\nset autoscale\nset xtics 1\nplot ", p->gp);
	for (size_t r = 0; r < nr; r++) {
		fputs(r ? ", \\\n     " : "", p->gp);
		fl_gp_quote(p->gp, dat);
		fprintf(p->gp, " using 1:%zu with linespoints title ", 2 + r);
		fl_plot_title(p, r, "");
	}
	fputs("\nset xtics autofreq\n", p->gp);
	return 1;
}

/* Per-CPU IPI bars: function-call and TLB-shootdown IPIs per CPU, mean over the measured
 * cases of the first group, per run. */
static int ipi_bars(struct fl_plot *p, json_t *cmp, struct fl_run *runs, size_t nruns, bool write)
{
	static const char *const cls[] = { "ipi.function_call", "ipi.tlb_shootdown" };
	json_t *g = json_array_get(json_object_get(cmp, "groups"), 0);
	const char *key = NULL;
	size_t ncpu = 0;
	double *sum;
	size_t *cnt;
	char dat[300];
	FILE *f;

	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++) {
			struct fl_run_case *c = &runs[r].cases[i];
			const struct fl_item *it = fl_run_case_item(c, cls[0]);

			if (!strcmp(c->workload, fl_cmp_str(g, "workload")) &&
			    json_equal(c->params, json_object_get(g, "params")))
				key = c->key;
			if (it && it->ncpu > ncpu)
				ncpu = it->ncpu;
		}
	if (!key || !ncpu || ncpu > 1024)
		return 0;
	if (!write)
		return 1;
	if (!fl_plot_room(p, "IPIs per CPU"))
		return 1;
	sum = calloc(nruns * 2 * ncpu, sizeof(double));
	cnt = calloc(nruns * 2, sizeof(size_t));
	f = sum && cnt ? fl_plot_dat(p, dat, sizeof(dat)) : NULL;
	if (!f) {
		free(sum);
		free(cnt);
		return 1;
	}
	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++) {
			struct fl_run_case *c = &runs[r].cases[i];

			if (strcmp(c->key, key) || c->warmup || strcmp(c->status, "ok"))
				continue;
			for (int k = 0; k < 2; k++) {
				const struct fl_item *it = fl_run_case_item(c, cls[k]);

				if (!it || !it->per_cpu)
					continue;
				cnt[r * 2 + k]++;
				for (size_t q = 0; q < it->ncpu && q < ncpu; q++)
					sum[(r * 2 + k) * ncpu + q] += it->per_cpu[q];
			}
		}
	fprintf(f, "# cpu, then per run: function-call IPIs, TLB-shootdown IPIs (mean per case)\n");
	for (size_t q = 0; q < ncpu; q++) {
		fprintf(f, "cpu%zu", q);
		for (size_t r = 0; r < nruns * 2; r++)
			fl_dat_num(f, " ", cnt[r] ? sum[r * ncpu + q] / (double)cnt[r] : NAN);
		fputc('\n', f);
	}
	fclose(f);
	free(sum);
	free(cnt);
	fl_gp_set(p->gp, "title", "IPIs per CPU during the measured phase: %s %s (mean per case)",
		  fl_cmp_str(g, "workload"), fl_cmp_str(g, "label"));
	fputs("set xlabel 'CPU'\nset ylabel 'IPIs'\nset autoscale\nset yrange [0:*]\n"
	      "set style data histogram\nset style histogram clustered gap 1\n"
	      "set style fill solid 0.8 border -1\nplot ", p->gp);
	for (size_t r = 0; r < nruns; r++) {
		fputs(r ? ", \\\n     " : "", p->gp);
		fl_gp_quote(p->gp, dat);
		fprintf(p->gp, " using %zu:xtic(1) title ", 2 + 2 * r);
		fl_plot_title(p, r, " function-call");
		fprintf(p->gp, ", '' using %zu title ", 3 + 2 * r);
		fl_plot_title(p, r, " TLB-shootdown");
	}
	fputs("\nset style data points\nunset yrange\n", p->gp);
	return 1;
}

int fl_plot_compare_opts(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
			 struct fl_plot_opts *o, char *err, size_t errlen)
{
	struct fl_plot p;
	int panels, ret;

	if (o)
		o->cdf_path[0] = '\0';
	if (fl_plot_open(&p, path, err, errlen))
		return -1;
	if (fl_plot_titles_init(&p, cmp, runs, nruns, o)) {
		fl_plot_free(&p);
		return fl_seterr(err, errlen, "out of memory plotting %s", path);
	}
	panels = scaling_panels(&p, cmp, false) + run_chart(&p, cmp, false) +
		 ipi_bars(&p, cmp, runs, nruns, false);
	fl_plot_header(&p, panels);
	scaling_panels(&p, cmp, true);
	run_chart(&p, cmp, true);
	ipi_bars(&p, cmp, runs, nruns, true);
	ret = fl_plot_run(&p, err, errlen);
	fl_plot_free(&p);
	return ret ? ret : fl_plot_cdfs(cmp, runs, nruns, path, o, err, errlen);
}

int fl_plot_compare(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
		    char *err, size_t errlen)
{
	return fl_plot_compare_opts(cmp, runs, nruns, path, NULL, err, errlen);
}
