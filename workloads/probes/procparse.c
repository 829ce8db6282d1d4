// SPDX-License-Identifier: GPL-2.0
/* Pure parsers for /proc text and the per-arch IPI normalization (procparse.h). */
#include "probes/procparse.h"

#include "fl_json.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *fl_slurp(const char *path, size_t *len)
{
	size_t cap = 65536, got = 0;
	char *buf, *nbuf;
	ssize_t r;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf)
		goto fail;
	for (;;) {
		if (got + 1 >= cap) {
			nbuf = realloc(buf, cap * 2);
			if (!nbuf)
				goto fail;
			buf = nbuf;
			cap *= 2;
		}
		r = read(fd, buf + got, cap - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

/* Next line of text: [*line, *end) without the newline; returns the start of the one after. */
static const char *next_line(const char *p, const char **end)
{
	const char *nl = strchr(p, '\n');

	*end = nl ? nl : p + strlen(p);
	return nl ? nl + 1 : *end;
}

/* ---- /proc/vmstat ---------------------------------------------------------------- */

static int vmstat_add(struct fl_vmstat *vs, size_t *cap, const char *name, size_t nlen,
		      unsigned long long value)
{
	struct fl_vmstat_entry *nv;

	if (vs->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		nv = realloc(vs->v, *cap * sizeof(*nv));
		if (!nv)
			return -1;
		vs->v = nv;
	}
	memcpy(vs->v[vs->n].name, name, nlen);
	vs->v[vs->n].name[nlen] = '\0';
	vs->v[vs->n].value = value;
	vs->n++;
	return 0;
}

/* "name value" -> 0, or -1 if the line is something else. */
static int vmstat_line(const char *p, const char *end, size_t *nlen, unsigned long long *value)
{
	const char *q = p;
	char *e;

	while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	*nlen = (size_t)(q - p);
	if (*nlen == 0 || *nlen >= FL_VMSTAT_NAME_MAX || q == end || !isblank((unsigned char)*q))
		return -1;
	while (q < end && isblank((unsigned char)*q))
		q++;
	if (q == end || !isdigit((unsigned char)*q))
		return -1;
	errno = 0;
	*value = strtoull(q, &e, 10);
	if (errno || e > end)
		return -1;
	while (e < end && isspace((unsigned char)*e))
		e++;
	return e == end ? 0 : -1;
}

int fl_vmstat_parse(const char *text, struct fl_vmstat *vs)
{
	const char *p = text, *end, *next;
	unsigned long long value;
	size_t cap = 0, nlen;

	memset(vs, 0, sizeof(*vs));
	while (*p) {
		next = next_line(p, &end);
		if (end == p) {
			p = next;
			continue;
		}
		if (vmstat_line(p, end, &nlen, &value))
			vs->skipped++;
		else if (vmstat_add(vs, &cap, p, nlen, value))
			goto nomem;
		p = next;
	}
	return 0;
nomem:
	fl_vmstat_free(vs);
	errno = ENOMEM;
	return -1;
}

void fl_vmstat_free(struct fl_vmstat *vs)
{
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

const struct fl_vmstat_entry *fl_vmstat_find(const struct fl_vmstat *vs, const char *name)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		if (!strcmp(vs->v[i].name, name))
			return &vs->v[i];
	return NULL;
}

/*
 * Units of vmstat items, first match wins. Most nr_* items are levels in pages
 * (node/zone stat items), but some nr_* are cumulative event counters, a few are
 * printed in KiB, and the THP levels are printed in huge pages (vmstat_item_print_in_thp).
 */
static const struct vmstat_unit_rule {
	const char *glob;
	const char *unit;
	bool gauge;
} vmstat_units[] = {
	{ "nr_tlb_*",			"count",	false },	/* DEBUG_TLBFLUSH events */
	{ "nr_dirtied",			"pages",	false },
	{ "nr_written",			"pages",	false },
	{ "nr_vmscan_write",		"pages",	false },
	{ "nr_vmscan_immediate_reclaim", "pages",	false },
	{ "nr_throttled_written",	"pages",	false },
	{ "nr_foll_pin_acquired",	"pages",	false },
	{ "nr_foll_pin_released",	"pages",	false },
	{ "nr_kernel_stack",		"KiB",		true },
	{ "nr_shadow_call_stack",	"KiB",		true },
	{ "nr_anon_transparent_hugepages", "hugepages",	true },
	{ "nr_file_hugepages",		"hugepages",	true },
	{ "nr_shmem_hugepages",		"hugepages",	true },
	{ "nr_*_pmdmapped",		"hugepages",	true },
	{ "nr_zspages",			"zspages",	true },
	{ "nr_*",			"pages",	true },
	{ "workingset_nodes",		"count",	true },
	{ "*",				"count",	false },
};

const char *fl_vmstat_unit(const char *name, bool *gauge)
{
	size_t i;

	for (i = 0; i < sizeof(vmstat_units) / sizeof(vmstat_units[0]); i++) {
		if (fnmatch(vmstat_units[i].glob, name, 0) == 0) {
			*gauge = vmstat_units[i].gauge;
			return vmstat_units[i].unit;
		}
	}
	*gauge = false;
	return "count";
}

json_t *fl_vmstat_delta_json(const struct fl_vmstat *start, const struct fl_vmstat *stop)
{
	const struct fl_vmstat_entry *s;
	json_t *obj = json_object(), *v;
	const char *unit;
	bool gauge;
	size_t i;

	if (!obj)
		return NULL;
	for (i = 0; i < stop->n; i++) {
		s = fl_vmstat_find(start, stop->v[i].name);
		if (!s)
			continue;
		unit = fl_vmstat_unit(s->name, &gauge);
		v = json_pack("{s:I,s:s}", "value",
			      (json_int_t)(long long)(stop->v[i].value - s->value), "unit", unit);
		if (gauge)
			json_object_set_new(v, "kind", json_string("gauge"));
		json_object_set_new(obj, s->name, v);
	}
	return obj;
}

/* ---- /proc/interrupts ------------------------------------------------------------ */

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
	p = next_line(header, &end);
	if (irq_header(header, end, t))
		goto fail;
	while (*p) {
		const char *next = next_line(p, &end);

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

/* ---- IPI normalization ----------------------------------------------------------- */

static const char *const ipi_class_names[FL_IPI_NCLASSES] = {
	[FL_IPI_FUNCTION_CALL]	= "function_call",
	[FL_IPI_TLB_SHOOTDOWN]	= "tlb_shootdown",
	[FL_IPI_RESCHEDULE]	= "reschedule",
	[FL_IPI_OTHER]		= "other",
};

const char *fl_ipi_class_name(enum fl_ipi_class c)
{
	if (c < 0 || c >= FL_IPI_NCLASSES)
		return "none";
	return ipi_class_names[c];
}

/* uname machine -> arch family of the tables below. */
static const struct { const char *machine, *family; } ipi_archs[] = {
	{ "x86_64", "x86" }, { "amd64", "x86" }, { "i?86", "x86" },
	{ "aarch64", "arm64" }, { "arm64", "arm64" },
	{ "ppc64le", "powerpc" }, { "ppc64", "powerpc" }, { "ppc", "powerpc" },
	{ "powerpc*", "powerpc" },
	{ "s390x", "s390" }, { "s390", "s390" },
};

const char *fl_ipi_arch_family(const char *machine)
{
	size_t i;

	if (!machine)
		return NULL;
	for (i = 0; i < sizeof(ipi_archs) / sizeof(ipi_archs[0]); i++)
		if (fnmatch(ipi_archs[i].machine, machine, 0) == 0)
			return ipi_archs[i].family;
	return NULL;
}

/*
 * Which /proc/interrupts rows are IPIs of which class, per arch family; first match wins.
 * name and desc are fnmatch globs; desc is the row text with blank runs squeezed.
 * Why each arch looks as it does is in workloads/probes/README.md.
 */
static const struct ipi_rule {
	const char *family, *name, *desc;
	enum fl_ipi_class cls;
} ipi_rules[] = {
	/* x86: each IPI vector has its own row. IWI is irq_work, raised by IPI. */
	{ "x86",	"CAL",		"*",				FL_IPI_FUNCTION_CALL },
	{ "x86",	"TLB",		"*",				FL_IPI_TLB_SHOOTDOWN },
	{ "x86",	"RES",		"*",				FL_IPI_RESCHEDULE },
	{ "x86",	"IWI",		"*",				FL_IPI_OTHER },
	/* arm64: IPI0..IPIn, told apart by their text, not their number. */
	{ "arm64",	"IPI*",		"Rescheduling interrupts",	FL_IPI_RESCHEDULE },
	{ "arm64",	"IPI*",		"Function call interrupts",	FL_IPI_FUNCTION_CALL },
	{ "arm64",	"IPI*",		"*",				FL_IPI_OTHER },
	/* powerpc with one virq per message (no muxing; rare). */
	{ "powerpc",	"[0-9]*",	"* ipi call function",		FL_IPI_FUNCTION_CALL },
	{ "powerpc",	"[0-9]*",	"* ipi reschedule",		FL_IPI_RESCHEDULE },
	{ "powerpc",	"[0-9]*",	"* ipi tick-broadcast",		FL_IPI_OTHER },
	{ "powerpc",	"[0-9]*",	"* nmi ipi",			FL_IPI_OTHER },
	/* powerpc muxed: XIVE "IPI-<node>" or XICS "IPI" carries every message;
	 * doorbells carry the same muxed messages between SMT threads of a core. */
	{ "powerpc",	"[0-9]*",	"XIVE-IPI *",			FL_IPI_OTHER },
	{ "powerpc",	"[0-9]*",	"* IPI",			FL_IPI_OTHER },
	{ "powerpc",	"DBL",		"*",				FL_IPI_OTHER },
	/* s390: SIGP external call / emergency signal carry one mask of every message. */
	{ "s390",	"EXC",		"*",				FL_IPI_OTHER },
	{ "s390",	"EMS",		"*",				FL_IPI_OTHER },
};

#define PPC_MUXED "powerpc multiplexes call-function, reschedule, tick-broadcast and NMI IPIs " \
	"on one interrupt (the XIVE/XICS IPI row, and doorbells); their sum is ipi.other, " \
	"the split is in the ipi:* tracepoints"
#define S390_MUXED "s390 sends call-function, reschedule, irq-work and stop requests as bits " \
	"of one mask, signalled by SIGP external call (target running) or emergency signal " \
	"(target not running); their sum is ipi.other, the split is in the ipi:* tracepoints"

/* Classes an arch has no row for, and why. */
static const struct ipi_gap {
	const char *family;
	enum fl_ipi_class cls;
	const char *status, *reason;
} ipi_gaps[] = {
	{ "arm64",	FL_IPI_TLB_SHOOTDOWN, "absent",
	  "arm64 broadcasts TLB invalidation in hardware; no TLB-shootdown IPI" },
	{ "powerpc",	FL_IPI_FUNCTION_CALL, "unsupported", PPC_MUXED },
	{ "powerpc",	FL_IPI_RESCHEDULE, "unsupported", PPC_MUXED },
	{ "powerpc",	FL_IPI_TLB_SHOOTDOWN, "absent",
	  "powerpc invalidates TLBs with broadcast tlbie; no TLB-shootdown IPI "
	  "(IPIs for tlbiel, when tlbie is disabled, are in ipi.other)" },
	{ "s390",	FL_IPI_FUNCTION_CALL, "unsupported", S390_MUXED },
	{ "s390",	FL_IPI_RESCHEDULE, "unsupported", S390_MUXED },
	{ "s390",	FL_IPI_TLB_SHOOTDOWN, "absent",
	  "s390 broadcasts TLB invalidation in hardware (IPTE/IDTE/CSP); no TLB-shootdown IPI" },
};

enum fl_ipi_class fl_ipi_classify(const char *machine, const char *name, const char *desc)
{
	const char *family = fl_ipi_arch_family(machine);
	const struct ipi_rule *r;
	size_t i;

	if (!family)
		return FL_IPI_NONE;
	for (i = 0; i < sizeof(ipi_rules) / sizeof(ipi_rules[0]); i++) {
		r = &ipi_rules[i];
		if (!strcmp(r->family, family) && fnmatch(r->name, name, 0) == 0 &&
		    fnmatch(r->desc, desc ? desc : "", 0) == 0)
			return r->cls;
	}
	return FL_IPI_NONE;
}

const char *fl_ipi_missing(const char *machine, enum fl_ipi_class c, const char **reason)
{
	const char *family = fl_ipi_arch_family(machine);
	size_t i;

	if (!family) {
		*reason = "no IPI normalization table for this arch; see ipi.raw";
		return "unsupported";
	}
	for (i = 0; i < sizeof(ipi_gaps) / sizeof(ipi_gaps[0]); i++) {
		if (!strcmp(ipi_gaps[i].family, family) && ipi_gaps[i].cls == c) {
			*reason = ipi_gaps[i].reason;
			return ipi_gaps[i].status;
		}
	}
	*reason = "this kernel prints no /proc/interrupts row of this class";
	return "absent";
}

/* Counter delta; the per-CPU interrupt counts are 32-bit in the kernel and may wrap. */
static unsigned long long count_delta(unsigned long long stop, unsigned long long start)
{
	if (stop >= start)
		return stop - start;
	if (start <= UINT32_MAX)
		return stop + (1ULL << 32) - start;
	return stop;
}

struct ipi_sum {
	bool seen;
	unsigned long long total;
	unsigned long long *per_cpu;
	json_t *rows;
};

static json_t *ull_array(const unsigned long long *v, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static json_t *int_array(const int *v, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static bool same_cpus(const struct fl_irq_table *a, const struct fl_irq_table *b)
{
	return a->ncpus == b->ncpus &&
	       !memcmp(a->cpus, b->cpus, (size_t)a->ncpus * sizeof(*a->cpus));
}

/* Delta of one row into d[] (ncpus long); returns the row total. */
static unsigned long long row_delta(const struct fl_irq_row *r, const struct fl_irq_row *s,
				    unsigned long long *d)
{
	unsigned long long total = 0;
	int i;

	for (i = 0; i < r->ncounts; i++) {
		d[i] = count_delta(r->counts[i], s && i < s->ncounts ? s->counts[i] : 0);
		total += d[i];
	}
	return total;
}

static json_t *raw_row(const struct fl_irq_row *r, int ncpus, const unsigned long long *d,
		       unsigned long long total, enum fl_ipi_class cls)
{
	json_t *o = json_pack("{s:s,s:I}", "desc", r->desc, "total", (json_int_t)total);

	if (o && r->ncounts == ncpus)
		json_object_set_new(o, "per_cpu", ull_array(d, ncpus));
	if (o && cls != FL_IPI_NONE)
		json_object_set_new(o, "class", json_string(fl_ipi_class_name(cls)));
	return o;
}

static void sum_add(struct ipi_sum *sum, const struct fl_irq_row *r, int ncpus,
		    const unsigned long long *d, unsigned long long total)
{
	int i;

	sum->seen = true;
	sum->total += total;
	for (i = 0; r->ncounts == ncpus && i < ncpus; i++)
		sum->per_cpu[i] += d[i];
	json_array_append_new(sum->rows, json_string(r->key));
}

static json_t *sum_json(const char *machine, enum fl_ipi_class c, struct ipi_sum *sum, int ncpus)
{
	const char *status, *reason;

	if (!sum->seen) {
		status = fl_ipi_missing(machine, c, &reason);
		return fl_json_missing(status, reason);
	}
	return json_pack("{s:I,s:o,s:O}", "total", (json_int_t)sum->total,
			 "per_cpu", ull_array(sum->per_cpu, ncpus), "rows", sum->rows);
}

static int ipi_walk(const char *machine, const struct fl_irq_table *start,
		    const struct fl_irq_table *stop, struct ipi_sum *sums, json_t *raw)
{
	unsigned long long *d, total;
	const struct fl_irq_row *r;
	enum fl_ipi_class cls;
	size_t i;

	d = calloc((size_t)stop->ncpus, sizeof(*d));
	if (!d)
		return -1;
	for (i = 0; i < stop->nrows; i++) {
		r = &stop->rows[i];
		cls = fl_ipi_classify(machine, r->name, r->desc);
		total = row_delta(r, fl_irq_find(start, r->key), d);
		if (cls != FL_IPI_NONE)
			sum_add(&sums[cls], r, stop->ncpus, d, total);
		if (cls != FL_IPI_NONE || total)
			json_object_set_new(raw, r->key, raw_row(r, stop->ncpus, d, total, cls));
	}
	free(d);
	return 0;
}

json_t *fl_ipi_delta_json(const char *machine, const struct fl_irq_table *start,
			  const struct fl_irq_table *stop)
{
	struct ipi_sum sums[FL_IPI_NCLASSES] = { 0 };
	json_t *obj = NULL, *raw;
	int c;

	if (!same_cpus(start, stop))
		return fl_json_missing("unsupported", "the set of online CPUs changed during the "
				       "measured phase; per-CPU IPI deltas would be wrong");
	raw = json_object();
	for (c = 0; c < FL_IPI_NCLASSES; c++) {
		sums[c].per_cpu = calloc((size_t)stop->ncpus, sizeof(*sums[c].per_cpu));
		sums[c].rows = json_array();
		if (!sums[c].per_cpu || !sums[c].rows)
			goto out;
	}
	if (!raw || ipi_walk(machine, start, stop, sums, raw))
		goto out;
	obj = json_object();
	for (c = 0; obj && c < FL_IPI_NCLASSES; c++)
		json_object_set_new(obj, fl_ipi_class_name(c),
				    sum_json(machine, c, &sums[c], stop->ncpus));
	if (obj) {
		json_object_set_new(obj, "arch", json_string(machine ? machine : "unknown"));
		json_object_set_new(obj, "cpus", int_array(stop->cpus, stop->ncpus));
		json_object_set(obj, "raw", raw);
	}
out:
	for (c = 0; c < FL_IPI_NCLASSES; c++) {
		free(sums[c].per_cpu);
		json_decref(sums[c].rows);
	}
	json_decref(raw);
	return obj;
}

/* ---- remote TLB flushes without an IPI ------------------------------------------- */

#define KVM_PV_LINE	"KVM setup pv remote TLB flush"
#define HYPERV_PV_LINE	"Using hypercall for remote TLB flush"
#define BOOT_LINE	"Linux version "

/*
 * What the kernel log says about a paravirtual flush: 1 it printed line, 0 the log holds the
 * whole boot and not the line, -1 the log is unread or has lost its start (the ring buffer
 * wrapped), so CPUID decides.
 */
static int kmsg_says(const char *kmsg, const char *line)
{
	if (!kmsg)
		return -1;
	if (strstr(kmsg, line))
		return 1;
	return strstr(kmsg, BOOT_LINE) ? 0 : -1;
}

/* arch/x86/kernel/kvm.c pv_tlb_flush_supported(), from CPUID. */
static bool kvm_cpuid_pv_flush(const struct fl_tlb_facts *f)
{
	return f->cpuid && f->kvm && (f->kvm_features & FL_KVM_FEATURE_PV_TLB_FLUSH) &&
	       (f->kvm_features & FL_KVM_FEATURE_STEAL_TIME) &&
	       !(f->kvm_hints & FL_KVM_HINTS_REALTIME) && !f->mwait && f->possible_cpus != 1;
}

/* arch/x86/hyperv/mmu.c hyperv_setup_mmu_ops(), from CPUID. */
static bool hyperv_cpuid_pv_flush(const struct fl_tlb_facts *f)
{
	return f->cpuid && f->hyperv && (f->hyperv_hints & FL_HV_REMOTE_TLB_FLUSH_RECOMMENDED);
}

static int tlb_pv(const struct fl_tlb_facts *f, const char *line, bool cpuid, const char *bits,
		  const char *how, char *reason, size_t len)
{
	int log = kmsg_says(f->kmsg, line);
	char evidence[256];

	if (log == 0 || (log < 0 && !cpuid))
		return 0;
	if (log == 1)
		snprintf(evidence, sizeof(evidence), "the kernel log (\"%s\")%s%s", line,
			 cpuid ? " and CPUID " : "", cpuid ? bits : "");
	else
		snprintf(evidence, sizeof(evidence), "CPUID %s", bits);
	snprintf(reason, len, "%s; %s says so. The TLB-shootdown row counts only the flushes "
		 "run by an IPI and can stay at 0; the sender's count is tlb:tlb_flush reason "
		 "\"remote IPI send\" (and nr_tlb_remote_flush with CONFIG_DEBUG_TLBFLUSH)",
		 how, evidence);
	return 1;
}

int fl_tlb_ipi_less(const char *machine, const struct fl_tlb_facts *f, char *reason,
		    size_t len)
{
	const char *family = fl_ipi_arch_family(machine);

	if (!family || strcmp(family, "x86") || !f)
		return 0;
	if (f->xen_guest_type && !strncmp(f->xen_guest_type, "PV", 2) &&
	    !isalnum((unsigned char)f->xen_guest_type[2])) {
		snprintf(reason, len, "this is a Xen PV guest (/sys/hypervisor/guest_type PV): "
			 "remote TLB flushes are hypercalls (MMUEXT_TLB_FLUSH_MULTI), no "
			 "TLB-shootdown IPI is sent; the sender's count is tlb:tlb_flush reason "
			 "\"remote IPI send\" only where the kernel traces it");
		return 1;
	}
	if (tlb_pv(f, KVM_PV_LINE, kvm_cpuid_pv_flush(f),
		   "(KVM_FEATURE_PV_TLB_FLUSH with STEAL_TIME, no REALTIME hint, no MWAIT)",
		   "remote TLB flushes go through KVM's paravirtual flush: a vCPU the host has "
		   "preempted is flushed by the host at its next entry, without an IPI", reason, len))
		return 1;
	return tlb_pv(f, HYPERV_PV_LINE, hyperv_cpuid_pv_flush(f),
		      "(HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED)",
		      "remote TLB flushes are Hyper-V hypercalls (HvFlushVirtualAddressSpace), "
		      "without an IPI", reason, len);
}

int fl_ipi_set_missing(json_t *ipi, enum fl_ipi_class c, const char *status,
		       const char *reason)
{
	json_t *m;

	if (!ipi || json_object_get(ipi, "status") || c < 0 || c >= FL_IPI_NCLASSES)
		return 0;
	m = fl_json_missing(status, reason);
	if (!m || json_object_set_new(ipi, fl_ipi_class_name(c), m))
		return -1;
	return 0;
}

/* ---- kernel identity helpers ----------------------------------------------------- */

const char *const fl_mechanism_symbols[] = {
	"PER_VMA_LOCK", "PER_VMA_LOCK_STATS", "SPECULATIVE_PAGE_FAULT",
	"TRANSPARENT_HUGEPAGE", "READ_ONLY_THP_FOR_FS", "MMU_GATHER_RCU_TABLE_FREE",
	"SWAP", "ZRAM", "MEMCG", "DEBUG_TLBFLUSH", "PROVE_LOCKING", "DEBUG_VM", "KASAN",
	NULL,
};

/* Does [p, end) read "CONFIG_<sym>" followed by term (a string)? Returns past it or NULL. */
static const char *config_match(const char *p, const char *end, const char *sym,
				const char *term)
{
	size_t sl = strlen(sym), tl = strlen(term);

	if ((size_t)(end - p) < 7 + sl + tl || strncmp(p, "CONFIG_", 7) ||
	    strncmp(p + 7, sym, sl) || strncmp(p + 7 + sl, term, tl))
		return NULL;
	return p + 7 + sl + tl;
}

char fl_config_lookup(const char *config_text, const char *sym)
{
	const char *p = config_text, *end, *next, *v;

	while (p && *p) {
		next = next_line(p, &end);
		v = config_match(p, end, sym, "=");
		if (v) {
			if (end - v == 1 && (*v == 'y' || *v == 'm'))
				return *v;
			return end - v == 1 && *v == 'n' ? 'n' : 'v';
		}
		if (!strncmp(p, "# ", 2) && config_match(p + 2, end, sym, " is not set"))
			return 'n';
		p = next;
	}
	return 0;
}

/*
 * Per-arch symbols, reported only on that arch: the page-table mechanisms the seed threads
 * turn on there. powerpc book3s64 builds both MMUs (radix, hash) and allocates page tables
 * as fragments of a 64K page; arm64 and s390 free page tables through RCU (in the common
 * list) and have no arch symbol to add.
 */
static const char *const mechanism_symbols_ppc64[] = {
	"PPC_RADIX_MMU", "PPC_64S_HASH_MMU", "PPC_64K_PAGES", NULL,
};

const char *const *fl_mechanism_arch_symbols(const char *machine)
{
	static const char *const none[] = { NULL };

	if (machine && !strncmp(machine, "ppc64", 5))
		return mechanism_symbols_ppc64;
	return none;
}

static void config_flags(json_t *obj, const char *config_text, const char *const *sym)
{
	char c;

	for (; *sym; sym++) {
		c = config_text ? fl_config_lookup(config_text, *sym) : 0;
		json_object_set_new(obj, *sym, config_text ? json_boolean(c == 'y' || c == 'm') :
				    json_null());
	}
}

json_t *fl_config_mechanisms(const char *config_text, const char *machine)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	config_flags(obj, config_text, fl_mechanism_symbols);
	config_flags(obj, config_text, fl_mechanism_arch_symbols(machine));
	return obj;
}

static int copy_span(char *out, size_t len, const char *p, const char *end)
{
	if ((size_t)(end - p) >= len)
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return 0;
}

#define UNAME_MAX_TOKENS 64

/*
 * "uname -a" is "sysname nodename release version... machine [processor] [platform] os";
 * the version has blanks in it, so the machine is found from the end: drop the OS
 * ("GNU/Linux"), "unknown" fields, and processor/platform words equal to the machine.
 */
int fl_parse_uname_a(const char *line, char *release, size_t rlen, char *version, size_t vlen,
		     char *machine, size_t mlen)
{
	const char *beg[UNAME_MAX_TOKENS], *fin[UNAME_MAX_TOKENS], *p = line;
	int n = 0, last;

	while (*p && *p != '\n' && n < UNAME_MAX_TOKENS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			break;
		beg[n] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		fin[n++] = p;
	}
	last = n - 1;
	if (last >= 0 && (memchr(beg[last], '/', (size_t)(fin[last] - beg[last])) ||
			  !strncmp(beg[last], "Linux", 5)))
		last--;
	while (last > 3 && fin[last] - beg[last] == 7 && !strncmp(beg[last], "unknown", 7))
		last--;
	while (last > 4 && fin[last] - beg[last] == fin[last - 1] - beg[last - 1] &&
	       !strncmp(beg[last], beg[last - 1], (size_t)(fin[last] - beg[last])))
		last--;
	if (last < 4)
		return -1;
	if (copy_span(release, rlen, beg[2], fin[2]) ||
	    copy_span(version, vlen, beg[3], fin[last - 1]) ||
	    copy_span(machine, mlen, beg[last], fin[last]))
		return -1;
	return 0;
}

int fl_sysfs_selected(const char *text, char *out, size_t len)
{
	const char *open = strchr(text, '['), *close;

	if (!open)
		return -1;
	close = strchr(open, ']');
	if (!close || close == open + 1)
		return -1;
	return copy_span(out, len, open + 1, close);
}

