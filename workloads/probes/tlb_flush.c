// SPDX-License-Identifier: GPL-2.0
/* tlb:tlb_flush counted by reason, and the facts that say whether the TLB IPI row counts
 * remote flushes (tlb_flush.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/utsname.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "fl_json.h"
#include "fl_util.h"
#include "probes/tlb_flush.h"
#include "probes/tp_percpu.h"
#include "probes/tracefs.h"

#define KMSG_MAX	(8u << 20)	/* the kernel log kept for the facts, at most */
#define SYMBOLIC	"__print_symbolic(REC->reason,"

/* ---- the format file ------------------------------------------------------------- */

static void reason_key(struct fl_tlb_reason *r)
{
	size_t i;

	for (i = 0; r->text[i] && i + 1 < sizeof(r->key); i++)
		r->key[i] = isalnum((unsigned char)r->text[i]) ?
			    (char)tolower((unsigned char)r->text[i]) : '_';
	r->key[i] = '\0';
}

/* One "{ 4, "remote IPI send" }" at p; returns past it, or NULL at the table's end. */
static const char *reason_entry(const char *p, struct fl_tlb_reason *r)
{
	const char *q, *end;
	char *num_end;
	long v;

	while (*p == ' ' || *p == ',' || *p == '\t')
		p++;
	if (*p != '{')
		return NULL;
	v = strtol(p + 1, &num_end, 0);
	q = strchr(num_end, '"');
	if (num_end == p + 1 || !q || (end = strchr(q + 1, '"')) == NULL ||
	    (size_t)(end - q - 1) >= sizeof(r->text) || v < INT_MIN || v > INT_MAX)
		return NULL;
	r->value = (int)v;
	memcpy(r->text, q + 1, (size_t)(end - q - 1));
	r->text[end - q - 1] = '\0';
	reason_key(r);
	p = strchr(end, '}');
	return p ? p + 1 : NULL;
}

int fl_tlb_reasons_parse(const char *format, struct fl_tlb_reason *out, int max)
{
	const char *p = format ? strstr(format, SYMBOLIC) : NULL;
	struct fl_tlb_reason r;
	int n = 0;

	if (!p)
		return -1;
	p += strlen(SYMBOLIC);
	while (n < max && (p = reason_entry(p, &r)) != NULL)
		out[n++] = r;
	return n;
}

/* ---- facts ----------------------------------------------------------------------- */

#if defined(__x86_64__) || defined(__i386__)
/*
 * CPUID as the kernel sees it: /dev/cpu/0/cpuid (root, the cpuid module; the file offset is
 * the leaf) where it can be read, else the instruction here. The two can differ: a PVM
 * guest's kernel reads KVM's leaves ("KVMKVMKVM", PV_TLB_FLUSH) while its user space reads
 * "bhyve bhyve ", and the kernel's choices follow what it reads.
 */
static void cpuid_read(int fd, unsigned int leaf, unsigned int r[4])
{
	if (fd >= 0 && pread(fd, r, 16, leaf) == 16)
		return;
	__cpuid(leaf, r[0], r[1], r[2], r[3]);
}

/* The KVM signature's leaf, as the kernel's hypervisor_cpuid_base() looks for it. */
static void cpuid_kvm(struct fl_tlb_facts *f, int fd)
{
	unsigned int r[4], base;
	char sig[13];

	for (base = 0x40000000; base < 0x40010000; base += 0x100) {
		cpuid_read(fd, base, r);
		memcpy(sig, &r[1], 4);
		memcpy(sig + 4, &r[2], 4);
		memcpy(sig + 8, &r[3], 4);
		sig[12] = '\0';
		if (!memcmp(sig, "KVMKVMKVM\0\0\0", 12) && r[0] - base >= 1) {
			f->kvm = true;
			f->kvm_base = base;
			cpuid_read(fd, base + 1, r);
			f->kvm_features = r[0];
			f->kvm_hints = r[3];
			return;
		}
		if (base == 0x40000000 && !memcmp(sig, "Microsoft Hv", 12) && r[0] >= 0x40000004) {
			f->hyperv = true;
			cpuid_read(fd, 0x40000004, r);
			f->hyperv_hints = r[0];
		}
	}
}

