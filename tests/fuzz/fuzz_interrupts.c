// SPDX-License-Identifier: GPL-2.0
/* /proc/interrupts parser (workloads/probes/procparse.c fl_irq_parse) and the per-arch IPI
 * normalization over what it parsed, as the interrupts probe uses them. */
#include <jansson.h>
#include "fuzz_util.h"
#include "probes/procparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const arches[] = { "x86_64", "aarch64", "ppc64le", "s390x", "riscv64" };
	struct fl_irq_table t;
	char *text = fuzz_cstr(data, size);

	memset(&t, 0, sizeof(t));
	if (!fl_irq_parse(text, &t)) {
		for (size_t r = 0; r < t.nrows; r++) {
			fl_irq_row_total(&t.rows[r]);
			fl_irq_find(&t, t.rows[r].key);
		}
		for (size_t a = 0; a < sizeof(arches) / sizeof(arches[0]); a++) {
			json_t *j = fl_ipi_delta_json(arches[a], &t, &t);
			char *s = json_dumps(j, 0);

			free(s);
			json_decref(j);
		}
		fl_irq_free(&t);
	}
	free(text);
	return 0;
}
