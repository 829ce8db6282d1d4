// SPDX-License-Identifier: GPL-2.0
/* Unit tests of workloads/probes: /proc parsers, IPI normalization per arch, the vmstat
 * and interrupts probes, and kernel identity. Fixtures are real captures (tests/fixtures,
 * copied from the shared capture set); the last tests parse this machine's own /proc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>
#include "fl_schema.h"
#include "probes/probe.h"
#include "probes/procparse.h"
#include "fl_sha256.h"
#include "fl_util.h"
#include "fixtures.h"

static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static void parse_irq(const char *arch, const char *file, struct fl_irq_table *t)
{
	char *text = fixture(arch, file);
	int i;

	assert_int_equal(fl_irq_parse(text, t), 0);
	assert_int_equal(t->ncpus, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(t->cpus[i], i);
	/* every line after the header is a row */
	assert_int_equal(t->nrows, count_lines(text) - 1);
	free(text);
}

static const struct fl_irq_row *row(const struct fl_irq_table *t, const char *key)
{
	const struct fl_irq_row *r = fl_irq_find(t, key);

	if (!r)
		fail_msg("no row %s", key);
	return r;
}

/* ipi delta JSON of one fixture arch, boot -> after-tlbstress */
static json_t *ipi_fixture(const char *arch, const char *machine)
{
	struct fl_irq_table a, b;
	json_t *ipi;

	parse_irq(arch, "interrupts-boot.txt", &a);
	parse_irq(arch, "interrupts-after-tlbstress.txt", &b);
	ipi = fl_ipi_delta_json(machine, &a, &b);
	assert_non_null(ipi);
	assert_schema("ipi", ipi);
	fl_irq_free(&a);
	fl_irq_free(&b);
	return ipi;
}

static long long jint(json_t *obj, const char *path)
{
	char buf[256], *tok, *save = NULL;
	json_t *v = obj;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return (long long)json_integer_value(v);
}

static const char *jstr(json_t *obj, const char *path)
{
	char buf[256], *tok, *save = NULL;
	json_t *v = obj;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	if (!json_is_string(v))
		fail_msg("%s is not a string", path);
	return json_string_value(v);
}

static void assert_status(json_t *ipi, const char *cls, const char *status)
{
	json_t *c = json_object_get(ipi, cls);

	assert_non_null(c);
	assert_null(json_object_get(c, "total"));
	assert_string_equal(jstr(c, "status"), status);
	assert_true(strlen(jstr(c, "reason")) > 20);
}

static void assert_per_cpu_sums(json_t *cls)
{
	json_t *pc = json_object_get(cls, "per_cpu");
	long long sum = 0;
	size_t i;

	assert_int_equal(json_array_size(pc), 4);
	for (i = 0; i < 4; i++)
		sum += json_integer_value(json_array_get(pc, i));
	assert_int_equal(sum, json_integer_value(json_object_get(cls, "total")));
}

/* ---- interrupts parsing ----------------------------------------------------------- */

static void test_irq_x86_64(void **state)
{
	struct fl_irq_table t;

	parse_irq("x86_64-6.12", "interrupts-boot.txt", &t);
	assert_string_equal(row(&t, "0")->desc, "IO-APIC 2-edge timer");
	assert_string_equal(row(&t, "CAL")->desc, "Function call interrupts");
	assert_int_equal(row(&t, "CAL")->counts[2], 300);
	assert_int_equal(row(&t, "ERR")->ncounts, 1);
	assert_string_equal(row(&t, "ERR")->desc, "");
	assert_int_equal(row(&t, "MIS")->ncounts, 1);
	assert_int_equal(row(&t, "PIW")->ncounts, 4);
	fl_irq_free(&t);
	parse_irq("x86_64-6.12", "interrupts-after-tlbstress.txt", &t);
	fl_irq_free(&t);
}

static void test_irq_arm64(void **state)
{
	struct fl_irq_table t;

	parse_irq("arm64-6.12", "interrupts-boot.txt", &t);
	assert_string_equal(row(&t, "IPI0")->desc, "Rescheduling interrupts");
	assert_string_equal(row(&t, "IPI7")->desc, "KGDB roundup interrupts");
	assert_string_equal(row(&t, "11")->desc, "GIC-0 27 Level arch_timer");
	assert_int_equal(row(&t, "Err")->ncounts, 1);
	fl_irq_free(&t);
	parse_irq("arm64-6.12", "interrupts-after-tlbstress.txt", &t);
	fl_irq_free(&t);
}

