// SPDX-License-Identifier: GPL-2.0
/*
 * gnuplot scripts and data files, and running gnuplot on them in the image's directory.
 * Strings from documents (workload, parameter values, labels, units, run names) are untrusted:
 * they reach the script only through fl_gp_quote() (a single-quoted gnuplot literal: no
 * backquote or macro substitution there, '' for a quote, control characters become '?'), and
 * the data files only through fl_dat_num() (a finite number or '?'): labels such as the trend's
 * run dates are set in the script, quoted. The terminal is noenhanced, so no text markup is
 * interpreted either.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compare.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "plot_int.h"

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
void fl_dat_num(FILE *f, const char *sep, double v)
{
	if (isfinite(v))
		fprintf(f, "%s%.10g", sep, v);
	else
		fprintf(f, "%s?", sep);
}

/* A comment line of a data file, made one line and free of control characters. */
void fl_dat_comment(FILE *f, const char *fmt, const char *a, const char *b, const char *c)
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

int fl_plot_open(struct fl_plot *p, const char *path, char *err, size_t errlen)
{
	char tmp[1024], gp[1400], *dot;
	struct stat st;

	memset(p, 0, sizeof(*p));
	p->room = FL_PLOT_MAX_PANELS;
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
FILE *fl_plot_dat(struct fl_plot *p, char *name, size_t len)
{
	char path[1400];

	snprintf(name, len, "%s-%d.dat", p->base, ++p->ndat);
	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	return create(path);
}

void fl_plot_header(struct fl_plot *p, int panels)
{
	char out[300];

	if (panels > FL_PLOT_MAX_PANELS)
		panels = FL_PLOT_MAX_PANELS;
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
bool fl_plot_room(struct fl_plot *p, const char *what)
{
	if (p->room-- > 0)
		return true;
	fputs("# left out (more than 24 panels): ", p->gp);
	fl_gp_quote(p->gp, what);
	fputc('\n', p->gp);
	return false;
}

int fl_plot_run(struct fl_plot *p, char *err, size_t errlen)
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

/* The legend title of run r and suffix, as one quoted literal. */
void fl_plot_title(struct fl_plot *p, size_t r, const char *suffix)
{
	char all[FL_PLOT_TITLE + 200];

	snprintf(all, sizeof(all), "%s%s", r < p->nruns ? p->titles[r] : "?", suffix);
	fl_gp_quote(p->gp, all);
}

/* "set KEY 'TEXT'", TEXT formatted from fmt and quoted as one literal. */
void fl_gp_set(FILE *f, const char *key, const char *fmt, ...)
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

void fl_plot_free(struct fl_plot *p)
{
	if (p->gp)
		fclose(p->gp);
	free(p->titles);
	memset(p, 0, sizeof(*p));
}
