/* SPDX-License-Identifier: GPL-2.0 */
/* Export of a run directory as KernelCI KCIDB I/O data (schema v4.5). */
#ifndef FL_KCIDB_H
#define FL_KCIDB_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* {"version": {4, 5}, "checkouts", "builds", "tests"} for the run in dir; NULL with err. */
json_t *fl_kcidb_export(const char *dir, const char *origin, char *err, size_t errlen);
/* Whether origin is a valid KCIDB origin name ([a-z0-9_]+). */
bool fl_kcidb_origin_ok(const char *origin);

#endif
