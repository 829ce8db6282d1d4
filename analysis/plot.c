// SPDX-License-Identifier: GPL-2.0
/* gnuplot scripts and data files, and running gnuplot on them in the image's directory. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fl_util.h"
#include "plot.h"

struct plot {
	char dir[1024], base[256];	/* image directory; image name without extension */
	const char *ext;		/* "png" or "svg" */
	FILE *gp;
	int ndat;
};

static const char *s(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "-";
}

static double num(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int plot_open(struct plot *p, const char *path, char *err, size_t errlen)
{
	char tmp[1024], gp[1400], *dot;

	memset(p, 0, sizeof(*p));
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(p->dir, sizeof(p->dir), "%s", dirname(tmp));
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(p->base, sizeof(p->base), "%s", basename(tmp));
	dot = strrchr(p->base, '.');
	if (!dot || (strcmp(dot, ".png") && strcmp(dot, ".svg")))
		return fl_seterr(err, errlen, "--plot %s: the image name must end in .png or .svg",
				 path);
	p->ext = !strcmp(dot, ".png") ? "png" : "svg";
	*dot = '\0';
	snprintf(gp, sizeof(gp), "%s/%s.gp", p->dir, p->base);
	p->gp = fopen(gp, "w");
	if (!p->gp)
		return fl_seterr(err, errlen, "cannot write %s: %s", gp, strerror(errno));
	return 0;
}

/* A new data file IMG-N.dat; its name (relative to the directory) in name. */
static FILE *plot_dat(struct plot *p, char *name, size_t len)
{
	char path[1400];

	snprintf(name, len, "%s-%d.dat", p->base, ++p->ndat);
	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	return fopen(path, "w");
}

static void header(struct plot *p, int panels)
{
	int h = 300 * (panels ? panels : 1);

	fprintf(p->gp, "# faultline plot: edit and re-run with: cd %s && gnuplot %s.gp\n",
		p->dir, p->base);
	if (!strcmp(p->ext, "png"))
		fprintf(p->gp, "set terminal pngcairo size 900,%d font 'sans,9'\n", h);
	else
		fprintf(p->gp, "set terminal svg size 900,%d font 'sans,9'\n", h);
	fprintf(p->gp, "set output '%s.%s'\nset datafile missing '?'\nset key outside right top\n"
		"set grid\nset termoption noenhanced\nset multiplot layout %d,1\n", p->base, p->ext, panels ? panels : 1);
}

static int plot_run(struct plot *p, char *err, size_t errlen)
{
	char script[300];
	pid_t pid;
	int st;

	fputs("unset multiplot\n", p->gp);
	if (fclose(p->gp))
		return fl_seterr(err, errlen, "cannot write %s/%s.gp", p->dir, p->base);
	p->gp = NULL;
	snprintf(script, sizeof(script), "%s.gp", p->base);
	pid = fork();
	if (pid < 0)
		return fl_seterr(err, errlen, "cannot start gnuplot: %s", strerror(errno));
	if (!pid) {
		char log[300];
		FILE *lf;

		if (chdir(p->dir))
			_exit(126);
		snprintf(log, sizeof(log), "%s.log", p->base);	/* gnuplot's warnings */
		lf = fopen(log, "w");
		if (lf)
			dup2(fileno(lf), 2);
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return fl_seterr(err, errlen, WIFEXITED(st) && WEXITSTATUS(st) == 127 ?
				 "gnuplot is not installed (apt-get install gnuplot-nox); the "
				 "script is %s/%s.gp" : "gnuplot failed on %s/%s.gp (its messages are "
				 "in the .log beside it)", p->dir,
				 p->base);
	return 0;
}

/* The 'title' of run r: "A: 6.18.4 spf-v2". */
static void run_title(json_t *r, char *buf, size_t len)
{
	json_t *k = json_object_get(r, "kernel");
	const char *cand = json_string_value(json_object_get(k, "candidate"));

	snprintf(buf, len, "%s: %s%s%s", s(r, "label"), s(k, "release"), cand ? " " : "",
		 cand ? cand : "");
	for (char *c = buf; *c; c++)
		if (*c == '\'' || *c == '_')
			*c = *c == '_' ? '-' : ' ';
}

static json_t *main_metric(json_t *g)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(g, "metrics"), i, m)
		if (!strcmp(s(m, "kind"), "metric") && strcmp(s(m, "better"), "none"))
			return m;
	return NULL;
}

static json_t *metric_named(json_t *g, const char *name)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(g, "metrics"), i, m)
		if (!strcmp(s(m, "name"), name))
			return m;
	return NULL;
}

