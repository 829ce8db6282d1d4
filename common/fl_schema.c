// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of faultline result documents against schema/faultline-1.schema.json.
 *
 * Why this is hand-written: Debian packages no C library that validates JSON Schema, and
 * faultline-agent must stay small (it goes into guest initramfs images and depends only on
 * Jansson, hwloc, libperf and libpfm4). The schema file needs only a small subset of JSON
 * Schema draft 2020-12, which is implemented here over Jansson:
 *
 *   assertions   type (a name or an array of names), const, enum, required, properties,
 *                additionalProperties (boolean or schema), items (one schema for every
 *                element), minItems, minimum, maximum, minLength, pattern (POSIX ERE via
 *                regex.h; write patterns in the common subset of ERE and ECMA-262),
 *                allOf, anyOf, oneOf, not, if/then/else, $ref ("#/..." pointers only),
 *                boolean schemas true/false
 *   annotations  $schema (must be draft 2020-12), $id, $comment, title, description, $defs,
 *                x-expected (faultline's own: the phrase used in an error message when a
 *                value fails at this level, e.g. a oneOf whose branches all fail)
 *
 * Any other keyword makes fl_schema_load() fail with a sentence naming it and where it is,
 * so the schema file cannot silently rely on something this validator ignores.
 * tests/integration/schema_crosscheck.py checks that python3-jsonschema, a complete
 * implementation, gives the same verdict on every fixture the C tests use.
 *
 * Errors: validation stops at the first failing keyword and reports "PATH: expected ...",
 * PATH being a dotted path ("case.counters.cycles", "case.ipi.tlb_shootdown.per_cpu[1]").
 * For oneOf/anyOf the branch that got deepest into the value explains the failure; when
 * several got equally far and disagree, the schema's x-expected phrase (or a generic one)
 * describes the accepted forms at the oneOf's own path.
 *
 * Files: this one loads a schema (checks its keywords are the ones above, resolves $ref,
 * compiles patterns) and holds the entry points; fl_schema_check.c validates a document
 * keyword by keyword; fl_schema_value.c compares and names JSON values for it;
 * fl_schema_impl.h is what they share.
 *
 * No state outside struct fl_schema: fl_schema_validate_case() and _run() parse the embedded
 * schema on every call (about 20 KB of JSON: cheap next to running a workload).
 */
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fl_schema.h"
#include "fl_schema_impl.h"
#include "fl_util.h"

#define FL_SCHEMA_DRAFT "https://json-schema.org/draft/2020-12/schema"
#define LOC_MAX_LEN 384

/* ---------------------------------------------------------------- loading */

enum kw_kind {
	KW_ANNOTATION,		/* string, ignored when validating */
	KW_DRAFT,		/* $schema */
	KW_ANY,			/* const */
	KW_TYPE,
	KW_ENUM,
	KW_STRINGS,		/* required */
	KW_SCHEMA,		/* additionalProperties, items, not, if, then, else */
	KW_SCHEMA_MAP,		/* properties, $defs */
	KW_SCHEMA_LIST,		/* allOf, anyOf, oneOf */
	KW_COUNT,		/* minItems, minLength */
	KW_NUMBER,		/* minimum, maximum */
	KW_REF,
	KW_PATTERN,
};

static const struct {
	const char *name;
	enum kw_kind kind;
} keywords[] = {
	{ "$schema", KW_DRAFT },
	{ "$id", KW_ANNOTATION },
	{ "$comment", KW_ANNOTATION },
	{ "title", KW_ANNOTATION },
	{ "description", KW_ANNOTATION },
	{ "x-expected", KW_ANNOTATION },
	{ "$defs", KW_SCHEMA_MAP },
	{ "type", KW_TYPE },
	{ "const", KW_ANY },
	{ "enum", KW_ENUM },
	{ "required", KW_STRINGS },
	{ "properties", KW_SCHEMA_MAP },
	{ "additionalProperties", KW_SCHEMA },
	{ "items", KW_SCHEMA },
	{ "minItems", KW_COUNT },
	{ "minLength", KW_COUNT },
	{ "minimum", KW_NUMBER },
	{ "maximum", KW_NUMBER },
	{ "pattern", KW_PATTERN },
	{ "allOf", KW_SCHEMA_LIST },
	{ "anyOf", KW_SCHEMA_LIST },
	{ "oneOf", KW_SCHEMA_LIST },
	{ "not", KW_SCHEMA },
	{ "if", KW_SCHEMA },
	{ "then", KW_SCHEMA },
	{ "else", KW_SCHEMA },
	{ "$ref", KW_REF },
};

/* Append "/token" (JSON-pointer escaped) to a schema location; truncates quietly. */
static size_t loc_push(char *loc, const char *tok)
{
	size_t len = strlen(loc), n = len;

	if (n + 1 < LOC_MAX_LEN)
		loc[n++] = '/';
	for (; *tok && n + 2 < LOC_MAX_LEN; tok++) {
		if (*tok == '~' || *tok == '/') {
			loc[n++] = '~';
			loc[n++] = *tok == '~' ? '0' : '1';
		} else {
			loc[n++] = *tok;
		}
	}
	loc[n] = '\0';
	return len;
}

