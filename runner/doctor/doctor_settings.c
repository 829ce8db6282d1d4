// SPDX-License-Identifier: GPL-2.0
/*
 * faultline doctor: the machine's and the kernel's settings (doctor.h). Read-only: CPU
 * frequency, SMT, isolated CPUs, the NMI watchdog, perf's limits and the PMU, THP and
 * khugepaged against the kernel's defaults, swap, the hypervisor and how it flushes remote
 * TLBs (workloads/probes/tlb_flush.h), ASLR.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "doctor.h"
#include "fl_json.h"
#include "fl_util.h"
#include "lib/knobs.h"
#include "probes/tlb_flush.h"

#define CPU_DIR "/sys/devices/system/cpu/"

/* ---- CPU frequency, SMT, isolation ------------------------------------------------ */

static bool hypervisor_flag(void)
{
	char *t = fl_read_all("/proc/cpuinfo", 0, 0, NULL, NULL, 0);
	bool yes = t && strstr(t, " hypervisor");

	free(t);
	return yes;
}

static void check_cpufreq(json_t *doc)
{
	char drv[64], gov[64], boost[16] = "", gov1[64] = "";
	bool mixed = false, boosted;
	json_t *f;
	int n = 0;

	for (int cpu = 0; cpu < 4096; cpu++) {
		char path[128];

		snprintf(path, sizeof(path), CPU_DIR "cpu%d/cpufreq/scaling_governor", cpu);
		if (fl_doctor_read(path, gov, sizeof(gov)))
			break;
		mixed |= n++ && strcmp(gov, gov1);
		snprintf(gov1, sizeof(gov1), "%s", gov);
	}
	if (!n) {
		fl_doctor_add(doc, "cpufreq", "CPU frequency", "info",
			      hypervisor_flag() ? "none here: the hypervisor's host sets the clock" :
			      "set the governor in firmware, or load a cpufreq driver",
			      hypervisor_flag() ? "no cpufreq driver (a VM: the host controls the "
			      "frequency, not this kernel)" : "no cpufreq driver: the frequency is "
			      "not controlled by Linux");
		return;
	}
	if (fl_doctor_read(CPU_DIR "cpu0/cpufreq/scaling_driver", drv, sizeof(drv)))
		snprintf(drv, sizeof(drv), "unknown");
	if (!fl_doctor_read(CPU_DIR "intel_pstate/no_turbo", boost, sizeof(boost)))
		boosted = !strcmp(boost, "0");
	else if (!fl_doctor_read(CPU_DIR "cpufreq/boost", boost, sizeof(boost)))
		boosted = !strcmp(boost, "1");
	else
		boosted = false;
	f = fl_doctor_add(doc, "cpufreq", "CPU frequency",
			  mixed || strcmp(gov1, "performance") || boosted ? "warn" : "ok",
			  "cpupower frequency-set -g performance; turn boost off (doctor --tune "
			  "cannot: not in the knobs journal)",
			  "driver %s, governor %s%s, boost %s", drv, mixed ? "mixed, cpu0 " : "",
			  gov1, boost[0] ? (boosted ? "on" : "off") : "unknown");
	json_object_set_new(f, "settings", json_pack("{s:s, s:s, s:s?}", "driver", drv,
						     "governor", mixed ? "mixed" : gov1,
						     "boost", boost[0] ? (boosted ? "on" : "off") : NULL));
}

static void check_smt(json_t *doc)
{
	char ctl[32], act[8] = "";
	json_t *f;

	if (fl_doctor_read(CPU_DIR "smt/control", ctl, sizeof(ctl)))
		snprintf(ctl, sizeof(ctl), "unknown");
	fl_doctor_read(CPU_DIR "smt/active", act, sizeof(act));
	if (!strcmp(act, "1"))
		f = fl_doctor_add(doc, "smt", "SMT", "info",
				  "boot with nosmt (or echo off > " CPU_DIR "smt/control) when "
				  "threads must not share a core",
				  "on (%s): sibling threads share a core's caches and TLB", ctl);
	else
		f = fl_doctor_add(doc, "smt", "SMT", "ok", "none needed",
				  "%s%s", strcmp(ctl, "notsupported") ? "off: " : "",
				  strcmp(ctl, "notsupported") ? ctl : "not supported here (a VM's "
				  "host may still run other work on sibling threads)");
	json_object_set_new(f, "settings", json_pack("{s:s, s:b}", "control", ctl,
						     "active", !strcmp(act, "1")));
}

