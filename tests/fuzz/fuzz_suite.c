// SPDX-License-Identifier: GPL-2.0
/* Suite loader (runner/run/suite.c fl_suite_load): a suite file, any bytes. The loader asks the
 * agent about each case point by running it; here fl_child_run is replaced (link option
 * -Wl,--wrap=fl_child_run) by an agent that accepts every case, so no process is started. */
#include <jansson.h>
#include <signal.h>
#include "fuzz_util.h"
#include "fl_json.h"
#include "plan.h"
#include "agent_exec.h"

int __wrap_fl_child_run(char *const argv[], const char *log_path, double timeout_s,
			volatile sig_atomic_t *interrupt, struct fl_child_result *res, char *err,
			size_t errlen);

int __wrap_fl_child_run(char *const argv[], const char *log_path, double timeout_s,
			volatile sig_atomic_t *interrupt, struct fl_child_result *res, char *err,
			size_t errlen)
{
	size_t n = 0;

	for (int i = 0; argv[i]; i++)	/* touch every argument: they must be strings */
		n += strlen(argv[i]);
	memset(res, 0, sizeof(*res));
	res->exited = 1;
	res->code = n ? 0 : 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[300];
	struct fl_plan plan;
	char err[1024], label[256];

	if (!path[0])
		snprintf(path, sizeof(path), "%s/suite.json", fuzz_scratch());
	fuzz_write(path, data, size);
	if (!fl_suite_load(path, "/bin/true", &plan, err, sizeof(err))) {
		for (size_t i = 0; i < plan.n; i++)
			fl_params_label(plan.cases[i].params, NULL, label, sizeof(label));
	}
	fl_plan_free(&plan);
	return 0;
}
