// SPDX-License-Identifier: GPL-2.0
/*
 * The detection matrix of a hunt (analysis/findings.h): rows the kernels (the first, the clean
 * one, marked *), columns the workloads (and "boot" for reports outside every case), a cell
 * the letters of the titles found there and the time to the first of them; then the legend
 * (each title once, with where and when each kernel first showed it), what did not run, and
 * the false-alarm line. Every string comes from documents a guest wrote: cleaned for the
 * terminal (the document's strings are cleaned when it is built) and escaped for markdown.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "findings.h"
#include "fl_safe.h"
#include "hunt.h"

#define KCOL 20		/* kernel column: 18 characters and " *" */
#define CCOL 12		/* a cell: 11 characters and a space */

void fl_hunt_letter(size_t i, char *buf, size_t len)
{
	if (i < 26)
		snprintf(buf, len, "%c", (int)('A' + i));
	else
		snprintf(buf, len, "%c%zu", (int)('A' + i % 26), i / 26);
}

char *fl_hunt_dur(char *buf, size_t len, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, len, "?");
	else if (s < 60)
		snprintf(buf, len, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	return buf;
}

static size_t title_index(json_t *doc, const char *title)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(doc, "titles"), i, t)
		if (!strcmp(json_string_value(t), title))
			return i;
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The cell of kernel k in column col: "A,B 2m10s", "-" (ran, nothing), "n/a" (nothing ran). */
static void cell_text(json_t *doc, json_t *k, const char *col, char *buf, size_t len)
{
	json_t *cell = json_object_get(json_object_get(k, "cells"), col), *c;
	char letters[96] = "", l[24], dur[32];
	size_t i, n = 0;

	if (!json_array_size(cell)) {
		bool ran = !strcmp(col, FL_HUNT_BOOT) ||
			   json_integer_value(json_object_get(json_object_get(k, "ran"), col)) > 0;

		snprintf(buf, len, "%s", ran ? "-" : "n/a");
		return;
	}
	json_array_foreach(cell, i, c) {
		fl_hunt_letter(title_index(doc, str(c, "title")), l, sizeof(l));
		if (i == 2) {
			snprintf(letters + n, sizeof(letters) - n, "+");
			break;
		}
		n += (size_t)snprintf(letters + n, sizeof(letters) - n, "%s%s", i ? "," : "", l);
	}
	if (isfinite(num(json_array_get(cell, 0), "time_to_first_s")))
		snprintf(buf, len, "%s %s", letters, fl_hunt_dur(dur, sizeof(dur),
			 num(json_array_get(cell, 0), "time_to_first_s")));
	else
		snprintf(buf, len, "%s", letters);
}

/* "name" cut to w characters with '~' as the last when it is longer. */
static void cut(char *dst, size_t len, const char *src, size_t w)
{
	fl_text_clean(dst, len, src);
	if (strlen(dst) > w && w < len) {
		dst[w - 1] = '~';
		dst[w] = '\0';
	}
}

static void text_block(json_t *doc, size_t from, size_t to, FILE *out)
{
	json_t *cols = json_object_get(doc, "columns"), *k;
	char name[64], cell[64];
	size_t i;

	fprintf(out, "%-*s", KCOL, "kernel");
	for (size_t c = from; c < to; c++) {
		cut(cell, sizeof(cell), json_string_value(json_array_get(cols, c)), CCOL - 1);
		fprintf(out, "%-*s", c + 1 < to ? CCOL : 1, cell);
	}
	fputc('\n', out);
	json_array_foreach(json_object_get(doc, "kernels"), i, k) {
		cut(name, sizeof(name), str(k, "name"), KCOL - 2);
		if (!i)
			strcat(name, " *");
		fprintf(out, "%-*s", KCOL, name);
		for (size_t c = from; c < to; c++) {
			cell_text(doc, k, json_string_value(json_array_get(cols, c)), cell,
				  sizeof(cell));
			cut(cell, sizeof(cell), cell, CCOL - 1);
			fprintf(out, "%-*s", c + 1 < to ? CCOL : 1, cell);
		}
		fputc('\n', out);
	}
}

/* One line (wrapped) per kernel that showed title. */
static void legend_entry(json_t *doc, size_t t, FILE *out)
{
	const char *title = json_string_value(json_array_get(json_object_get(doc, "titles"), t));
	char l[24], line[1600], dur[32];
	json_t *k, *f;
	size_t i, j;

	fl_hunt_letter(t, l, sizeof(l));
	snprintf(line, sizeof(line), "%-3s%s", l, title);
	fl_text_wrap(out, line, 3, FL_HUNT_WIDTH + 2);
	json_array_foreach(json_object_get(doc, "kernels"), i, k)
		json_array_foreach(json_object_get(k, "findings"), j, f) {
			long n = (long)json_integer_value(json_object_get(f, "count"));
			long nc = (long)json_integer_value(json_object_get(f, "cases"));

			if (strcmp(str(f, "title"), title))
				continue;
			if (json_is_string(json_object_get(f, "first_case")))
				snprintf(line, sizeof(line), "   %s%s: %ld report%s in %ld case%s, "
					 "first after %s: %s %s", str(k, "name"), i ? "" : " (clean)",
					 n, n == 1 ? "" : "s", nc, nc == 1 ? "" : "s",
					 fl_hunt_dur(dur, sizeof(dur), num(f, "time_to_first_s")),
					 str(f, "first_workload"), str(f, "first_label"));
			else
				snprintf(line, sizeof(line), "   %s%s: %ld report%s outside the "
					 "cases (boot or between cases)", str(k, "name"),
					 i ? "" : " (clean)", n, n == 1 ? "" : "s");
			fl_text_clean(line, sizeof(line), line);
			fl_text_wrap(out, line, 5, FL_HUNT_WIDTH + 2);
		}
}

