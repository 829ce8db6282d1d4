// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the knobs journal (workloads/lib/knobs.c) on a temp dir of fake knob files:
 * the temp dir stands in for / (the sysroot), so the whitelist of what a journal may name
 * (THP sysfs files, faultline-swap.PID files, faultline-PID cgroups) applies inside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "fl_util.h"
#include "lib/knobs.h"

#define THP "/sys/kernel/mm/transparent_hugepage"

struct fx {
	char dir[64], enabled[256], scan[256], journal[256], cgroup[256];
	char *logbuf;
	size_t loglen;
	FILE *log;
};

static void put(const char *file, const char *text)
{
	FILE *f = fopen(file, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *file)
{
	static char buf[4096];
	FILE *f = fopen(file, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	char cmd[256];

	snprintf(x->dir, sizeof(x->dir), "/tmp/fl-knobs.XXXXXX");
	if (!x || !mkdtemp(x->dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s" THP "/khugepaged %s/sys/fs/cgroup", x->dir, x->dir);
	if (system(cmd))
		return -1;
	snprintf(x->enabled, sizeof(x->enabled), "%s" THP "/enabled", x->dir);
	snprintf(x->scan, sizeof(x->scan), "%s" THP "/khugepaged/scan_sleep_millisecs", x->dir);
	snprintf(x->journal, sizeof(x->journal), "%s/run/faultline/knobs.journal", x->dir);
	snprintf(x->cgroup, sizeof(x->cgroup), "%s/sys/fs/cgroup/faultline-1", x->dir);
	put(x->enabled, "always [madvise] never\n");
	put(x->scan, "10000\n");
	x->log = open_memstream(&x->logbuf, &x->loglen);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	char cmd[128];

	fclose(x->log);
	free(x->logbuf);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", x->dir);
	if (system(cmd))
		return -1;
	free(x);
	return 0;
}

static const char *logtext(struct fx *x)
{
	fflush(x->log);
	return x->logbuf ? x->logbuf : "";
}

static void test_get_selected(void **state)
{
	struct fx *x = *state;
	char v[64];

	assert_int_equal(fl_knob_get(x->enabled, v, sizeof(v)), 0);
	assert_string_equal(v, "madvise");
	assert_int_equal(fl_knob_get(x->scan, v, sizeof(v)), 0);
	assert_string_equal(v, "10000");
	assert_int_equal(fl_knob_get("/nonexistent/knob", v, sizeof(v)), -1);
}

static void test_set_journal_restore(void **state)
{
	struct fx *x = *state;
	char err[256], v[64], dir[160];
	struct fl_knobs *k = fl_knobs_open(x->journal, x->dir, x->log, err, sizeof(err));
	struct stat st;
	const char *j;

	assert_non_null(k);
	snprintf(dir, sizeof(dir), "%s/run/faultline", x->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(fl_knob_set(k, x->enabled, "always", err, sizeof(err)), 0);
	assert_int_equal(fl_knob_set(k, x->scan, "100", err, sizeof(err)), 0);
	assert_int_equal(fl_knob_set(k, x->scan, "200", err, sizeof(err)), 0);
	j = slurp(x->journal);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"kind\":\"journal\""));
	assert_non_null(strstr(j, "\"kind\":\"sysfs\""));
	assert_non_null(strstr(j, "\"old\":\"madvise\""));
	assert_non_null(strstr(j, "\"old\":\"10000\""));
	assert_null(strstr(j, "\"old\":\"100\""));	/* the first original is kept */
	assert_int_equal(fl_knob_get(x->scan, v, sizeof(v)), 0);
	assert_string_equal(v, "200");
	assert_int_equal(fl_knobs_close(k, x->log), 0);
	assert_int_equal(fl_knob_get(x->enabled, v, sizeof(v)), 0);
	assert_string_equal(v, "madvise");
	assert_int_equal(fl_knob_get(x->scan, v, sizeof(v)), 0);
	assert_string_equal(v, "10000");
	assert_int_equal(access(x->journal, F_OK), -1);
	assert_non_null(strstr(logtext(x), "restored"));
}

static void test_set_missing_file(void **state)
{
	struct fx *x = *state;
	char err[256], knob[300];
	struct fl_knobs *k = fl_knobs_open(x->journal, x->dir, x->log, err, sizeof(err));

	assert_non_null(k);
	snprintf(knob, sizeof(knob), "%s" THP "/nonexistent", x->dir);
	assert_int_equal(fl_knob_set(k, knob, "1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read"));
	assert_int_equal(fl_knobs_close(k, x->log), 0);
	assert_int_equal(access(x->journal, F_OK), -1);	/* nothing journaled, no file */
}

/* A child changes knobs and dies without closing: its journal is stale. */
static void die_with_changes(struct fx *x)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];
		struct fl_knobs *k = fl_knobs_open(x->journal, x->dir, stderr, err, sizeof(err));

		if (!k || fl_knob_set(k, x->enabled, "never", err, sizeof(err)) ||
		    fl_knob_set(k, x->scan, "1", err, sizeof(err)) ||
		    fl_knob_swap_added(k, "/nonexistent/faultline-swap.1", true, err, sizeof(err)) ||
		    fl_knob_cgroup_added(k, x->cgroup, err, sizeof(err)))
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(access(x->journal, F_OK), 0);
}

static void test_stale_restore_file(void **state)
{
	struct fx *x = *state;
	char v[64];

	die_with_changes(x);
	assert_int_equal(fl_knob_get(x->enabled, v, sizeof(v)), 0);
	assert_string_equal(v, "never");
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), 1);
	assert_int_equal(fl_knob_get(x->enabled, v, sizeof(v)), 0);
	assert_string_equal(v, "madvise");
	assert_int_equal(fl_knob_get(x->scan, v, sizeof(v)), 0);
	assert_string_equal(v, "10000");
	assert_int_equal(access(x->journal, F_OK), -1);
	assert_non_null(strstr(logtext(x), "did not finish"));
	/* Idempotent: nothing left, nothing to do. */
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), 0);
}

