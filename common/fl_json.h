/* SPDX-License-Identifier: GPL-2.0 */
/* JSON files: atomic writes and loads that say where a file is broken. */
#ifndef FL_JSON_H
#define FL_JSON_H

#include <jansson.h>
#include <stddef.h>

/* Write doc to path atomically (temp file in the same directory, fsync, rename).
 * Returns 0, or -1 with a sentence in err naming the file. */
int fl_json_write_atomic(const char *path, json_t *doc, char *err, size_t errlen);
/* Load path; on error err says "FILE:LINE:COLUMN: what" and NULL is returned. */
json_t *fl_json_load(const char *path, char *err, size_t errlen);
/* Load a document from outside (a case file, a history entry): a regular file only, never
 * through a link or from a FIFO; NULL otherwise or when it does not parse. */
json_t *fl_json_load_regular(const char *path);
/* Strict readers: 0 if every key of obj is in known (NULL-terminated), else -1 with
 * "PATH: unknown field 'KEY' in WHERE (expected one of: a, b, c)". */
int fl_json_check_fields(json_t *obj, const char *const *known, const char *where,
			 const char *path, char *err, size_t errlen);
/* Convenience setters that keep call sites short. */
void fl_json_set_num(json_t *obj, const char *key, double v);
void fl_json_set_str(json_t *obj, const char *key, const char *s);
/* An integer when v is whole, else a real. */
json_t *fl_json_number(double v);
/* {"value": v, "unit": unit} */
json_t *fl_json_value(double v, const char *unit);
/* {"status": status, "reason": reason} — status is "absent" or "unsupported". */
json_t *fl_json_missing(const char *status, const char *reason);
/* "threads=2 jobs=half(-j1)" for params (only the given ones, sorted as in the object), each
 * with what a case resolved it to (resolved: a case's "resolved" object, or NULL). */
void fl_params_label(json_t *params, json_t *resolved, char *buf, size_t len);

#endif
