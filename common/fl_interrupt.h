/* SPDX-License-Identifier: GPL-2.0 */
/* SIGINT/SIGTERM/SIGHUP: in the agent, workloads poll fl_interrupted() and wind down, so the
 * case is written as "interrupted" and teardown restores every knob it changed; in the runner,
 * the run stops between (or kills) cases and stays resumable. */
#ifndef FL_INTERRUPT_H
#define FL_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

void fl_interrupt_install(void);
bool fl_interrupted(void);
/* The signal that interrupted, 0 if none. */
int fl_interrupt_signal(void);
/* The flag itself, for code that polls it while waiting (the runner's child waits). */
volatile sig_atomic_t *fl_interrupt_flag(void);

#endif
