// SPDX-License-Identifier: GPL-2.0
/* The one reader of case and run documents (casedoc.h): open without following a link, a
 * regular file of bounded size, JSON, the schema major, the case object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "casedoc.h"
#include "fl_schema.h"
#include "fl_util.h"

char *fl_doc_read(const char *path, size_t *len, char *why, size_t whylen)
{
	return fl_read_all(path, FL_DOC_MAX_BYTES, FL_READ_REGULAR | FL_READ_NOFOLLOW, len, why,
			   whylen);
}

int fl_casedoc_parse(struct fl_casedoc *d, const char *buf, size_t len, const char *path,
		     char *why, size_t whylen)
{
	json_error_t jerr;

	memset(d, 0, sizeof(*d));
	d->doc = json_loadb(buf, len, 0, &jerr);
	if (!d->doc)
		return fl_seterr(why, whylen, "not valid JSON at line %d column %d: %s", jerr.line,
				 jerr.column, jerr.text);
	if (fl_schema_check_major_file(d->doc, path, why, whylen)) {
		fl_casedoc_free(d);
		d->foreign = true;
		return -1;
	}
	d->cs = json_object_get(d->doc, "case");
	d->workload = json_string_value(json_object_get(d->cs, "workload"));
	d->status = json_string_value(json_object_get(d->cs, "status"));
	if (!d->workload || !d->status || !json_is_object(json_object_get(d->cs, "params"))) {
		fl_casedoc_free(d);
		return fl_seterr(why, whylen, "not a faultline case document (case.workload, "
				 "case.status or case.params missing)");
	}
	return 0;
}

int fl_casedoc_load(struct fl_casedoc *d, const char *path, char *why, size_t whylen)
{
	size_t len = 0;
	char *buf = fl_doc_read(path, &len, why, whylen);
	int ret;

	memset(d, 0, sizeof(*d));
	if (!buf)
		return -1;
	ret = fl_casedoc_parse(d, buf, len, path, why, whylen);
	free(buf);
	return ret;
}

void fl_casedoc_free(struct fl_casedoc *d)
{
	json_decref(d->doc);
	memset(d, 0, sizeof(*d));
}

json_t *fl_rundoc_load(const char *path, char *err, size_t errlen)
{
	char why[FL_ERRLEN];
	size_t len = 0;
	char *buf = fl_doc_read(path, &len, why, sizeof(why));
	json_error_t jerr;
	json_t *doc;

	if (!buf) {
		fl_seterr(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (!doc) {
		fl_seterr(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (fl_schema_check_major_file(doc, path, err, errlen)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