json_t *fl_schema_resolve_ref(json_t *root, const char *ref)
{
	json_t *node = root;
	char tok[256];

	if (ref[0] != '#')
		return NULL;
	ref++;
	while (*ref) {
		size_t n = 0;

		if (*ref != '/')
			return NULL;
		ref++;
		while (*ref && *ref != '/') {
			char ch = *ref++;

			if (ch == '~') {
				if (*ref != '0' && *ref != '1')
					return NULL;
				ch = *ref++ == '0' ? '~' : '/';
			}
			if (n + 1 >= sizeof(tok))
				return NULL;
			tok[n++] = ch;
		}
		tok[n] = '\0';
		if (json_is_object(node)) {
			node = json_object_get(node, tok);
		} else if (json_is_array(node)) {
			char *end;
			unsigned long i = strtoul(tok, &end, 10);

			node = (*tok && !*end) ? json_array_get(node, i) : NULL;
		} else {
			node = NULL;
		}
		if (!node)
			return NULL;
	}
	return node;
}

bool fl_schema_is_schema(const json_t *j)
{
	return json_is_object(j) || json_is_boolean(j);
}

static int add_pattern(struct fl_schema *s, const json_t *node, const char *loc,
		       char *err, size_t errlen)
{
	char buf[128];
	int rc;

	if (s->nres == s->capres) {
		size_t cap = s->capres ? 2 * s->capres : 8;
		struct fl_re *r = realloc(s->res, cap * sizeof(*r));

		if (!r)
			return fl_seterr(err, errlen, "schema: out of memory");
		s->res = r;
		s->capres = cap;
	}
	rc = regcomp(&s->res[s->nres].re, json_string_value(node), REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, &s->res[s->nres].re, buf, sizeof(buf));
		return fl_seterr(err, errlen, "schema %s: pattern does not compile as POSIX ERE: %s",
				 loc, buf);
	}
	s->res[s->nres++].node = node;
	return 0;
}

static int compile(struct fl_schema *s, json_t *node, char *loc, char *err, size_t errlen);

static int compile_keyword(struct fl_schema *s, enum kw_kind kind, json_t *val, char *loc,
			   char *err, size_t errlen)
{
	const char *sub;
	json_t *el;
	size_t i;

	switch (kind) {
	case KW_ANNOTATION:
		if (!json_is_string(val))
			return fl_seterr(err, errlen, "schema %s: expected a string", loc);
		return 0;
	case KW_DRAFT:
		if (!json_is_string(val) || strcmp(json_string_value(val), FL_SCHEMA_DRAFT))
			return fl_seterr(err, errlen, "schema %s: expected \"%s\" (the only draft common/fl_schema.c implements)",
					 loc, FL_SCHEMA_DRAFT);
		return 0;
	case KW_ANY:
		return 0;
	case KW_TYPE:
		if (fl_schema_known_type(val))
			return 0;
		if (json_is_array(val) && json_array_size(val)) {
			json_array_foreach(val, i, el)
				if (!fl_schema_known_type(el))
					break;
			if (i == json_array_size(val))
				return 0;
		}
		return fl_seterr(err, errlen, "schema %s: expected a JSON type name or a non-empty array of them", loc);
	case KW_ENUM:
		if (!json_is_array(val) || !json_array_size(val))
			return fl_seterr(err, errlen, "schema %s: expected a non-empty array", loc);
		return 0;
	case KW_STRINGS:
		if (!json_is_array(val))
			return fl_seterr(err, errlen, "schema %s: expected an array of strings", loc);
		json_array_foreach(val, i, el)
			if (!json_is_string(el))
				return fl_seterr(err, errlen, "schema %s: expected an array of strings", loc);
		return 0;
	case KW_SCHEMA:
		return compile(s, val, loc, err, errlen);
	case KW_SCHEMA_MAP:
		if (!json_is_object(val))
			return fl_seterr(err, errlen, "schema %s: expected an object of schemas", loc);
		json_object_foreach(val, sub, el) {
			size_t len = loc_push(loc, sub);

			if (compile(s, el, loc, err, errlen))
				return -1;
			loc[len] = '\0';
		}
		return 0;
	case KW_SCHEMA_LIST:
		if (!json_is_array(val) || !json_array_size(val))
			return fl_seterr(err, errlen, "schema %s: expected a non-empty array of schemas", loc);
		json_array_foreach(val, i, el) {
			char idx[24];
			size_t len;

			snprintf(idx, sizeof(idx), "%zu", i);
			len = loc_push(loc, idx);
			if (compile(s, el, loc, err, errlen))
				return -1;
			loc[len] = '\0';
		}
		return 0;
	case KW_COUNT:
		if (!json_is_integer(val) || json_integer_value(val) < 0)
			return fl_seterr(err, errlen, "schema %s: expected an integer >= 0", loc);
		return 0;
	case KW_NUMBER:
		if (!json_is_number(val))
			return fl_seterr(err, errlen, "schema %s: expected a number", loc);
		return 0;
	case KW_REF:
		if (!json_is_string(val))
			return fl_seterr(err, errlen, "schema %s: expected a string", loc);
		if (!fl_schema_is_schema(fl_schema_resolve_ref(s->root, json_string_value(val))))
			return fl_seterr(err, errlen, "schema %s: \"%s\" does not resolve to a schema in this file (only local \"#/...\" references are implemented)",
					 loc, json_string_value(val));
		return 0;
	case KW_PATTERN:
		if (!json_is_string(val))
			return fl_seterr(err, errlen, "schema %s: expected a string", loc);
		return add_pattern(s, val, loc, err, errlen);
	}
	return 0;
}

