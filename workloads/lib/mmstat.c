// SPDX-License-Identifier: GPL-2.0
/* Snapshots of /proc/vmstat and /proc/interrupts and their deltas, for per-op metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_util.h"
#include "lib/mmstat.h"
#include "probes/tlb_flush.h"

void fl_mmsnap_take(struct fl_mmsnap *s)
{
	s->vmstat = fl_read_all("/proc/vmstat", 0, 0, NULL, NULL, 0);
	s->irq = fl_read_all("/proc/interrupts", 0, 0, NULL, NULL, 0);
}

void fl_mmsnap_free(struct fl_mmsnap *s)
{
	free(s->vmstat);
	free(s->irq);
	s->vmstat = s->irq = NULL;
}

static int vmstat_pair(const struct fl_mmsnap *a, const struct fl_mmsnap *b,
		       struct fl_vmstat *va, struct fl_vmstat *vb)
{
	memset(va, 0, sizeof(*va));
	memset(vb, 0, sizeof(*vb));
	if (!a->vmstat || !b->vmstat)
		return -1;
	if (fl_vmstat_parse(a->vmstat, va))
		return -1;
	if (fl_vmstat_parse(b->vmstat, vb)) {
		fl_vmstat_free(va);
		return -1;
	}
	return 0;
}

int fl_mmsnap_vmstat(const struct fl_mmsnap *start, const struct fl_mmsnap *stop,
		     const char *name, unsigned long long *delta)
{
	const struct fl_vmstat_entry *ea, *eb;
	struct fl_vmstat va, vb;
	int ret = -1;

	if (vmstat_pair(start, stop, &va, &vb))
		return -1;
	ea = fl_vmstat_find(&va, name);
	eb = fl_vmstat_find(&vb, name);
	if (ea && eb) {
		*delta = eb->value - ea->value;
		ret = 0;
	}
	fl_vmstat_free(&va);
	fl_vmstat_free(&vb);
	return ret;
}

json_t *fl_mmsnap_vmstat_prefix(const struct fl_mmsnap *start, const struct fl_mmsnap *stop,
				const char *prefix)
{
	struct fl_vmstat va, vb;
	json_t *o = NULL;
	size_t plen = strlen(prefix);

	if (vmstat_pair(start, stop, &va, &vb))
		return NULL;
	for (size_t i = 0; i < vb.n; i++) {
		const struct fl_vmstat_entry *ea;

		if (strncmp(vb.v[i].name, prefix, plen) != 0)
			continue;
		ea = fl_vmstat_find(&va, vb.v[i].name);
		if (!ea)
			continue;
		if (!o)
			o = json_object();
		json_object_set_new(o, vb.v[i].name,
				    json_integer((json_int_t)(vb.v[i].value - ea->value)));
	}
	fl_vmstat_free(&va);
	fl_vmstat_free(&vb);
	return o;
}

/* Class cls of an "ipi" section; a section that is itself a status speaks for every class. */
static int ipi_from_delta(json_t *d, enum fl_ipi_class cls, unsigned long long *total,
			  char *reason, size_t len)
{
	json_t *c = json_object_get(d, "status") ? d : json_object_get(d, fl_ipi_class_name(cls));
	const char *status = json_string_value(json_object_get(c, "status"));
	const char *why = json_string_value(json_object_get(c, "reason"));
	json_t *t = json_object_get(c, "total");

	if (json_is_integer(t)) {
		*total = (unsigned long long)json_integer_value(t);
		return 0;
	}
	snprintf(reason, len, "%s IPIs %s: %s", fl_ipi_class_name(cls),
		 status ? status : "absent",
		 why ? why : "no such class in the /proc/interrupts delta");
	return -1;
}

static json_t *ipi_status(const char *reason)
{
	return json_pack("{s:s, s:s}", "status", "unsupported", "reason", reason);
}

json_t *fl_ipi_delta_here(const char *irq0, const char *irq1)
{
	struct fl_irq_table ta = { 0 }, tb = { 0 };
	char machine[64], why[768];
	json_t *d;

	if (!irq0 || !irq1)
		return ipi_status("/proc/interrupts could not be read");
	if (fl_irq_parse(irq0, &ta) || fl_irq_parse(irq1, &tb)) {
		fl_irq_free(&ta);
		fl_irq_free(&tb);
		return ipi_status("/proc/interrupts has no CPU header");
	}
	if (fl_proc_machine("/proc", machine, sizeof(machine)))
		snprintf(machine, sizeof(machine), "unknown");
	d = fl_ipi_delta_json(machine, &ta, &tb);
	fl_irq_free(&ta);
	fl_irq_free(&tb);
	if (d && fl_tlb_ipi_less_here("/proc", why, sizeof(why)))
		fl_ipi_set_missing(d, FL_IPI_TLB_SHOOTDOWN, "unsupported", why);
	return d;
}

int fl_mmsnap_ipi(const struct fl_mmsnap *start, const struct fl_mmsnap *stop,
		  enum fl_ipi_class cls, unsigned long long *total, char *reason, size_t len)
{
	json_t *d = fl_ipi_delta_here(start->irq, stop->irq);
	int ret;

	if (!d) {
		snprintf(reason, len, "%s IPIs unsupported: out of memory",
			 fl_ipi_class_name(cls));
		return -1;
	}
	ret = ipi_from_delta(d, cls, total, reason, len);
	json_decref(d);
	return ret;
}
