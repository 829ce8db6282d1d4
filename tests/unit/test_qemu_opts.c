// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's command line (runner/targets/qemu_opts.c): no string from outside in an option value. A
 * kernel image and initramfs under a directory named with a comma, quotes and a shell
 * substitution reach QEMU only as DIR/kernel and DIR/initrd symlinks in the runner's private
 * directory; the machine table's option strings are plain; TCG is single-threaded where the
 * host has fewer CPUs than the guest.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "fl_json.h"
#include "kernel.h"
#include "qemu_opts.h"

#define EVIL "a,b'c\"d$(touch x),path=evil"

struct fixture {
	char top[64], evil[256], image[320], initrd[320], dir[96];
	struct fl_machine m;
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void machine(struct fl_machine *m, const char *mach, json_t *args)
{
	memset(m, 0, sizeof(*m));
	m->arch = "x86_64";
	m->qemu = "qemu-system-x86_64";
	m->machine = mach;
	m->cpu = "max";
	m->kvm_cpu = "host";
	m->serial_device = "virtio-serial-pci";
	m->qemu_args = args;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	snprintf(fx->top, sizeof(fx->top), "/tmp/fl-test-qemu-opts-XXXXXX");
	if (!mkdtemp(fx->top))
		return -1;
	snprintf(fx->evil, sizeof(fx->evil), "%s/%s", fx->top, EVIL);
	mkdir(fx->evil, 0700);
	snprintf(fx->image, sizeof(fx->image), "%s/bz,Image", fx->evil);
	snprintf(fx->initrd, sizeof(fx->initrd), "%s/init,rd.cpio.gz", fx->evil);
	write_file(fx->image, "kernel");
	write_file(fx->initrd, "initrd");
	machine(&fx->m, "q35", json_array());
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fl_qemu_dir_remove(fx->dir);
	unlink(fx->image);
	unlink(fx->initrd);
	rmdir(fx->evil);
	rmdir(fx->top);
	json_decref(fx->m.qemu_args);
	free(fx);
	return 0;
}

static void test_escape(void **state)
{
	char buf[16] = "path=";

	assert_int_equal(fl_qemu_opt_escape(buf, sizeof(buf), "a,b,"), 0);
	assert_string_equal(buf, "path=a,,b,,");
	assert_int_equal(fl_qemu_opt_escape(buf, sizeof(buf), ",,,"), -1);
	assert_string_equal(buf, "path=a,,b,,");	/* unchanged when it does not fit */
}

static void test_optstr(void **state)
{
	assert_true(fl_qemu_optstr_ok("q35", false));
	assert_true(fl_qemu_optstr_ok("pseries,cap-hpt-max-page-size=16M", false));
	assert_true(fl_qemu_optstr_ok("virtio-serial-ccw", false));
	assert_true(fl_qemu_optstr_ok("-no-hpet", true));
	assert_true(fl_qemu_optstr_ok("kvm-pit.lost_tick_policy=discard", true));
	assert_false(fl_qemu_optstr_ok("", false));
	assert_false(fl_qemu_optstr_ok(NULL, false));
	assert_false(fl_qemu_optstr_ok("q35,file=/etc/passwd", false));
	assert_false(fl_qemu_optstr_ok("q35,,x", false));
	assert_false(fl_qemu_optstr_ok("q35,", false));
	assert_false(fl_qemu_optstr_ok("key=value", false));
	assert_false(fl_qemu_optstr_ok("-machine", false));
	assert_false(fl_qemu_optstr_ok("max x", false));
	assert_false(fl_qemu_optstr_ok("a,b=c=d", false));
	assert_false(fl_qemu_optstr_ok("a,b='c'", false));
}

static void test_tcg_thread(void **state)
{
	assert_string_equal(fl_tcg_thread(2, 4), "single");
	assert_string_equal(fl_tcg_thread(1, 2), "single");
	assert_string_equal(fl_tcg_thread(4, 4), "multi");
	assert_string_equal(fl_tcg_thread(8, 4), "multi");
	assert_true(fl_host_cpus() >= 1);
}

static const char *after(char **argv, const char *opt)
{
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], opt))
			return argv[i + 1];
	return NULL;
}

/* Commas only in the option values we build ourselves. */
static bool own_comma(const char *arg, const char *chan)
{
	return !strchr(arg, ',') || !strcmp(arg, chan) || !strncmp(arg, "tcg,thread=", 11) ||
	       !strcmp(arg, "virtserialport,chardev=fl,name=faultline");
}

