// SPDX-License-Identifier: GPL-2.0
/* compare --metrics: the rows of the document kept by a list of fnmatch globs. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include "compare.h"
#include "fl_util.h"

bool fl_cmp_glob_match(json_t *globs, const char *name)
{
	json_t *g;
	size_t i;

	json_array_foreach(globs, i, g)
		if (!fnmatch(json_string_value(g), name, 0))
			return true;
	return false;
}

json_t *fl_cmp_globs(const char *list, char *err, size_t errlen)
{
	json_t *globs = json_array();
	const char *p = list;

	while (globs) {
		size_t n = strcspn(p, ",");
		char g[256];

		if (!n || n >= sizeof(g)) {
			fl_seterr(err, errlen, "--metrics %s: expected comma-separated metric "
				  "names or globs (fnmatch: *, ?, [...]), each 1 to 255 characters, "
				  "e.g. records_per_s,elapsed_s or 'lat_*'", list);
			json_decref(globs);
			return NULL;
		}
		snprintf(g, sizeof(g), "%.*s", (int)n, p);
		json_array_append_new(globs, json_string(g));
		if (!p[n])
			break;
		p += n + 1;
	}
	return globs;
}

int fl_cmp_filter(json_t *cmp, const char *list, char *err, size_t errlen)
{
	json_t *globs = fl_cmp_globs(list, err, errlen), *groups = json_object_get(cmp, "groups");
	json_t *kept = json_array(), *g, *m;
	char some[256] = "";
	size_t i, k, off = 0;

	if (!globs)
		goto fail;
	json_array_foreach(groups, i, g) {
		json_t *ms = json_array();

		json_array_foreach(json_object_get(g, "metrics"), k, m) {
			const char *name = json_string_value(json_object_get(m, "name"));

			if (fl_cmp_glob_match(globs, name))
				json_array_append(ms, m);
			else if (!strcmp(json_string_value(json_object_get(m, "kind")), "metric") &&
				 off < 120 && !strstr(some, name))
				off += (size_t)snprintf(some + off, sizeof(some) - off, "%s%s",
							off ? ", " : "", name);
		}
		if (json_array_size(ms)) {
			json_object_set_new(g, "metrics", ms);
			json_array_append(kept, g);
		} else {
			json_decref(ms);
		}
	}
	if (!json_array_size(kept)) {
		fl_utf8_cut(some);
		fl_seterr(err, errlen, "--metrics %s: no metric or counter of these runs matches; "
			  "their metrics include %s (faultline list names every workload's)", list,
			  some[0] ? some : "none");
		goto fail;
	}
	json_object_set_new(cmp, "groups", kept);
	json_object_set_new(cmp, "metrics_filter", globs);
	return 0;
fail:
	json_decref(globs);
	json_decref(kept);
	return -1;
}