static void check_isolation(json_t *doc)
{
	char *cmd = fl_read_all("/proc/cmdline", 0, 0, NULL, NULL, 0);
	char iso[256] = "", nohz[256] = "", arg[256], rcu[256] = "";
	json_t *f;

	fl_doctor_read(CPU_DIR "isolated", iso, sizeof(iso));
	fl_doctor_read(CPU_DIR "nohz_full", nohz, sizeof(nohz));
	if (!nohz[0] && fl_doctor_cmdline_arg(cmd, "nohz_full", arg, sizeof(arg)))
		snprintf(nohz, sizeof(nohz), "%s", arg);
	if (fl_doctor_cmdline_arg(cmd, "rcu_nocbs", arg, sizeof(arg)))
		snprintf(rcu, sizeof(rcu), "%s", arg);
	free(cmd);
	if (!iso[0] && !nohz[0])
		f = fl_doctor_add(doc, "isolation", "CPU isolation", "info",
				  "boot with isolcpus=, nohz_full=, rcu_nocbs= to keep other work "
				  "off the measured CPUs",
				  "no CPU isolated (isolcpus, nohz_full not set): the scheduler puts "
				  "other work beside the workload");
	else
		f = fl_doctor_add(doc, "isolation", "CPU isolation", "info",
				  "pin the workload to the isolated CPUs (faultline does not yet)",
				  "isolated CPUs %s, nohz_full %s, rcu_nocbs %s", iso[0] ? iso : "none",
				  nohz[0] ? nohz : "none", rcu[0] ? rcu : "none");
	json_object_set_new(f, "settings", json_pack("{s:s, s:s}", "isolated", iso,
						     "nohz_full", nohz));
}

/* ---- watchdog, perf, PMU ---------------------------------------------------------- */

static void check_nmi_watchdog(json_t *doc)
{
	char v[16];
	json_t *f;

	if (fl_doctor_read("/proc/sys/kernel/nmi_watchdog", v, sizeof(v))) {
		fl_doctor_add(doc, "nmi_watchdog", "NMI watchdog", "ok", "none needed",
			      "absent (this kernel has no hard-lockup detector)");
		return;
	}
	if (strcmp(v, "0"))
		f = fl_doctor_add(doc, "nmi_watchdog", "NMI watchdog", "warn",
				  "sysctl kernel.nmi_watchdog=0 for the measurement (doctor --tune "
				  "-- COMMAND, once the knobs journal takes it)",
				  "on (%s): the hard-lockup detector interrupts every CPU and holds "
				  "a cycles counter on each", v);
	else
		f = fl_doctor_add(doc, "nmi_watchdog", "NMI watchdog", "ok", "none needed",
				  "off (0)");
	json_object_set_new(f, "settings", json_pack("{s:s}", "nmi_watchdog", v));
}

static void check_perf(json_t *doc)
{
	char par[16] = "?", rate[32] = "?";
	bool root = geteuid() == 0;
	json_t *f;

	fl_doctor_read("/proc/sys/kernel/perf_event_paranoid", par, sizeof(par));
	fl_doctor_read("/proc/sys/kernel/perf_event_max_sample_rate", rate, sizeof(rate));
	if (root || !strcmp(par, "-1"))
		f = fl_doctor_add(doc, "perf", "perf limits", "ok", "none needed",
				  "perf_event_paranoid %s%s; max sample rate %s/s (faultline "
				  "counts, never samples)", par,
				  root ? " (root is not limited by it)" : "", rate);
	else
		f = fl_doctor_add(doc, "perf", "perf limits", "warn",
				  "run as root (or sysctl kernel.perf_event_paranoid=-1)",
				  "perf_event_paranoid %s and not root: system-wide tracepoints "
				  "(IPIs, TLB flushes) will be unsupported", par);
	json_object_set_new(f, "settings", json_pack("{s:s}", "perf_event_paranoid", par));
}

