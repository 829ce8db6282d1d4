// SPDX-License-Identifier: GPL-2.0
/*
 * gnuplot scripts and data files, and running gnuplot on them in the image's directory.
 * Strings from documents (workload, parameter values, labels, units, run names) are untrusted:
 * they reach the script only through fl_gp_quote() (a single-quoted gnuplot literal: no
 * backquote or macro substitution there, '' for a quote, control characters become '?'), and
 * the data files only through dat_num() (a finite number or '?') and dat_text() (a token of
 * safe characters). The terminal is noenhanced, so no text markup is interpreted either.
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

/* A string column of a data file (an x tic label): one token of [A-Za-z0-9._+:-], anything
 * else '_', so no quote, '#', blank or line break can shift the columns. */
static void dat_text(FILE *f, const char *str)
{
	for (const unsigned char *c = (const unsigned char *)(str ? str : "?"); *c; c++)
		fputc(isalnum(*c) || strchr("._+:-", *c) ? *c : '_', f);
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
		!strcmp(p->ext, "png") ? "pngcairo" : "svg", 300 * (panels ? panels : 1));
	snprintf(out, sizeof(out), "%s.%s", p->base, p->ext);
	fl_gp_quote(p->gp, out);
	fprintf(p->gp, "\nset datafile missing '?'\nset key outside right top\nset grid\n"
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

/* The title of run r: "A: 6.18.4 spf-v2" (quoted by fl_gp_quote where it is used). */
static void run_title(json_t *r, char *buf, size_t len)
{
	json_t *k = json_object_get(r, "kernel");
	const char *cand = json_string_value(json_object_get(k, "candidate"));

	snprintf(buf, len, "%s: %s%s%s", s(r, "label"), s(k, "release"), cand ? " " : "",
		 cand ? cand : "");
}

/* "TEXT: A: 6.18.4 spf-v2 SUFFIX" as one quoted title. */
static void gp_title(FILE *f, const char *prefix, json_t *run, const char *suffix)
{
	char t[200], all[400];

	run_title(run, t, sizeof(t));
	snprintf(all, sizeof(all), "%s%s%s", prefix, t, suffix);
	fl_gp_quote(f, all);
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

static int scaling_panels(struct plot *p, json_t *cmp, bool write)
{
	json_t *runs = json_object_get(cmp, "runs"), *groups = json_object_get(cmp, "groups");
	json_t *seen = json_object(), *g, *h;
	size_t nr = json_array_size(runs), i, j;
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
		gp_set(p->gp, "title", "%s: %s against %s", s(sw, "family"), s(mm, "name"),
		       s(sw, "key"));
		gp_set(p->gp, "xlabel", "%s", s(sw, "key"));
		gp_set(p->gp, "ylabel", "%s", s(mm, "unit"));
		fputs("set autoscale\nset offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
		      "plot ", p->gp);
		for (size_t r = 0; r < nr; r++) {
			fputs(r ? ", \\\n     " : "", p->gp);
			fl_gp_quote(p->gp, dat);
			fprintf(p->gp, " using 1:%zu:%zu with yerrorlines title ", 2 + 2 * r,
				3 + 2 * r);
			gp_title(p->gp, "", json_array_get(runs, r), "");
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
		gp_title(p->gp, "", json_array_get(runs, r), "");
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
			struct fl_case *c = &runs[r].cases[i];
			const struct fl_item *it = fl_case_item(c, cls[0]);

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
		json_t *run = json_array_get(json_object_get(cmp, "runs"), r);

		fputs(r ? ", \\\n     " : "", p->gp);
		fl_gp_quote(p->gp, dat);
		fprintf(p->gp, " using %zu:xtic(1) title ", 2 + 2 * r);
		gp_title(p->gp, "", run, " function-call");
		fprintf(p->gp, ", '' using %zu title ", 3 + 2 * r);
		gp_title(p->gp, "", run, " TLB-shootdown");
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
	header(&p, (int)(json_array_size(series) > MAX_PANELS ? MAX_PANELS :
			 json_array_size(series)));
	json_array_foreach(series, i, se) {
		char dat[300];
		FILE *f;

		if (!panel_room(&p, s(se, "name")))
			continue;
		f = plot_dat(&p, dat, sizeof(dat));
		if (!f)
			continue;
		fprintf(f, "# index, run, mean, stddev\n");
		json_array_foreach(json_object_get(se, "points"), k, pt) {
			double sd = num(json_array_get(pt, 2));

			fprintf(f, "%zu ", k + 1);
			dat_text(f, json_string_value(json_array_get(pt, 0)));
			dat_num(f, " ", num(json_array_get(pt, 1)));
			dat_num(f, " ", isfinite(sd) ? sd : 0);
			fputc('\n', f);
		}
		fclose(f);
		fputs("set key below\n", p.gp);
		gp_set(p.gp, "title", "trend: %s", s(se, "name"));
		gp_set(p.gp, "ylabel", "%s", s(se, "unit"));
		fputs("set xlabel 'run'\nset autoscale\nset xtics rotate by -30\nset offsets "
		      "graph 0.05, graph 0.05, graph 0.1, graph 0.1\nplot ", p.gp);
		fl_gp_quote(p.gp, dat);
		fputs(" using 1:3:4:xtic(2) with yerrorlines title ", p.gp);
		fl_gp_quote(p.gp, s(se, "name"));
		fputc('\n', p.gp);
	}
	return plot_run(&p, err, errlen);
}
