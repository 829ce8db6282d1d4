/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host lock: one flock(2) on FL_HOSTLOCK_PATH for everything that changes this machine's
 * kernel settings or measures on it: an agent from before setup to after teardown, the agent's
 * --restore, and `faultline run --target local` for its whole run. Kernel settings are
 * host-wide, so the lock is too, whatever knobs journal each agent uses.
 *
 * The holder writes "PID START COMMAND" into FL_HOSTLOCK_PATH.owner, so a second taker can say
 * for whom it waits. A holder lets the children it starts share its lock (fl_hostlock_pass):
 * the fd is inherited and named in $FAULTLINE_HOSTLOCK_FD; a child finding it takes the lock
 * through that fd (the same open file description, so flock succeeds at once) instead of
 * waiting for its own parent. A fd that is not the lock file's, or whose lock someone else
 * holds, is ignored: the variable cannot get past the lock. The kernel drops the lock when the
 * last process holding the file open dies, however it dies.
 */
#ifndef FL_HOSTLOCK_H
#define FL_HOSTLOCK_H

#include <stdbool.h>
#include <stddef.h>

#define FL_HOSTLOCK_PATH "/run/faultline/host.lock"
#define FL_HOSTLOCK_ENV "FAULTLINE_HOSTLOCK_FD"

struct fl_hostlock {
	int fd;			/* -1 when not held */
	bool inherited;		/* the parent's lock: closed here, never unlocked */
	char path[256];
};

/* What fl_hostlock_take returns besides 0 (taken) and -1 (failed; err says why). */
enum fl_hostlock_outcome {
	FL_HOSTLOCK_BUSY = 1,		/* held by another, not waiting; err names the holder */
	FL_HOSTLOCK_UNPRIVILEGED = 2,	/* not root, and root's lock cannot be opened */
};

/*
 * Take the lock at path (FL_HOSTLOCK_PATH; tests give another), recording this process's
 * command line (/proc/self/cmdline) for waiters.
 * Busy: with wait, say on stderr (fl_err) for whom it waits and block (a signal stops the
 * wait: -1); without, return FL_HOSTLOCK_BUSY with err the sentence naming the holder. 0 when
 * taken, -1 with err on failure. FL_HOSTLOCK_UNPRIVILEGED (err says why) when this user is not
 * root and may not open root's lock: such a process changes no kernel setting, and it never
 * gets to hold up root's runs.
 */
int fl_hostlock_take(struct fl_hostlock *hl, const char *path, bool wait, char *err,
		     size_t errlen);
/* Let the children started from now on share the lock (inherited fd, $FAULTLINE_HOSTLOCK_FD). */
int fl_hostlock_pass(struct fl_hostlock *hl, char *err, size_t errlen);
/* Release (or, inherited, only close) the lock; safe on a lock not held. */
void fl_hostlock_release(struct fl_hostlock *hl);
/* One sentence on the holder ("pid 12 since 2026-11-30 08:40:01 UTC: faultline run x.json"),
 * read from the owner file; "an unknown process" when there is none. */
void fl_hostlock_holder(const char *path, char *buf, size_t len);

#endif