static void test_argv_user_paths(void **state)
{
	struct fixture *fx = *state;
	char *argv[FL_QEMU_ARGV_MAX + 1], err[512] = "", want[256], link[PATH_MAX], real[PATH_MAX];
	struct fl_qemu_spec s = { .m = &fx->m, .accel = "tcg", .tcg_thread = "single", .cpus = 4,
				  .mem_mib = 2048, .cmdline = "console=ttyS0" };
	ssize_t n;

	assert_int_equal(fl_qemu_dir_make(fx->dir, sizeof(fx->dir), fx->image, fx->initrd,
					  err, sizeof(err)), 0);
	assert_int_equal(strncmp(fx->dir, "/tmp/faultline-qemu-", 20), 0);
	assert_null(strchr(fx->dir, ','));
	s.dir = fx->dir;
	assert_true(fl_qemu_argv(&s, argv, err, sizeof(err)) > 0);
	snprintf(want, sizeof(want), "socket,id=fl,path=%s/chan,server=on,wait=off", fx->dir);
	for (int i = 0; argv[i]; i++) {
		assert_null(strstr(argv[i], "a,b'c"));
		assert_null(strstr(argv[i], "$("));
		assert_null(strstr(argv[i], "path=evil"));
		assert_true(own_comma(argv[i], want));
	}
	assert_string_equal(after(argv, "-chardev"), want);
	assert_string_equal(after(argv, "-accel"), "tcg,thread=single");
	snprintf(want, sizeof(want), "%s/kernel", fx->dir);
	assert_string_equal(after(argv, "-kernel"), want);
	n = readlink(want, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_non_null(realpath(fx->image, real));
	assert_string_equal(link, real);	/* the image, whatever its name */
	snprintf(want, sizeof(want), "%s/initrd", fx->dir);
	assert_string_equal(after(argv, "-initrd"), want);
	fl_qemu_argv_free(argv);
}

static void test_argv_accel(void **state)
{
	struct fixture *fx = *state;
	char *argv[FL_QEMU_ARGV_MAX + 1], err[512];
	struct fl_qemu_spec s = { .m = &fx->m, .accel = "tcg", .tcg_thread = "multi", .cpus = 2,
				  .mem_mib = 512, .dir = "/tmp/faultline-qemu-abc123",
				  .cmdline = "" };

	assert_true(fl_qemu_argv(&s, argv, err, sizeof(err)) > 0);
	assert_string_equal(after(argv, "-accel"), "tcg,thread=multi");
	assert_string_equal(after(argv, "-cpu"), "max");
	fl_qemu_argv_free(argv);
	s.accel = "kvm";
	assert_true(fl_qemu_argv(&s, argv, err, sizeof(err)) > 0);
	assert_string_equal(after(argv, "-accel"), "kvm");
	assert_string_equal(after(argv, "-cpu"), "host");
	fl_qemu_argv_free(argv);
}

static void test_argv_refuses(void **state)
{
	struct fixture *fx = *state;
	char *argv[FL_QEMU_ARGV_MAX + 1], err[512] = "";
	struct fl_qemu_spec s = { .m = &fx->m, .accel = "tcg", .cpus = 1, .mem_mib = 512,
				  .dir = "/tmp/x,path=/etc", .cmdline = "" };
	struct fl_machine bad;

	assert_int_equal(fl_qemu_argv(&s, argv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "QEMU's directory '/tmp/x,path=/etc'"));
	assert_null(argv[0]);
	s.dir = "relative/dir";
	assert_int_equal(fl_qemu_argv(&s, argv, err, sizeof(err)), -1);
	machine(&bad, "q35,file=/etc/passwd", fx->m.qemu_args);
	s.m = &bad;
	s.dir = "/tmp/faultline-qemu-abc123";
	assert_int_equal(fl_qemu_argv(&s, argv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a plain QEMU option string"));
	json_array_append_new(fx->m.qemu_args, json_string("-drive"));
	json_array_append_new(fx->m.qemu_args, json_string("file=/etc/shadow"));
	s.m = &fx->m;
	assert_int_equal(fl_qemu_argv(&s, argv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "qemu_args[1]"));
	json_array_clear(fx->m.qemu_args);
}

static void test_dir_make_missing(void **state)
{
	struct fixture *fx = *state;
	char dir[96], err[512] = "";

	assert_int_equal(fl_qemu_dir_make(dir, sizeof(dir), "/nonexistent/bzImage", fx->initrd,
					  err, sizeof(err)), -1);
	assert_string_equal(dir, "");
	assert_non_null(strstr(err, "/nonexistent/bzImage"));
}

/* machines.json: ours loads; an option string with a path, a program path or a module name
 * with '/' does not. */
static void test_machine_table(void **state)
{
	struct fixture *fx = *state;
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	const char *arches[] = { "x86_64", "arm64", "ppc64le", "s390x", "ppc64le-hash" };
	char path[512], err[512] = "", kdir[256];
	struct fl_machine m;
	json_t *table, *e;

	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		assert_int_equal(fl_machine_load(root, arches[i], &m, err, sizeof(err)), 0);
		fl_machine_free(&m);
	}
	snprintf(path, sizeof(path), "%s/kernels/machines.json", root);
	table = fl_json_load(path, err, sizeof(err));
	assert_non_null(table);
	e = json_object_get(table, "x86_64");
	json_object_set_new(e, "machine", json_string("q35,memory-backend=/dev/mem"));
	snprintf(kdir, sizeof(kdir), "%s/kernels", fx->top);
	mkdir(kdir, 0700);
	snprintf(path, sizeof(path), "%s/machines.json", kdir);
	assert_int_equal(json_dump_file(table, path, 0), 0);
	assert_int_equal(fl_machine_load(fx->top, "x86_64", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "x86_64.machine must be NAME[,KEY=VALUE...]"));
	json_object_set_new(e, "machine", json_string("q35"));
	json_object_set_new(e, "qemu", json_string("/tmp/qemu"));
	assert_int_equal(json_dump_file(table, path, 0), 0);
	assert_int_equal(fl_machine_load(fx->top, "x86_64", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "x86_64.qemu must be a program name"));
	json_object_set_new(e, "qemu", json_string("qemu-system-x86_64"));
	json_object_set_new(e, "modules", json_pack("[s, s]", "zram", "../../evil"));
	assert_int_equal(json_dump_file(table, path, 0), 0);
	assert_int_equal(fl_machine_load(fx->top, "x86_64", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "x86_64.modules[1] must be a module name"));
	unlink(path);
	rmdir(kdir);
	json_decref(table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_optstr),
		cmocka_unit_test(test_tcg_thread),
		cmocka_unit_test_setup_teardown(test_argv_user_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_argv_accel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_argv_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_make_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