/* One kernel's coverage: cases run and their time, or why it was not usable; then each
 * skipped case, and how many did not run. */
static void text_coverage(json_t *k, FILE *out)
{
	size_t stopped = 0, j, nf = json_array_size(json_object_get(k, "findings"));
	char line[1600], dur[32];
	json_t *c;

	if (!strcmp(str(k, "status"), "failed") &&
	    !json_integer_value(json_object_get(k, "cases_run")))
		snprintf(line, sizeof(line), "%s: not usable, %zu title%s: %s", str(k, "name"),
			 nf, nf == 1 ? "" : "s", str(k, "reason"));
	else
		snprintf(line, sizeof(line), "%s: %lld of %lld cases ran (%s of case time), %zu "
			 "title%s", str(k, "name"), json_integer_value(json_object_get(k,
			 "cases_run")), json_integer_value(json_object_get(k, "cases")),
			 fl_hunt_dur(dur, sizeof(dur), num(k, "case_time_s")), nf,
			 nf == 1 ? "" : "s");
	fl_text_clean(line, sizeof(line), line);
	fl_text_wrap(out, line, 2, FL_HUNT_WIDTH + 2);
	json_array_foreach(json_object_get(k, "not_run"), j, c) {
		if (strcmp(str(c, "status"), "skipped")) {
			stopped++;
			continue;
		}
		snprintf(line, sizeof(line), "  skipped %s %s: %s", str(c, "workload"),
			 str(c, "label"), str(c, "reason"));
		fl_text_clean(line, sizeof(line), line);
		fl_text_wrap(out, line, 4, FL_HUNT_WIDTH + 2);
	}
	if (stopped)
		fprintf(out, "  %zu case%s not run (the hunt stopped first, or the document is "
			"missing)\n", stopped, stopped == 1 ? "" : "s");
}

static void verdict(json_t *doc, bool wrap, FILE *out)
{
	json_t *clean = json_array_get(json_object_get(doc, "kernels"), 0);
	size_t nf = json_array_size(json_object_get(clean, "findings"));
	char line[1024], dur[32];

	if (fl_hunt_clean_missing(doc))
		snprintf(line, sizeof(line), "false-alarm check: the clean kernel %s ran no "
			 "case, so the matrix has no baseline", str(clean, "name"));
	else if (!nf)
		snprintf(line, sizeof(line), "false-alarm check: %s (clean) had no finding in "
			 "%lld case%s (%s of case time)", str(clean, "name"),
			 json_integer_value(json_object_get(clean, "cases_run")),
			 json_integer_value(json_object_get(clean, "cases_run")) == 1 ? "" : "s",
			 fl_hunt_dur(dur, sizeof(dur), num(clean, "case_time_s")));
	else
		snprintf(line, sizeof(line), "false-alarm check: %s (clean) had %zu finding%s: "
			 "a false alarm or a bug of the clean kernel itself; read the excerpt in "
			 "its case document", str(clean, "name"), nf, nf == 1 ? "" : "s");
	fl_text_clean(line, sizeof(line), line);
	if (wrap)
		fl_text_wrap(out, line, 2, FL_HUNT_WIDTH + 2);
	else
		fprintf(out, "%s\n", line);
}

static void print_text(json_t *doc, FILE *out)
{
	json_t *cols = json_object_get(doc, "columns"), *ks = json_object_get(doc, "kernels"), *k;
	size_t ncols = json_array_size(cols), per = (FL_HUNT_WIDTH - KCOL) / CCOL, i;
	size_t ntitles = json_array_size(json_object_get(doc, "titles"));
	char line[600];

	snprintf(line, sizeof(line), "hunt %s: %zu kernel%s; * the clean one (the false-alarm "
		 "check); a cell: titles (letters below) and the case time to the first",
		 str(doc, "suite"), json_array_size(ks), json_array_size(ks) == 1 ? "" : "s");
	fl_text_clean(line, sizeof(line), line);
	fl_text_wrap(out, line, 2, FL_HUNT_WIDTH + 2);
	for (size_t c = 0; c < ncols || c == 0; c += per) {
		fputc('\n', out);
		text_block(doc, c, c + per < ncols ? c + per : ncols, out);
	}
	fputc('\n', out);
	if (ntitles)
		fprintf(out, "findings (each title once per kernel, across cases and rounds):\n");
	for (size_t t = 0; t < ntitles; t++)
		legend_entry(doc, t, out);
	if (ntitles)
		fputc('\n', out);
	json_array_foreach(ks, i, k)
		text_coverage(k, out);
	verdict(doc, true, out);
}

