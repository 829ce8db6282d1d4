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

bool fl_schema_has_type(const json_t *j, const char *t)
{
	if (!strcmp(t, "null"))
		return json_is_null(j);
	if (!strcmp(t, "boolean"))
		return json_is_boolean(j);
	if (!strcmp(t, "object"))
		return json_is_object(j);
	if (!strcmp(t, "array"))
		return json_is_array(j);
	if (!strcmp(t, "number"))
		return json_is_number(j);
	if (!strcmp(t, "integer"))
		return is_integral(j);
	if (!strcmp(t, "string"))
		return json_is_string(j);
	return false;
}

const char *fl_schema_type_phrase(const char *t)
{
	if (!strcmp(t, "null"))
		return "null";
	if (!strcmp(t, "boolean"))
		return "true or false";
	if (!strcmp(t, "object"))
		return "an object";
	if (!strcmp(t, "array"))
		return "an array";
	if (!strcmp(t, "number"))
		return "a number";
	if (!strcmp(t, "integer"))
		return "an integer";
	return "a string";
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
