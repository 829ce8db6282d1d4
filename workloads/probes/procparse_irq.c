// SPDX-License-Identifier: GPL-2.0
/* /proc/interrupts: the CPU header and the "NAME: counts desc" rows parsed into a table,
 * a repeated name keyed NAME#2 (procparse_irq.h). Pure: the text is passed in. */
#include "probes/procparse_irq.h"
#include "probes/procparse_line.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "           CPU0       CPU1 ..." -> t->cpus; returns 0 or -1 (EINVAL, ENOMEM). */
static int irq_header(const char *p, const char *end, struct fl_irq_table *t)
{
	int n = 0, cap = 0, *nc;
	char *e;

	for (;;) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end || end - p < 4 || strncmp(p, "CPU", 3) ||
		    !isdigit((unsigned char)p[3]))
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nc = realloc(t->cpus, (size_t)cap * sizeof(*nc));
			if (!nc)
				return -1;
			t->cpus = nc;
		}
		t->cpus[n++] = (int)strtol(p + 3, &e, 10);
		p = e;
	}
	t->ncpus = n;
	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Counts after "NAME:": at most ncpus whole decimal tokens. Returns where they end. */
static const char *irq_counts(const char *p, const char *end, struct fl_irq_row *r, int ncpus)
{
	const char *q;
	char *e;

	while (r->ncounts < ncpus) {
		q = p;
		while (q < end && isblank((unsigned char)*q))
			q++;
		if (q == end || !isdigit((unsigned char)*q))
			break;
		r->counts[r->ncounts] = strtoull(q, &e, 10);
		if (e < end && !isblank((unsigned char)*e))
			break;		/* "2-edge": description text, not a count */
		r->ncounts++;
		p = e;
	}
	return p;
}

/* Trimmed copy of [p, end) with blank runs squeezed to one space. */
static char *squeeze(const char *p, const char *end)
{
	char *s = malloc((size_t)(end - p) + 1), *o = s;

	if (!s)
		return NULL;
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (p < end) {
		if (isspace((unsigned char)*p)) {
			while (p < end && isspace((unsigned char)*p))
				p++;
			if (p < end)
				*o++ = ' ';
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	return s;
}

static void irq_key(struct fl_irq_table *t, struct fl_irq_row *r)
{
	int seen = 1;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].name, r->name))
			seen++;
	if (seen == 1)
		snprintf(r->key, sizeof(r->key), "%s", r->name);
	else
		snprintf(r->key, sizeof(r->key), "%s#%d", r->name, seen);
}

/* One "NAME: counts desc" line; returns 0, 1 if it is not a row, -1 on ENOMEM. */
static int irq_row(const char *p, const char *end, struct fl_irq_table *t, struct fl_irq_row *r)
{
	const char *colon;
	size_t nlen;

	while (p < end && isblank((unsigned char)*p))
		p++;
	colon = memchr(p, ':', (size_t)(end - p));
	if (!colon || colon == p)
		return 1;
	nlen = (size_t)(colon - p);
	if (nlen >= sizeof(r->name) || memchr(p, ' ', nlen) || memchr(p, '\t', nlen))
		return 1;
	memset(r, 0, sizeof(*r));
	memcpy(r->name, p, nlen);
	r->counts = calloc((size_t)t->ncpus, sizeof(*r->counts));
	if (!r->counts)
		return -1;
	p = irq_counts(colon + 1, end, r, t->ncpus);
	r->desc = squeeze(p, end);
	if (!r->desc) {
		free(r->counts);
		return -1;
	}
	irq_key(t, r);
	return 0;
}

static int irq_append(struct fl_irq_table *t, size_t *cap, const struct fl_irq_row *r)
{
	struct fl_irq_row *nr;

	if (t->nrows == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		nr = realloc(t->rows, *cap * sizeof(*nr));
		if (!nr)
			return -1;
		t->rows = nr;
	}
	t->rows[t->nrows++] = *r;
	return 0;
}

int fl_irq_parse(const char *text, struct fl_irq_table *t)
{
	const char *p = text, *header, *end;
	struct fl_irq_row row;
	size_t cap = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	p += strspn(p, " \t\n");	/* the header is the first non-blank line */
	header = p;
	p = fl_line_next(header, &end);
	if (irq_header(header, end, t))
		goto fail;
	while (*p) {
		const char *next = fl_line_next(p, &end);

		ret = irq_row(p, end, t, &row);
		if (ret < 0)
			goto nomem;
		if (ret == 0 && irq_append(t, &cap, &row)) {
			free(row.counts);
			free(row.desc);
			goto nomem;
		}
		p = next;
	}
	return 0;
nomem:
	errno = ENOMEM;
fail:
	ret = errno;
	fl_irq_free(t);
	errno = ret;
	return -1;
}

void fl_irq_free(struct fl_irq_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		free(t->rows[i].counts);
		free(t->rows[i].desc);
	}
	free(t->rows);
	free(t->cpus);
	memset(t, 0, sizeof(*t));
}

const struct fl_irq_row *fl_irq_find(const struct fl_irq_table *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].key, key))
			return &t->rows[i];
	return NULL;
}

unsigned long long fl_irq_row_total(const struct fl_irq_row *r)
{
	unsigned long long sum = 0;
	int i;

	for (i = 0; i < r->ncounts; i++)
		sum += r->counts[i];
	return sum;
}
