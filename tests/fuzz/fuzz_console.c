// SPDX-License-Identifier: GPL-2.0
/* Console classifier (runner/console_classify.c): a guest's serial console, any bytes. */
#include <jansson.h>
#include "fuzz_util.h"
#include "console_classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exact-size copy, not NUL-terminated: the classifier must respect len */
	char *text = malloc(size ? size : 1);
	json_t *f;

	if (!text)
		return 0;
	memcpy(text, data, size);
	f = fl_console_classify(text, size);
	if (f) {
		char *s = json_dumps(f, 0);

		free(s);
		json_decref(f);
	}
	free(text);
	return 0;
}
