// SPDX-License-Identifier: GPL-2.0
/*
 * A suite as a LAVA job definition (YAML, written by hand: the job is a fixed shape). Every
 * scalar is a YAML double-quoted scalar written by yq(): ASCII only, with every control
 * character, quote, backslash and non-ASCII character escaped, so no string can end the
 * scalar, add a key, or be changed by a YAML reader (C0/C1 controls, DEL, U+2028, BOM).
 * device_type qemu; deploy to tmpfs: kernel + ramdisk (the qemu target's initramfs) with the
 * LAVA overlay; boot qemu to a shell; one inline test definition whose steps run the agent per
 * plan case and print, for the collector (lava_collect.c):
 *   FAULTLINE-PLAN IDX BASE64(plan entry)            before the case
 *   FAULTLINE-CASE IDX SHA256 BASE64(case document)  after it, when the agent wrote one
 * plus lava-test-case NAME --result pass|fail (LAVA's <LAVA_SIGNAL_TESTCASE ...> markers).
 * A job of one round (per_round) has the steps of that round's cases only, each with its index
 * in the whole plan, so the jobs of all rounds of one kernel collect into one run directory.
 * Every word of a step that is not our own fixed text is one single-quoted shell word
 * (fl_sh_quote); a step that does not fit is an error, never a shortened step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_safe.h"
#include "fl_util.h"
#include "lava.h"
#include "target.h"
#include "plan.h"
#include "agent_exec.h"
#include "execute.h"

#define STEP_MAX 16384

/* s as a YAML double-quoted scalar, ASCII only; -1 (and "" written) when s is not UTF-8. */
static int yq(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	long cp;
	int n;

	for (const unsigned char *q = p; *q; q += n)	/* check first: no half scalar */
		if (*q < 0x80)
			n = 1;
		else if (fl_utf8_next(q, &n) < 0)
			return fputs("\"\"", f), -1;
	fputc('"', f);
	for (; *p; p += n) {
		n = 1;
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else if (*p < 0x80)
			fputc(*p, f);
		else if ((cp = fl_utf8_next(p, &n)) <= 0xffff)
			fprintf(f, "\\u%04lx", cp);
		else
			fprintf(f, "\\U%08lx", cp);
	}
	fputc('"', f);
	return 0;
}

static void b64enc(const char *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned int v = (unsigned int)s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0) |
				 (i + 2 < n ? s[i + 2] : 0);

		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? a[v & 63] : '=';
	}
	out[o] = '\0';
}

/* "FAULTLINE-PLAN IDX BASE64(entry)"; malloc'ed. */
static char *plan_marker(const struct fl_plan_case *pc, size_t idx)
{
	json_t *e = json_pack("{s:s, s:s, s:O, s:i, s:b}", "file", pc->file, "workload",
			      pc->workload, "params", pc->params, "iteration", pc->iteration,
			      "warmup", pc->warmup);
	char *s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10)), *m;
	size_t n = s ? strlen(s) : 0;

	json_decref(e);
	m = s ? malloc(n / 3 * 4 + 64) : NULL;
	if (m) {
		int k = sprintf(m, "FAULTLINE-PLAN %zu ", idx);

		b64enc(s, n, m + k);
	}
	free(s);
	return m;
}

/* One shell step: plan marker, the agent, the case marker, the LAVA result. */
static int case_step(char *cmd, const struct fl_plan_case *pc, size_t idx, const char *run_id,
		     const char *suite)
{
	char *argv[FL_MAX_ARGS], *marker = plan_marker(pc, idx), name[300], doc[64];
	int ret;

	snprintf(doc, sizeof(doc), "/tmp/faultline-%04zu.json", idx);
	snprintf(name, sizeof(name), "%s", strrchr(pc->file, '/') ? strrchr(pc->file, '/') + 1 :
		 pc->file);
	name[strcspn(name, ".")] = '\0';
	cmd[0] = '\0';
	ret = !marker || fl_str_append(cmd, STEP_MAX, "echo") || fl_sh_word(cmd, STEP_MAX, marker) ||
	      fl_str_append(cmd, STEP_MAX, ";");
	free(marker);
	fl_case_argv(pc, run_id, suite, "/bin/faultline-agent", doc, "lava", argv);
	for (int i = 0; !ret && argv[i]; i++)
		ret = fl_sh_word(cmd, STEP_MAX, argv[i]);
	fl_argv_free(argv);
	ret = ret || fl_str_append(cmd, STEP_MAX, "; if [ -s") || fl_sh_word(cmd, STEP_MAX, doc) ||
	      fl_str_append(cmd, STEP_MAX, " ]; then echo \"FAULTLINE-CASE ");
	if (!ret) {	/* doc is ours: /tmp/faultline-NNNN.json */
		char tail[256];

		snprintf(tail, sizeof(tail), "%zu $(sha256sum '%s' | cut -c1-64) $(base64 -w0 "
			 "'%s')\"; lava-test-case", idx, doc, doc);
		ret = fl_str_append(cmd, STEP_MAX, tail) || fl_sh_word(cmd, STEP_MAX, name) ||
		      fl_str_append(cmd, STEP_MAX, " --result pass; else lava-test-case") ||
		      fl_sh_word(cmd, STEP_MAX, name) ||
		      fl_str_append(cmd, STEP_MAX, " --result fail; fi");
	}
	return ret ? -1 : 0;
}