static void cpuid_facts(struct fl_tlb_facts *f)
{
	int fd = open("/dev/cpu/0/cpuid", O_RDONLY | O_CLOEXEC);
	unsigned int r[4];

	cpuid_read(fd, 0, r);
	if (r[0] >= 1) {
		cpuid_read(fd, 1, r);
		f->cpuid = true;
		f->mwait = r[2] & (1u << 3);	/* MONITOR/MWAIT */
		if (r[2] & (1u << 31))		/* the hypervisor bit */
			cpuid_kvm(f, fd);
	}
	if (fd >= 0)
		close(fd);
}
#else
static void cpuid_facts(struct fl_tlb_facts *f)
{
}
#endif

/* The message texts of /dev/kmsg ("pri,seq,ts,flags;text"), one per line. */
static char *kmsg_read(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	size_t cap = 1 << 16, got = 0, tl;
	char rec[8192], *buf, *nbuf, *text, *nl;
	ssize_t r;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		r = read(fd, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE)	/* records overwritten while reading */
			continue;
		if (r <= 0)
			break;
		rec[r] = '\0';
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		nl = strchr(text, '\n');
		tl = nl ? (size_t)(nl - text) : strlen(text);
		if (got + tl + 2 > cap) {
			if (cap >= KMSG_MAX)
				break;
			nbuf = realloc(buf, cap * 2);
			if (!nbuf)
				break;
			buf = nbuf;
			cap *= 2;
		}
		memcpy(buf + got, text, tl);
		got += tl;
		buf[got++] = '\n';
	}
	if (buf)
		buf[got] = '\0';
	close(fd);
	return buf;
}