static void test_irq_ppc64le(void **state)
{
	struct fl_irq_table t;

	parse_irq("ppc64le-6.12", "interrupts-boot.txt", &t);
	assert_string_equal(row(&t, "16")->desc, "XIVE-IPI 0 Edge IPI-0");
	/* two rows named LOC: both kept, the second as LOC#2 */
	assert_string_equal(row(&t, "LOC")->name, "LOC");
	assert_string_equal(row(&t, "LOC")->desc, "Local timer interrupts for timer event device");
	assert_string_equal(row(&t, "LOC#2")->name, "LOC");
	assert_string_equal(row(&t, "LOC#2")->desc, "Local timer interrupts for others");
	assert_int_equal(row(&t, "LOC#2")->counts[3], 1);
	assert_null(fl_irq_find(&t, "LOC#3"));
	fl_irq_free(&t);
	parse_irq("ppc64le-6.12", "interrupts-after-tlbstress.txt", &t);
	fl_irq_free(&t);
}

static void test_irq_s390x(void **state)
{
	struct fl_irq_table t;

	parse_irq("s390x-6.1", "interrupts-boot.txt", &t);
	/* class rows: four counts, no text */
	assert_int_equal(row(&t, "EXT")->ncounts, 4);
	assert_string_equal(row(&t, "EXT")->desc, "");
	assert_string_equal(row(&t, "I/O")->desc, "");
	assert_int_equal(row(&t, "AIO")->ncounts, 4);
	/* [EXT] sub-rows */
	assert_string_equal(row(&t, "EXC")->desc, "[EXT] External Call");
	assert_string_equal(row(&t, "EMS")->desc, "[EXT] Emergency Signal");
	assert_int_equal(row(&t, "EMS")->counts[1], 173);
	assert_string_equal(row(&t, "CMS")->desc, "[EXT] CPU-Measurement: Sampling");
	assert_string_equal(row(&t, "RST")->desc, "[CPU] CPU Restart");
	fl_irq_free(&t);
	parse_irq("s390x-6.1", "interrupts-after-tlbstress.txt", &t);
	fl_irq_free(&t);
}

static void test_irq_offline_cpus_and_junk(void **state)
{
	const char *text = "\n     CPU0  CPU2\n"
			   "  5:  1  2  edge  thing\n"
			   "garbage line without colon\n"
			   "ERR:  7\n";
	struct fl_irq_table t;

	assert_int_equal(fl_irq_parse(text, &t), 0);
	assert_int_equal(t.ncpus, 2);
	assert_int_equal(t.cpus[1], 2);
	assert_int_equal(t.nrows, 2);
	assert_string_equal(row(&t, "5")->desc, "edge thing");
	assert_int_equal(fl_irq_row_total(row(&t, "ERR")), 7);
	fl_irq_free(&t);
	assert_int_equal(fl_irq_parse("no header here\n", &t), -1);
	assert_int_equal(fl_irq_parse("", &t), -1);
}

/* ---- IPI normalization ------------------------------------------------------------ */

static void test_ipi_x86_64(void **state)
{
	json_t *ipi = ipi_fixture("x86_64-6.12", "x86_64");

	assert_int_equal(jint(ipi, "function_call.total"), 7819);
	assert_int_equal(jint(ipi, "tlb_shootdown.total"), 8097);
	assert_int_equal(jint(ipi, "reschedule.total"), 308);
	assert_int_equal(jint(ipi, "other.total"), 0);	/* IWI, counted even at zero */
	assert_per_cpu_sums(json_object_get(ipi, "function_call"));
	assert_per_cpu_sums(json_object_get(ipi, "tlb_shootdown"));
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(json_object_get(ipi, "tlb_shootdown"), "per_cpu"), 1)), 2429);
	assert_string_equal(jstr(ipi, "arch"), "x86_64");
	assert_string_equal(jstr(ipi, "raw.CAL.desc"), "Function call interrupts");
	assert_string_equal(jstr(ipi, "raw.TLB.class"), "tlb_shootdown");
	assert_int_equal(jint(ipi, "raw.IWI.total"), 0);	/* IPI class row kept at zero */
	assert_int_equal(jint(ipi, "raw.LOC.total"), 11593);	/* changed, kept */
	assert_int_equal(jint(ipi, "raw.4.total"), 106);	/* ttyS0 */
	assert_null(json_object_get(json_object_get(ipi, "raw"), "SPU"));	/* unchanged */
	assert_null(json_object_get(json_object_get(ipi, "raw"), "ERR"));
	assert_int_equal(json_array_size(json_object_get(ipi, "cpus")), 4);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(ipi, "cpus"), 3)), 3);
	json_decref(ipi);
}

