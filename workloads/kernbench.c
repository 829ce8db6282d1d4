// SPDX-License-Identifier: GPL-2.0
/*
 * kernbench (seed 001's real-world table): time `make -jN` of a kernel tree, the rows of
 * kernbench's table: elapsed, user, system, percent CPU, context switches (involuntary, as
 * kernbench's `time -f %c`) and sleeps (voluntary, `%w`).
 * The tree is Debian's linux-source-6.12 tarball, unpacked once into cache_dir and configured
 * once (defconfig or tinyconfig); setup runs `make clean`, the measured phase is the build
 * alone (fork/exec make and wait for it; the rusage of make and everything it ran is what the
 * agent's children used in the measured phase, case_rusage.c). target quick
 * builds lib/ (about 30 s at -j4 on 2 vCPUs), full builds vmlinux.
 * Verification: make exited 0 and the target's objects exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>
#include "fl_interrupt.h"
#include "lib/timing.h"
#include "workload.h"

#define KB_TREE		"linux-source-6.12"
#define KB_UNPACKED	".faultline-unpacked"	/* written once the tarball is fully out */
#define KB_CONFIGURED	".faultline-config"	/* holds the config target last made */
#define KB_POLL_NS	5000000ull		/* wait4 poll: interrupts are noticed this fast */
#define KB_MEM_PER_JOB	(256ull << 20)		/* a cc1 of the kernel at its peak */

struct kernbench {
	char tree[768], log[768], lockpath[768];
	const char *target;		/* make goal: "lib/" or "vmlinux" */
	int jobs, lockfd, status;
	struct fl_rusage ru;		/* make and everything it ran */
	double elapsed_s;
};

static const struct fl_param kb_params[] = {
	{ "jobs", 'j', FL_P_STRING, "optimal", 0, 0, NULL,
	  "make -j: half (cpus/2), optimal (cpus, as seed 001's table) or a number" },
	{ "target", 'T', FL_P_ENUM, "quick", 0, 0, "quick|full",
	  "quick: lib/ (about 30 s on a quiet 2-vCPU machine); full: vmlinux" },
	{ "config", 'c', FL_P_ENUM, "defconfig", 0, 0, "defconfig|tinyconfig",
	  "configuration made once in the cached tree" },
	{ "cache_dir", 'C', FL_P_STRING, "/var/tmp/faultline/kernbench", 0, 0, NULL,
	  "where the tarball is unpacked once and reused" },
	{ "tarball", 0, FL_P_STRING, "/usr/src/linux-source-6.12.tar.xz", 0, 0, NULL,
	  "the kernel source tarball (Debian package linux-source-6.12)" },
	{ NULL },
};

static const struct fl_metric kb_metrics[] = {
	{ "elapsed_s", "s", FL_BETTER_LOWER, "wall time of the build" },
	{ "user_s", "s", FL_BETTER_LOWER, "user CPU time of make and everything it ran" },
	{ "sys_s", "s", FL_BETTER_LOWER, "system CPU time of make and everything it ran" },
	{ "cpu_percent", "%", FL_BETTER_HIGHER, "(user + sys) / elapsed" },
	{ "context_switches", "count", FL_BETTER_LOWER,
	  "involuntary context switches (kernbench's Context Switches, time %c)" },
	{ "sleeps", "count", FL_BETTER_LOWER,
	  "voluntary context switches (kernbench's Sleeps, time %w)" },
	{ NULL },
};

/* "half" | "optimal" | N -> jobs; -1 if not one of them. */
static int kb_jobs(const char *s, int ncpus)
{
	char *end;
	long n;

	if (!strcmp(s, "half"))
		return ncpus / 2 > 0 ? ncpus / 2 : 1;
	if (!strcmp(s, "optimal"))	/* seed 001: "Optimal load -j 48" on 48 CPUs */
		return ncpus;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 1 || n > 4096)
		return -1;
	return (int)n;
}

/* Start argv in dir with stdout+stderr appended to log, in its own process group. */
static pid_t kb_spawn(const char *dir, const char *log, char *const argv[])
{
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	setpgid(0, 0);
	if (fd < 0 || chdir(dir) || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	execvp(argv[0], argv);
	_exit(127);
}

/* Wait for pid, polling so an interrupt stops the whole group. Returns the wait status. */
static int kb_wait(pid_t pid)
{
	int st = 0;
	bool killed = false;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		if (fl_interrupted() && !killed) {
			kill(-pid, SIGTERM);
			killed = true;
		}
		fl_sleep_until_ns(fl_now_ns() + KB_POLL_NS);
	}
}