/* Check every keyword of the schema node at loc (and below) is one we implement. */
static int compile(struct fl_schema *s, json_t *node, char *loc, char *err, size_t errlen)
{
	const char *key;
	json_t *val;

	if (json_is_boolean(node))
		return 0;
	if (!json_is_object(node))
		return fl_seterr(err, errlen, "schema %s: expected a schema (an object or true/false)", loc);
	json_object_foreach(node, key, val) {
		size_t i, len;

		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (!strcmp(key, keywords[i].name))
				break;
		len = loc_push(loc, key);
		if (i == sizeof(keywords) / sizeof(keywords[0]))
			return fl_seterr(err, errlen, "schema %s: keyword \"%s\" is not implemented by common/fl_schema.c; use only the keywords listed in schema/README.md",
					 loc, key);
		if (compile_keyword(s, keywords[i].kind, val, loc, err, errlen))
			return -1;
		loc[len] = '\0';
	}
	return 0;
}

void fl_schema_free(struct fl_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nres; i++)
		regfree(&s->res[i].re);
	free(s->res);
	json_decref(s->root);
	free(s);
}

struct fl_schema *fl_schema_load(const char *text, char *err, size_t errlen)
{
	struct fl_schema *s = calloc(1, sizeof(*s));
	char loc[LOC_MAX_LEN] = "#";
	json_error_t jerr;

	if (!s) {
		fl_seterr(err, errlen, "schema: out of memory");
		return NULL;
	}
	s->root = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!s->root) {
		fl_seterr(err, errlen, "schema: line %d column %d: %s", jerr.line, jerr.column,
			  jerr.text);
		goto fail;
	}
	if (compile(s, s->root, loc, err, errlen))
		goto fail;
	return s;
fail:
	fl_schema_free(s);
	return NULL;
}

/* ---------------------------------------------------------------- entry points */

static int validate_embedded(const char *def, json_t *doc, char *err, size_t errlen)
{
	struct fl_schema *s;
	char lerr[FL_ERRLEN];
	int r;

	s = fl_schema_load(fl_schema_text, lerr, sizeof(lerr));
	if (!s)
		return fl_seterr(err, errlen, "built-in %s", lerr);
	r = fl_schema_validate(s, def, doc, err, errlen);
	fl_schema_free(s);
	return r;
}

int fl_schema_validate_case(json_t *doc, char *err, size_t errlen)
{
	return validate_embedded("case_document", doc, err, errlen);
}

int fl_schema_validate_run(json_t *doc, char *err, size_t errlen)
{
	return validate_embedded("run_document", doc, err, errlen);
}

/* ---------------------------------------------------------------- version */

int fl_schema_check_major_file(json_t *doc, const char *file, char *err, size_t errlen)
{
	static const char prefix[] = "faultline/";
	const char *id, *p;
	unsigned long major;
	char *end;

	if (!file)
		file = "this document";
	if (!json_is_object(doc))
		return fl_seterr(err, errlen, "%s is not a JSON object; expected a %s result document",
				 file, FL_SCHEMA_ID);
	id = json_string_value(json_object_get(doc, "schema"));
	if (!id)
		return fl_seterr(err, errlen, "%s has no \"schema\" string; expected \"%s\"",
				 file, FL_SCHEMA_ID);
	if (strncmp(id, prefix, sizeof(prefix) - 1) ||
	    id[sizeof(prefix) - 1] < '0' || id[sizeof(prefix) - 1] > '9')
		goto foreign;
	p = id + sizeof(prefix) - 1;
	major = strtoul(p, &end, 10);
	if (*end == '.') {
		/* a minor revision: faultline/1.2 adds fields a faultline/1 reader may ignore */
		p = end + 1;
		if (*p < '0' || *p > '9')
			goto foreign;
		strtoul(p, &end, 10);
	}
	if (*end)
		goto foreign;
	if (major != FL_SCHEMA_MAJOR)
		return fl_seterr(err, errlen, "%s has schema %s; this faultline reads %s",
				 file, id, FL_SCHEMA_ID);
	return 0;
foreign:
	return fl_seterr(err, errlen, "%s has schema \"%s\", which is not a faultline result schema; expected \"%s\"",
			 file, id, FL_SCHEMA_ID);
}

int fl_schema_check_major(json_t *doc, char *err, size_t errlen)
{
	return fl_schema_check_major_file(doc, NULL, err, errlen);
}