/* ---- markdown ---- */

static void md_put(FILE *out, const char *s)
{
	char clean[2048];

	fl_text_clean(clean, sizeof(clean), s);
	for (const char *p = clean; *p; p++) {
		if (strchr("|\\`*_[]<>", *p))
			fputc('\\', out);
		fputc(*p, out);
	}
}

static void md_cell(json_t *doc, json_t *k, const char *col, FILE *out)
{
	json_t *cell = json_object_get(json_object_get(k, "cells"), col), *c;
	char l[24], dur[32], text[64];
	size_t i;

	if (!json_array_size(cell)) {
		cell_text(doc, k, col, text, sizeof(text));
		fprintf(out, " %s |", text);
		return;
	}
	json_array_foreach(cell, i, c) {
		fl_hunt_letter(title_index(doc, str(c, "title")), l, sizeof(l));
		fprintf(out, "%s**%s** ", i ? "<br>" : " ", l);
		md_put(out, str(c, "title"));
		if (isfinite(num(c, "time_to_first_s")))
			fprintf(out, " (%s)", fl_hunt_dur(dur, sizeof(dur),
							  num(c, "time_to_first_s")));
	}
	fprintf(out, " |");
}

static void print_md(json_t *doc, FILE *out)
{
	json_t *cols = json_object_get(doc, "columns"), *k, *c, *f;
	char dur[32], l[24];
	size_t i, j;

	fprintf(out, "## hunt: ");
	md_put(out, str(doc, "suite"));
	fprintf(out, "\n\nThe first kernel is the clean one (the false-alarm check). A cell: the "
		"titles found in that workload's cases and the case time to the first (%s).\n\n| "
		"kernel |", str(doc, "time_to_first"));
	json_array_foreach(cols, i, c) {
		fputc(' ', out);
		md_put(out, json_string_value(c));
		fprintf(out, " |");
	}
	fprintf(out, "\n|---|");
	for (i = 0; i < json_array_size(cols); i++)
		fprintf(out, "---|");
	fputc('\n', out);
	json_array_foreach(json_object_get(doc, "kernels"), i, k) {
		fprintf(out, "| ");
		md_put(out, str(k, "name"));
		fprintf(out, "%s |", i ? "" : " (clean)");
		json_array_foreach(cols, j, c)
			md_cell(doc, k, json_string_value(c), out);
		fputc('\n', out);
	}
	fprintf(out, "\n| kernel | cases run | case time | titles |\n|---|---|---|---|\n");
	json_array_foreach(json_object_get(doc, "kernels"), i, k) {
		fprintf(out, "| ");
		md_put(out, str(k, "name"));
		fprintf(out, " | %lld of %lld | %s | %zu |\n",
			json_integer_value(json_object_get(k, "cases_run")),
			json_integer_value(json_object_get(k, "cases")),
			fl_hunt_dur(dur, sizeof(dur), num(k, "case_time_s")),
			json_array_size(json_object_get(k, "findings")));
	}
	fprintf(out, "\n");
	json_array_foreach(json_object_get(doc, "kernels"), i, k)
		json_array_foreach(json_object_get(k, "findings"), j, f) {
			fl_hunt_letter(title_index(doc, str(f, "title")), l, sizeof(l));
			fprintf(out, "- **%s** ", l);
			md_put(out, str(k, "name"));
			fprintf(out, ": ");
			md_put(out, str(f, "title"));
			fprintf(out, " (%s), %lld report%s", str(f, "kind"),
				json_integer_value(json_object_get(f, "count")),
				json_integer_value(json_object_get(f, "count")) == 1 ? "" : "s");
			if (json_is_string(json_object_get(f, "first_case"))) {
				fprintf(out, " in %lld case%s, first after %s in ",
					json_integer_value(json_object_get(f, "cases")),
					json_integer_value(json_object_get(f, "cases")) == 1 ? "" : "s",
					fl_hunt_dur(dur, sizeof(dur), num(f, "time_to_first_s")));
				md_put(out, str(f, "first_workload"));
				fputc(' ', out);
				md_put(out, str(f, "first_label"));
			} else {
				fprintf(out, " outside the cases (boot or between cases)");
			}
			fputc('\n', out);
		}
	fprintf(out, "\n");
	verdict(doc, false, out);
}

int fl_hunt_print(json_t *doc, const char *format, FILE *out)
{
	char *s;

	if (!strcmp(format, "text")) {
		print_text(doc, out);
	} else if (!strcmp(format, "md")) {
		print_md(doc, out);
	} else if (!strcmp(format, "json")) {
		s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!s)
			return -1;
		fprintf(out, "%s\n", s);
		free(s);
	} else {
		return -1;
	}
	return 0;
}
