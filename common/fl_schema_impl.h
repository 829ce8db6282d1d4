/* SPDX-License-Identifier: GPL-2.0 */
/* What the schema validator's files share (fl_schema.c loads, fl_schema_check.c validates,
 * fl_schema_value.c compares and names values); callers use fl_schema.h only. */
#ifndef FL_SCHEMA_IMPL_H
#define FL_SCHEMA_IMPL_H

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

struct fl_re {
	const json_t *node;	/* the "pattern" string in the schema tree */
	regex_t re;
};

struct fl_schema {
	json_t *root;
	struct fl_re *res;
	size_t nres, capres;
};

/* Resolve a local reference "#", "#/a/b~1c/0" against root; NULL if it does not resolve. */
json_t *fl_schema_resolve_ref(json_t *root, const char *ref);
/* A schema is an object or true/false. */
bool fl_schema_is_schema(const json_t *j);

/* Is t a JSON Schema type name ("integer")? */
bool fl_schema_known_type(const json_t *t);
/* Does j have the JSON Schema type t ("integer" takes 2.0)? */
bool fl_schema_has_type(const json_t *j, const char *t);
/* "an object", "true or false", ... for a type name; for a value ("got an array"). */
const char *fl_schema_type_phrase(const char *t);
const char *fl_schema_inst_phrase(const json_t *j);
/* JSON equality where 1 equals 1.0, as JSON Schema's const and enum want it. */
bool fl_schema_json_eq(const json_t *a, const json_t *b);
/* Compact text of a value for messages; strings bare when bare is set. */
void fl_schema_show(char *buf, size_t len, const json_t *j, bool bare);
/* Characters (not bytes) of UTF-8 text. */
size_t fl_schema_utf8_len(const char *s, size_t bytes);

#endif
