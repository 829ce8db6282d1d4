/* SPDX-License-Identifier: GPL-2.0 */
/* The grid of a --table: table.c fills it (the cells and notes: table_cells.c; the rows of each
 * shape: table_shapes.c) and table_emit.c prints it. Private to analysis/table*.c. */
#ifndef FL_TABLE_GRID_H
#define FL_TABLE_GRID_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "table.h"

#define TG_MAXCOL 64
#define TG_MAXRUNS 26
#define TG_MAXROWS 256
#define TG_MAXNOTES 12

enum tcell_kind { TC_NONE, TC_DIR, TC_VALUE, TC_DELTA, TC_WORD };

struct tcell {
	enum tcell_kind kind;
	char txt[48];		/* "56.52 (1.392)", "+0.47%", "better" */
	char brief[48];		/* "56.52": when the full cells do not fit 80 columns */
	size_t run;
	const char *metric;	/* the layout's metric name */
	const char *split;	/* SWEEP: the split parameter's value */
	json_t *g, *m, *st, *cp; /* the document's case group, metric row, run stats,
				  * comparison */
};

struct trow {
	bool block;		/* a block's title: label only */
	char label[300];
	char block_label[300];	/* the block the row belongs to */
	const char *metric;
	struct tcell *c;	/* TG_MAXCOL cells */
};

struct tcolhead {
	char group[64];		/* spans the columns that share it: a run's name */
	char sub[64];		/* spans within a group: the split value */
	char head[64];
	size_t unit;		/* text wider than 80 columns goes on in further parts, each
				 * with the unit-0 columns (b, the base run) and whole units */
};

struct tgrid {
	const struct fl_table *t;
	json_t *cmp;		/* the shown copy of the document */
	json_t *groups;		/* the workload's groups */
	json_t *keep;		/* strings cells point to */
	const struct fl_tcol *cols[FL_TABLE_MAXCOL];
	size_t ncolspec;
	const char *names[TG_MAXRUNS];
	const char *labels[TG_MAXRUNS];	/* "A", "B": delta and verdict heads of 3+ runs */
	size_t nruns_all;
	char runs[TG_MAXRUNS][400];
	size_t nruns;
	char label_head[64];
	struct tcolhead h[TG_MAXCOL];
	size_t ncols;
	struct trow *rows;
	size_t nrows, cap;
	char block[300];	/* while building: the current block's title */
	char missing[200];	/* metrics no group reported */
	char notes[TG_MAXNOTES][720];	/* a hypervisor TLB reason is ~650 */
	size_t nnotes, notes_dropped;
};

/* table_cells.c: rows, cells and notes. */
/* "threads=2 walkers=1": the layout's keys and the parameters that vary between the table's
 * groups, each with what the case resolved it to, except skip1 and skip2 (may be NULL). */
void tg_label_of(struct tgrid *gr, json_t *g, const char *skip1, const char *skip2,
		 char *buf, size_t len);
/* The metric row called name of a group (a workload metric, not per op), or NULL. */
json_t *tg_metric_of(json_t *g, const char *name);
/* A note under the table (once; past TG_MAXNOTES counted in notes_dropped). */
void tg_note(struct tgrid *gr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A new row labelled label in the current block; NULL when out of memory. */
struct trow *tg_row_add(struct tgrid *gr, bool block, const char *label);
/* A value cell: "mean (sd)" and "mean", or n/a with its reason noted. */
void tg_value_cell(struct tgrid *gr, struct tcell *c, json_t *g, json_t *m, size_t run,
		   const char *metric);
/* The delta and verdict-word cells of run against the base. */
void tg_delta_cells(struct tcell *d, struct tcell *w, json_t *m, size_t run, bool drop);
/* The better-direction cell: hi, lo or -. */
void tg_dir_cell(struct tcell *c, json_t *m);

/* table_shapes.c: the rows of each shape; 0, or -1 when out of memory. */
int tg_build_rows(struct tgrid *gr);
int tg_build_sweep(struct tgrid *gr);

/* table_emit.c: the grid as text, Markdown or CSV. */
void tg_emit_text(struct tgrid *gr, FILE *out);
void tg_emit_md(struct tgrid *gr, FILE *out);
void tg_emit_csv(struct tgrid *gr, FILE *out);

#endif