static int steps(FILE *f, const struct fl_lava_job *j, const struct fl_plan *plan, char *err,
		 size_t errlen)
{
	char *cmd = malloc(STEP_MAX);
	int ret = 0;

	if (!cmd)
		return fl_seterr(err, errlen, "out of memory");
	for (size_t i = 0; i < plan->n && !ret; i++) {
		if (j->per_round && fl_plan_round(&plan->cases[i]) != j->round)
			continue;
		if (case_step(cmd, &plan->cases[i], i, j->run_id, plan->suite_name)) {
			ret = fl_seterr(err, errlen, "the test step of case %zu (%s) does not fit in "
					"%d bytes; not writing a shortened one", i,
					plan->cases[i].file, STEP_MAX);
			break;
		}
		fputs("          - ", f);
		if (yq(f, cmd))
			ret = fl_seterr(err, errlen, "the test step of case %zu (%s) is not UTF-8",
					i, plan->cases[i].file);
		fputc('\n', f);
	}
	free(cmd);
	return ret;
}

/* PREFIX then the quoted scalar and a newline; -1 with err naming WHAT when not UTF-8. */
static int yfield(FILE *f, const char *prefix, const char *what, const char *val, char *err,
		  size_t errlen)
{
	int ret;

	fputs(prefix, f);
	ret = yq(f, val);
	fputc('\n', f);
	if (ret)
		return fl_seterr(err, errlen, "the job's %s is not UTF-8", what);
	return 0;
}

int fl_lava_render(FILE *f, const struct fl_lava_job *j, const struct fl_plan *plan,
		   char *err, size_t errlen)
{
	size_t n = 0;
	int ret = 0;

	for (size_t i = 0; i < plan->n; i++)
		n += !j->per_round || fl_plan_round(&plan->cases[i]) == j->round;
	if (!n)
		return fl_seterr(err, errlen, "suite %s has no cases%s: there is nothing to put in "
				 "a LAVA job", plan->suite_name ? plan->suite_name : "?",
				 j->per_round ? " in this round" : "");
	fputs("# faultline LAVA job (faultline lava render); results: faultline lava collect\n", f);
	ret = ret ?: yfield(f, "job_name: ", "job_name", j->name, err, errlen);
	ret = ret ?: yfield(f, "device_type: ", "device_type",
			    j->device_type ? j->device_type : "qemu", err, errlen);
	fputs("visibility: public\npriority: medium\ntimeouts:\n  job:\n    minutes: ", f);
	fprintf(f, "%d\n  action:\n    minutes: %d\n  connection:\n    minutes: 2\n",
		j->job_minutes, j->job_minutes);
	ret = ret ?: yfield(f, "context:\n  arch: ", "context arch", j->qemu_arch, err, errlen);
	fputs("  extra_options:\n", f);
	for (int i = 0; j->extra[i]; i++)
		ret = ret ?: yfield(f, "    - ", "QEMU extra option", j->extra[i], err, errlen);
	ret = ret ?: yfield(f, "metadata:\n  faultline.suite: ", "faultline.suite",
			    plan->suite_name, err, errlen);
	ret = ret ?: yfield(f, "  faultline.run_id: ", "faultline.run_id", j->run_id, err, errlen);
	ret = ret ?: yfield(f, "  faultline.candidate: ", "faultline.candidate", j->candidate,
			    err, errlen);
	fputs("actions:\n- deploy:\n    to: tmpfs\n    timeout:\n      minutes: 5\n"
	      "    images:\n      kernel:\n        image_arg: '-kernel {kernel} -append \"console=ttyS0 loglevel=5 faultline.lava\"'\n", f);
	ret = ret ?: yfield(f, "        url: ", "kernel url", j->kernel_url, err, errlen);
	fputs("      ramdisk:\n        image_arg: '-initrd {ramdisk}'\n", f);
	ret = ret ?: yfield(f, "        url: ", "ramdisk url", j->ramdisk_url, err, errlen);
	fputs("        compression: gz\n"
	      "- boot:\n    method: qemu\n    media: tmpfs\n    timeout:\n      minutes: 5\n"
	      "    parameters:\n      kernel-start-message: \"faultline-init: LAVA mode\"\n"
	      "    prompts:\n    - '/ # '\n"
	      "- test:\n    timeout:\n      minutes: ", f);
	fprintf(f, "%d\n", j->job_minutes);
	fputs("    definitions:\n    - repository:\n        metadata:\n          format: "
	      "Lava-Test Test Definition 1.0\n          name: faultline\n"
	      "          description: \"faultline suite, one agent run per case\"\n"
	      "        run:\n          steps:\n", f);
	ret = ret ?: steps(f, j, plan, err, errlen);
	fputs("      from: inline\n      name: faultline\n      path: inline/faultline.yaml\n", f);
	if (!ret && ferror(f))
		ret = fl_seterr(err, errlen, "cannot write the job: %s", strerror(errno));
	return ret;
}
