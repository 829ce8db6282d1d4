// SPDX-License-Identifier: GPL-2.0
/*
 * gnuplot scripts and data files, and running gnuplot on them in the image's directory.
 * Strings from documents (workload, parameter values, labels, units, run names) are untrusted:
 * they reach the script only through fl_gp_quote() (a single-quoted gnuplot literal: no
 * backquote or macro substitution there, '' for a quote, control characters become '?'), and
 * the data files only through dat_num() (a finite number or '?'): labels such as the trend's
 * run dates are set in the script, quoted. The terminal is noenhanced, so no text markup is
 * interpreted either.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compare.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "plot.h"

struct plot {
	char dir[1024], base[256];	/* image directory; image name without extension */
	const char *ext;		/* "png" or "svg" */
	FILE *gp;
	int ndat;
	int room;			/* panels that may still be drawn */
	int panel_h;			/* pixels */
	char (*titles)[FL_PLOT_TITLE];	/* the legend title of each run */
	size_t nruns;
};

/* Panels in one image at most (300 px each): more sweep families or trend series than this
 * are left out of the image, with a comment in the script, not drawn 100,000 px high. */
#define MAX_PANELS 24

void fl_gp_quote(FILE *f, const char *str)
{
	char clean[1024];

	fl_text_clean(clean, sizeof(clean), str);
	fl_utf8_cut(clean);	/* a long title is cut, on a character */
	fputc('\'', f);
	for (const char *c = clean; *c; c++) {
		if (*c == '\'')
			fputc('\'', f);
		fputc(*c, f);
	}
	fputc('\'', f);
}

/* A number in a data file: '?' (set datafile missing) unless finite. */
static void dat_num(FILE *f, const char *sep, double v)
{
	if (isfinite(v))
		fprintf(f, "%s%.10g", sep, v);
	else
		fprintf(f, "%s?", sep);
}

/* A comment line of a data file, made one line and free of control characters. */
static void dat_comment(FILE *f, const char *fmt, const char *a, const char *b, const char *c)
{
	char x[256], y[256], z[256];

	fprintf(f, fmt, fl_text_clean(x, sizeof(x), a), fl_text_clean(y, sizeof(y), b),
		fl_text_clean(z, sizeof(z), c));
}

/* A file of the plot, written afresh: not through a symbolic link planted in its place. */
static FILE *create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

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
	struct stat st;

	memset(p, 0, sizeof(*p));
	p->room = MAX_PANELS;
	p->panel_h = 300;
	if (strlen(path) >= sizeof(tmp) || strlen(path) >= sizeof(p->base))
		return fl_seterr(err, errlen, "--plot %.80s...: the path is too long (at most %zu "
				 "characters)", path, sizeof(p->base) - 1);
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(p->dir, sizeof(p->dir), "%s", dirname(tmp));
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(p->base, sizeof(p->base), "%s", basename(tmp));
	dot = strrchr(p->base, '.');
	if (!dot || (strcmp(dot, ".png") && strcmp(dot, ".svg")))
		return fl_seterr(err, errlen, "--plot %s: the image name must end in .png or .svg",
				 path);
	if (!lstat(path, &st) && S_ISLNK(st.st_mode))
		return fl_seterr(err, errlen, "--plot %s is a symbolic link; give the image's own "
				 "path (gnuplot would write through the link)", path);
	p->ext = !strcmp(dot, ".png") ? "png" : "svg";
	*dot = '\0';
	snprintf(gp, sizeof(gp), "%s/%s.gp", p->dir, p->base);
	p->gp = create(gp);
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
	return create(path);
}

static void header(struct plot *p, int panels)
{
	char out[300];

	if (panels > MAX_PANELS)
		panels = MAX_PANELS;
	fputs("# faultline plot: edit and re-run with: cd ", p->gp);
	fl_gp_quote(p->gp, p->dir);
	fprintf(p->gp, " && gnuplot ");
	fl_gp_quote(p->gp, p->base);
	fprintf(p->gp, ".gp\nset terminal %s noenhanced size 900,%d font 'sans,9'\nset output ",
		!strcmp(p->ext, "png") ? "pngcairo" : "svg", p->panel_h * (panels ? panels : 1));
	snprintf(out, sizeof(out), "%s.%s", p->base, p->ext);
	fl_gp_quote(p->gp, out);
	fprintf(p->gp, "\nset datafile missing '?'\nset key below height 1\nset grid\n"
		"set termoption noenhanced\nset multiplot layout %d,1\n", panels ? panels : 1);
}

