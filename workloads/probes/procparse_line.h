/* SPDX-License-Identifier: GPL-2.0 */
/* The line step the /proc text parsers (procparse_*.c) share. */
#ifndef FL_PROCPARSE_LINE_H
#define FL_PROCPARSE_LINE_H

#include <string.h>

/* Next line of text: [p, *end) without the newline; returns the start of the one after. */
static inline const char *fl_line_next(const char *p, const char **end)
{
	const char *nl = strchr(p, '\n');

	*end = nl ? nl : p + strlen(p);
	return nl ? nl + 1 : *end;
}

#endif
