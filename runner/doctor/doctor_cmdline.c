// SPDX-License-Identifier: GPL-2.0
/* faultline doctor: the boot parameters that change what an mm workload measures (fault and
 * syscall entry cost, page zeroing, the zero page, hugetlb reservations, debug checks). THP's
 * own (transparent_hugepage=) and CPU isolation are in doctor_settings.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "doctor.h"
#include "fl_json.h"
#include "fl_util.h"

static const struct {
	const char *name;
	const char *changes;
} mm_params[] = {
	{ "pvm_no_zero_page", "an anonymous read fault takes a private page, not the shared "
	  "zero page (a PVM test aid): read-faulted memory costs RSS, faults and collapses "
	  "differ from a stock kernel's" },
	{ "init_on_alloc", "pages zeroed when allocated: in every fault's cost" },
	{ "init_on_free", "pages zeroed when freed: in munmap's and exit's cost" },
	{ "mitigations", "speculation mitigations: the entry cost of every fault and syscall" },
	{ "pti", "page-table isolation: CR3 switches on every kernel entry" },
	{ "nopti", "page-table isolation off" },
	{ "debug_pagealloc", "freed pages unmapped from the direct map (slow, splits it)" },
	{ "page_owner", "an allocation stack saved per page" },
	{ "slub_debug", "slab red zones and checks" },
	{ "kfence.sample_interval", "KFENCE sampling of slab allocations" },
	{ "page_alloc.shuffle", "the page allocator's free lists shuffled" },
	{ "numa_balancing", "NUMA hinting faults" },
	{ "hugepages", "hugetlb pages reserved at boot (memory THP cannot use)" },
	{ "default_hugepagesz", "the default hugetlb page size" },
	{ "cgroup_disable", "a cgroup controller off (memory: no memcg charging)" },
	{ "zswap.enabled", "zswap in the swap-out and swap-in path" },
	{ "norandmaps", "ASLR off" },
	{ "mem", "the memory the kernel uses limited" },
};

#define N_PARAMS (sizeof(mm_params) / sizeof(mm_params[0]))

void fl_doctor_check_cmdline(json_t *doc)
{
	char *cmd = fl_read_all("/proc/cmdline", 0, 0, NULL, NULL, 0);
	char state[1536] = "", arg[128];
	json_t *set = json_object(), *f;
	size_t n = 0, len;

	for (size_t i = 0; cmd && i < N_PARAMS; i++) {
		if (!fl_doctor_cmdline_arg(cmd, mm_params[i].name, arg, sizeof(arg)))
			continue;
		json_object_set_new(set, mm_params[i].name, json_string(arg));
		len = strlen(state);
		snprintf(state + len, sizeof(state) - len, "%s%s%s%s: %s", n++ ? "; " : "",
			 mm_params[i].name, arg[0] ? "=" : "", arg, mm_params[i].changes);
	}
	if (!cmd)
		f = fl_doctor_add(doc, "cmdline", "boot parameters", "info",
				  "none: faultline could not read it", "/proc/cmdline unreadable");
	else if (!n)
		f = fl_doctor_add(doc, "cmdline", "boot parameters", "ok", "none needed",
				  "none of the %zu that change mm figures (mitigations, "
				  "init_on_alloc, pvm_no_zero_page, ...)", N_PARAMS);
	else
		f = fl_doctor_add(doc, "cmdline", "boot parameters", "info",
				  "compare runs booted alike; reboot without them for figures a "
				  "stock kernel would give", "%s", state);
	json_object_set_new(f, "settings", set);
	free(cmd);
}