static void test_ipi_arm64(void **state)
{
	json_t *ipi = ipi_fixture("arm64-6.12", "aarch64");

	assert_int_equal(jint(ipi, "function_call.total"), 83);
	assert_int_equal(jint(ipi, "reschedule.total"), 386);
	assert_per_cpu_sums(json_object_get(ipi, "reschedule"));
	assert_status(ipi, "tlb_shootdown", "absent");
	assert_string_equal(jstr(ipi, "tlb_shootdown.reason"),
			    "arm64 broadcasts TLB invalidation in hardware; no TLB-shootdown IPI");
	assert_int_equal(jint(ipi, "other.total"), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(ipi, "other"), "rows")), 6);
	assert_string_equal(jstr(ipi, "raw.IPI1.class"), "function_call");
	assert_string_equal(jstr(ipi, "raw.IPI7.class"), "other");
	json_decref(ipi);
	/* "arm64" as a machine name maps to the same table */
	assert_int_equal(fl_ipi_classify("arm64", "IPI1", "Function call interrupts"),
			 FL_IPI_FUNCTION_CALL);
}

static void test_ipi_ppc64le(void **state)
{
	json_t *ipi = ipi_fixture("ppc64le-6.12", "ppc64le");
	json_t *rows;

	/* every IPI message shares one row: the sum is "other", the split is unknowable */
	assert_status(ipi, "function_call", "unsupported");
	assert_status(ipi, "reschedule", "unsupported");
	assert_status(ipi, "tlb_shootdown", "absent");
	assert_int_equal(jint(ipi, "other.total"), 82);
	assert_per_cpu_sums(json_object_get(ipi, "other"));
	rows = json_object_get(json_object_get(ipi, "other"), "rows");
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(json_string_value(json_array_get(rows, 0)), "16");
	assert_string_equal(json_string_value(json_array_get(rows, 1)), "DBL");
	assert_string_equal(jstr(ipi, "raw.16.desc"), "XIVE-IPI 0 Edge IPI-0");
	assert_string_equal(jstr(ipi, "raw.LOC.desc"),
			    "Local timer interrupts for timer event device");
	assert_null(json_object_get(json_object_get(ipi, "raw"), "LOC#2"));	/* unchanged */
	json_decref(ipi);
	/* XICS and unmuxed powerpc rows */
	assert_int_equal(fl_ipi_classify("ppc64", "16", "XICS 2 Edge IPI"), FL_IPI_OTHER);
	assert_int_equal(fl_ipi_classify("ppc64le", "17", "XICS 3 Edge ipi call function"),
			 FL_IPI_FUNCTION_CALL);
	assert_int_equal(fl_ipi_classify("ppc64le", "17", "XIVE-IRQ 4096 Edge RAS_EPOW"),
			 FL_IPI_NONE);
}

static void test_ipi_s390x(void **state)
{
	json_t *ipi = ipi_fixture("s390x-6.1", "s390x");

	assert_status(ipi, "function_call", "unsupported");
	assert_status(ipi, "reschedule", "unsupported");
	assert_status(ipi, "tlb_shootdown", "absent");
	assert_int_equal(jint(ipi, "other.total"), 293 + 94);	/* EXC + EMS */
	assert_per_cpu_sums(json_object_get(ipi, "other"));
	assert_string_equal(jstr(ipi, "raw.EXC.desc"), "[EXT] External Call");
	assert_string_equal(jstr(ipi, "raw.EMS.class"), "other");
	assert_int_equal(jint(ipi, "raw.CLK.total"), 19906);
	assert_null(json_object_get(json_object_get(ipi, "raw"), "NMI"));
	json_decref(ipi);
}

