// SPDX-License-Identifier: GPL-2.0
/* Unit tests of remote TLB flush accounting (workloads/probes/tlb_flush.c and the pure judge
 * in procparse.c): the tlb:tlb_flush reasons from a real format file, when the TLB IPI class
 * is unsupported (a hypervisor flushes without an IPI), and the "ipi" section that says so.
 * Fixtures: tests/fixtures/x86_64-6.18-kvm (this KVM guest, whose kernel log says "KVM setup
 * pv remote TLB flush"; cpuid.txt says how they were captured), x86_64-6.18-pvm (a PVM guest:
 * "pvm-pv: remote TLB flushes via PVM_HC_FLUSH_TLB_MULTI") and x86_64-6.12 (TCG guest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "fl_json.h"
#include "fl_schema.h"
#include "probes/procparse.h"
#include "probes/tlb_flush.h"
#include "fixtures.h"


/* This machine's CPUID (cpuid.txt): KVM, STEAL_TIME and PV_TLB_FLUSH, no hint, no MWAIT. */
static struct fl_tlb_facts kvm_facts(const char *kmsg)
{
	struct fl_tlb_facts f = {
		.cpuid = true, .kvm = true, .kvm_base = 0x40000000,
		.kvm_features = 0x1007efb, .kvm_hints = 0, .possible_cpus = 2, .kmsg = kmsg,
	};

	return f;
}

static void test_reasons_format(void **state)
{
	char *fmt = fixture("x86_64-6.18-kvm", "tlb_flush-format.txt");
	struct fl_tlb_reason r[FL_TLB_REASONS_MAX];
	int n = fl_tlb_reasons_parse(fmt, r, FL_TLB_REASONS_MAX);

	assert_int_equal(n, 6);		/* 6.18 added "remote wrong CPU" */
	assert_int_equal(r[0].value, 0);
	assert_string_equal(r[0].key, "flush_on_task_switch");
	assert_int_equal(r[1].value, 1);
	assert_string_equal(r[1].text, "remote shootdown");
	assert_int_equal(r[4].value, 4);
	assert_string_equal(r[4].text, "remote IPI send");
	assert_string_equal(r[4].key, "remote_ipi_send");
	assert_string_equal(r[5].key, "remote_wrong_cpu");
	assert_int_equal(fl_tlb_reasons_parse(fmt, r, 2), 2);
	assert_int_equal(fl_tlb_reasons_parse("print fmt: \"%d\", REC->x", r, 4), -1);
	assert_int_equal(fl_tlb_reasons_parse(NULL, r, 4), -1);
	free(fmt);
}

static void test_kvm_pv_flush(void **state)
{
	char *kmsg = fixture("x86_64-6.18-kvm", "kmsg");
	struct fl_tlb_facts f = kvm_facts(kmsg);
	char why[768] = "";

	/* The kernel log and CPUID agree. */
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "KVM's paravirtual flush"));
	assert_non_null(strstr(why, "KVM setup pv remote TLB flush"));
	assert_non_null(strstr(why, "remote IPI send"));
	/* The log wrapped (no boot line): CPUID alone decides. */
	f.kmsg = "[9999.0] something recent\n";
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "CPUID (KVM_FEATURE_PV_TLB_FLUSH"));
	f.kmsg = NULL;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	/* The whole log without the line: this kernel did not set it up (no CONFIG_KVM_GUEST). */
	f.kmsg = "Linux version 6.1.0\nHypervisor detected: KVM\n";
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 0);
	/* The kernel's own conditions: REALTIME hint, no steal time, MWAIT, one CPU. */
	f.kmsg = NULL;
	f.kvm_hints = FL_KVM_HINTS_REALTIME;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 0);
	f = kvm_facts(NULL);
	f.kvm_features &= ~FL_KVM_FEATURE_STEAL_TIME;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 0);
	f = kvm_facts(NULL);
	f.mwait = true;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 0);
	f = kvm_facts(NULL);
	f.possible_cpus = 1;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 0);
	/* A captured tree: no CPUID, the log decides. */
	memset(&f, 0, sizeof(f));
	f.kmsg = kmsg;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	assert_null(strstr(why, "CPUID"));
	/* Other arches have no TLB IPI row to doubt. */
	assert_int_equal(fl_tlb_ipi_less("aarch64", &f, why, sizeof(why)), 0);
	free(kmsg);
}

