// SPDX-License-Identifier: GPL-2.0
/* IMG-cdf.EXT of a comparison: per case group and latency histogram one CDF panel, one line
 * per run (its measured cases' "cdf" points merged), p50, p99 and n in the legend. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "fl_util.h"
#include "plot_int.h"

/* One run's latency distribution for a group and a histogram name: the "cdf" points of its
 * measured cases merged (their counts added), as x and the fraction of values <= x. */
struct dist {
	double *x, *f;
	size_t n;
	double count;
};

struct cdf_pt {
	double x, inc;
};

static int pt_cmp(const void *a, const void *b)
{
	const struct cdf_pt *x = a, *y = b;

	return (x->x > y->x) - (x->x < y->x);
}

static bool case_in_group(const struct fl_run_case *c, json_t *g)
{
	return !c->warmup && !strcmp(c->status, "ok") &&
	       !strcmp(c->workload, fl_cmp_str(g, "workload")) &&
	       json_equal(c->params, json_object_get(g, "params"));
}

static size_t cdf_points_of(const struct fl_run *run, json_t *g, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < run->ncases; i++)
		for (size_t k = 0; k < run->cases[i].ncdfs; k++)
			if (!strcmp(run->cases[i].cdfs[k].name, name) &&
			    case_in_group(&run->cases[i], g))
				n += run->cases[i].cdfs[k].n;
	return n;
}

static int dist_of(const struct fl_run *run, json_t *g, const char *name, struct dist *d)
{
	size_t total = cdf_points_of(run, g, name), n = 0;
	struct cdf_pt *pt;
	double cum = 0;

	memset(d, 0, sizeof(*d));
	if (!total)
		return 0;
	pt = malloc(total * sizeof(*pt));
	d->x = malloc(total * sizeof(double));
	d->f = malloc(total * sizeof(double));
	if (!pt || !d->x || !d->f) {
		free(pt);
		return -1;
	}
	for (size_t i = 0; i < run->ncases; i++)
		for (size_t k = 0; k < run->cases[i].ncdfs; k++) {
			const struct fl_cdf *c = &run->cases[i].cdfs[k];

			if (strcmp(c->name, name) || !case_in_group(&run->cases[i], g))
				continue;
			for (size_t q = 0; q < c->n; q++)
				pt[n++] = (struct cdf_pt){ c->x[q], c->cum[q] - (q ? c->cum[q - 1] :
										 0) };
		}
	qsort(pt, n, sizeof(*pt), pt_cmp);
	for (size_t q = 0; q < n; q++) {
		cum += pt[q].inc;
		if (d->n && d->x[d->n - 1] == pt[q].x) {
			d->f[d->n - 1] = cum;
			continue;
		}
		d->x[d->n] = pt[q].x;
		d->f[d->n++] = cum;
	}
	free(pt);
	d->count = cum;
	for (size_t q = 0; q < d->n; q++)
		d->f[q] = cum > 0 ? d->f[q] / cum : NAN;
	return 0;
}

static void dist_free(struct dist *d)
{
	free(d->x);
	free(d->f);
}

/* The smallest bound whose fraction reaches q (0..1): the percentile as the histogram has it. */
static double dist_pct(const struct dist *d, double q)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->f[i] >= q - 1e-12)
			return d->x[i];
	return NAN;
}

/* Nanoseconds shown in the unit that suits the median: ns, us, ms or s (divisor in *div). */
static const char *time_unit(const char *unit, double median, double *div)
{
	static const struct { double div; const char *name; } u[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" },
	};

	*div = 1;
	if (strcmp(unit, "ns") || !isfinite(median))
		return unit;
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (median >= u[i].div) {
			*div = u[i].div;
			return u[i].name;
		}
	return "ns";
}

/* The histogram names of group g over the runs, in order of first appearance. */
static json_t *cdf_names(struct fl_run *runs, size_t nruns, json_t *g)
{
	json_t *names = json_array(), *seen = json_object();

	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++) {
			const struct fl_run_case *c = &runs[r].cases[i];

			if (!c->ncdfs || !case_in_group(c, g))
				continue;
			for (size_t k = 0; k < c->ncdfs; k++)
				if (!json_object_get(seen, c->cdfs[k].name)) {
					json_object_set_new(seen, c->cdfs[k].name, json_true());
					json_array_append_new(names, json_string(c->cdfs[k].name));
				}
		}
	json_decref(seen);
	return names;
}

/* The data of one CDF panel: "i x f" per run (x in the shown unit), '?' past a run's points. */
static void cdf_dat(FILE *f, struct dist *d, size_t nruns, double div)
{
	size_t maxn = 0;

	for (size_t r = 0; r < nruns; r++)
		maxn = d[r].n > maxn ? d[r].n : maxn;
	for (size_t i = 0; i < maxn; i++) {
		fprintf(f, "%zu", i + 1);
		for (size_t r = 0; r < nruns; r++) {
			fl_dat_num(f, " ", i < d[r].n ? d[r].x[i] / div : NAN);
			fl_dat_num(f, " ", i < d[r].n ? d[r].f[i] : NAN);
		}
		fputc('\n', f);
	}
}

/* " (n 5400, p50 32.8 us, p99 1.2 ms)" for a legend. */
static void dist_legend(const struct dist *d, const char *unit, double div, char *buf,
			size_t len)
{
	char a[32], b[32];

	fl_fmt_num(a, sizeof(a), dist_pct(d, 0.5) / div);
	fl_fmt_num(b, sizeof(b), dist_pct(d, 0.99) / div);
	snprintf(buf, len, " (n %.0f, p50 %s, p99 %s %s)", d->count, a, b, unit);
}