static void test_ipi_unknown_arch_and_hotplug(void **state)
{
	struct fl_irq_table a, b;
	json_t *ipi;

	parse_irq("x86_64-6.12", "interrupts-boot.txt", &a);
	parse_irq("x86_64-6.12", "interrupts-after-tlbstress.txt", &b);
	ipi = fl_ipi_delta_json("riscv64", &a, &b);
	assert_status(ipi, "function_call", "unsupported");
	assert_status(ipi, "other", "unsupported");
	assert_int_equal(jint(ipi, "raw.CAL.total"), 7819);	/* raw rows still there */
	json_decref(ipi);
	b.cpus[3] = 5;		/* a CPU went away and another came */
	ipi = fl_ipi_delta_json("x86_64", &a, &b);
	assert_string_equal(jstr(ipi, "status"), "unsupported");
	json_decref(ipi);
	fl_irq_free(&a);
	fl_irq_free(&b);
}

static void test_ipi_wrap(void **state)
{
	struct fl_irq_table a, b;
	json_t *ipi;

	assert_int_equal(fl_irq_parse("CPU0\nCAL: 4294967290 x\n", &a), 0);
	assert_int_equal(fl_irq_parse("CPU0\nCAL: 4 x\n", &b), 0);
	ipi = fl_ipi_delta_json("x86_64", &a, &b);
	assert_int_equal(jint(ipi, "function_call.total"), 10);
	assert_status(ipi, "tlb_shootdown", "absent");	/* no TLB row on this "kernel" */
	json_decref(ipi);
	fl_irq_free(&a);
	fl_irq_free(&b);
}

/* ---- vmstat ----------------------------------------------------------------------- */

static void check_vmstat(const char *arch, unsigned long long free_pages)
{
	char *t0 = fixture(arch, "vmstat-boot.txt"), *t1 = fixture(arch, "vmstat-after-tlbstress.txt");
	struct fl_vmstat a, b;
	json_t *d;

	assert_int_equal(fl_vmstat_parse(t0, &a), 0);
	assert_int_equal(fl_vmstat_parse(t1, &b), 0);
	assert_int_equal(a.n, count_lines(t0));
	assert_int_equal(b.n, count_lines(t1));
	assert_int_equal(a.skipped, 0);
	assert_int_equal(fl_vmstat_find(&a, "nr_free_pages")->value, free_pages);
	d = fl_vmstat_delta_json(&a, &b);
	assert_schema("vmstat", d);
	assert_int_equal(json_object_size(d), b.n);
	assert_int_equal(jint(d, "pgfault.value"),
			 (long long)(fl_vmstat_find(&b, "pgfault")->value -
				     fl_vmstat_find(&a, "pgfault")->value));
	assert_true(jint(d, "pgfault.value") > 0);
	assert_string_equal(jstr(d, "pgfault.unit"), "count");
	assert_null(json_object_get(json_object_get(d, "pgfault"), "kind"));
	assert_string_equal(jstr(d, "nr_free_pages.unit"), "pages");
	assert_string_equal(jstr(d, "nr_free_pages.kind"), "gauge");
	assert_string_equal(jstr(d, "nr_kernel_stack.unit"), "KiB");
	assert_string_equal(jstr(d, "nr_dirtied.unit"), "pages");
	assert_null(json_object_get(json_object_get(d, "nr_dirtied"), "kind"));
	json_decref(d);
	fl_vmstat_free(&a);
	fl_vmstat_free(&b);
	free(t0);
	free(t1);
}

static void test_vmstat_fixtures(void **state)
{
	check_vmstat("x86_64-6.12", 495256);
	check_vmstat("arm64-6.12", 493077);
	check_vmstat("ppc64le-6.12", 486030);
	check_vmstat("s390x-6.1", 503771);
}

static void test_vmstat_units(void **state)
{
	bool gauge;

	assert_string_equal(fl_vmstat_unit("nr_anon_transparent_hugepages", &gauge), "hugepages");
	assert_true(gauge);
	assert_string_equal(fl_vmstat_unit("nr_tlb_remote_flush", &gauge), "count");
	assert_false(gauge);
	assert_string_equal(fl_vmstat_unit("thp_fault_alloc", &gauge), "count");
	assert_false(gauge);
}

