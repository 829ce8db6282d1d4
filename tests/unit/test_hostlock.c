// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the host lock (common/fl_hostlock.c) on a lock file in a temp dir. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "fl_hostlock.h"

struct fx {
	char dir[64], path[128];
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	snprintf(x->dir, sizeof(x->dir), "/tmp/fl-hostlock.XXXXXX");
	if (!mkdtemp(x->dir))
		return -1;
	snprintf(x->path, sizeof(x->path), "%s/run/host.lock", x->dir);
	unsetenv(FL_HOSTLOCK_ENV);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", x->dir);
	unsetenv(FL_HOSTLOCK_ENV);
	free(x);
	return system(cmd) ? -1 : 0;
}

/* In a child: try the lock without waiting; exit 0 taken, 1 busy, 2 error. */
static int child_try(const char *path, bool inherit)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct fl_hostlock hl;
		char err[512];
		int ret;

		if (!inherit)
			unsetenv(FL_HOSTLOCK_ENV);
		ret = fl_hostlock_take(&hl, path, false, err, sizeof(err));
		_exit(ret == 0 ? 0 : ret == FL_HOSTLOCK_BUSY ? 1 : 2);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_take_busy_release(void **state)
{
	struct fx *x = *state;
	struct fl_hostlock hl, h2;
	char err[512], holder[600], me[32];

	assert_int_equal(fl_hostlock_take(&hl, x->path, false, err, sizeof(err)), 0);
	assert_false(hl.inherited);
	fl_hostlock_holder(x->path, holder, sizeof(holder));
	snprintf(me, sizeof(me), "pid %d since ", (int)getpid());
	assert_non_null(strstr(holder, me));
	assert_non_null(strstr(holder, "test_hostlock"));
	/* Another process: busy, not waiting. */
	assert_int_equal(child_try(x->path, false), 1);
	/* In this process too: a second open file is a second taker. */
	assert_int_equal(fl_hostlock_take(&h2, x->path, false, err, sizeof(err)), FL_HOSTLOCK_BUSY);
	assert_non_null(strstr(err, me));
	assert_non_null(strstr(err, "(--no-wait)"));
	fl_hostlock_release(&hl);
	fl_hostlock_holder(x->path, holder, sizeof(holder));
	assert_non_null(strstr(holder, "an unknown process"));
	assert_int_equal(child_try(x->path, false), 0);
}

/* A holder passes its lock to its children: they take it at once through the fd. */
static void test_pass_to_child(void **state)
{
	struct fx *x = *state;
	struct fl_hostlock hl;
	char err[512];

	assert_int_equal(fl_hostlock_take(&hl, x->path, false, err, sizeof(err)), 0);
	assert_int_equal(fl_hostlock_pass(&hl, err, sizeof(err)), 0);
	assert_non_null(getenv(FL_HOSTLOCK_ENV));
	assert_int_equal(child_try(x->path, true), 0);
	/* The child closed its copy only: the parent still holds the lock. */
	assert_int_equal(child_try(x->path, false), 1);
	fl_hostlock_release(&hl);
	assert_null(getenv(FL_HOSTLOCK_ENV));
}

/* The variable cannot get past the lock: a fd that is not the lock file, or a lock someone
 * else holds, is ignored. */
static void test_forged_fd(void **state)
{
	struct fx *x = *state;
	struct fl_hostlock hl;
	char err[512];

	assert_int_equal(fl_hostlock_take(&hl, x->path, false, err, sizeof(err)), 0);
	setenv(FL_HOSTLOCK_ENV, "0", 1);
	assert_int_equal(child_try(x->path, true), 1);
	setenv(FL_HOSTLOCK_ENV, "12345", 1);
	assert_int_equal(child_try(x->path, true), 1);
	unsetenv(FL_HOSTLOCK_ENV);
	fl_hostlock_release(&hl);
}

/* A holder killed with SIGKILL: the kernel drops the lock with its last open file. */
static void test_sigkill_releases(void **state)
{
	struct fx *x = *state;
	int ready[2], st;
	pid_t pid;
	char c;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fl_hostlock hl;
		char err[512];

		if (fl_hostlock_take(&hl, x->path, false, err, sizeof(err)) ||
		    write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(child_try(x->path, false), 1);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(child_try(x->path, false), 0);
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_busy_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pass_to_child, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_releases, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
