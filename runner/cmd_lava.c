// SPDX-License-Identifier: GPL-2.0
/*
 * faultline lava render --kernel K --arch ARCH SUITE [--out DIR] [--initramfs F] [--url-base U]
 * faultline lava collect LOG... [--out DIR]
 * faultline lava submit --url URL --token TOKEN JOB...
 * Submit posts {"definition": YAML} to URL/api/v0.2/jobs/ with curl (the binary, not
 * libcurl: no new library in the host binary, and the user's proxy, CA and ~/.curlrc settings
 * apply as they do to their own curl); the token goes in a 0600 header file, not in argv.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fl_util.h"
#include "kernel.h"
#include "lava.h"
#include "runner.h"
#include "target.h"

static void usage(FILE *out)
{
	fputs("usage: faultline lava render --kernel CANDIDATE --arch ARCH SUITE [--out DIR]\n"
	      "                             [--initramfs FILE] [--url-base URL]\n"
	      "       faultline lava collect LOG... [--out DIR]\n"
	      "       faultline lava submit --url URL --token TOKEN JOB.yaml...\n"
	      "  render   a LAVA job (device_type qemu: kernel + the agent's initramfs, boot to a\n"
	      "           shell, one test step per case printing result markers) into DIR\n"
	      "           (default .); images as file:// URLs, or URL/NAME with --url-base\n"
	      "  collect  LAVA job logs (lava-dispatcher's YAML log or a plain console log) into\n"
	      "           a run directory (default results/lava-TIME) for faultline compare\n"
	      "  submit   post jobs to a LAVA server's REST API (URL/api/v0.2/jobs/) with curl\n", out);
}

static void url_of(const char *base, const char *path, char *out, size_t len)
{
	char abs[4096];
	const char *slash = strrchr(path, '/');

	if (base)
		snprintf(out, len, "%s/%s", base, slash ? slash + 1 : path);
	else
		snprintf(out, len, "file://%s", realpath(path, abs) ? abs : path);
}

static int render(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' }, { "arch", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' }, { "initramfs", required_argument, NULL, 'i' },
		{ "url-base", required_argument, NULL, 'u' }, { NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL, *arch = NULL, *outdir = ".", *initrd = NULL, *base = NULL;
	char agent[4096], root[4096], err[FL_ERRLEN], ird[4600], kurl[8192], rurl[8192];
	char path[1400], run_id[200], name[600], stamp[32];
	struct fl_plan plan = { 0 };
	struct fl_machine m;
	struct fl_kernel k;
	time_t now = time(NULL);
	int c, ret;
	FILE *f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kernel = optarg; break;
		case 'a': arch = optarg; break;
		case 'o': outdir = optarg; break;
		case 'i': initrd = optarg; break;
		case 'u': base = optarg; break;
		default: usage(stderr); return FL_EXIT_USAGE;
		}
	}
	if (!kernel || !arch || optind != argc - 1) {
		fl_err("lava render needs --kernel CANDIDATE, --arch ARCH and one SUITE");
		return FL_EXIT_USAGE;
	}
	if (!fl_agent_path(agent, sizeof(agent)) || access(agent, X_OK) ||
	    !fl_project_root(root, sizeof(root))) {
		fl_err("cannot find the agent or the faultline tree (run make; set FAULTLINE_ROOT)");
		return FL_EXIT_ENV;
	}
	if (fl_suite_load(argv[optind], agent, &plan, err, sizeof(err))) {
		fl_err("%s", err);
		return FL_EXIT_USAGE;
	}
	ret = fl_machine_load(root, arch, &m, err, sizeof(err)) ? FL_EXIT_USAGE :
	      fl_kernel_resolve(root, kernel, &k, err, sizeof(err));
	if (!ret && !initrd) {	/* the qemu target's own initramfs builder */
		struct fl_target_opts o = { .kind = "qemu", .arch = arch, .kernel = kernel,
					    .agent = agent, .accel = "tcg" };
		struct fl_target t;

		ret = fl_target_init(&t, &o, err, sizeof(err));
		if (!ret)
			ret = t.ops->prepare(&t, err, sizeof(err));
		/* The one this kernel's guest boots (its modules), not the newest on disk. */
		if (!ret && fl_qemu_initrd(&t))
			snprintf(ird, sizeof(ird), "%s", fl_qemu_initrd(&t));
		else if (!ret) {
			fl_seterr(err, sizeof(err), "the qemu target made no initramfs for %s", arch);
			ret = FL_EXIT_ENV;
		}
		t.ops->shutdown(&t);
		initrd = ird;
	}
	if (ret) {
		fl_err("lava render: %s", err);
		fl_plan_free(&plan);
		return ret > 0 ? ret : FL_EXIT_ENV;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
	snprintf(run_id, sizeof(run_id), "lava-%s-%s", stamp, plan.suite_name);
	snprintf(name, sizeof(name), "faultline %s on %s (%s)", plan.suite_name, k.name, arch);
	url_of(base, k.image, kurl, sizeof(kurl));
	url_of(base, initrd, rurl, sizeof(rurl));
	{
		const char *extra[] = { "-smp 4", NULL };
		struct fl_lava_job j = { name, run_id, k.name, m.debian_arch, kurl, rurl, extra,
					 (int)(plan.n * (plan.cases[0].timeout_s + 30) / 60) + 10 };

		mkdir(outdir, 0755);
		snprintf(path, sizeof(path), "%s/%s-%s-%s.yaml", outdir, plan.suite_name, k.name,
			 arch);
		f = fopen(path, "w");
		if (!f || fl_lava_render(f, &j, &plan) || fclose(f)) {
			fl_err("cannot write %s: %s", path, strerror(errno));
			ret = FL_EXIT_ENV;
		} else {
			printf("%s\n", path);
		}
	}
	fl_machine_free(&m);
	fl_plan_free(&plan);
	return ret;
}