static int scaling_panels(struct plot *p, json_t *cmp, bool write)
{
	json_t *runs = json_object_get(cmp, "runs"), *groups = json_object_get(cmp, "groups");
	json_t *seen = json_object(), *g, *h;
	size_t nr = json_array_size(runs), i, j;
	int n = 0;

	json_array_foreach(groups, i, g) {
		json_t *sw = json_object_get(g, "sweep"), *mm = main_metric(g);
		char dat[300], t[200];
		FILE *f;

		if (!sw || !mm || json_object_get(seen, s(sw, "family")))
			continue;
		json_object_set_new(seen, s(sw, "family"), json_true());
		n++;
		if (!write || !(f = plot_dat(p, dat, sizeof(dat))))
			continue;
		fprintf(f, "# %s: %s against %s; per run: mean stddev\n", s(sw, "family"),
			s(mm, "name"), s(sw, "key"));
		json_array_foreach(groups, j, h) {
			json_t *hs = json_object_get(h, "sweep"), *hm;

			if (!hs || strcmp(s(hs, "family"), s(sw, "family")))
				continue;
			hm = metric_named(h, s(mm, "name"));
			fprintf(f, "%g", num(json_object_get(hs, "value")));
			for (size_t r = 0; r < nr; r++) {
				json_t *st = json_array_get(json_object_get(hm, "runs"), r);
				double m = num(json_object_get(st, "mean"));
				double sd = num(json_object_get(st, "sd"));

				fprintf(f, isnan(m) ? " ?" : " %.10g", m);
				fprintf(f, isnan(sd) ? " 0" : " %.10g", sd);
			}
			fputc('\n', f);
		}
		fclose(f);
		fprintf(p->gp, "set title '%s: %s against %s'\nset xlabel '%s'\nset ylabel '%s'\n"
			"set autoscale\nset offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
			"plot ", s(sw, "family"), s(mm, "name"), s(sw, "key"), s(sw, "key"),
			s(mm, "unit"));
		for (size_t r = 0; r < nr; r++) {
			run_title(json_array_get(runs, r), t, sizeof(t));
			fprintf(p->gp, "%s'%s' using 1:%zu:%zu with yerrorlines title '%s'",
				r ? ", \\\n     " : "", dat, 2 + 2 * r, 3 + 2 * r, t);
		}
		fputs("\nset offsets 0,0,0,0\n", p->gp);
	}
	json_decref(seen);
	return n;
}

/* Per-iteration values of the main metric of the first group: drift shows. */
static int run_chart(struct plot *p, json_t *cmp, bool write)
{
	json_t *runs = json_object_get(cmp, "runs");
	json_t *g = json_array_get(json_object_get(cmp, "groups"), 0), *mm = main_metric(g);
	size_t nr = json_array_size(runs), maxn = 0;
	char dat[300], t[200];
	FILE *f;

	if (!mm)
		return 0;
	if (!write)
		return 1;
	f = plot_dat(p, dat, sizeof(dat));
	if (!f)
		return 1;
	for (size_t r = 0; r < nr; r++) {
		size_t n = json_array_size(json_object_get(json_array_get(json_object_get(mm, "runs"),
								r), "values"));
		maxn = n > maxn ? n : maxn;
	}
	fprintf(f, "# %s %s: %s per measured iteration, one column per run\n", s(g, "workload"),
		s(g, "label"), s(mm, "name"));
	for (size_t i = 0; i < maxn; i++) {
		fprintf(f, "%zu", i + 1);
		for (size_t r = 0; r < nr; r++) {
			json_t *v = json_array_get(json_object_get(json_array_get(
					json_object_get(mm, "runs"), r), "values"), i);

			fprintf(f, json_is_number(v) ? " %.10g" : " ?", num(v));
		}
		fputc('\n', f);
	}
	fclose(f);
	fprintf(p->gp, "set title 'run chart: %s %s, %s per iteration'\nset xlabel 'measured "
		"iteration'\nset ylabel '%s'\nset autoscale\nset xtics 1\nplot ", s(g, "workload"),
		s(g, "label"), s(mm, "name"), s(mm, "unit"));
	for (size_t r = 0; r < nr; r++) {
		run_title(json_array_get(runs, r), t, sizeof(t));
		fprintf(p->gp, "%s'%s' using 1:%zu with linespoints title '%s'",
			r ? ", \\\n     " : "", dat, 2 + r, t);
	}
	fputs("\nset xtics autofreq\n", p->gp);
	return 1;
}

/* Per-CPU IPI bars: function-call and TLB-shootdown IPIs per CPU, mean over the measured
 * cases of the first group, per run. */