/* Run a set-up command to completion; 0 if it exited 0. */
static int kb_cmd(struct kernbench *k, const char *dir, char *const argv[])
{
	pid_t pid = kb_spawn(dir, k->log, argv);
	int st;

	if (pid < 0)
		return -1;
	st = kb_wait(pid);
	return st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static bool kb_exists(const char *dir, const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static int kb_write_marker(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static bool kb_marker_is(const char *dir, const char *name, const char *text)
{
	char path[1024], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return !strcmp(buf, text);
}

/* Unpack the tarball into cache_dir unless a complete tree is already there. */
static int kb_unpack(struct fl_case *c, struct kernbench *k, const char *cache,
		     const char *tarball)
{
	char *rm[] = { "rm", "-rf", k->tree, NULL };
	char *tar[] = { "tar", "-xJf", (char *)tarball, "-C", (char *)cache, NULL };

	if (kb_exists(k->tree, KB_UNPACKED))
		return 0;
	fprintf(stderr, "kernbench: unpacking %s into %s (once; about 15 s)\n", tarball, cache);
	if (kb_cmd(k, cache, rm) || kb_cmd(k, cache, tar))
		return fl_case_fail(c, "cannot unpack %s into %s; see %s", tarball, cache, k->log);
	if (!kb_exists(k->tree, "Makefile"))
		return fl_case_fail(c, "%s did not unpack to %s (not a linux-source-6.12 tarball?)",
				    tarball, k->tree);
	if (kb_write_marker(k->tree, KB_UNPACKED, "1\n"))
		return fl_case_fail(c, "cannot write %s/%s: %s", k->tree, KB_UNPACKED,
				    strerror(errno));
	return 0;
}

/* make <config> once per tree (again when another config was asked). */
static int kb_configure(struct fl_case *c, struct kernbench *k, const char *config)
{
	char *mk[] = { "make", (char *)config, NULL };

	if (kb_exists(k->tree, ".config") && kb_marker_is(k->tree, KB_CONFIGURED, config))
		return 0;
	if (kb_cmd(k, k->tree, mk))
		return fl_case_fail(c, "make %s failed in %s; see %s", config, k->tree, k->log);
	if (kb_write_marker(k->tree, KB_CONFIGURED, config))
		return fl_case_fail(c, "cannot write %s/%s: %s", k->tree, KB_CONFIGURED,
				    strerror(errno));
	return 0;
}

/* Requirements: the tarball and the build tools; a missing one skips the case. */
static int kb_requirements(struct fl_case *c, const char *tarball)
{
	static const char *const tools[] = { "make", "gcc", "flex", "bison", "bc", "tar", "xz" };
	const char *path = getenv("PATH");

	if (access(tarball, R_OK))
		return fl_case_skip(c, "no kernel source tarball %s: install linux-source-6.12 "
				    "(apt install linux-source-6.12) or set tarball", tarball);
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		char buf[4096], *save = NULL, *dir;
		bool found = false;

		snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
		for (dir = strtok_r(buf, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
			char exe[4200];

			snprintf(exe, sizeof(exe), "%s/%s", dir, tools[i]);
			found = access(exe, X_OK) == 0;
		}
		if (!found)
			return fl_case_skip(c, "kernbench needs '%s' to build a kernel and it is not "
					    "in PATH", tools[i]);
	}
	return 0;
}

/* mkdir -p */
static int kb_mkdirs(const char *path)
{
	char buf[768];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static int kb_lock(struct fl_case *c, struct kernbench *k, const char *cache)
{
	if (kb_mkdirs(cache))
		return fl_case_fail(c, "cannot create cache_dir %s: %s", cache, strerror(errno));
	snprintf(k->lockpath, sizeof(k->lockpath), "%s/.lock", cache);
	k->lockfd = open(k->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (k->lockfd < 0)
		return fl_case_fail(c, "cannot open %s: %s", k->lockpath, strerror(errno));
	if (flock(k->lockfd, LOCK_EX | LOCK_NB))
		return fl_case_fail(c, "another kernbench is using %s (locked %s)", cache,
				    k->lockpath);
	return 0;
}

static int kb_setup(struct fl_case *c)
{
	const struct fl_params *p = &c->params;
	const char *cache = fl_param_str(p, "cache_dir"), *tarball = fl_param_str(p, "tarball");
	struct kernbench *k = calloc(1, sizeof(*k));
	char *clean[] = { "make", "clean", NULL };
	int ret;

	if (!k)
		return fl_case_fail(c, "out of memory");
	c->priv = k;
	k->lockfd = -1;
	k->jobs = kb_jobs(fl_param_str(p, "jobs"), c->ncpus);
	if (k->jobs < 0)
		return fl_case_fail(c, "parameter 'jobs': '%s' is not half, optimal or a number "
				    "from 1 to 4096", fl_param_str(p, "jobs"));
	json_object_set_new(c->resolved, "jobs", json_sprintf("-j%d", k->jobs));
	k->target = strcmp(fl_param_str(p, "target"), "full") ? "lib/" : "vmlinux";
	ret = kb_requirements(c, tarball);
	if (ret)
		return ret;
	if (fl_case_check_memory(c, (unsigned long long)k->jobs * KB_MEM_PER_JOB, false))
		return FL_WL_FAIL;
	if (kb_lock(c, k, cache))
		return FL_WL_FAIL;
	snprintf(k->tree, sizeof(k->tree), "%s/%s", cache, KB_TREE);
	snprintf(k->log, sizeof(k->log), "%s/kernbench.log", cache);
	unlink(k->log);
	if (kb_unpack(c, k, cache, tarball) || kb_configure(c, k, fl_param_str(p, "config")))
		return FL_WL_FAIL;
	if (kb_cmd(k, k->tree, clean))
		return fl_case_fail(c, "make clean failed in %s; see %s", k->tree, k->log);
	json_object_set_new(c->extra, "tree", json_string(k->tree));
	json_object_set_new(c->extra, "make_jobs", json_integer(k->jobs));
	json_object_set_new(c->extra, "make_target", json_string(k->target));
	json_object_set_new(c->extra, "log", json_string(k->log));
	return 0;
}

static int kb_run(struct fl_case *c)
{
	struct kernbench *k = c->priv;
	char jarg[32];
	char *mk[] = { "make", jarg, (char *)k->target, NULL };
	uint64_t t0;
	pid_t pid;

	snprintf(jarg, sizeof(jarg), "-j%d", k->jobs);
	t0 = fl_now_ns();
	pid = kb_spawn(k->tree, k->log, mk);
	if (pid < 0)
		return fl_case_fail(c, "cannot fork make: %s", strerror(errno));
	k->status = kb_wait(pid);
	k->elapsed_s = (double)(fl_now_ns() - t0) / 1e9;
	if (fl_interrupted())
		return 0;
	if (k->status < 0 || !WIFEXITED(k->status) || WEXITSTATUS(k->status))
		return fl_case_fail(c, "make %s %s failed (wait status %#x) in %s; see %s", jarg,
				    k->target, (unsigned int)k->status, k->tree, k->log);
	if (fl_case_rusage(c, FL_RU_CHILDREN, &k->ru))
		return fl_case_fail(c, "getrusage of make failed: %s", strerror(errno));
	c->ops = 1;
	fl_case_metric(c, "elapsed_s", k->elapsed_s);
	fl_case_cpu_metrics(c, &k->ru);
	fl_case_metric(c, "cpu_percent", 100.0 * (k->ru.user_s + k->ru.sys_s) / k->elapsed_s);
	fl_case_metric(c, "context_switches", k->ru.nivcsw);
	fl_case_metric(c, "sleeps", k->ru.nvcsw);
	return 0;
}

/* Objects (*.o) directly in dir. */
static long kb_count_objects(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		n += len > 2 && !strcmp(e->d_name + len - 2, ".o");
	}
	closedir(d);
	return n;
}

static int kb_verify(struct fl_case *c)
{
	struct kernbench *k = c->priv;
	bool full = !strcmp(k->target, "vmlinux");
	char dir[1024];
	long objs;

	snprintf(dir, sizeof(dir), "%s/%s", k->tree, full ? "init" : "lib");
	objs = kb_count_objects(dir);
	json_object_set_new(c->verify, "make_exit", json_integer(WEXITSTATUS(k->status)));
	json_object_set_new(c->verify, "objects", json_integer(objs));
	if (!objs)
		return fl_case_fail(c, "make %s exited 0 but %s has no object files", k->target,
				    dir);
	if (full && !kb_exists(k->tree, "vmlinux"))
		return fl_case_fail(c, "make vmlinux exited 0 but %s/vmlinux does not exist",
				    k->tree);
	if (!full && !kb_exists(k->tree, "lib/built-in.a"))
		return fl_case_fail(c, "make lib/ exited 0 but %s/lib/built-in.a does not exist",
				    k->tree);
	return 0;
}

static void kb_teardown(struct fl_case *c)
{
	struct kernbench *k = c->priv;

	if (!k)
		return;
	if (k->lockfd >= 0)
		close(k->lockfd);
	free(k);
	c->priv = NULL;
}

const struct fl_workload fl_wl_kernbench = {
	.name = "kernbench",
	.summary = "time make -jN of linux-source-6.12: elapsed, user, sys, %CPU, context "
		   "switches, sleeps (seed 001's table)",
	.params = kb_params,
	.metrics = kb_metrics,
	.op_unit = "build",
	.events = "mmap_lock:*,tlb:tlb_flush,ipi:*",
	.setup = kb_setup,
	.run = kb_run,
	.verify = kb_verify,
	.teardown = kb_teardown,
};
