/* SPDX-License-Identifier: GPL-2.0 */
/* faultline compare --table NAME: a seed thread's published table made from a comparison
 * document. Each layout is data (table.c: one table of column specs per layout) turned into
 * one grid, which one emitter per format prints: text (80 columns), Markdown, CSV. */
#ifndef FL_TABLE_H
#define FL_TABLE_H

#include <stdio.h>
#include <jansson.h>

enum fl_tshape {
	FL_TSHAPE_ROWS,		/* a block per case group, a row per metric (one metric: a row
				 * per group), a column per run, then delta per candidate */
	FL_TSHAPE_SWEEP,	/* a row per value of sweep_key, a column group per run and per
				 * value of split_key, a column per metric (seed 004) */
};

struct fl_tcol {
	const char *metric;	/* the workload metric's name */
	const char *head;	/* the thread's name for it */
};

#define FL_TABLE_MAXCOL 8

struct fl_table {
	const char *name;	/* --table NAME */
	const char *workload;
	const char *title;	/* the seed and what the table shows */
	enum fl_tshape shape;
	const char *keys;	/* parameters always named in a row or block label ("," list) */
	const char *block_fmt;	/* ROWS: "Average %s load %s Run" with keys' value, resolved */
	const char *sweep_key, *split_key;	/* SWEEP */
	bool drop_positive;	/* delta = (base - candidate) / base on every row, as the
				 * thread prints it (else signed so that positive = better) */
	struct fl_tcol cols[FL_TABLE_MAXCOL];
};

/* The layout called name, or NULL. */
const struct fl_table *fl_table_find(const char *name);
/* The layouts' names as --table spells them: "ebizzy, kernbench, percore, munmap or collapse". */
const char *fl_table_names(void);
/* Print layout t of cmp as format (text, md, csv); metrics: NULL or --metrics' globs (rows
 * and columns of other metrics left out). 0, or -1 with one sentence in err: the runs have
 * no case of the table's workload, or --metrics leaves none of its metrics. */
int fl_table_render(json_t *cmp, const struct fl_table *t, const char *format,
		    const char *metrics, FILE *out, char *err, size_t errlen);

#endif