/* One more panel, if the image has room; else a comment saying it was left out. */
static bool panel_room(struct plot *p, const char *what)
{
	if (p->room-- > 0)
		return true;
	fputs("# left out (more than 24 panels): ", p->gp);
	fl_gp_quote(p->gp, what);
	fputc('\n', p->gp);
	return false;
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
	snprintf(script, sizeof(script), "./%s.gp", p->base);	/* never an option */
	pid = fork();
	if (pid < 0)
		return fl_seterr(err, errlen, "cannot start gnuplot: %s", strerror(errno));
	if (!pid) {
		char log[300];
		FILE *lf;

		if (chdir(p->dir))
			_exit(126);
		snprintf(log, sizeof(log), "%s.log", p->base);	/* gnuplot's warnings */
		lf = create(log);
		if (lf)
			dup2(fileno(lf), 2);
		execlp("gnuplot", "gnuplot", script, (char *)NULL);	/* "./IMG.gp" */
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

/* "6.18.4 spf-v2": a run's kernel release and candidate name. */
static void kernel_of(json_t *run, char *buf, size_t len)
{
	json_t *k = json_object_get(run, "kernel");
	const char *cand = json_string_value(json_object_get(k, "candidate"));

	snprintf(buf, len, "%s%s%s", s(k, "release"), cand ? " " : "", cand ? cand : "");
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
		snprintf(buf, len, "run %.60s", s(ident, "id"));
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
static void default_titles(struct plot *p, json_t *cmp, struct fl_run *runs, size_t nruns)
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
		title_set(p->titles[r], "%s: %s%s%s%s", s(json_array_get(ids, r), "label"), k,
			  kernel ? " (" : "", kernel ? tag : "", kernel ? ")" : "");
	}
}

static int titles_init(struct plot *p, json_t *cmp, struct fl_run *runs, size_t nruns,
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

/* The legend title of run r and suffix, as one quoted literal. */
static void gp_title(struct plot *p, size_t r, const char *suffix)
{
	char all[FL_PLOT_TITLE + 200];

	snprintf(all, sizeof(all), "%s%s", r < p->nruns ? p->titles[r] : "?", suffix);
	fl_gp_quote(p->gp, all);
}

/* "set KEY 'TEXT'", TEXT formatted from fmt and quoted as one literal. */
static void __attribute__((format(printf, 3, 4))) gp_set(FILE *f, const char *key,
							 const char *fmt, ...)
{
	char v[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	fprintf(f, "set %s ", key);
	fl_gp_quote(f, v);
	fputc('\n', f);
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

/* The swept values of a family: a log2 x axis when they span 8x or more (threads 1..64). */
static void sweep_axis(struct plot *p, json_t *groups, const char *family)
{
	double lo = INFINITY, hi = -INFINITY;
	json_t *h;
	size_t j;

	json_array_foreach(groups, j, h) {
		json_t *hs = json_object_get(h, "sweep");
		double v = num(json_object_get(hs, "value"));

		if (!hs || strcmp(s(hs, "family"), family) || !isfinite(v))
			continue;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	if (lo > 0 && hi / lo >= 8)
		fputs("set logscale x 2\n", p->gp);
}

static int scaling_panels(struct plot *p, json_t *cmp, bool write)
{
	json_t *groups = json_object_get(cmp, "groups");
	json_t *seen = json_object(), *g, *h;
	size_t nr = p->nruns, i, j;
	int n = 0;

	json_array_foreach(groups, i, g) {
		json_t *sw = json_object_get(g, "sweep"), *mm = main_metric(g);
		char dat[300];
		FILE *f;

		if (!sw || !mm || json_object_get(seen, s(sw, "family")))
			continue;
		json_object_set_new(seen, s(sw, "family"), json_true());
		n++;
		if (!write || !panel_room(p, s(sw, "family")) || !(f = plot_dat(p, dat, sizeof(dat))))
			continue;
		dat_comment(f, "# %s: %s against %s; per run: mean stddev\n", s(sw, "family"),
			    s(mm, "name"), s(sw, "key"));
		json_array_foreach(groups, j, h) {
			json_t *hs = json_object_get(h, "sweep"), *hm;

			if (!hs || strcmp(s(hs, "family"), s(sw, "family")))
				continue;
			hm = metric_named(h, s(mm, "name"));
			dat_num(f, "", num(json_object_get(hs, "value")));
			for (size_t r = 0; r < nr; r++) {
				json_t *st = json_array_get(json_object_get(hm, "runs"), r);
				double sd = num(json_object_get(st, "sd"));

				dat_num(f, " ", num(json_object_get(st, "mean")));
				dat_num(f, " ", isfinite(sd) ? sd : 0);
			}
			fputc('\n', f);
		}
		fclose(f);
		gp_set(p->gp, "title", "%s: %s against %s (mean of each run; error bars: sd)",
		       s(sw, "family"), s(mm, "name"), s(sw, "key"));
		gp_set(p->gp, "xlabel", "%s", s(sw, "key"));
		gp_set(p->gp, "ylabel", "%s", s(mm, "unit"));
		sweep_axis(p, groups, s(sw, "family"));
		fputs("set autoscale\nset offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
		      "plot ", p->gp);
		for (size_t r = 0; r < nr; r++) {	/* x tics at the swept values */
			fputs(r ? ", \\\n     " : "", p->gp);
			fl_gp_quote(p->gp, dat);
			fprintf(p->gp, " using 1:%zu:%zu:xtic(1) with yerrorlines title ", 2 + 2 * r,
				3 + 2 * r);
			gp_title(p, r, "");
		}
		fputs("\nset offsets 0,0,0,0\nunset logscale x\nset xtics autofreq\n", p->gp);
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
	char dat[300];
	FILE *f;

	if (!mm)
		return 0;
	if (!write)
		return 1;
	if (!panel_room(p, "run chart"))
		return 1;
	f = plot_dat(p, dat, sizeof(dat));
	if (!f)
		return 1;
	for (size_t r = 0; r < nr; r++) {
		size_t n = json_array_size(json_object_get(json_array_get(json_object_get(mm, "runs"),
								r), "values"));
		maxn = n > maxn ? n : maxn;
	}
	dat_comment(f, "# %s %s: %s per measured iteration, one column per run\n",
		    s(g, "workload"), s(g, "label"), s(mm, "name"));
	for (size_t i = 0; i < maxn; i++) {
		fprintf(f, "%zu", i + 1);
		for (size_t r = 0; r < nr; r++)
			dat_num(f, " ", num(json_array_get(json_object_get(json_array_get(
				json_object_get(mm, "runs"), r), "values"), i)));
		fputc('\n', f);
	}
	fclose(f);
	gp_set(p->gp, "title", "run chart: %s %s, %s per iteration", s(g, "workload"),
	       s(g, "label"), s(mm, "name"));
	gp_set(p->gp, "ylabel", "%s", s(mm, "unit"));
	fputs("set xlabel 'measured iteration'\nset autoscale\nset xtics 1\nplot ", p->gp);
	for (size_t r = 0; r < nr; r++) {
		fputs(r ? ", \\\n     " : "", p->gp);
		fl_gp_quote(p->gp, dat);
		fprintf(p->gp, " using 1:%zu with linespoints title ", 2 + r);
		gp_title(p, r, "");
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
	char dat[300];
	FILE *f;

	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++) {
			struct fl_run_case *c = &runs[r].cases[i];
			const struct fl_item *it = fl_run_case_item(c, cls[0]);

			if (!strcmp(c->workload, s(g, "workload")) &&
			    json_equal(c->params, json_object_get(g, "params")))
				key = c->key;
			if (it && it->ncpu > ncpu)
				ncpu = it->ncpu;
		}
	if (!key || !ncpu || ncpu > 1024)
		return 0;
	if (!write)
		return 1;
	if (!panel_room(p, "IPIs per CPU"))
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
			dat_num(f, " ", cnt[r] ? sum[r * ncpu + q] / (double)cnt[r] : NAN);
		fputc('\n', f);
	}
	fclose(f);
	free(sum);
	free(cnt);
	gp_set(p->gp, "title", "IPIs per CPU during the measured phase: %s %s (mean per case)",
	       s(g, "workload"), s(g, "label"));
	fputs("set xlabel 'CPU'\nset ylabel 'IPIs'\nset autoscale\nset yrange [0:*]\n"
	      "set style data histogram\nset style histogram clustered gap 1\n"
	      "set style fill solid 0.8 border -1\nplot ", p->gp);
	for (size_t r = 0; r < nruns; r++) {
		fputs(r ? ", \\\n     " : "", p->gp);
		fl_gp_quote(p->gp, dat);
		fprintf(p->gp, " using %zu:xtic(1) title ", 2 + 2 * r);
		gp_title(p, r, " function-call");
		fprintf(p->gp, ", '' using %zu title ", 3 + 2 * r);
		gp_title(p, r, " TLB-shootdown");
	}
	fputs("\nset style data points\nunset yrange\n", p->gp);
	return 1;
}

/* ---- latency CDFs ------------------------------------------------------------------ */

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
	return !c->warmup && !strcmp(c->status, "ok") && !strcmp(c->workload, s(g, "workload")) &&
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
			dat_num(f, " ", i < d[r].n ? d[r].x[i] / div : NAN);
			dat_num(f, " ", i < d[r].n ? d[r].f[i] : NAN);
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

static void cdf_panel(struct plot *p, json_t *g, const char *name, struct fl_run *runs,
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
	f = plot_dat(p, dat, sizeof(dat));
	if (!f)
		return;
	dat_comment(f, "# %s %s: %s CDF; per run: bound, fraction of values <= bound\n",
		    s(g, "workload"), s(g, "label"), name);
	cdf_dat(f, d, p->nruns, div);
	fclose(f);
	gp_set(p->gp, "title", "%s %s: CDF of %s", s(g, "workload"), s(g, "label"), name);
	log = lo > 0 && hi / lo >= 4;
	gp_set(p->gp, "xlabel", "%s%s", unit, log ? " (log scale)" : "");
	fprintf(p->gp, "set ylabel 'fraction <= x'\nset autoscale\nset yrange [0:1.02]\n"
		"set ytics 0.1\nset key inside right bottom\n%splot ", log ?
		"set logscale x 10\nset format x '%g'\n" : "");
	for (size_t r = 0; r < p->nruns; r++) {
		fputs(r ? ", \\\n     " : "", p->gp);
		fl_gp_quote(p->gp, dat);
		dist_legend(&d[r], unit, div, leg, sizeof(leg));
		fprintf(p->gp, " using %zu:%zu with lines lw 2 title ", 2 + 2 * r, 3 + 2 * r);
		gp_title(p, r, d[r].n ? leg : " (no values)");
	}
	fputs("\nunset logscale x\nset format x '% h'\nset ytics autofreq\nunset yrange\n"
	      "set key below height 1\n", p->gp);
}

/* One panel per case group and histogram name that some run has: a line per run. */
static int cdf_panels(struct plot *p, json_t *cmp, struct fl_run *runs, size_t nruns,
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
			if (!write || !panel_room(p, json_string_value(nm)))
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

static void plot_free(struct plot *p)
{
	if (p->gp)
		fclose(p->gp);
	free(p->titles);
	memset(p, 0, sizeof(*p));
}

/* IMG-cdf.EXT beside IMG.EXT, when the runs carry latency histograms. */
static int plot_cdfs(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
		     struct fl_plot_opts *o, char *err, size_t errlen)
{
	char cpath[1100];
	const char *dot = strrchr(path, '.');
	struct plot p;
	int panels, ret;

	if (!dot || snprintf(cpath, sizeof(cpath), "%.*s-cdf%s", (int)(dot - path), path, dot) >=
	    (int)sizeof(cpath))
		return fl_seterr(err, errlen, "--plot %s: the path is too long", path);
	memset(&p, 0, sizeof(p));
	p.nruns = json_array_size(json_object_get(cmp, "runs"));
	panels = cdf_panels(&p, cmp, runs, nruns, false);
	if (!panels)
		return 0;
	if (plot_open(&p, cpath, err, errlen))
		return -1;
	if (titles_init(&p, cmp, runs, nruns, o)) {
		plot_free(&p);
		return fl_seterr(err, errlen, "out of memory plotting %s", cpath);
	}
	header(&p, panels);
	cdf_panels(&p, cmp, runs, nruns, true);
	ret = plot_run(&p, err, errlen);
	plot_free(&p);
	if (!ret && o)
		snprintf(o->cdf_path, sizeof(o->cdf_path), "%s", cpath);
	return ret;
}

int fl_plot_compare_opts(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
			 struct fl_plot_opts *o, char *err, size_t errlen)
{
	struct plot p;
	int panels, ret;

	if (o)
		o->cdf_path[0] = '\0';
	if (plot_open(&p, path, err, errlen))
		return -1;
	if (titles_init(&p, cmp, runs, nruns, o)) {
		plot_free(&p);
		return fl_seterr(err, errlen, "out of memory plotting %s", path);
	}
	panels = scaling_panels(&p, cmp, false) + run_chart(&p, cmp, false) +
		 ipi_bars(&p, cmp, runs, nruns, false);
	header(&p, panels);
	scaling_panels(&p, cmp, true);
	run_chart(&p, cmp, true);
	ipi_bars(&p, cmp, runs, nruns, true);
	ret = plot_run(&p, err, errlen);
	plot_free(&p);
	return ret ? ret : plot_cdfs(cmp, runs, nruns, path, o, err, errlen);
}

int fl_plot_compare(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
		    char *err, size_t errlen)
{
	return fl_plot_compare_opts(cmp, runs, nruns, path, NULL, err, errlen);
}

/* Runs whose two-line x labels (date over kernel, ~110 px) fit side by side; with more,
 * each label is one line turned 45 degrees and the panels grow to make room. */
#define TREND_FLAT 7

/* The x tics of a trend: each run's date and kernel, set once for every panel. */
static void trend_xtics(struct plot *p, json_t *runs)
{
	bool flat = json_array_size(runs) <= TREND_FLAT;
	json_t *r;
	size_t i;

	fputs("set xtics (", p->gp);
	json_array_foreach(runs, i, r) {
		fputs(i ? ", " : "", p->gp);
		fl_gp_quote(p->gp, s(r, "date"));
		/* the line break comes from the script, never from a document */
		fputs(flat ? ".\"\\n\"." : ".' '.", p->gp);
		fl_gp_quote(p->gp, s(r, "kernel"));
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
		double x = num(json_array_get(pt, 0));

		if (m && sd && x >= 1 && x <= (double)n) {
			m[(size_t)x - 1] = num(json_array_get(pt, 1));
			sd[(size_t)x - 1] = num(json_array_get(pt, 2));
		}
	}
	fprintf(f, "# run (1 = oldest shown), mean, stddev, mean again if the run regressed\n");
	for (size_t i = 0; m && sd && i < n; i++) {
		bool reg = !strcmp(s(json_array_get(runs, i), "status"), "regressed");

		fprintf(f, "%zu", i + 1);
		dat_num(f, " ", m[i]);
		dat_num(f, " ", isfinite(sd[i]) ? sd[i] : 0);
		dat_num(f, " ", reg ? m[i] : NAN);
		fputc('\n', f);
	}
	free(m);
	free(sd);
}

int fl_plot_trend(json_t *trend, const char *path, char *err, size_t errlen)
{
	json_t *series = json_object_get(trend, "series"), *runs = json_object_get(trend, "runs");
	bool regressed = false;
	struct plot p;
	json_t *se;
	size_t i;
	int ret;

	json_array_foreach(runs, i, se)
		regressed |= !strcmp(s(se, "status"), "regressed");
	if (plot_open(&p, path, err, errlen))
		return -1;
	if (json_array_size(runs) > TREND_FLAT)
		p.panel_h = 440;
	header(&p, (int)(json_array_size(series) > MAX_PANELS ? MAX_PANELS :
			 json_array_size(series)));
	fputs("set key inside left top\nunset xlabel\n", p.gp);	/* the tics say it */
	trend_xtics(&p, runs);
	json_array_foreach(series, i, se) {
		char dat[300];
		FILE *f;

		if (!panel_room(&p, s(se, "title")))
			continue;
		f = plot_dat(&p, dat, sizeof(dat));
		if (!f)
			continue;
		trend_dat(f, se, runs);
		fclose(f);
		gp_set(p.gp, "title", "%s (each run's mean and sd; %s is better)", s(se, "title"),
		       s(se, "better"));
		gp_set(p.gp, "ylabel", "%s", s(se, "unit"));
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
	ret = plot_run(&p, err, errlen);
	plot_free(&p);
	return ret;
}
