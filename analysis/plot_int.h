/* SPDX-License-Identifier: GPL-2.0 */
/* What the plots share (plot.c: the script, its data files and running gnuplot;
 * plot_titles.c: the runs' legend titles); plot_compare.c, plot_cdf.c and plot_trend.c draw
 * the panels. Private to analysis/plot*.c. */
#ifndef FL_PLOT_INT_H
#define FL_PLOT_INT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "plot.h"
#include "runload.h"

struct fl_plot {
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
#define FL_PLOT_MAX_PANELS 24

/* A number in a data file: '?' (set datafile missing) unless finite. */
void fl_dat_num(FILE *f, const char *sep, double v);
/* A comment line of a data file, made one line and free of control characters. */
void fl_dat_comment(FILE *f, const char *fmt, const char *a, const char *b, const char *c);
/* Start IMG.gp for the image path (.png or .svg); 0, or -1 with one sentence in err. */
int fl_plot_open(struct fl_plot *p, const char *path, char *err, size_t errlen);
/* A new data file IMG-N.dat; its name (relative to the directory) in name. */
FILE *fl_plot_dat(struct fl_plot *p, char *name, size_t len);
/* The script's terminal, output and multiplot layout for panels panels. */
void fl_plot_header(struct fl_plot *p, int panels);
/* One more panel, if the image has room; else a comment saying it was left out. */
bool fl_plot_room(struct fl_plot *p, const char *what);
/* Close the script and run gnuplot on it in the image's directory; 0, or -1 with one
 * sentence in err. */
int fl_plot_run(struct fl_plot *p, char *err, size_t errlen);
void fl_plot_free(struct fl_plot *p);
/* The legend title of run r and suffix, as one quoted literal. */
void fl_plot_title(struct fl_plot *p, size_t r, const char *suffix);
/* "set KEY 'TEXT'", TEXT formatted from fmt and quoted as one literal. */
void __attribute__((format(printf, 3, 4))) fl_gp_set(FILE *f, const char *key, const char *fmt,
						     ...);

/* plot_titles.c: each run's legend title, the defaults or o's; -1 when out of memory. */
int fl_plot_titles_init(struct fl_plot *p, json_t *cmp, struct fl_run *runs, size_t nruns,
			const struct fl_plot_opts *o);
/* plot_cdf.c: IMG-cdf.EXT beside IMG.EXT, when the runs carry latency histograms; 0, or -1
 * with one sentence in err. */
int fl_plot_cdfs(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
		 struct fl_plot_opts *o, char *err, size_t errlen);

#endif