static int ipi_bars(struct plot *p, json_t *cmp, struct fl_run *runs, size_t nruns, bool write)
{
	static const char *const cls[] = { "ipi.function_call", "ipi.tlb_shootdown" };
	json_t *g = json_array_get(json_object_get(cmp, "groups"), 0);
	const char *key = NULL;
	size_t ncpu = 0;
	double *sum;
	size_t *cnt;
	char dat[300], t[200];
	FILE *f;

	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++) {
			struct fl_case *c = &runs[r].cases[i];
			const struct fl_item *it = fl_case_item(c, cls[0]);
			char *pk = json_dumps(c->params, JSON_SORT_KEYS | JSON_COMPACT);

			if (pk && !strcmp(c->workload, s(g, "workload")) &&
			    json_equal(c->params, json_object_get(g, "params")))
				key = c->key;
			free(pk);
			if (it && it->ncpu > ncpu)
				ncpu = it->ncpu;
		}
	if (!key || !ncpu || ncpu > 1024)
		return 0;
	if (!write)
		return 1;
	sum = calloc(nruns * 2 * ncpu, sizeof(double));
	cnt = calloc(nruns * 2, sizeof(size_t));
	f = sum && cnt ? plot_dat(p, dat, sizeof(dat)) : NULL;
	if (!f) {
		free(sum);
		free(cnt);
		return 1;
	}
	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++) {
			struct fl_case *c = &runs[r].cases[i];

			if (strcmp(c->key, key) || c->warmup || strcmp(c->status, "ok"))
				continue;
			for (int k = 0; k < 2; k++) {
				const struct fl_item *it = fl_case_item(c, cls[k]);

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
			fprintf(f, cnt[r] ? " %.6g" : " ?", cnt[r] ? sum[r * ncpu + q] / (double)cnt[r] : 0);
		fputc('\n', f);
	}
	fclose(f);
	free(sum);
	free(cnt);
	fprintf(p->gp, "set title 'IPIs per CPU during the measured phase: %s %s (mean per case)'\n"
		"set xlabel 'CPU'\nset ylabel 'IPIs'\nset autoscale\nset yrange [0:*]\n"
		"set style data histogram\nset style histogram clustered gap 1\n"
		"set style fill solid 0.8 border -1\nplot ", s(g, "workload"), s(g, "label"));
	for (size_t r = 0; r < nruns; r++) {
		run_title(json_array_get(json_object_get(cmp, "runs"), r), t, sizeof(t));
		fprintf(p->gp, "%s'%s' using %zu:xtic(1) title '%s function-call', '' using %zu "
			"title '%s TLB-shootdown'", r ? ", \\\n     " : "", dat, 2 + 2 * r, t,
			3 + 2 * r, t);
	}
	fputs("\nset style data points\nunset yrange\n", p->gp);
	return 1;
}

int fl_plot_compare(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
		    char *err, size_t errlen)
{
	struct plot p;
	int panels;

	if (plot_open(&p, path, err, errlen))
		return -1;
	panels = scaling_panels(&p, cmp, false) + run_chart(&p, cmp, false) +
		 ipi_bars(&p, cmp, runs, nruns, false);
	header(&p, panels);
	scaling_panels(&p, cmp, true);
	run_chart(&p, cmp, true);
	ipi_bars(&p, cmp, runs, nruns, true);
	return plot_run(&p, err, errlen);
}

int fl_plot_trend(json_t *series, const char *path, char *err, size_t errlen)
{
	struct plot p;
	json_t *se, *pt;
	size_t i, k;

	if (plot_open(&p, path, err, errlen))
		return -1;
	header(&p, (int)json_array_size(series));
	json_array_foreach(series, i, se) {
		char dat[300];
		FILE *f = plot_dat(&p, dat, sizeof(dat));

		if (!f)
			continue;
		fprintf(f, "# index, run, mean, stddev\n");
		json_array_foreach(json_object_get(se, "points"), k, pt) {
			double sd = num(json_array_get(pt, 2));

			fprintf(f, "%zu \"%s\" %.10g %.10g\n", k + 1,
				json_string_value(json_array_get(pt, 0)) ?: "?",
				num(json_array_get(pt, 1)), isnan(sd) ? 0 : sd);
		}
		fclose(f);
		fprintf(p.gp, "set key below\nset title 'trend: %s'\nset xlabel 'run'\nset ylabel '%s'\n"
			"set autoscale\nset xtics rotate by -30\nset offsets graph 0.05, graph "
			"0.05, graph 0.1, graph 0.1\nplot '%s' using 1:3:4:xtic(2) with "
			"yerrorlines title '%s'\n", s(se, "name"), s(se, "unit"), dat, s(se, "name"));
	}
	return plot_run(&p, err, errlen);
}
