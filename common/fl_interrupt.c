// SPDX-License-Identifier: GPL-2.0
/* The process-wide interrupt flag (fl_interrupt.h) and the handler that sets it. */
#include <signal.h>
#include <string.h>
#include "fl_interrupt.h"

/* Signals are process-wide, so this flag is the one process-wide state of the program. */
static volatile sig_atomic_t fl_signal_seen;

static void on_signal(int sig)
{
	fl_signal_seen = sig;
}

void fl_interrupt_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

bool fl_interrupted(void)
{
	return fl_signal_seen != 0;
}

int fl_interrupt_signal(void)
{
	return fl_signal_seen;
}

volatile sig_atomic_t *fl_interrupt_flag(void)
{
	return &fl_signal_seen;
}
