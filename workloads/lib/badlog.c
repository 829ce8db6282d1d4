// SPDX-License-Identifier: GPL-2.0
/* The corruption log: a count and the first description (badlog.h). */
#include <stdarg.h>
#include <stdio.h>
#include "badlog.h"

void fl_badlog_note(struct fl_badlog *b, const char *fmt, ...)
{
	int expect = 0;
	va_list ap;

	atomic_fetch_add(&b->count, 1);
	if (!atomic_compare_exchange_strong(&b->first_set, &expect, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->first, sizeof(b->first), fmt, ap);
	va_end(ap);
}
