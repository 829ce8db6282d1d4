// SPDX-License-Identifier: GPL-2.0
/*
 * A suite as a LAVA job definition (YAML, written by hand: the job is a fixed shape and JSON
 * strings are valid YAML scalars, so every value is emitted as a JSON string). device_type
 * qemu; deploy to tmpfs: kernel + ramdisk (the qemu target's initramfs) with the LAVA overlay;
 * boot qemu to a shell; one inline test definition whose steps run the agent per plan case and
 * print, for the collector (lava_collect.c):
 *   FAULTLINE-PLAN IDX BASE64(plan entry)            before the case
 *   FAULTLINE-CASE IDX SHA256 BASE64(case document)  after it, when the agent wrote one
 * plus lava-test-case NAME --result pass|fail (LAVA's <LAVA_SIGNAL_TESTCASE ...> markers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_util.h"
#include "lava.h"
#include "target.h"

static void yq(FILE *f, const char *s)	/* a JSON string is a YAML double-quoted scalar */
{
	json_t *j = json_string(s);
	char *t = json_dumps(j, JSON_ENCODE_ANY);

	fputs(t ? t : "\"\"", f);
	free(t);
	json_decref(j);
}

static char *plan_entry(const struct fl_plan_case *pc)
{
	json_t *e = json_pack("{s:s, s:s, s:O, s:i, s:b}", "file", pc->file, "workload",
			      pc->workload, "params", pc->params, "iteration", pc->iteration,
			      "warmup", pc->warmup);
	char *s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));

	json_decref(e);
	return s;
}

/* One shell step: plan marker, the agent, the case marker, the LAVA result. */
static void case_step(FILE *f, const struct fl_plan_case *pc, size_t idx, const char *run_id,
		      const char *suite)
{
	char *argv[FL_MAX_ARGS], *entry = plan_entry(pc), name[300], cmd[8192], doc[64];
	size_t off;

	snprintf(doc, sizeof(doc), "/tmp/faultline-%04zu.json", idx);
	fl_case_argv(pc, run_id, suite, "/bin/faultline-agent", doc, "lava", argv);
	off = (size_t)snprintf(cmd, sizeof(cmd), "echo \"FAULTLINE-PLAN %zu $(printf '%%s' '%s' "
			       "| base64 -w0)\"; ", idx, entry ? entry : "{}");
	for (int i = 0; argv[i] && off < sizeof(cmd); i++)
		off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, "'%s' ", argv[i]);
	fl_argv_free(argv);
	snprintf(name, sizeof(name), "%s", strrchr(pc->file, '/') + 1);
	name[strcspn(name, ".")] = '\0';
	if (off < sizeof(cmd))
		snprintf(cmd + off, sizeof(cmd) - off, "; if [ -s %s ]; then echo \"FAULTLINE-CASE "
			 "%zu $(sha256sum %s | cut -c1-64) $(base64 -w0 %s)\"; lava-test-case %s "
			 "--result pass; else lava-test-case %s --result fail; fi", doc, idx, doc,
			 doc, name, name);
	fputs("          - ", f);
	yq(f, cmd);
	fputc('\n', f);
	free(entry);
}

int fl_lava_render(FILE *f, const struct fl_lava_job *j, const struct fl_plan *plan)
{
	fputs("# faultline LAVA job (faultline lava render); results: faultline lava collect\n", f);
	fputs("job_name: ", f);
	yq(f, j->name);
	fputs("\ndevice_type: qemu\nvisibility: public\npriority: medium\n"
	      "timeouts:\n  job:\n    minutes: ", f);
	fprintf(f, "%d\n  action:\n    minutes: %d\n  connection:\n    minutes: 2\n",
		j->job_minutes, j->job_minutes);
	fputs("context:\n  arch: ", f);
	yq(f, j->qemu_arch);
	fputs("\n  extra_options:\n", f);
	for (int i = 0; j->extra[i]; i++) {
		fputs("    - ", f);
		yq(f, j->extra[i]);
		fputc('\n', f);
	}
	fputs("metadata:\n  faultline.suite: ", f);
	yq(f, plan->suite_name);
	fputs("\n  faultline.run_id: ", f);
	yq(f, j->run_id);
	fputs("\n  faultline.candidate: ", f);
	yq(f, j->candidate);
	fputs("\nactions:\n- deploy:\n    to: tmpfs\n    timeout:\n      minutes: 5\n"
	      "    images:\n      kernel:\n        image_arg: '-kernel {kernel} -append \"console=ttyS0 loglevel=5 faultline.lava\"'\n        url: ", f);
	yq(f, j->kernel_url);
	fputs("\n      ramdisk:\n        image_arg: '-initrd {ramdisk}'\n        url: ", f);
	yq(f, j->ramdisk_url);
	fputs("\n        compression: gz\n"
	      "- boot:\n    method: qemu\n    media: tmpfs\n    timeout:\n      minutes: 5\n"
	      "    parameters:\n      kernel-start-message: \"faultline-init: LAVA mode\"\n"
	      "    prompts:\n    - '/ # '\n"
	      "- test:\n    timeout:\n      minutes: ", f);
	fprintf(f, "%d\n", j->job_minutes);
	fputs("    definitions:\n    - repository:\n        metadata:\n          format: "
	      "Lava-Test Test Definition 1.0\n          name: faultline\n"
	      "          description: \"faultline suite, one agent run per case\"\n"
	      "        run:\n          steps:\n", f);
	for (size_t i = 0; i < plan->n; i++)
		case_step(f, &plan->cases[i], i, j->run_id, plan->suite_name);
	fputs("      from: inline\n      name: faultline\n      path: inline/faultline.yaml\n", f);
	return ferror(f) ? -1 : 0;
}
