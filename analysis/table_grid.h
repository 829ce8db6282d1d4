/* SPDX-License-Identifier: GPL-2.0 */
/* The grid of a --table (table.c builds it, table_emit.c prints it). Private to analysis/. */
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
	json_t *m, *st, *cp;	/* the document's metric row, run stats, comparison */
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

void tg_emit_text(struct tgrid *gr, FILE *out);
void tg_emit_md(struct tgrid *gr, FILE *out);
void tg_emit_csv(struct tgrid *gr, FILE *out);

#endif