static long perf_open(struct perf_event_attr *a)
{
	return syscall(SYS_perf_event_open, a, 0, -1, -1, 0);
}

static void check_pmu(json_t *doc)
{
	struct perf_event_attr a = { .type = PERF_TYPE_HARDWARE, .size = sizeof(a),
				     .config = PERF_COUNT_HW_CPU_CYCLES, .disabled = 1,
				     .exclude_kernel = 1, .exclude_hv = 1 };
	long fd = perf_open(&a);
	int e = errno;
	json_t *f;

	if (fd >= 0) {
		close((int)fd);
		f = fl_doctor_add(doc, "pmu", "PMU", "ok", "none needed",
				  "a cycles counter opens: hardware events are counted");
	} else if (e == ENOENT || e == EOPNOTSUPP || e == ENODEV) {
		f = fl_doctor_add(doc, "pmu", "PMU", "info",
				  "run on bare metal, or give the VM a PMU (QEMU/KVM: -cpu host,pmu=on)",
				  "no hardware PMU (perf_event_open of cycles: %s): cycles, "
				  "instructions, cache and TLB misses are unsupported", strerror(e));
	} else {
		f = fl_doctor_add(doc, "pmu", "PMU", "warn",
				  "free the counters (NMI watchdog, another perf), or run as root",
				  "perf_event_open of cycles fails: %s", strerror(e));
	}
	json_object_set_new(f, "settings", json_pack("{s:b}", "pmu", fd >= 0));
}

/* ---- THP, khugepaged, swap -------------------------------------------------------- */

static const char *const thp_files[] = {
	"enabled", "defrag", "shmem_enabled", "use_zero_page", NULL,
};
static const char *const khugepaged_files[] = {
	"khugepaged/defrag", "khugepaged/pages_to_scan", "khugepaged/scan_sleep_millisecs",
	"khugepaged/alloc_sleep_millisecs", "khugepaged/max_ptes_none",
	"khugepaged/max_ptes_swap", "khugepaged/max_ptes_shared", NULL,
};

static char *config_text(void)
{
	struct utsname u;
	char path[128];
	char *t = NULL;
	FILE *p;

	if (uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		t = fl_read_all(path, 0, 0, NULL, NULL, 0);
	}
	if (t || access("/proc/config.gz", R_OK))
		return t;
	p = popen("gzip -dc /proc/config.gz 2>/dev/null", "r");
	if (p) {
		size_t cap = 1 << 20, n;

		t = malloc(cap + 1);
		n = t ? fread(t, 1, cap, p) : 0;
		if (t)
			t[n] = '\0';
		pclose(p);
	}
	return t;
}

static void thp_enabled_default(json_t *d, const char *cmd, const char *cfg)
{
	static const char *const modes[] = { "always", "madvise", "never" };
	static const char *const syms[] = { "TRANSPARENT_HUGEPAGE_ALWAYS",
					    "TRANSPARENT_HUGEPAGE_MADVISE",
					    "TRANSPARENT_HUGEPAGE_NEVER" };
	char arg[32];

	if (fl_doctor_cmdline_arg(cmd, "transparent_hugepage", arg, sizeof(arg)) && arg[0]) {
		json_object_set_new(d, "enabled", json_string(arg));
		return;
	}
	for (int i = 0; cfg && i < 3; i++)
		if (fl_config_lookup(cfg, syms[i]) == 'y')
			json_object_set_new(d, "enabled", json_string(modes[i]));
}

