// SPDX-License-Identifier: GPL-2.0
/*
 * JSON values as the schema validator sees them: their type in JSON Schema's terms (1.0 is an
 * integer), equality where 1 equals 1.0, length in characters, and the phrases its messages
 * name them with ("expected an object, got an array").
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fl_schema_impl.h"

static bool is_integral(const json_t *j)
{
	double d;

	if (json_is_integer(j))
		return true;
	if (!json_is_real(j))
		return false;
	d = json_real_value(j);
	return isfinite(d) && floor(d) == d;
}

/* JSON Schema's type names, in the order of enum schema_type, and how messages say them. */
enum schema_type { T_NULL, T_BOOLEAN, T_OBJECT, T_ARRAY, T_NUMBER, T_INTEGER, T_STRING };

static const struct {
	const char *name, *phrase;
} types[] = {
	[T_NULL] = { "null", "null" },
	[T_BOOLEAN] = { "boolean", "true or false" },
	[T_OBJECT] = { "object", "an object" },
	[T_ARRAY] = { "array", "an array" },
	[T_NUMBER] = { "number", "a number" },
	[T_INTEGER] = { "integer", "an integer" },
	[T_STRING] = { "string", "a string" },
};

/* The index of type name t in types[]; -1 if it is none. */
static int type_index(const char *t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(t, types[i].name))
			return (int)i;
	return -1;
}

bool fl_schema_known_type(const json_t *t)
{
	return json_is_string(t) && type_index(json_string_value(t)) >= 0;
}

bool fl_schema_has_type(const json_t *j, const char *t)
{
	switch (type_index(t)) {
	case T_NULL:	return json_is_null(j);
	case T_BOOLEAN:	return json_is_boolean(j);
	case T_OBJECT:	return json_is_object(j);
	case T_ARRAY:	return json_is_array(j);
	case T_NUMBER:	return json_is_number(j);
	case T_INTEGER:	return is_integral(j);
	case T_STRING:	return json_is_string(j);
	default:	return false;
	}
}

const char *fl_schema_type_phrase(const char *t)
{
	int i = type_index(t);

	return i < 0 ? "a string" : types[i].phrase;
}

const char *fl_schema_inst_phrase(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "an integer";
	case JSON_REAL:		return "a number";
	case JSON_TRUE:		return "true";
	case JSON_FALSE:	return "false";
	default:		return "null";
	}
}

bool fl_schema_json_eq(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_is_array(a) && json_is_array(b)) {
		size_t i, n = json_array_size(a);

		if (n != json_array_size(b))
			return false;
		for (i = 0; i < n; i++)
			if (!fl_schema_json_eq(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *v;

		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, k, v) {
			json_t *w = json_object_get(b, k);

			if (!w || !fl_schema_json_eq(v, w))
				return false;
		}
		return true;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

void fl_schema_show(char *buf, size_t len, const json_t *j, bool bare)
{
	char *s;

	if (bare && json_is_string(j)) {
		snprintf(buf, len, "%s", json_string_value(j));
		return;
	}
	s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(buf, len, "%s", s ? s : "?");
	if (s && strlen(s) >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	free(s);
}

size_t fl_schema_utf8_len(const char *s, size_t bytes)
{
	size_t i, n = 0;

	for (i = 0; i < bytes; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}
