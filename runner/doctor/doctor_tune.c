// SPDX-License-Identifier: GPL-2.0
/*
 * faultline doctor --tune [--no-wait] -- COMMAND...: the safe settings set for COMMAND and put
 * back when it ends (doctor.h). "The end" of a CLI that tunes is the end of the command it
 * tunes for: a tuned machine left behind would be the next person's noise.
 *
 * Safe means host-wide, undone by writing the old value back, and journaled before the
 * change (workloads/lib/knobs.h, journal FL_DOCTOR_JOURNAL): a killed doctor's changes are
 * undone by the next --tune or by faultline-agent --restore --journal=FL_DOCTOR_JOURNAL.
 *   THP and khugepaged files: back to the kernel defaults (fl_doctor_thp_defaults);
 *   kernel.nmi_watchdog: 0, where the knobs journal accepts the file (it only takes
 *     /sys/kernel/mm/transparent_hugepage/ today: the refusal is said, nothing changes);
 *   kernel.perf_event_paranoid: left as it is: faultline runs as root, which it does not
 *     limit; lowering it would open perf to every user of the machine for no gain;
 *   ASLR: left as it is: faultline verifies data by page stamps and reports times and
 *     counts, never addresses; randomization spreads layout effects over iterations (seen
 *     as noise) instead of fixing one layout's bias into every run, and turning it off
 *     weakens the machine's security;
 *   CPU governor, boost, SMT, isolcpus: not tuned (firmware, boot parameters or cpufreq
 *     files the journal does not take); not applicable where there is no cpufreq.
 * The host lock is held from before the first change to after the last restore and passed
 * to COMMAND ($FAULTLINE_HOSTLOCK_FD), so a `faultline run` inside shares it.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "doctor.h"
#include "fl_hostlock.h"
#include "fl_interrupt.h"
#include "fl_util.h"
#include "lib/knobs.h"

#define NMI_WATCHDOG "/proc/sys/kernel/nmi_watchdog"
#define GRACE_S 2		/* a signal from the terminal reaches COMMAND too: let it end */
#define TERM_S 10		/* then it gets the signal, then SIGTERM, then SIGKILL */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("faultline doctor --tune: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One knob to want: journaled and written when it differs. 0, or -1 (said) on failure;
 * a refusal of the journal (not a file it takes) is said and is no failure. */
static int want(struct fl_knobs *k, const char *file, const char *value)
{
	char now[256], err[FL_ERRLEN];

	if (fl_knob_get(file, now, sizeof(now)) || !strcmp(now, value))
		return 0;
	if (fl_knob_set(k, file, value, err, sizeof(err)) == 0) {
		say("%s: %s -> %s", file, now, value);
		return 0;
	}
	if (strstr(err, "refused")) {
		say("%s stays %s (not set to %s: %s)", file, now, value, err);
		return 0;
	}
	fl_err("doctor --tune: %s", err);
	return -1;
}

static int apply(struct fl_knobs *k)
{
	json_t *defaults = fl_doctor_thp_defaults(), *v;
	char path[256];
	const char *file;
	int ret = 0;

	json_object_foreach(defaults, file, v) {
		snprintf(path, sizeof(path), FL_THP_DIR "%s", file);
		if (ret == 0 && !fl_interrupted())
			ret = want(k, path, json_string_value(v));
	}
	json_decref(defaults);
	if (ret == 0 && !fl_interrupted())
		ret = want(k, NMI_WATCHDOG, "0");
	if (access("/sys/devices/system/cpu/cpu0/cpufreq", F_OK))
		say("CPU governor and boost: not applicable (no cpufreq here)");
	else
		say("CPU governor and boost: not tuned (the knobs journal does not take cpufreq)");
	say("perf_event_paranoid, ASLR: left as they are (faultline runs as root and reads "
	    "stamps and counts, not addresses)");
	return ret;
}

/* Wait for COMMAND; on our interrupt, give it GRACE_S to end by itself, then pass the
 * signal on, SIGTERM after TERM_S, SIGKILL after 2 * TERM_S. Its wait status, or -1. */
static int wait_child(pid_t pid)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	double since = -1;
	int status, stage = 0;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (fl_interrupted()) {
			since = since < 0 ? 0 : since + 0.05;
			if (stage == 0 && since >= GRACE_S)
				kill(pid, fl_interrupt_signal()), stage++;
			else if (stage == 1 && since >= GRACE_S + TERM_S)
				kill(pid, SIGTERM), stage++;
			else if (stage == 2 && since >= GRACE_S + 2 * TERM_S)
				kill(pid, SIGKILL), stage++;
		}
		nanosleep(&tick, NULL);
	}
}

static int run_command(char **cmd)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fl_err("doctor --tune: cannot start %s: %s", cmd[0], strerror(errno));
		return FL_EXIT_ENV;
	}
	if (pid == 0) {
		execvp(cmd[0], cmd);
		fl_err("doctor --tune: cannot run %s: %s", cmd[0], strerror(errno));
		_exit(127);
	}
	st = wait_child(pid);
	if (st < 0)
		return FL_EXIT_ENV;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int take_lock(struct fl_hostlock *hl, bool wait)
{
	char err[FL_ERRLEN];
	int ret = fl_hostlock_take(hl, FL_HOSTLOCK_PATH, wait, err, sizeof(err));

	if (ret == 0 && fl_hostlock_pass(hl, err, sizeof(err)) == 0)
		return 0;
	fl_err("doctor --tune: %s", err);
	fl_hostlock_release(hl);
	return fl_interrupted() ? 128 + fl_interrupt_signal() : FL_EXIT_ENV;
}

int fl_doctor_tune(char **cmd, bool wait)
{
	struct fl_hostlock hl = { .fd = -1 };
	char err[FL_ERRLEN];
	struct fl_knobs *k;
	int ret;

	if (geteuid() != 0) {
		fl_err("doctor --tune changes kernel settings: run it as root");
		return FL_EXIT_ENV;
	}
	fl_interrupt_install();
	ret = take_lock(&hl, wait);
	if (ret)
		return ret;
	k = fl_knobs_open(FL_DOCTOR_JOURNAL, NULL, stderr, err, sizeof(err));
	if (!k) {
		fl_err("doctor --tune: %s", err);
		fl_hostlock_release(&hl);
		return FL_EXIT_ENV;
	}
	ret = apply(k) ? FL_EXIT_ENV : 0;
	if (ret == 0 && !fl_interrupted())
		ret = run_command(cmd);
	if (fl_knobs_close(k, stderr)) {
		fl_err("doctor --tune: some settings could not be restored (see above; "
		       "faultline-agent --restore --journal=%s retries)", FL_DOCTOR_JOURNAL);
		ret = FL_EXIT_ENV;
	} else if (fl_interrupted()) {
		ret = 128 + fl_interrupt_signal();
	}
	fl_hostlock_release(&hl);
	return ret;
}