json_t *fl_doctor_thp_defaults(void)
{
	char *cmd = fl_read_all("/proc/cmdline", 0, 0, NULL, NULL, 0), *cfg = config_text(), arg[32], num[24];
	long pmd = 0, page = sysconf(_SC_PAGESIZE);
	json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s}", "defrag", "madvise",
			      "use_zero_page", "1", "khugepaged/defrag", "1",
			      "khugepaged/scan_sleep_millisecs", "10000",
			      "khugepaged/alloc_sleep_millisecs", "60000");

	thp_enabled_default(d, cmd, cfg);
	if (!fl_doctor_cmdline_arg(cmd, "transparent_hugepage_shmem", arg, sizeof(arg)) || !arg[0])
		snprintf(arg, sizeof(arg), "never");
	json_object_set_new(d, "shmem_enabled", json_string(arg));
	if (!fl_doctor_read(FL_THP_DIR "hpage_pmd_size", num, sizeof(num)))
		pmd = strtol(num, NULL, 10) / (page > 0 ? page : 4096);
	if (pmd > 0) {	/* mm/khugepaged.c: khugepaged_init() */
		static const struct { const char *f; long mul, div, add; } k[] = {
			{ "khugepaged/pages_to_scan", 8, 1, 0 },
			{ "khugepaged/max_ptes_none", 1, 1, -1 },
			{ "khugepaged/max_ptes_swap", 1, 8, 0 },
			{ "khugepaged/max_ptes_shared", 1, 2, 0 },
		};
		for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
			snprintf(num, sizeof(num), "%ld", pmd * k[i].mul / k[i].div + k[i].add);
			json_object_set_new(d, k[i].f, json_string(num));
		}
	}
	free(cmd);
	free(cfg);
	return d;
}

/* The files' values into settings; the ones off their default listed in off. */
static int thp_read(const char *const *files, json_t *defaults, json_t *settings, char *off,
		    size_t len)
{
	char path[256], v[64];
	int n = 0;

	for (int i = 0; files[i]; i++) {
		const char *def = json_string_value(json_object_get(defaults, files[i]));
		const char *name = strchr(files[i], '/') ? strchr(files[i], '/') + 1 : files[i];

		snprintf(path, sizeof(path), FL_THP_DIR "%s", files[i]);
		if (fl_knob_get(path, v, sizeof(v)))
			continue;
		json_object_set_new(settings, files[i], json_string(v));
		if (!def || !strcmp(def, v))
			continue;
		snprintf(off + strlen(off), len - strlen(off), "%s%s %s (default %s)",
			 n++ ? ", " : "", name, v, def);
	}
	return n;
}

static void check_thp_group(json_t *doc, json_t *defaults, const char *id, const char *name,
			    const char *const *files)
{
	json_t *settings = json_object(), *f;
	char off[1024] = "", unknown[128] = "";

	if (thp_read(files, defaults, settings, off, sizeof(off)))
		f = fl_doctor_add(doc, id, name, "warn",
				  "faultline doctor --tune -- COMMAND runs COMMAND with the "
				  "kernel defaults", "%s", off);
	else if (!json_object_size(settings))
		f = fl_doctor_add(doc, id, name, "info", "none: this kernel has no THP",
				  "absent (no " FL_THP_DIR ")");
	else {
		if (files == thp_files && !json_object_get(defaults, "enabled"))
			snprintf(unknown, sizeof(unknown), " (enabled %s: its default is unknown "
				 "without the kernel config)",
				 json_string_value(json_object_get(settings, "enabled")));
		f = fl_doctor_add(doc, id, name, "ok", "none needed",
				  "kernel defaults%s", unknown);
	}
	json_object_set_new(f, "settings", settings);
}