static void test_other_hypervisors(void **state)
{
	struct fl_tlb_facts f = { .cpuid = true, .hyperv = true,
				  .hyperv_hints = FL_HV_REMOTE_TLB_FLUSH_RECOMMENDED };
	char *pvm = fixture("x86_64-6.18-pvm", "kmsg");
	char why[768];

	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "Hyper-V"));
	f.hyperv_hints = 0;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 0);
	f.kmsg = "Hyper-V: Using hypercall for remote TLB flush\n";
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	memset(&f, 0, sizeof(f));
	f.xen_guest_type = "PV\n";
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "Xen PV"));
	f.xen_guest_type = "PVH\n";
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 0);
	/* A PVM guest's log (this machine, 2026-12-01): CPUID has no bit for it. */
	memset(&f, 0, sizeof(f));
	f.kmsg = pvm;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "PVM hypercalls"));
	assert_non_null(strstr(why, "PVM_HC_FLUSH_TLB_MULTI"));
	assert_non_null(strstr(why, "remote IPI send"));
	f.cpuid = true;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	assert_null(strstr(why, "CPUID"));
	f.kmsg = "Linux version 6.18.44\nHypervisor detected: PVM\n";
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 0);
	/* Bare metal or TCG: the hypervisor bit is off, nothing to doubt. */
	memset(&f, 0, sizeof(f));
	f.cpuid = true;
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 0);
	assert_int_equal(fl_tlb_ipi_less("x86_64", NULL, why, sizeof(why)), 0);
	free(pvm);
}

static void parse(const char *dir, const char *file, struct fl_irq_table *t)
{
	char *text = fixture(dir, file);

	assert_int_equal(fl_irq_parse(text, t), 0);
	free(text);
}

/* The TLB row moved here, and still the class is unsupported, with the row kept in raw. */
static void test_ipi_set_missing(void **state)
{
	struct fl_irq_table a, b;
	char why[768];
	char *kmsg = fixture("x86_64-6.18-kvm", "kmsg");
	struct fl_tlb_facts f = kvm_facts(kmsg);
	json_t *ipi, *tlb;

	parse("x86_64-6.18-kvm", "interrupts-before.txt", &a);
	parse("x86_64-6.18-kvm", "interrupts-after-zap.txt", &b);
	ipi = fl_ipi_delta_json("x86_64", &a, &b);
	assert_true(json_integer_value(json_object_get(json_object_get(ipi, "tlb_shootdown"),
						       "total")) > 0);
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	assert_int_equal(fl_ipi_set_missing(ipi, FL_IPI_TLB_SHOOTDOWN, "unsupported", why), 0);
	tlb = json_object_get(ipi, "tlb_shootdown");
	assert_string_equal(json_string_value(json_object_get(tlb, "status")), "unsupported");
	assert_string_equal(json_string_value(json_object_get(tlb, "reason")), why);
	assert_null(json_object_get(tlb, "total"));
	assert_true(json_integer_value(json_object_get(json_object_get(json_object_get(ipi,
			"raw"), "TLB"), "total")) > 0);
	assert_non_null(json_object_get(json_object_get(ipi, "function_call"), "total"));
	assert_schema("ipi", ipi);
	json_decref(ipi);
	/* A section that is itself a status stays as it is. */
	ipi = fl_json_missing("unsupported", "the set of online CPUs changed");
	assert_int_equal(fl_ipi_set_missing(ipi, FL_IPI_TLB_SHOOTDOWN, "unsupported", why), 0);
	assert_null(json_object_get(ipi, "tlb_shootdown"));
	json_decref(ipi);
	fl_irq_free(&a);
	fl_irq_free(&b);
	free(kmsg);
}

