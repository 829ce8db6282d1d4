/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/interrupts parsed into a table of rows (procparse_irq.c). Pure: tests feed captures
 * from tests/fixtures/. */
#ifndef FL_PROCPARSE_IRQ_H
#define FL_PROCPARSE_IRQ_H

#include <stddef.h>

#define FL_IRQ_NAME_MAX 32

struct fl_irq_row {
	char key[FL_IRQ_NAME_MAX + 12];	/* name, or "NAME#2", "NAME#3" for a repeated name */
	char name[FL_IRQ_NAME_MAX];	/* as printed, without the ':' */
	char *desc;			/* text after the counts, trimmed; "" if none */
	int ncounts;			/* ncpus, or fewer (x86 ERR/MIS print one) */
	unsigned long long *counts;
};

struct fl_irq_table {
	int ncpus;			/* columns in the header */
	int *cpus;			/* CPU number of each column ("CPU3" -> 3) */
	size_t nrows;
	struct fl_irq_row *rows;	/* in file order */
};

/* Returns 0, or -1 with errno (EINVAL: no "CPUn" header; ENOMEM). */
int fl_irq_parse(const char *text, struct fl_irq_table *t);
void fl_irq_free(struct fl_irq_table *t);
const struct fl_irq_row *fl_irq_find(const struct fl_irq_table *t, const char *key);
unsigned long long fl_irq_row_total(const struct fl_irq_row *r);

#endif
