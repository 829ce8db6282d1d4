/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one reader of case and run documents (cases/NAME.json, run.json). They come from the
 * machine under test (SECURITY.md), so a document is read only as a regular file (no symbolic
 * link, FIFO or device) of at most FL_DOC_MAX_BYTES, parsed, and refused when its schema major
 * is not the one this faultline reads (DESIGN.md). compare/nightly (runload.c), report
 * (summary.c), export kcidb (kcidb.c), hunt (findings_kernel.c) and the runner's progress
 * (runner/run/execute.c) read them with these functions and keep only their own interpretation.
 */
#ifndef FL_CASEDOC_H
#define FL_CASEDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* A case document is ~27 KB; one of more than this is not read. */
#define FL_DOC_MAX_BYTES (64L << 20)

struct fl_casedoc {
	json_t *doc;		/* the whole document (owned) */
	json_t *cs;		/* its "case" object */
	const char *workload;	/* case.workload */
	const char *status;	/* case.status */
	bool foreign;		/* the load failed for another schema major: refuse the run */
};

/*
 * The whole of the regular file path (fl_read_all: no link followed, at most FL_DOC_MAX_BYTES),
 * NUL-terminated, with its length in *len; NULL with the reason in why ("it is a symbolic link
 * (not followed)", "it is not a regular file", too big, unreadable), which does not name the file.
 */
char *fl_doc_read(const char *path, size_t *len, char *why, size_t whylen);

/*
 * Parse the case document text buf (len bytes, read from path) into d: JSON, the schema major,
 * and a "case" object with a workload, a status and params. Returns 0, or -1 with the reason in
 * why; that reason does not name the file, except for another schema major (d->foreign), where
 * it is the sentence naming path that refuses the run.
 */
int fl_casedoc_parse(struct fl_casedoc *d, const char *buf, size_t len, const char *path,
		     char *why, size_t whylen);
/* fl_doc_read and fl_casedoc_parse of path. */
int fl_casedoc_load(struct fl_casedoc *d, const char *path, char *why, size_t whylen);
void fl_casedoc_free(struct fl_casedoc *d);

/*
 * run.json at path: a regular file, JSON without duplicate keys, the schema major. Returns the
 * document, or NULL with one sentence naming path in err ("PATH:LINE:COLUMN: what" for bad JSON).
 */
json_t *fl_rundoc_load(const char *path, char *err, size_t errlen);

#endif
