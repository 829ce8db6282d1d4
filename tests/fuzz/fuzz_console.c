// SPDX-License-Identifier: GPL-2.0
/* Console classifier (runner/targets/console_classify.c): a guest's serial console, any bytes. */
#include <jansson.h>
#include "fuzz_util.h"
#include "console_classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exact-size copy, not NUL-terminated: the classifier must respect len */
	char *text = malloc(size ? size : 1);
	json_t *f;
	char *s;

	if (!text)
		return 0;
	memcpy(text, data, size);
	f = fl_console_classify(text, size);
	/* The findings go into a case document: they must always serialize (valid UTF-8). */
	s = json_dumps(f, 0);
	if (!f || !s) {
		fprintf(stderr, "fuzz_console: the findings are %s\n",
			f ? "not serializable (invalid UTF-8 in a title or excerpt)" : "NULL");
		abort();
	}
	free(s);
	json_decref(f);
	free(text);
	return 0;
}