/* A PVM guest (2026-12-01): a 2-thread mmap/munmap loop sent 2292 remote flushes ("remote IPI
 * send"), none reached a CPU by IPI ("remote shootdown" 0, cpuid.txt) and the TLB row stayed
 * at 0: the class is unsupported there, never a counted 0. */
static void test_pvm_capture(void **state)
{
	struct fl_irq_table a, b;
	struct fl_tlb_reason r[FL_TLB_REASONS_MAX];
	char why[768];
	char *kmsg = fixture("x86_64-6.18-pvm", "kmsg");
	char *fmt = fixture("x86_64-6.18-pvm", "tlb_flush-format.txt");
	struct fl_tlb_facts f = { .cpuid = true, .kmsg = kmsg, .possible_cpus = 2 };
	json_t *ipi, *tlb;

	assert_int_equal(fl_tlb_reasons_parse(fmt, r, FL_TLB_REASONS_MAX), 6);
	assert_string_equal(r[4].text, "remote IPI send");
	parse("x86_64-6.18-pvm", "interrupts-before.txt", &a);
	parse("x86_64-6.18-pvm", "interrupts-after.txt", &b);
	ipi = fl_ipi_delta_json("x86_64", &a, &b);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(ipi,
			"tlb_shootdown"), "total")), 0);
	assert_int_equal(fl_tlb_ipi_less("x86_64", &f, why, sizeof(why)), 1);
	assert_int_equal(fl_ipi_set_missing(ipi, FL_IPI_TLB_SHOOTDOWN, "unsupported", why), 0);
	tlb = json_object_get(ipi, "tlb_shootdown");
	assert_string_equal(json_string_value(json_object_get(tlb, "status")), "unsupported");
	assert_null(json_object_get(tlb, "total"));
	assert_schema("ipi", ipi);
	json_decref(ipi);
	fl_irq_free(&a);
	fl_irq_free(&b);
	free(fmt);
	free(kmsg);
}

/* /dev/cpu/0/cpuid's leaf 0x40000000 says KVMKVMKVM (false where it cannot be read). */
static bool kernel_cpuid_kvm(void)
{
	unsigned int r[4] = { 0 };
	FILE *f = fopen("/dev/cpu/0/cpuid", "rb");
	bool kvm;

	if (!f)
		return false;
	kvm = !fseek(f, 0x40000000L, SEEK_SET) && fread(r, 4, 4, f) == 4 &&
	      !memcmp(&r[1], "KVMKVMKVM\0\0\0", 12);
	fclose(f);
	return kvm;
}

/* The live judge on this machine agrees with the pure one on its captured facts. */
static void test_live_facts(void **state)
{
	struct fl_tlb_facts f;
	char why[768], machine[64];

	if (fl_proc_machine("/proc", machine, sizeof(machine)) || strcmp(machine, "x86_64"))
		skip();
	fl_tlb_facts_read("/proc", &f);
	assert_true(f.cpuid);
	if (f.kvm)
		assert_true(f.kvm_base >= 0x40000000 && f.kvm_base < 0x40010000);
	/* The kernel's view where it can be read (a PVM guest's user space reads another). */
	if (kernel_cpuid_kvm())
		assert_true(f.kvm);
	assert_int_equal(fl_tlb_ipi_less_here("/proc", why, sizeof(why)),
			 fl_tlb_ipi_less(machine, &f, why, sizeof(why)));
	fl_tlb_facts_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasons_format),
		cmocka_unit_test(test_kvm_pv_flush),
		cmocka_unit_test(test_other_hypervisors),
		cmocka_unit_test(test_pvm_capture),
		cmocka_unit_test(test_ipi_set_missing),
		cmocka_unit_test(test_live_facts),
	};

	return cmocka_run_group_tests(tests, find_fixtures, NULL);
}
