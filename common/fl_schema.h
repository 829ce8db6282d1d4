/* SPDX-License-Identifier: GPL-2.0 */
/* Validation of documents against schema/faultline-1.schema.json (embedded at build time). */
#ifndef FL_SCHEMA_H
#define FL_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#define FL_SCHEMA_ID "faultline/1"
#define FL_SCHEMA_MAJOR 1

/* 0 if doc is a valid faultline/1 case document; else -1 and err holds the JSON path of the
 * first violation and what was expected ("case.metrics.records_per_s.value: expected a number"). */
int fl_schema_validate_case(json_t *doc, char *err, size_t errlen);
/* The same for a run.json document. */
int fl_schema_validate_run(json_t *doc, char *err, size_t errlen);

/*
 * Readers call this before anything else: 0 if doc says "schema": "faultline/1" (or a
 * faultline/1.N minor revision); else -1 and one sentence in err, e.g.
 * "this document has schema faultline/2; this faultline reads faultline/1".
 * The _file variant names the document: "results/x/run.json has schema faultline/2; ...".
 */
int fl_schema_check_major(json_t *doc, char *err, size_t errlen);
int fl_schema_check_major_file(json_t *doc, const char *file, char *err, size_t errlen);

/* The schema text, embedded by common/schema_blob.S (NUL-terminated). */
extern const char fl_schema_text[];

/*
 * The validator as an object, for tests and for callers that validate many documents
 * (fl_schema_validate_case/_run load and free the embedded schema on every call).
 * fl_schema_load() fails with a sentence if text uses a JSON Schema keyword that
 * common/fl_schema.c does not implement, or a $ref that does not resolve.
 */
struct fl_schema;
struct fl_schema *fl_schema_load(const char *text, char *err, size_t errlen);
void fl_schema_free(struct fl_schema *s);
/* Validate doc against "$defs/<def>" (def NULL: the root schema). 0 or -1 with err. */
int fl_schema_validate(const struct fl_schema *s, const char *def, json_t *doc,
		       char *err, size_t errlen);

#endif