static void test_vmstat_junk(void **state)
{
	struct fl_vmstat vs;

	assert_int_equal(fl_vmstat_parse("a 1\n\nbad\nb -3\nc 4 5\nd 18446744073709551615", &vs), 0);
	assert_int_equal(vs.n, 2);
	assert_int_equal(vs.skipped, 3);
	assert_true(fl_vmstat_find(&vs, "d")->value == 18446744073709551615ULL);
	fl_vmstat_free(&vs);
}

/* ---- kernel identity -------------------------------------------------------------- */

static const char test_config[] =
	"#\n# Automatically generated file; DO NOT EDIT.\n#\n"
	"CONFIG_PER_VMA_LOCK=y\n"
	"# CONFIG_PER_VMA_LOCK_STATS is not set\n"
	"CONFIG_TRANSPARENT_HUGEPAGE=y\n"
	"CONFIG_ZRAM=m\n"
	"CONFIG_SWAP=y\n"
	"CONFIG_MEMCG=y\n"
	"CONFIG_MMU_GATHER_RCU_TABLE_FREE=y\n"
	"CONFIG_DEBUG_VM_PGTABLE=y\n"		/* not DEBUG_VM */
	"CONFIG_KASAN_GENERIC=y\n"		/* not KASAN */
	"CONFIG_LOCALVERSION=\"-fl\"\n";

static void test_config_lookup(void **state)
{
	json_t *m = fl_config_mechanisms(test_config, "x86_64"), *v;
	const char *const *sym;

	assert_int_equal(fl_config_lookup(test_config, "ZRAM"), 'm');
	assert_int_equal(fl_config_lookup(test_config, "PER_VMA_LOCK_STATS"), 'n');
	assert_int_equal(fl_config_lookup(test_config, "LOCALVERSION"), 'v');
	assert_int_equal(fl_config_lookup(test_config, "DEBUG_VM"), 0);
	assert_true(json_is_true(json_object_get(m, "PER_VMA_LOCK")));
	assert_true(json_is_true(json_object_get(m, "ZRAM")));
	assert_true(json_is_false(json_object_get(m, "PER_VMA_LOCK_STATS")));
	assert_true(json_is_false(json_object_get(m, "SPECULATIVE_PAGE_FAULT")));
	assert_true(json_is_false(json_object_get(m, "DEBUG_VM")));
	assert_true(json_is_false(json_object_get(m, "KASAN")));
	assert_null(json_object_get(m, "PPC_RADIX_MMU"));
	json_decref(m);
	m = fl_config_mechanisms(NULL, NULL);
	for (sym = fl_mechanism_symbols; *sym; sym++) {
		v = json_object_get(m, *sym);
		assert_non_null(v);
		assert_true(json_is_null(v));
	}
	assert_int_equal(json_object_size(m), 13);
	json_decref(m);
	/* powerpc adds its MMU and page-table fragment symbols. */
	m = fl_config_mechanisms("CONFIG_PPC_RADIX_MMU=y\n# CONFIG_PPC_64S_HASH_MMU is not set\n",
				 "ppc64le");
	assert_true(json_is_true(json_object_get(m, "PPC_RADIX_MMU")));
	assert_true(json_is_false(json_object_get(m, "PPC_64S_HASH_MMU")));
	assert_true(json_is_false(json_object_get(m, "PPC_64K_PAGES")));
	assert_int_equal(json_object_size(m), 16);
	json_decref(m);
}

static void test_uname_fixtures(void **state)
{
	static const struct { const char *arch, *release, *machine; } want[] = {
		{ "x86_64-6.12", "6.12.117+deb12-amd64", "x86_64" },
		{ "arm64-6.12", "6.12.117+deb12-arm64", "aarch64" },
		{ "ppc64le-6.12", "6.12.113+deb12-powerpc64le", "ppc64le" },
		{ "s390x-6.1", "6.1.0-47-s390x", "s390x" },
	};
	char rel[128], ver[256], mach[64];
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *text = fixture(want[i].arch, "uname.txt");

		assert_int_equal(fl_parse_uname_a(text, rel, sizeof(rel), ver, sizeof(ver),
						  mach, sizeof(mach)), 0);
		assert_string_equal(rel, want[i].release);
		assert_string_equal(mach, want[i].machine);
		assert_true(ver[0] == '#' && strstr(ver, "SMP") && ver[strlen(ver) - 1] == ')');
		free(text);
	}
	assert_int_equal(fl_parse_uname_a("Linux h 6.1 #1 SMP x86_64 x86_64 x86_64 GNU/Linux",
					  rel, sizeof(rel), ver, sizeof(ver), mach, sizeof(mach)), 0);
	assert_string_equal(ver, "#1 SMP");
	assert_string_equal(mach, "x86_64");
	assert_int_equal(fl_parse_uname_a("Linux", rel, sizeof(rel), ver, sizeof(ver),
					  mach, sizeof(mach)), -1);
}

