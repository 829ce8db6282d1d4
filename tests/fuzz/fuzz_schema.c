// SPDX-License-Identifier: GPL-2.0
/* Schema validator (common/fl_schema.c): any JSON document against the embedded faultline/1
 * schema, as the root schema and as a case and a run document, and the major-version check. */
#include <jansson.h>
#include "fuzz_util.h"
#include "fl_schema.h"

static struct fl_schema *schema;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const defs[] = { NULL, "case_document", "run_document", "case",
					    "run_info", "ipi", "vmstat" };
	char err[512];
	json_t *doc;

	if (!schema) {
		schema = fl_schema_load(fl_schema_text, err, sizeof(err));
		if (!schema) {
			fprintf(stderr, "fuzz_schema: %s\n", err);
			abort();
		}
	}
	doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!doc)
		return 0;
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		fl_schema_validate(schema, defs[i], doc, err, sizeof(err));
	fl_schema_check_major(doc, err, sizeof(err));
	fl_schema_check_major_file(doc, "fuzz.json", err, sizeof(err));
	json_decref(doc);
	return 0;
}
