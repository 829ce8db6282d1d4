// SPDX-License-Identifier: GPL-2.0
/* The mmap_lock tracepoints' format files and raw records (mmap_lock.h): where the mm, write
 * and success fields sit in each event, and one PERF_SAMPLE_RAW entry decoded with them. Pure:
 * tests feed the format files of 6.12 and 6.18. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/mmap_lock.h"

/* "\tfield:bool write;\toffset:24;\tsize:1;\tsigned:0;" -> name "write", 24, 1 */
static int field_line(const char *line, char *name, size_t nlen, int *off, int *size)
{
	const char *semi = strchr(line, ';'), *p;
	size_t n;

	if (strncmp(line, "field:", 6) || !semi)
		return -1;
	for (p = semi; p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_'); p--)
		;
	n = (size_t)(semi - p);
	if (!n || n >= nlen)
		return -1;
	memcpy(name, p, n);
	name[n] = '\0';
	if (sscanf(semi, "; offset:%d; size:%d;", off, size) != 2)
		return -1;
	return 0;
}

static void field_take(struct fl_mml_format *f, const char *name, int off, int size)
{
	struct fl_mml_field v = { .off = off, .size = size };

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return;
	if (!strcmp(name, "mm")) {
		f->mm = v;
		f->mm_is_id = false;
	} else if (!strcmp(name, "mm_id") && !f->mm.size) {
		f->mm = v;
		f->mm_is_id = true;
	}
	else if (!strcmp(name, "write"))
		f->write = v;
	else if (!strcmp(name, "success"))
		f->success = v;
}

int fl_mml_format_parse(const char *text, bool need_success, struct fl_mml_format *f,
			char *why, size_t len)
{
	const char *line = text, *id;
	char name[64];
	int off, size;

	memset(f, 0, sizeof(*f));
	id = text ? strstr(text, "\nID: ") : NULL;
	if (!id || sscanf(id + 5, "%u", &f->id) != 1) {
		snprintf(why, len, "the format file has no \"ID:\" line");
		return -1;
	}
	while (line && *line) {
		while (*line == '\t' || *line == ' ')
			line++;
		if (!field_line(line, name, sizeof(name), &off, &size))
			field_take(f, name, off, size);
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	if (!f->mm.size || !f->write.size || (need_success && !f->success.size)) {
		snprintf(why, len, "the format file has no %s field", !f->mm.size ? "mm (or mm_id)" :
			 !f->write.size ? "write" : "success");
		return -1;
	}
	return 0;
}

static uint64_t raw_get(const unsigned char *raw, const struct fl_mml_field *fl)
{
	uint64_t v8 = 0;
	uint32_t v4 = 0;
	uint16_t v2 = 0;

	switch (fl->size) {
	case 1:
		return raw[fl->off];
	case 2:
		memcpy(&v2, raw + fl->off, 2);
		return v2;
	case 4:
		memcpy(&v4, raw + fl->off, 4);
		return v4;
	default:
		memcpy(&v8, raw + fl->off, 8);
		return v8;
	}
}

static bool field_fits(const struct fl_mml_field *fl, size_t size)
{
	return !fl->size || (fl->off >= 0 && (size_t)fl->off + (size_t)fl->size <= size);
}

int fl_mml_decode(const struct fl_mml_format fmt[FL_MML_TYPES], const void *raw, size_t size,
		  struct fl_mml_event *e)
{
	const struct fl_mml_format *f = NULL;
	uint16_t type;
	int i;

	if (size < 2)
		return -1;
	memcpy(&type, raw, 2);
	for (i = 0; i < FL_MML_TYPES; i++)
		if (fmt[i].id == type && fmt[i].mm.size)
			f = &fmt[i];
	if (!f || !field_fits(&f->mm, size) || !field_fits(&f->write, size) ||
	    !field_fits(&f->success, size))
		return -1;
	e->type = (uint8_t)(f - fmt);
	e->mm = raw_get(raw, &f->mm);
	e->write = raw_get(raw, &f->write) != 0;
	e->success = f->success.size ? raw_get(raw, &f->success) != 0 : true;
	return 0;
}