static int collect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 },
	};
	char out[256], err[FL_ERRLEN], stamp[32];
	time_t now = time(NULL);
	int c, ret;

	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
	snprintf(out, sizeof(out), "results/lava-%s", stamp);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'o') {
			usage(stderr);
			return FL_EXIT_USAGE;
		}
		snprintf(out, sizeof(out), "%s", optarg);
	}
	if (optind >= argc) {
		fl_err("lava collect needs at least one LAVA job log");
		return FL_EXIT_USAGE;
	}
	ret = fl_lava_collect(argv + optind, argc - optind, out, err, sizeof(err));
	if (ret)
		fl_err("lava collect: %s", err);
	else
		printf("results: %s\n", out);
	return ret;
}

/* POST one job; curl's answer (JSON with job_ids) goes to stdout. */
static int submit_one(const char *url, const char *hdrs, const char *job)
{
	char body[64], endpoint[2048], *text;
	long len;
	json_t *doc;
	pid_t pid;
	int st, fd;
	FILE *f = fopen(job, "r");

	if (!f) {
		fl_err("lava submit: cannot read %s: %s", job, strerror(errno));
		return FL_EXIT_USAGE;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		fl_err("lava submit: cannot read %s", job);
		return FL_EXIT_USAGE;
	}
	fclose(f);
	doc = json_pack("{s:s}", "definition", text);
	free(text);
	snprintf(body, sizeof(body), "/tmp/faultline-lava-XXXXXX");
	fd = mkstemp(body);
	if (fd < 0 || json_dumpfd(doc, fd, JSON_COMPACT)) {
		json_decref(doc);
		fl_err("lava submit: cannot write a temporary file");
		return FL_EXIT_ENV;
	}
	close(fd);
	json_decref(doc);
	snprintf(endpoint, sizeof(endpoint), "%s%sapi/v0.2/jobs/", url,
		 url[strlen(url) - 1] == '/' ? "" : "/");
	pid = fork();
	if (pid == 0) {
		char data[80], hdr[80];

		snprintf(data, sizeof(data), "@%s", body);
		snprintf(hdr, sizeof(hdr), "@%s", hdrs);
		execlp("curl", "curl", "-sS", "--fail-with-body", "-X", "POST", "-H", hdr,
		       "--data-binary", data, endpoint, (char *)NULL);
		fprintf(stderr, "faultline: lava submit needs curl (apt-get install curl)\n");
		_exit(FL_EXIT_ENV);
	}
	waitpid(pid, &st, 0);
	unlink(body);
	putchar('\n');
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fl_err("lava submit: %s was refused or not reachable (curl exit %d; see above)",
		       endpoint, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return FL_EXIT_ENV;
	}
	return 0;
}

static int submit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' }, { "token", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *token = NULL;
	char hdrs[64];
	int c, fd, ret = 0;
	FILE *f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'u')
			url = optarg;
		else if (c == 't')
			token = optarg;
		else
			return usage(stderr), FL_EXIT_USAGE;
	}
	if (!url || !*url || !token || optind >= argc) {
		fl_err("lava submit needs --url URL, --token TOKEN and at least one JOB file");
		return FL_EXIT_USAGE;
	}
	snprintf(hdrs, sizeof(hdrs), "/tmp/faultline-lava-h-XXXXXX");
	fd = mkstemp(hdrs);	/* 0600: the token stays out of argv and ps */
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fl_err("lava submit: cannot write a temporary file");
		return FL_EXIT_ENV;
	}
	fprintf(f, "Authorization: Token %s\nContent-Type: application/json\n"
		"Accept: application/json\n", token);
	fclose(f);
	for (int i = optind; i < argc && !ret; i++)
		ret = submit_one(url, hdrs, argv[i]);
	unlink(hdrs);
	return ret;
}

int fl_cmd_lava(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? FL_EXIT_USAGE : FL_EXIT_OK;
	}
	if (!strcmp(argv[1], "render"))
		return render(argc - 1, argv + 1);
	if (!strcmp(argv[1], "collect"))
		return collect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "submit"))
		return submit(argc - 1, argv + 1);
	fl_err("lava: unknown subcommand '%s' (render, collect, submit)", argv[1]);
	return FL_EXIT_USAGE;
}