static void cdf_panel(struct fl_plot *p, json_t *g, const char *name, struct fl_run *runs,
		      struct dist *d)
{
	double lo = INFINITY, hi = 0, med = 0, div;
	const char *unit = "ns";
	bool log;
	char dat[300], leg[160];
	FILE *f;

	for (size_t r = 0; r < p->nruns; r++) {
		const struct fl_cdf *c = NULL;

		for (size_t i = 0; i < runs[r].ncases && !c; i++)
			for (size_t k = 0; k < runs[r].cases[i].ncdfs && !c; k++)
				if (!strcmp(runs[r].cases[i].cdfs[k].name, name))
					c = &runs[r].cases[i].cdfs[k];
		if (c)
			unit = c->unit;
		if (d[r].n) {
			lo = d[r].x[0] < lo ? d[r].x[0] : lo;
			hi = d[r].x[d[r].n - 1] > hi ? d[r].x[d[r].n - 1] : hi;
			med = dist_pct(&d[r], 0.5) > med ? dist_pct(&d[r], 0.5) : med;
		}
	}
	unit = time_unit(unit, med, &div);
	f = fl_plot_dat(p, dat, sizeof(dat));
	if (!f)
		return;
	fl_dat_comment(f, "# %s %s: %s CDF; per run: bound, fraction of values <= bound\n",
		       fl_cmp_str(g, "workload"), fl_cmp_str(g, "label"), name);
	cdf_dat(f, d, p->nruns, div);
	fclose(f);
	fl_gp_set(p->gp, "title", "%s %s: CDF of %s", fl_cmp_str(g, "workload"),
		  fl_cmp_str(g, "label"), name);
	log = lo > 0 && hi / lo >= 4;
	fl_gp_set(p->gp, "xlabel", "%s%s", unit, log ? " (log scale)" : "");
	fprintf(p->gp, "set ylabel 'fraction <= x'\nset autoscale\nset yrange [0:1.02]\n"
		"set ytics 0.1\nset key inside right bottom\n%splot ", log ?
		"set logscale x 10\nset format x '%g'\n" : "");
	for (size_t r = 0; r < p->nruns; r++) {
		fputs(r ? ", \\\n     " : "", p->gp);
		fl_gp_quote(p->gp, dat);
		dist_legend(&d[r], unit, div, leg, sizeof(leg));
		fprintf(p->gp, " using %zu:%zu with lines lw 2 title ", 2 + 2 * r, 3 + 2 * r);
		fl_plot_title(p, r, d[r].n ? leg : " (no values)");
	}
	fputs("\nunset logscale x\nset format x '% h'\nset ytics autofreq\nunset yrange\n"
	      "set key below height 1\n", p->gp);
}

/* One panel per case group and histogram name that some run has: a line per run. */
static int cdf_panels(struct fl_plot *p, json_t *cmp, struct fl_run *runs, size_t nruns,
		      bool write)
{
	json_t *g, *names, *nm;
	size_t i, k;
	int n = 0;

	if (nruns < p->nruns)
		return 0;
	json_array_foreach(json_object_get(cmp, "groups"), i, g) {
		names = cdf_names(runs, nruns, g);
		json_array_foreach(names, k, nm) {
			struct dist *d;

			n++;
			if (!write || !fl_plot_room(p, json_string_value(nm)))
				continue;
			d = calloc(p->nruns + 1, sizeof(*d));
			for (size_t r = 0; d && r < p->nruns; r++)
				dist_of(&runs[r], g, json_string_value(nm), &d[r]);
			if (d)
				cdf_panel(p, g, json_string_value(nm), runs, d);
			for (size_t r = 0; d && r < p->nruns; r++)
				dist_free(&d[r]);
			free(d);
		}
		json_decref(names);
	}
	return n;
}

/* IMG-cdf.EXT beside IMG.EXT, when the runs carry latency histograms. */
int fl_plot_cdfs(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
		 struct fl_plot_opts *o, char *err, size_t errlen)
{
	char cpath[1100];
	const char *dot = strrchr(path, '.');
	struct fl_plot p;
	int panels, ret;

	if (!dot || snprintf(cpath, sizeof(cpath), "%.*s-cdf%s", (int)(dot - path), path, dot) >=
	    (int)sizeof(cpath))
		return fl_seterr(err, errlen, "--plot %s: the path is too long", path);
	memset(&p, 0, sizeof(p));
	p.nruns = json_array_size(json_object_get(cmp, "runs"));
	panels = cdf_panels(&p, cmp, runs, nruns, false);
	if (!panels)
		return 0;
	if (fl_plot_open(&p, cpath, err, errlen))
		return -1;
	if (fl_plot_titles_init(&p, cmp, runs, nruns, o)) {
		fl_plot_free(&p);
		return fl_seterr(err, errlen, "out of memory plotting %s", cpath);
	}
	fl_plot_header(&p, panels);
	cdf_panels(&p, cmp, runs, nruns, true);
	ret = fl_plot_run(&p, err, errlen);
	fl_plot_free(&p);
	if (!ret && o)
		snprintf(o->cdf_path, sizeof(o->cdf_path), "%s", cpath);
	return ret;
}
