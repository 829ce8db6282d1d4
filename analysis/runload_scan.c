// SPDX-License-Identifier: GPL-2.0
/* Before Jansson (runload_case.h): a case document is ~27 KB, two thirds of it /proc/vmstat;
 * the vmstat object is read by a small scanner (event counters only, zeros dropped) and
 * blanked, with the bulky parts analysis does not read, which makes loading about four times
 * faster. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runload_case.h"

/* An unescaped '"' in [from, end), where from is inside a string: a quote preceded by an odd
 * number of backslashes is part of the string ("a\\" ends at its second quote). */
static const char *string_end(const char *from, const char *end)
{
	const char *q;

	for (const char *p = from; p < end; p = q + 1) {
		const char *b;

		q = memchr(p, '"', (size_t)(end - p));
		if (!q)
			return NULL;
		for (b = q; b > from && b[-1] == '\\'; b--)
			;
		if (!((q - b) & 1))
			return q;
	}
	return NULL;
}

/* Past the JSON value starting at p (strings, nesting); end if it does not end. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	for (; p < end; p++) {
		if (*p == '"') {
			p = string_end(p + 1, end);
			if (!p)
				return end;
			if (!depth)
				return p + 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth <= 0)
				return p + 1;
		} else if (!depth && (*p == ',' || *p == '\n')) {
			return p;
		}
	}
	return end;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* The vmstat object in [p, end): event counters (no "kind": "gauge") with a value != 0, and
 * absent/unsupported items. Tolerates any whitespace; keys without escapes. */
static void scan_vmstat(struct fl_run_case *c, size_t *cap, const char *p, const char *end)
{
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return;
	c->has_vmstat = true;
	for (p++;;) {
		const char *k, *ke, *v, *ve, *f;
		struct fl_item it = { .kind = FL_ITEM_VMSTAT, .better = 'n' };
		char name[160];

		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
		if (p >= end || *p != '"')
			return;
		k = p + 1;
		ke = memchr(k, '"', (size_t)(end - k));
		if (!ke)
			return;
		p = skip_ws(ke + 1, end);
		if (p >= end || *p != ':')
			return;
		v = skip_ws(p + 1, end);
		ve = skip_value(v, end);
		p = ve;
		if (v >= end || *v != '{' || ke - k > 100)
			continue;
		if (memmem(v, (size_t)(ve - v), "\"gauge\"", 7))
			continue;
		snprintf(name, sizeof(name), "vmstat.%.*s", (int)(ke - k), k);
		f = memmem(v, (size_t)(ve - v), "\"value\"", 7);
		if (f) {
			f = skip_ws(f + 7, ve);
			if (f >= ve || *f != ':')
				continue;
			it.value = strtod(f + 1, NULL);
			if (it.value == 0)
				continue;
			it.unit = fl_runload_strdup("count");
		} else if (memmem(v, (size_t)(ve - v), "\"unsupported\"", 13)) {
			it.status = FL_ITEM_UNSUPPORTED;
		} else if (memmem(v, (size_t)(ve - v), "\"absent\"", 8)) {
			it.status = FL_ITEM_ABSENT;
		} else {
			continue;
		}
		if (it.status != FL_ITEM_OK)
			it.reason = fl_runload_strdup("missing in /proc/vmstat");
		it.name = fl_runload_strdup(name);
		if (fl_runload_add_item(c, cap, &it))
			return;
	}
}

/* The object value of the first "key": in buf, in [*v, *ve); 0, or -1 if there is none. */
static int find_object(char *buf, size_t len, const char *key, char **v, char **ve)
{
	char *end = buf + len, *p = buf;
	size_t kl = strlen(key);

	while ((p = memmem(p, (size_t)(end - p), key, kl))) {
		*v = (char *)skip_ws(p + kl, end);
		if (*v < end && **v == ':')
			break;
		p += kl;
	}
	if (!p)
		return -1;
	*v = (char *)skip_ws(*v + 1, end);
	if (*v >= end || **v != '{')
		return -1;
	*ve = (char *)skip_value(*v, end);
	return 0;
}

/*
 * Replace [v, ve) by null and close the gap (Jansson reads whitespace a byte at a time).
 * buf holds *len bytes and a NUL. A value shorter than "null" ("{}", "{ }", an unterminated
 * "{" at the end) is left as it is: writing "null" there would grow the text past the buffer.
 */
static void blank(char *buf, size_t *len, char *v, char *ve)
{
	size_t n = (size_t)(ve - v);

	if (v < buf || ve > buf + *len || v > ve || n < 4)
		return;
	memcpy(v, "null", 4);
	memmove(v + 4, ve, (size_t)(buf + *len - ve) + 1);
	*len -= n - 4;
}

/* Read "vmstat" with scan_vmstat and blank it, the bulky parts analysis does not read
 * ("raw" /proc/interrupts rows) and, unless keep_run, the "run" object, before Jansson. */
void fl_runload_take_vmstat(struct fl_run_case *c, size_t *cap, char *buf, size_t *len, bool keep_run)
{
	char *v, *ve;

	if (!find_object(buf, *len, "\"vmstat\"", &v, &ve)) {
		scan_vmstat(c, cap, v, ve);
		blank(buf, len, v, ve);
	}
	if (!find_object(buf, *len, "\"raw\"", &v, &ve))
		blank(buf, len, v, ve);
	if (!keep_run && !find_object(buf, *len, "\"run\"", &v, &ve))
		blank(buf, len, v, ve);
}
