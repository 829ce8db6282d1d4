// SPDX-License-Identifier: GPL-2.0
/* The nightly's page DIR/index.html: the verdict, the trend and comparison plots (made here
 * with plot.h) and the history's runs, every string from a run escaped (nightly.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_safe.h"
#include "fl_util.h"
#include "history.h"
#include "plot.h"
#include "nightly.h"

/* Text for HTML element content and attribute values: &, <, >, " and ' as entities,
 * control characters as '?'. */
static void html_escape(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 1;
	char *clean = malloc(n);

	if (!clean)
		return;
	fl_text_clean(clean, n, s ? s : "");
	for (const char *c = clean; *c; c++)
		if (*c == '<')
			fputs("&lt;", f);
		else if (*c == '>')
			fputs("&gt;", f);
		else if (*c == '&')
			fputs("&amp;", f);
		else if (*c == '"')
			fputs("&quot;", f);
		else if (*c == '\'')
			fputs("&#39;", f);
		else
			fputc(*c, f);
	free(clean);
}

/* A section of the page: an image with what it shows and the gnuplot script it came from. */
static void html_plot(FILE *f, const char *heading, const char *name, const char *alt,
		      const char *caption)
{
	fprintf(f, "<h2>%s</h2>\n<figure><img src=\"%s.png\" alt=\"%s\"><figcaption>%s "
		"(gnuplot script: <a href=\"%s.gp\">%s.gp</a>)</figcaption></figure>\n", heading,
		name, alt, caption, name, name);
}

/* "6.18.4 spf-v2" of an index entry, "-" if it has none. */
static void html_kernel(FILE *f, json_t *e)
{
	json_t *k = json_object_get(e, "kernel");
	const char *rel = json_string_value(json_object_get(k, "release"));
	const char *cand = json_string_value(json_object_get(k, "candidate"));

	html_escape(f, rel ? rel : "-");
	if (cand) {
		fputc(' ', f);
		html_escape(f, cand);
	}
}

void fl_nightly_index_html(FILE *f, const struct fl_nightly_report *r)
{
	json_t *e;
	size_t i, n = json_array_size(json_object_get(r->index, "runs"));
	char cap[200];

	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>faultline nightly"
	      "</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:1em auto}"
	      "pre{white-space:pre-wrap}td,th{padding:0 .6em;vertical-align:top;text-align:left}"
	      "img{max-width:100%;height:auto}figure{margin:1em 0}figcaption{font-size:small}"
	      ".regressed{color:#b00}</style></head><body>\n<h1>faultline nightly</h1>\n<p>", f);
	html_escape(f, r->verdict);
	fputs("</p>\n", f);
	if (r->trend_png)
		html_plot(f, "Trend of each main metric", "trend", "trend", "Each run's mean with "
			  "its iterations' sd, by the run's start (UTC) and kernel; runs flagged as "
			  "a regression in red");
	snprintf(cap, sizeof(cap), "A: the baseline, the last %zu good run(s) pooled; B: this run",
		 r->nbase);
	if (r->compare_png)
		html_plot(f, "Latest run against the baseline", "compare", "comparison", cap);
	if (r->cdf_png)
		html_plot(f, "Latency distributions (CDF)", "compare-cdf", "latency CDFs", cap);
	fputs("<p>Tables: <a href=\"summary.md\">summary.md</a></p>\n<h2>History</h2>\n<table>"
	      "<tr><th>run</th><th>started</th><th>kernel</th><th>status</th><th>verdict</th>"
	      "</tr>\n", f);
	for (i = n; i-- > 0;) {
		const char *st;

		e = json_array_get(json_object_get(r->index, "runs"), i);
		st = json_string_value(json_object_get(e, "status")) ?: "?";
		fprintf(f, "<tr class=\"%s\"><td>", !strcmp(st, "regressed") ? "regressed" :
			"good");
		html_escape(f, json_string_value(json_object_get(e, "id")));
		fputs("</td><td>", f);
		html_escape(f, json_string_value(json_object_get(e, "started")) ?:
			    json_string_value(json_object_get(e, "added")));
		fputs("</td><td>", f);
		html_kernel(f, e);
		fputs("</td><td>", f);
		html_escape(f, st);
		fputs("</td><td>", f);
		html_escape(f, json_string_value(json_object_get(e, "verdict")));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
}

/* The comparison plot's legends: the pooled baseline and this run, which read alike when
 * one kernel ran both. */
void fl_nightly_plot_compare(json_t *cmp, struct fl_run *pair, struct fl_nightly_report *rep)
{
	const char *hist = rep->history, *id = rep->id;
	size_t nbase = rep->nbase;
	char path[1500], err[FL_ERRLEN], a[FL_PLOT_TITLE], b[FL_PLOT_TITLE], ka[100], kb[100];
	struct fl_plot_opts o = { 0 };
	const char *titles[2] = { a, b };
	json_t *k;

	k = json_object_get(pair[0].info, "kernel");
	snprintf(ka, sizeof(ka), "%s", json_string_value(json_object_get(k, "candidate")) ?:
		 json_string_value(json_object_get(k, "release")) ?: "?");
	k = json_object_get(pair[1].info, "kernel");
	snprintf(kb, sizeof(kb), "%s", json_string_value(json_object_get(k, "candidate")) ?:
		 json_string_value(json_object_get(k, "release")) ?: "?");
	snprintf(a, sizeof(a), "A: baseline, last %zu good run%s (%.60s)", nbase, nbase == 1 ?
		 "" : "s", ka);
	snprintf(b, sizeof(b), "B: this run %.60s (%.60s)", id, kb);
	o.titles = titles;
	snprintf(path, sizeof(path), "%s/compare.png", hist);
	if (!fl_plot_compare_opts(cmp, pair, 2, path, &o, err, sizeof(err))) {
		rep->compare_png = true;
		rep->cdf_png = o.cdf_path[0] != '\0';
	} else {
		fl_err("%s (continuing without the comparison plot)", err);
	}
}

void fl_nightly_plot_trend(struct fl_nightly_report *rep)
{
	json_t *trend = fl_history_trend(rep->history, rep->index, 30);
	size_t ns = json_array_size(json_object_get(trend, "series"));
	char path[1500], err[FL_ERRLEN];

	snprintf(path, sizeof(path), "%s/trend.png", rep->history);
	if (ns && !fl_plot_trend(trend, path, err, sizeof(err)))
		rep->trend_png = true;
	else if (ns)
		fl_err("%s (continuing without the trend plot)", err);
	json_decref(trend);
}
