/* SPDX-License-Identifier: GPL-2.0 */
/* SIGINT/SIGTERM/SIGHUP during a case: workloads poll fl_interrupted() and wind down, so the
 * case is written as "interrupted" and teardown restores every knob it changed. */
#ifndef FL_INTERRUPT_H
#define FL_INTERRUPT_H

#include <stdbool.h>

void fl_interrupt_install(void);
bool fl_interrupted(void);
/* The signal that interrupted, 0 if none. */
int fl_interrupt_signal(void);

#endif