static long long meminfo_kib(const char *text, const char *key)
{
	const char *p = text ? strstr(text, key) : NULL;

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void check_swap(json_t *doc)
{
	char *swaps = fl_read_all("/proc/swaps", 0, 0, NULL, NULL, 0), *mem = fl_read_all("/proc/meminfo", 0, 0, NULL, NULL, 0);
	char swp[16] = "?";
	long long total = meminfo_kib(mem, "SwapTotal:"), used = total - meminfo_kib(mem,
										  "SwapFree:");
	int dev = 0;
	json_t *f;

	for (char *p = swaps ? strchr(swaps, '\n') : NULL; p && p[1]; p = strchr(p + 1, '\n'))
		dev++;
	fl_doctor_read("/proc/sys/vm/swappiness", swp, sizeof(swp));
	if (!dev)
		f = fl_doctor_add(doc, "swap", "swap", strcmp(swp, "60") ? "info" : "ok",
				  "none needed (workloads that swap set up their own)",
				  "no swap device; swappiness %s%s", swp,
				  strcmp(swp, "60") ? " (default 60)" : "");
	else
		f = fl_doctor_add(doc, "swap", "swap", used > 0 ? "info" : "ok",
				  used > 0 ? "swapoff -a && swapon -a brings swapped pages back "
				  "before measuring" : "none needed",
				  "%d device%s, %lld MiB, %lld MiB used; swappiness %s", dev,
				  dev > 1 ? "s" : "", total / 1024, used / 1024, swp);
	json_object_set_new(f, "settings", json_pack("{s:i, s:s}", "devices", dev,
						     "swappiness", swp));
	free(swaps);
	free(mem);
}

/* ---- hypervisor, remote TLB flushes, ASLR ----------------------------------------- */

static const char *dmi_vm(const char *vendor, const char *product)
{
	static const char *const known[][2] = {
		{ "QEMU", "qemu" }, { "VMware", "vmware" }, { "innotek", "oracle" },
		{ "VirtualBox", "oracle" }, { "Xen", "xen" }, { "Amazon EC2", "amazon" },
		{ "Google Compute Engine", "google" }, { "Bochs", "bochs" },
		{ "Parallels", "parallels" }, { "KVM", "kvm" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strstr(vendor, known[i][0]) || strstr(product, known[i][0]))
			return known[i][1];
	return NULL;
}

/* arch/x86/kernel/cpu/hypervisor.c: "Hypervisor detected: NAME" at boot ("KVM", "Xen HVM",
 * "PVM", ...). NAME lower-cased into name (letters, digits, '-', ' ' only); false if absent. */
static bool kmsg_hypervisor(const char *kmsg, char *name, size_t len)
{
	static const char line[] = "Hypervisor detected: ";
	const char *p = kmsg ? strstr(kmsg, line) : NULL;
	size_t n = 0;

	if (!p || !len)
		return false;
	for (p += sizeof(line) - 1; n + 1 < len; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != ' ')
			break;
		name[n++] = (char)tolower((unsigned char)*p);
	}
	while (n && name[n - 1] == ' ')
		n--;
	name[n] = '\0';
	return n > 0;
}

static const char *hypervisor_name(const struct fl_tlb_facts *f, char *name, size_t nlen,
				   char *how, size_t len)
{
	char xen[32] = "", vendor[128] = "", product[128] = "";
	bool logged = kmsg_hypervisor(f->kmsg, name, nlen);
	const char *dmi;

	fl_doctor_read("/sys/hypervisor/type", xen, sizeof(xen));
	fl_doctor_read("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor));
	fl_doctor_read("/sys/class/dmi/id/product_name", product, sizeof(product));
	dmi = dmi_vm(vendor, product);
	/* The kernel's own pick first where it differs from CPUID's signature: a PVM guest's
	 * kernel reads KVM's leaves but runs as a PVM guest ("Hypervisor detected: PVM"). */
	if (logged && strcmp(name, "kvm") && strncmp(name, "microsoft", 9) && (f->kvm || f->hyperv))
		return snprintf(how, len, "the kernel log: \"Hypervisor detected\"; CPUID "
				"signature %s", f->kvm ? "KVMKVMKVM" : "Microsoft Hv"), name;
	if (f->kvm) {
		snprintf(how, len, "CPUID signature KVMKVMKVM; steal time %s, PV TLB flush %s",
			 f->kvm_features & FL_KVM_FEATURE_STEAL_TIME ? "on" : "off",
			 f->kvm_features & FL_KVM_FEATURE_PV_TLB_FLUSH ? "on" : "off");
		return "kvm";
	}
	if (f->hyperv)
		return snprintf(how, len, "CPUID signature Microsoft Hv"), "microsoft";
	if (xen[0])
		return snprintf(how, len, "/sys/hypervisor/type %s", xen), "xen";
	if (dmi)
		return snprintf(how, len, "DMI %.100s %.100s", vendor, product), dmi;
	if (logged)
		return snprintf(how, len, "the kernel log: \"Hypervisor detected\""), name;
	if (hypervisor_flag())
		return snprintf(how, len, "the CPU's hypervisor flag"), "unknown";
	snprintf(how, len, "no hypervisor flag, no /sys/hypervisor%s%s", vendor[0] ? ", DMI " : "",
		 vendor);
	return "none";
}

static void check_hypervisor(json_t *doc, const struct fl_tlb_facts *facts)
{
	char how[320], name[32];
	const char *hv = hypervisor_name(facts, name, sizeof(name), how, sizeof(how));
	bool box = !access("/.dockerenv", F_OK) || !access("/run/.containerenv", F_OK);
	json_t *f;

	if (!strcmp(hv, "none"))
		f = fl_doctor_add(doc, "hypervisor", "hypervisor", box ? "info" : "ok",
				  "none needed", "bare metal (%s)%s", how,
				  box ? "; inside a container" : "");
	else
		f = fl_doctor_add(doc, "hypervisor", "hypervisor", "info",
				  "compare runs of one host only; watch steal time",
				  "%s guest (%s)%s: times include the host's scheduling%s", hv, how,
				  box ? ", inside a container" : "",
				  strcmp(hv, "pvm") ? "" : "; PVM runs the guest on the host's "
				  "shadow page tables, so a page fault also takes a host fault that "
				  "the guest's sys time does not hold (fault latency does)");
	json_object_set_new(f, "settings", json_pack("{s:s, s:b}", "hypervisor", hv,
						     "container", box));
}

static void check_tlb(json_t *doc, const struct fl_tlb_facts *facts)
{
	char why[1024];
	struct utsname u;
	json_t *f;
	int pv;

	pv = uname(&u) == 0 && fl_tlb_ipi_less(u.machine, facts, why, sizeof(why)) == 1;
	if (pv) {
		f = fl_doctor_add(doc, "tlb_flush", "remote TLB flush", "info",
				  "read tlb:tlb_flush (remote IPI send), not the TLB IPI row",
				  "%.*s: the TLB-shootdown IPI row misses them",
				  (int)strcspn(why, ";"), why);
		json_object_set_new(f, "detail", json_string(why));
	} else
		f = fl_doctor_add(doc, "tlb_flush", "remote TLB flush", "ok", "none needed",
				  "by TLB-shootdown IPIs (nothing says a hypervisor does them)");
	json_object_set_new(f, "settings", json_pack("{s:s}", "remote_flush",
						     pv ? "hypervisor" : "ipi"));
}

static void check_aslr(json_t *doc)
{
	char v[8] = "?";
	json_t *f;

	fl_doctor_read("/proc/sys/kernel/randomize_va_space", v, sizeof(v));
	if (!strcmp(v, "2"))
		f = fl_doctor_add(doc, "aslr", "ASLR", "ok", "none needed (leave it on)",
				  "full randomization (2): faultline checks page stamps and "
				  "counts, not addresses");
	else
		f = fl_doctor_add(doc, "aslr", "ASLR", "info",
				  "sysctl kernel.randomize_va_space=2 (a security setting)",
				  "randomize_va_space %s: less than full, one address layout is "
				  "measured again and again", v);
	json_object_set_new(f, "settings", json_pack("{s:s}", "randomize_va_space", v));
}

void fl_doctor_check_settings(json_t *doc)
{
	json_t *defaults = fl_doctor_thp_defaults();
	struct fl_tlb_facts facts;

	fl_tlb_facts_read("/proc", &facts);
	check_cpufreq(doc);
	check_smt(doc);
	check_isolation(doc);
	check_nmi_watchdog(doc);
	check_perf(doc);
	check_pmu(doc);
	check_thp_group(doc, defaults, "thp", "THP", thp_files);
	check_thp_group(doc, defaults, "khugepaged", "khugepaged", khugepaged_files);
	check_swap(doc);
	check_hypervisor(doc, &facts);
	check_tlb(doc, &facts);
	check_aslr(doc);
	fl_tlb_facts_free(&facts);
	json_decref(defaults);
}