static int possible_cpus(void)
{
	char *t = fl_read_all("/sys/devices/system/cpu/possible", 0, 0, NULL, NULL, 0);
	int lo, hi, n = 0;
	char *p = t;

	while (p && *p && *p != '\n') {
		if (sscanf(p, "%d-%d", &lo, &hi) == 2)
			n += hi - lo + 1;
		else if (sscanf(p, "%d", &lo) == 1)
			n++;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	free(t);
	return n;
}

void fl_tlb_facts_read(const char *proc_root, struct fl_tlb_facts *f)
{
	char path[PATH_MAX];

	memset(f, 0, sizeof(*f));
	if (proc_root && strcmp(proc_root, "/proc")) {
		snprintf(path, sizeof(path), "%s/kmsg", proc_root);
		f->kmsg = fl_read_all(path, 0, 0, NULL, NULL, 0);
		return;
	}
	cpuid_facts(f);
	f->possible_cpus = possible_cpus();
	f->kmsg = kmsg_read();
	f->xen_guest_type = fl_read_all("/sys/hypervisor/guest_type", 0, 0, NULL, NULL, 0);
}

void fl_tlb_facts_free(struct fl_tlb_facts *f)
{
	free((char *)f->kmsg);
	free((char *)f->xen_guest_type);
	f->kmsg = f->xen_guest_type = NULL;
}

int fl_tlb_ipi_less_here(const char *proc_root, char *reason, size_t len)
{
	struct fl_tlb_facts f;
	char machine[64];
	int ret;

	if (fl_proc_machine(proc_root, machine, sizeof(machine)))
		return 0;
	fl_tlb_facts_read(proc_root, &f);
	ret = fl_tlb_ipi_less(machine, &f, reason, len);
	fl_tlb_facts_free(&f);
	return ret;
}

/* ---- counters -------------------------------------------------------------------- */

/* One filtered counter per reason on every CPU (tp_percpu.h: not libperf's filter). */
struct fl_tlb_flush {
	struct fl_tpc *tp;
	int n;
	struct fl_tlb_reason reasons[FL_TLB_REASONS_MAX];
	const char *status;		/* NULL while usable */
	char why[PATH_MAX + 128];
	int counted;
};

static void tf_missing(struct fl_tlb_flush *t, const char *status, const char *fmt,
		       const char *arg)
{
	t->status = status;
	snprintf(t->why, sizeof(t->why), fmt, arg);
}

static void tf_open_all(struct fl_tlb_flush *t, const char *dir)
{
	char path[PATH_MAX], *fmt, filter[32];
	unsigned long long id;
	int i;

	if (fl_tracefs_event_id(dir, "tlb", "tlb_flush", &id)) {
		tf_missing(t, "absent", "%s", "this kernel has no tlb:tlb_flush tracepoint");
		return;
	}
	snprintf(path, sizeof(path), "%s/tlb/tlb_flush/format", dir);
	fmt = fl_read_all(path, 0, 0, NULL, NULL, 0);
	t->n = fl_tlb_reasons_parse(fmt, t->reasons, FL_TLB_REASONS_MAX);
	free(fmt);
	if (t->n <= 0) {
		t->n = 0;
		tf_missing(t, "unsupported", "%s has no __print_symbolic table of reasons", path);
		return;
	}
	for (i = 0; i < t->n; i++) {
		snprintf(filter, sizeof(filter), "reason == %d", t->reasons[i].value);
		if (fl_tpc_add(t->tp, id, filter, "tlb:tlb_flush", t->why, sizeof(t->why)) != i) {
			t->status = "unsupported";
			return;
		}
	}
}

/*
 * Only x86's TLB code (arch/x86/mm/tlb.c) fires tlb:tlb_flush. Other arches have the event in
 * tracefs and flush other CPUs without it (arm64 broadcast TLBI, powerpc tlbie or hypervisor
 * calls, s390 IPTE/IDTE), so its count there would be 0 whatever the kernel did.
 */
static bool fired_here(const char *machine)
{
	return !strcmp(machine, "x86_64") || (strlen(machine) == 4 && machine[0] == 'i' &&
					       strchr("3456", machine[1]) && !strcmp(machine + 2, "86"));
}

struct fl_tlb_flush *fl_tlb_flush_open(void)
{
	struct fl_tlb_flush *t = calloc(1, sizeof(*t));
	struct utsname u;
	const char *dir;
	char why[224];

	if (!t)
		return NULL;
	t->tp = fl_tpc_new();
	if (!t->tp) {
		free(t);
		return NULL;
	}
	if (uname(&u) == 0 && !fired_here(u.machine)) {
		tf_missing(t, "unsupported", "only x86's TLB code fires tlb:tlb_flush; this %s "
			   "kernel flushes other CPUs' TLBs without it, so it would count 0 "
			   "whatever the kernel did", u.machine);
		return t;
	}
	dir = fl_tracefs_events_dir(why, sizeof(why));
	if (!dir)
		tf_missing(t, "unsupported", "%s", why);
	else
		tf_open_all(t, dir);
	return t;
}

void fl_tlb_flush_start(struct fl_tlb_flush *t)
{
	if (!t->status && fl_tpc_enable(t->tp, t->why, sizeof(t->why)))
		t->status = "unsupported";
}

void fl_tlb_flush_stop(struct fl_tlb_flush *t)
{
	if (!t->status && fl_tpc_stop(t->tp, t->why, sizeof(t->why)))
		t->status = "unsupported";
	t->counted = !t->status;
}

static json_t *tf_missing_json(const struct fl_tlb_flush *t)
{
	return fl_json_missing(t->status ? t->status : "unsupported",
			       t->status ? t->why : "the tlb:tlb_flush counters were not read");
}

int fl_tlb_flush_count(const struct fl_tlb_flush *t, const char *text, unsigned long long *n,
		       json_t **missing)
{
	char why[160];
	int i;

	if (t->status || !t->counted) {
		*missing = tf_missing_json(t);
		return -1;
	}
	for (i = 0; i < t->n; i++) {
		if (strcasecmp(t->reasons[i].text, text))	/* 6.12 "ipi", 6.18 "IPI" */
			continue;
		*n = fl_tpc_total(t->tp, i);
		return 0;
	}
	snprintf(why, sizeof(why), "this kernel's tlb:tlb_flush has no reason \"%s\"", text);
	*missing = fl_json_missing("absent", why);
	return -1;
}

void fl_tlb_flush_emit(const struct fl_tlb_flush *t, json_t *counters)
{
	int ncpus = fl_tpc_ncpus(t->tp), i, idx;
	char key[96];

	if (t->status || !t->counted) {
		json_object_set_new(counters, "tlb:tlb_flush/by_reason", tf_missing_json(t));
		return;
	}
	for (i = 0; i < t->n; i++) {
		json_t *pc = json_array();

		for (idx = 0; idx < ncpus; idx++)
			json_array_append_new(pc, json_integer((json_int_t)fl_tpc_count(t->tp, i,
										  idx)));
		snprintf(key, sizeof(key), "tlb:tlb_flush/%s", t->reasons[i].key);
		json_object_set_new(counters, key, json_pack("{s:I,s:s,s:s,s:s,s:o}", "value",
				    (json_int_t)fl_tpc_total(t->tp, i), "unit", "count", "source",
				    "tracepoint", "scope", "system", "per_cpu", pc));
	}
}

void fl_tlb_flush_close(struct fl_tlb_flush *t)
{
	if (!t)
		return;
	fl_tpc_free(t->tp);
	free(t);
}