static void test_stale_restored_by_open(void **state)
{
	struct fx *x = *state;
	char err[256], v[64];
	struct fl_knobs *k;

	die_with_changes(x);
	k = fl_knobs_open(x->journal, x->dir, x->log, err, sizeof(err));
	assert_non_null(k);
	assert_non_null(strstr(logtext(x), "restoring kernel state"));
	assert_int_equal(fl_knob_get(x->enabled, v, sizeof(v)), 0);
	assert_string_equal(v, "madvise");
	assert_int_equal(fl_knobs_close(k, x->log), 0);
}

/* A journal replayed twice (a crash during restore) and one cut short mid-line. */
static void test_replay_and_cut_line(void **state)
{
	struct fx *x = *state;
	char text[1024], v[64];

	die_with_changes(x);
	snprintf(text, sizeof(text), "%s", slurp(x->journal));
	strcat(text, "{\"kind\":\"sysfs\",\"file\":\"");	/* died while writing */
	put(x->journal, text);
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), 1);
	assert_non_null(strstr(logtext(x), "cut short"));
	put(x->journal, text);
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), 1);
	assert_int_equal(fl_knob_get(x->enabled, v, sizeof(v)), 0);
	assert_string_equal(v, "madvise");
}

/* A journal held by a live agent is not stale: left alone. */
static void test_busy_left_alone(void **state)
{
	struct fx *x = *state;
	int go[2], ready[2], st;
	char c = 0, v[64];
	pid_t pid;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];
		struct fl_knobs *k = fl_knobs_open(x->journal, x->dir, stderr, err, sizeof(err));

		if (!k || fl_knob_set(k, x->enabled, "never", err, sizeof(err)))
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(fl_knobs_close(k, stderr) ? 1 : 0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), 0);
	assert_non_null(strstr(logtext(x), "running agent"));
	assert_int_equal(fl_knob_get(x->enabled, v, sizeof(v)), 0);
	assert_string_equal(v, "never");
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(fl_knob_get(x->enabled, v, sizeof(v)), 0);
	assert_string_equal(v, "madvise");
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/* The journal's directory, as fl_knobs_open makes it. */
static void make_run_dir(struct fx *x)
{
	char dir[300];

	snprintf(dir, sizeof(dir), "%s/run", x->dir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/run/faultline", x->dir);
	mkdir(dir, 0700);
}

/* The writers journal only what an agent changes: anything else is refused before a change. */
static void test_writers_refuse(void **state)
{
	struct fx *x = *state;
	char err[256], canary[200], up[300];
	struct fl_knobs *k = fl_knobs_open(x->journal, x->dir, x->log, err, sizeof(err));

	assert_non_null(k);
	snprintf(canary, sizeof(canary), "%s/canary", x->dir);
	put(canary, "safe\n");
	snprintf(up, sizeof(up), "%s" THP "/../../../../canary", x->dir);
	assert_int_equal(fl_knob_set(k, canary, "pwned", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refused"));
	assert_int_equal(fl_knob_set(k, up, "pwned", err, sizeof(err)), -1);
	assert_int_equal(fl_knob_swap_added(k, "/etc/passwd", true, err, sizeof(err)), -1);
	assert_int_equal(fl_knob_swap_added(k, "/dev/zram0", true, err, sizeof(err)), -1);
	assert_int_equal(fl_knob_swap_added(k, "/dev/zram0", false, err, sizeof(err)), 0);
	assert_int_equal(fl_knob_zram_added(k, "/dev/sda", err, sizeof(err)), -1);
	assert_int_equal(fl_knob_cgroup_added(k, "/sys/fs/cgroup/system.slice", err,
					      sizeof(err)), -1);
	assert_string_equal(slurp(canary), "safe\n");
	assert_int_equal(fl_knobs_close(k, x->log), 0);
}

/* A crafted journal: every entry naming something an agent does not change is refused, one
 * sentence each; the canaries survive; the allowed entry is still restored; the journal
 * stays (not everything could be restored). */
static void test_crafted_journal_refused(void **state)
{
	struct fx *x = *state;
	char canary[200], link[300], plain[200], text[4096], v[64];
	const char *log;
	int refused = 0;

	snprintf(canary, sizeof(canary), "%s/canary", x->dir);
	snprintf(plain, sizeof(plain), "%s/plaindir", x->dir);
	snprintf(link, sizeof(link), "%s/faultline-swap.7", x->dir);
	put(canary, "safe\n");
	assert_int_equal(mkdir(plain, 0755), 0);
	assert_int_equal(symlink(canary, link), 0);
	put(x->enabled, "always madvise [never]\n");
	snprintf(text, sizeof(text),
		 "{\"kind\":\"journal\",\"pid\":1,\"started\":1}\n"
		 "{\"kind\":\"sysfs\",\"file\":\"%s\",\"old\":\"madvise\"}\n"
		 "{\"kind\":\"sysfs\",\"file\":\"%s\",\"old\":\"pwned\"}\n"
		 "{\"kind\":\"sysfs\",\"file\":\"%s" THP "/../../../../canary\",\"old\":\"pwned\"}\n"
		 "{\"kind\":\"swap\",\"path\":\"%s\",\"remove\":true}\n"
		 "{\"kind\":\"swap\",\"path\":\"%s\",\"remove\":true}\n"
		 "{\"kind\":\"swap\",\"path\":\"/dev/sda1\",\"remove\":false}\n"
		 "{\"kind\":\"cgroup\",\"dir\":\"%s\"}\n"
		 "{\"kind\":\"zram\",\"dev\":\"/dev/sda\"}\n"
		 "{\"kind\":\"exec\",\"cmd\":\"rm -rf /\"}\n",
		 x->enabled, canary, x->dir, canary, link, plain);
	make_run_dir(x);
	put(x->journal, text);
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), -1);
	log = logtext(x);
	for (const char *p = log; (p = strstr(p, "refused:")); p++)
		refused++;
	assert_int_equal(refused, 8);
	assert_non_null(strstr(log, "not something an agent changes"));
	assert_string_equal(slurp(canary), "safe\n");
	assert_int_equal(access(link, F_OK), 0);
	assert_int_equal(access(plain, F_OK), 0);
	assert_int_equal(fl_knob_get(x->enabled, v, sizeof(v)), 0);
	assert_string_equal(v, "madvise");
	assert_int_equal(access(x->journal, F_OK), 0);
}

/* Tracefs instances: only instances/faultline-TAG-PID is journaled, and a restore removes
 * it (an agent killed during a collapse left one behind); anything else is refused. */
static void test_trace_instance(void **state)
{
	struct fx *x = *state;
	static const char *const bad[] = {
		"/sys/kernel/tracing/instances/other-1",
		"/sys/kernel/tracing/instances/faultline-x-abc",
		"/sys/kernel/tracing/instances/faultline-x-1/../../../..",
		"/sys/kernel/tracing/instances/faultline-X-1",
		"/sys/kernel/tracing/faultline-x-1",
		"/tmp/faultline-x-1",
	};
	char err[256], inst[300], other[300], path[300];
	struct fl_knobs *k = fl_knobs_open(x->journal, x->dir, x->log, err, sizeof(err));

	assert_non_null(k);
	snprintf(inst, sizeof(inst), "%s/sys/kernel/tracing/instances/faultline-swapin-collapse-77",
		 x->dir);
	snprintf(other, sizeof(other), "%s/sys/kernel/tracing/instances/other-1", x->dir);
	assert_int_equal(fl_mkdir_parents(other, 0755, err, sizeof(err)), 0);
	assert_int_equal(mkdir(inst, 0755), 0);
	assert_int_equal(mkdir(other, 0755), 0);
	assert_int_equal(fl_knob_trace_instance_added(k, inst, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", x->dir, bad[i]);
		assert_int_equal(fl_knob_trace_instance_added(k, path, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "refused"));
	}
	assert_int_equal(fl_knobs_close(k, x->log), 0);
	assert_int_equal(access(inst, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0);
	assert_non_null(strstr(logtext(x), "removed tracefs instance"));
}

/* The one file outside the THP tree: doctor --tune's NMI watchdog; its neighbours are refused. */
static void test_nmi_watchdog(void **state)
{
	struct fx *x = *state;
	char err[256], nmi[300], other[300], v[64];
	struct fl_knobs *k = fl_knobs_open(x->journal, x->dir, x->log, err, sizeof(err));

	assert_non_null(k);
	snprintf(nmi, sizeof(nmi), "%s/proc/sys/kernel/nmi_watchdog", x->dir);
	snprintf(other, sizeof(other), "%s/proc/sys/kernel/core_pattern", x->dir);
	assert_int_equal(fl_mkdir_parents(nmi, 0755, err, sizeof(err)), 0);
	put(nmi, "1\n");
	put(other, "core\n");
	assert_int_equal(fl_knob_set(k, nmi, "0", err, sizeof(err)), 0);
	assert_int_equal(fl_knob_set(k, other, "|/tmp/x", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refused"));
	assert_int_equal(fl_knob_get(nmi, v, sizeof(v)), 0);
	assert_string_equal(v, "0");
	assert_int_equal(fl_knobs_close(k, x->log), 0);
	assert_int_equal(fl_knob_get(nmi, v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	assert_string_equal(slurp(other), "core\n");
}

/* The journal file itself: a symlink, someone else's (group/other-writable), a hard link, or
 * a file that is not a journal is never replayed, truncated or removed. */
static void test_journal_file_refused(void **state)
{
	struct fx *x = *state;
	char err[256], target[200];
	struct fl_knobs *k;

	make_run_dir(x);
	snprintf(target, sizeof(target), "%s/target", x->dir);
	put(target, "root:x:0:0\n");
	/* a symlink */
	assert_int_equal(symlink(target, x->journal), 0);
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), -1);
	assert_non_null(strstr(logtext(x), "symlink"));
	assert_null(fl_knobs_open(x->journal, x->dir, x->log, err, sizeof(err)));
	assert_string_equal(slurp(target), "root:x:0:0\n");
	unlink(x->journal);
	/* a hard link of another file */
	assert_int_equal(link(target, x->journal), 0);
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), -1);
	assert_non_null(strstr(logtext(x), "one link"));
	unlink(x->journal);
	/* not a journal: the header line is missing */
	put(x->journal, "root:x:0:0\n");
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), -1);
	assert_non_null(strstr(logtext(x), "not a journal"));
	k = fl_knobs_open(x->journal, x->dir, x->log, err, sizeof(err));
	assert_null(k);
	assert_string_equal(slurp(x->journal), "root:x:0:0\n");
	/* writable by others */
	put(x->journal, "{\"kind\":\"journal\",\"pid\":1}\n");
	assert_int_equal(chmod(x->journal, 0666), 0);
	assert_int_equal(fl_knobs_restore_file(x->journal, x->dir, x->log), -1);
	assert_int_equal(access(x->journal, F_OK), 0);
	assert_string_equal(slurp(target), "root:x:0:0\n");
}

static void test_default_path(void **state)
{
	setenv("FAULTLINE_JOURNAL", "/tmp/x.journal", 1);
	assert_string_equal(fl_knobs_default_path(), "/tmp/x.journal");
	unsetenv("FAULTLINE_JOURNAL");
	assert_string_equal(fl_knobs_default_path(), "/run/faultline/knobs.journal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_selected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_journal_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_restore_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_restored_by_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_and_cut_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writers_refuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crafted_journal_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_instance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nmi_watchdog, setup, teardown),
		cmocka_unit_test(test_default_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
