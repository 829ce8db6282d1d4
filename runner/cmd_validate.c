// SPDX-License-Identifier: GPL-2.0
/* faultline validate FILE...: case documents and run.json files against faultline/1. */
#include <stdio.h>
#include <string.h>
#include "fl_json.h"
#include "fl_schema.h"
#include "fl_util.h"
#include "commands.h"

/* run.json has "cases" as an array and no "case": validate it as a run document. */
static int validate_one(const char *path)
{
	char err[FL_ERRLEN];
	json_t *doc = fl_json_load(path, err, sizeof(err));
	int ret;

	if (!doc) {
		fl_err("%s", err);
		return -1;
	}
	ret = fl_schema_check_major_file(doc, path, err, sizeof(err));
	if (!ret && json_is_array(json_object_get(doc, "cases")))
		ret = fl_schema_validate_run(doc, err, sizeof(err));
	else if (!ret)
		ret = fl_schema_validate_case(doc, err, sizeof(err));
	if (ret)
		fl_err("%s: %s", path, err);
	else
		printf("%s: valid faultline/1\n", path);
	json_decref(doc);
	return ret;
}

int fl_cmd_validate(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		puts("usage: faultline validate FILE...\n"
		     "  check case documents (cases/*.json) and run.json files against the\n"
		     "  faultline/1 schema (schema/faultline-1.schema.json)");
		return argc < 2 ? FL_EXIT_USAGE : FL_EXIT_OK;
	}
	for (int i = 1; i < argc; i++)
		bad += validate_one(argv[i]) != 0;
	if (bad)
		fprintf(stderr, "%d of %d file(s) invalid\n", bad, argc - 1);
	return bad ? FL_EXIT_FOUND : FL_EXIT_OK;
}