static void test_sysfs_selected(void **state)
{
	char out[32];

	assert_int_equal(fl_sysfs_selected("always [madvise] never\n", out, sizeof(out)), 0);
	assert_string_equal(out, "madvise");
	assert_int_equal(fl_sysfs_selected("always defer defer+madvise [madvise] never", out,
					   sizeof(out)), 0);
	assert_string_equal(out, "madvise");
	assert_int_equal(fl_sysfs_selected("none here", out, sizeof(out)), -1);
}

static void test_sha256(void **state)
{
	char hex[65], *big = malloc(1000000);

	fl_sha256_buf("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	fl_sha256_buf("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	fl_sha256_buf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_non_null(big);
	memset(big, 'a', 1000000);
	fl_sha256_buf(big, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(big);
}

/* ---- a fake proc tree made from fixtures ------------------------------------------ */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fail_msg("cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static void copy_fixture(const char *dir, const char *name, const char *arch, const char *file)
{
	char *text = fixture(arch, file);

	write_file(dir, name, text);
	free(text);
}

static void make_tree(char *dir, size_t len)
{
	char sub[PATH_MAX * 2];

	snprintf(dir, len, "/tmp/fl-procparse-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/sys", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/sys/kernel", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
}

static void remove_tree(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A proc tree of the x86_64 fixture: cmdline, sys/kernel files, a gzipped config. */
static void make_kernel_tree(char *dir, size_t len, bool with_config)
{
	char rel[128], ver[256], mach[64], cmd[PATH_MAX * 3];
	char *uname_a = fixture("x86_64-6.12", "uname.txt");

	make_tree(dir, len);
	assert_int_equal(fl_parse_uname_a(uname_a, rel, sizeof(rel), ver, sizeof(ver), mach,
					  sizeof(mach)), 0);
	free(uname_a);
	write_file(dir, "sys/kernel/osrelease", rel);
	write_file(dir, "sys/kernel/version", ver);
	write_file(dir, "sys/kernel/arch", mach);
	copy_fixture(dir, "cmdline", "x86_64-6.12", "cmdline.txt");
	if (!with_config)
		return;
	write_file(dir, "config", test_config);
	snprintf(cmd, sizeof(cmd), "gzip -c '%s/config' > '%s/config.gz'", dir, dir);
	assert_int_equal(system(cmd), 0);
}

static void test_kernel_identity_tree(void **state)
{
	char dir[PATH_MAX], hex[65];
	json_t *k;

	make_kernel_tree(dir, sizeof(dir), true);
	k = fl_kernel_identity(dir);
	assert_schema("kernel", k);
	assert_string_equal(jstr(k, "release"), "6.12.117+deb12-amd64");
	assert_string_equal(jstr(k, "machine"), "x86_64");
	assert_string_equal(jstr(k, "version"),
			    "#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1 (2026-11-14)");
	assert_string_equal(jstr(k, "cmdline"), "console=ttyS0 quiet panic=-1");
	assert_non_null(strstr(jstr(k, "config.source"), "/config.gz"));
	fl_sha256_buf(test_config, strlen(test_config), hex);
	assert_string_equal(jstr(k, "config.sha256"), hex);
	assert_true(json_is_true(json_object_get(json_object_get(k, "mechanisms"), "ZRAM")));
	assert_true(json_is_false(json_object_get(json_object_get(k, "mechanisms"), "KASAN")));
	/* host-only fields are not invented for a captured tree */
	assert_null(json_object_get(k, "page_size"));
	assert_null(json_object_get(k, "thp"));
	json_decref(k);
	remove_tree(dir);

	make_kernel_tree(dir, sizeof(dir), false);
	k = fl_kernel_identity(dir);
	assert_true(json_is_null(json_object_get(json_object_get(k, "config"), "source")));
	assert_true(json_is_null(json_object_get(json_object_get(k, "config"), "sha256")));
	assert_true(json_is_null(json_object_get(json_object_get(k, "mechanisms"), "PER_VMA_LOCK")));
	assert_schema("kernel", k);
	json_decref(k);
	remove_tree(dir);

	/* nothing readable: strings are left out, config and flags are null */
	make_tree(dir, sizeof(dir));
	k = fl_kernel_identity(dir);
	assert_null(json_object_get(k, "release"));
	assert_null(json_object_get(k, "cmdline"));
	assert_true(json_is_null(json_object_get(json_object_get(k, "mechanisms"), "SWAP")));
	json_decref(k);
	remove_tree(dir);
}

/* open/start/stop/emit of both probes over a tree whose files change in between */
static void test_probes_on_tree(void **state)
{
	struct fl_probe_ctx ctx = { .pid = 0, .ncpus = 4 };
	void *vs = NULL, *irq = NULL;
	char dir[PATH_MAX];
	json_t *c = json_object();

	make_tree(dir, sizeof(dir));
	ctx.proc_root = dir;
	write_file(dir, "sys/kernel/arch", "aarch64\n");
	copy_fixture(dir, "interrupts", "arm64-6.12", "interrupts-boot.txt");
	copy_fixture(dir, "vmstat", "arm64-6.12", "vmstat-boot.txt");
	assert_int_equal(fl_probe_vmstat.open(&vs, &ctx), 0);
	assert_int_equal(fl_probe_interrupts.open(&irq, &ctx), 0);
	assert_int_equal(fl_probe_vmstat.start(vs), 0);
	assert_int_equal(fl_probe_interrupts.start(irq), 0);
	copy_fixture(dir, "interrupts", "arm64-6.12", "interrupts-after-tlbstress.txt");
	copy_fixture(dir, "vmstat", "arm64-6.12", "vmstat-after-tlbstress.txt");
	assert_int_equal(fl_probe_vmstat.stop(vs), 0);
	assert_int_equal(fl_probe_interrupts.stop(irq), 0);
	fl_probe_vmstat.emit(vs, c);
	fl_probe_interrupts.emit(irq, c);
	assert_schema("ipi", json_object_get(c, "ipi"));
	assert_schema("vmstat", json_object_get(c, "vmstat"));
	assert_string_equal(jstr(c, "ipi.arch"), "aarch64");
	assert_int_equal(jint(c, "ipi.function_call.total"), 83);
	assert_string_equal(jstr(c, "ipi.tlb_shootdown.status"), "absent");
	assert_true(jint(c, "vmstat.pgfault.value") > 0);
	fl_probe_vmstat.close(vs);
	fl_probe_interrupts.close(irq);
	json_decref(c);
	remove_tree(dir);

	/* an empty tree: both say unsupported and why, never 0 */
	make_tree(dir, sizeof(dir));
	c = json_object();
	assert_int_equal(fl_probe_vmstat.open(&vs, &ctx), 0);
	assert_int_equal(fl_probe_interrupts.open(&irq, &ctx), 0);
	fl_probe_vmstat.start(vs);
	fl_probe_interrupts.start(irq);
	fl_probe_vmstat.stop(vs);
	fl_probe_interrupts.stop(irq);
	fl_probe_vmstat.emit(vs, c);
	fl_probe_interrupts.emit(irq, c);
	assert_string_equal(jstr(c, "vmstat.status"), "unsupported");
	assert_non_null(strstr(jstr(c, "vmstat.reason"), "/vmstat"));
	assert_string_equal(jstr(c, "ipi.status"), "unsupported");
	assert_schema("ipi", json_object_get(c, "ipi"));
	assert_schema("vmstat", json_object_get(c, "vmstat"));
	fl_probe_vmstat.close(vs);
	fl_probe_interrupts.close(irq);
	json_decref(c);
	remove_tree(dir);
}

/* ---- this machine's own kernel ---------------------------------------------------- */

static void test_real_proc(void **state)
{
	char *text = fl_read_all("/proc/vmstat", 0, 0, NULL, NULL, 0);
	struct fl_irq_table t;
	struct fl_vmstat vs;

	if (!text)
		skip();
	assert_int_equal(fl_vmstat_parse(text, &vs), 0);
	assert_int_equal(vs.skipped, 0);
	assert_int_equal(vs.n, count_lines(text));
	assert_non_null(fl_vmstat_find(&vs, "pgfault"));
	fl_vmstat_free(&vs);
	free(text);

	text = fl_read_all("/proc/interrupts", 0, 0, NULL, NULL, 0);
	assert_non_null(text);
	assert_int_equal(fl_irq_parse(text, &t), 0);
	assert_int_equal(t.ncpus, sysconf(_SC_NPROCESSORS_ONLN));
	assert_true(t.nrows > 0);
	fl_irq_free(&t);
	free(text);
}

static void test_real_probes(void **state)
{
	struct fl_probe_ctx ctx = { .pid = getpid(), .ncpus = 1, .proc_root = "/proc" };
	void *vs = NULL, *irq = NULL;
	json_t *c = json_object();
	struct utsname u;
	size_t len = 64 << 20, i;
	char *p;

	assert_int_equal(uname(&u), 0);
	assert_int_equal(fl_probe_vmstat.open(&vs, &ctx), 0);
	assert_int_equal(fl_probe_interrupts.open(&irq, &ctx), 0);
	fl_probe_vmstat.start(vs);
	fl_probe_interrupts.start(irq);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
	munmap(p, len);
	fl_probe_vmstat.stop(vs);
	fl_probe_interrupts.stop(irq);
	fl_probe_vmstat.emit(vs, c);
	fl_probe_interrupts.emit(irq, c);
	assert_true(jint(c, "vmstat.pgfault.value") > 0);
	assert_schema("ipi", json_object_get(c, "ipi"));
	assert_schema("vmstat", json_object_get(c, "vmstat"));
	assert_string_equal(jstr(c, "ipi.arch"), u.machine);
	if (fl_ipi_arch_family(u.machine) && !strcmp(fl_ipi_arch_family(u.machine), "x86"))
		assert_true(jint(c, "ipi.function_call.total") >= 0);
	fl_probe_vmstat.close(vs);
	fl_probe_interrupts.close(irq);
	json_decref(c);
}

static void test_real_identity(void **state)
{
	json_t *k = fl_kernel_identity("/proc"), *m;
	struct utsname u;

	assert_schema("kernel", k);
	assert_int_equal(uname(&u), 0);
	assert_string_equal(jstr(k, "release"), u.release);
	assert_string_equal(jstr(k, "machine"), u.machine);
	assert_true(strlen(jstr(k, "cmdline")) > 0);
	assert_int_equal(jint(k, "page_size"), sysconf(_SC_PAGESIZE));
	m = json_object_get(k, "mechanisms");
	if (access("/proc/config.gz", R_OK) == 0) {
		assert_string_equal(jstr(k, "config.source"), "/proc/config.gz");
		assert_int_equal(strlen(jstr(k, "config.sha256")), 64);
		assert_true(json_is_boolean(json_object_get(m, "PER_VMA_LOCK")));
	}
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK) == 0)
		assert_true(strlen(jstr(k, "thp.enabled")) > 0);
	json_decref(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irq_x86_64),
		cmocka_unit_test(test_irq_arm64),
		cmocka_unit_test(test_irq_ppc64le),
		cmocka_unit_test(test_irq_s390x),
		cmocka_unit_test(test_irq_offline_cpus_and_junk),
		cmocka_unit_test(test_ipi_x86_64),
		cmocka_unit_test(test_ipi_arm64),
		cmocka_unit_test(test_ipi_ppc64le),
		cmocka_unit_test(test_ipi_s390x),
		cmocka_unit_test(test_ipi_unknown_arch_and_hotplug),
		cmocka_unit_test(test_ipi_wrap),
		cmocka_unit_test(test_vmstat_fixtures),
		cmocka_unit_test(test_vmstat_units),
		cmocka_unit_test(test_vmstat_junk),
		cmocka_unit_test(test_config_lookup),
		cmocka_unit_test(test_uname_fixtures),
		cmocka_unit_test(test_sysfs_selected),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_kernel_identity_tree),
		cmocka_unit_test(test_probes_on_tree),
		cmocka_unit_test(test_real_proc),
		cmocka_unit_test(test_real_probes),
		cmocka_unit_test(test_real_identity),
	};

	return cmocka_run_group_tests(tests, find_fixtures, NULL);
}
