// SPDX-License-Identifier: GPL-2.0
/*
 * faultline lava render --kernel K [--kernel K2...] --arch ARCH SUITE [--per-round] [--out DIR]
 *                       [--initramfs F] [--url-base U]
 * faultline lava collect LOG... [--out DIR]
 * faultline lava submit --url URL [--token-file FILE] [--connect-timeout S] [--max-time S] JOB...
 * faultline lava wait|status|fetch JOB_ID... (lava_follow.c, lava_fetch.c)
 * The REST calls and the token's path to curl: lava_api.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fl_interrupt.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "kernel.h"
#include "lava.h"
#include "plan.h"
#include "agent_exec.h"
#include "execute.h"
#include "commands.h"
#include "target.h"

static void usage(FILE *out)
{
	fputs("usage: faultline lava render --kernel CANDIDATE [--kernel CANDIDATE...] --arch ARCH\n"
	      "                             SUITE [--per-round] [--device-type TYPE] [--out DIR]\n"
	      "                             [--initramfs FILE] [--url-base URL]\n"
	      "       faultline lava collect LOG... [--out DIR]\n"
	      "       faultline lava submit SERVER JOB.yaml...\n"
	      "       faultline lava status SERVER JOB_ID...\n"
	      "       faultline lava wait SERVER [--timeout S] [--interval S] JOB_ID...\n"
	      "       faultline lava fetch SERVER --out DIR [--timeout S] JOB_ID...\n"
	      "  SERVER is --url URL [--token-file FILE] [--connect-timeout S] [--max-time S]\n"
	      "  render   LAVA jobs (device_type qemu, or the lab's name for it with\n"
	      "           --device-type: kernel + the agent's initramfs, boot to a\n"
	      "           shell, one test step per case printing result markers) into DIR\n"
	      "           (default .), one per kernel, or with --per-round one per kernel and\n"
	      "           round (round r: iteration r of every case), printed in the order to\n"
	      "           submit them: rounds in turn, the kernels' order rotating every round;\n"
	      "           images as file:// URLs, or URL/NAME with --url-base\n"
	      "  collect  LAVA job logs (lava-dispatcher's YAML log or a plain console log) into\n"
	      "           a run directory (default results/lava-TIME) for faultline compare\n"
	      "  submit   post jobs to the server (URL/api/v0.2/jobs/); prints JOB.yaml: job ID\n"
	      "  status   one line per job: its state, health and device on the server\n"
	      "  wait     follow jobs until each has finished, a line when one changes; gives\n"
	      "           up after --timeout (default 3600 s), polling every --interval (10 s)\n"
	      "  fetch    download each finished job's definition, log and results into\n"
	      "           DIR/lava/ and build the run directory DIR from them (what collect\n"
	      "           does), one kernel's jobs per DIR; what was fetched is kept, so\n"
	      "           running it again fetches the rest; with --timeout it waits first\n"
	      "  The token comes from --token-file FILE (mode 0600) or $FAULTLINE_LAVA_TOKEN,\n"
	      "  never the command line; curl gives up connecting after --connect-timeout\n"
	      "  (default 10 s) and on a request after --max-time (default 120 s).\n", out);
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

#define MAX_KERNELS 8
#define MAX_ROUNDS 1000

/* OUT/SUITE-CANDIDATE-ARCH[-rROUND].yaml from checked names, and it stays in OUT. */
static int job_path(const char *outdir, const char *suite, const char *cand, const char *arch,
		    int round, char *path, size_t len, char *err, size_t errlen)
{
	char r[16] = "";

	if (fl_name_check("the candidate's name", cand, err, errlen))
		return FL_EXIT_USAGE;
	if (mkdir(outdir, 0755) && errno != EEXIST)
		return fl_seterr(err, errlen, "cannot create --out %s: %s", outdir,
				 strerror(errno)), FL_EXIT_ENV;
	if (round >= 0)
		snprintf(r, sizeof(r), "-r%d", round);
	if (snprintf(path, len, "%s/%s-%s-%s%s.yaml", outdir, suite, cand, arch, r) >= (int)len)
		return fl_seterr(err, errlen, "--out %s is too long", outdir), FL_EXIT_USAGE;
	if (fl_path_under(outdir, path, err, errlen))
		return FL_EXIT_USAGE;
	return 0;
}

/* The job's time limit: every case's timeout and 30 s each to start (the cases of round when
 * round >= 0), and 10 min to boot. */
static int job_minutes(const struct fl_plan *plan, int round)
{
	double s = 0;

	for (size_t i = 0; i < plan->n; i++)
		if (round < 0 || fl_plan_round(&plan->cases[i]) == round)
			s += plan->cases[i].timeout_s + 30;
	return (int)(s / 60) + 10;
}

static int write_job(const char *path, const struct fl_lava_job *j, const struct fl_plan *plan,
		     char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return fl_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno)),
		       FL_EXIT_ENV;
	ret = fl_lava_render(f, j, plan, err, errlen) ? FL_EXIT_USAGE : 0;
	if (fclose(f) && !ret) {
		fl_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
		ret = FL_EXIT_ENV;
	}
	if (ret)
		unlink(path);
	return ret;
}

struct render_opts {
	const char *kernels[MAX_KERNELS], *arch, *outdir, *initrd, *base, *device_type;
	int nkernels, rounds;		/* rounds: 0 one job per kernel, else per round */
	char agent[4096], root[4096], run_id[200];
	struct fl_plan plan;
	struct fl_machine m;
};

/* The initramfs the qemu target builds for kernel (its modules), into ird. */
static int kernel_initrd(const struct render_opts *o, const char *kernel, char *ird, size_t len,
			 char *err, size_t errlen)
{
	struct fl_target_opts to = { .kind = "qemu", .arch = o->arch, .kernel = kernel,
				     .agent = o->agent, .accel = "tcg" };
	struct fl_target t;
	int ret = fl_target_init(&t, &to, err, errlen);

	if (!ret)
		ret = fl_target_prepare(&t, err, errlen);
	/* The one this kernel's guest boots (its modules), not the newest on disk. */
	if (!ret && fl_qemu_initrd(&t))
		snprintf(ird, len, "%s", fl_qemu_initrd(&t));
	else if (!ret)
		ret = (fl_seterr(err, errlen, "the qemu target made no initramfs for %s",
				 o->arch), FL_EXIT_ENV);
	fl_target_shutdown(&t);
	return ret;
}

/* Every job of one kernel: paths[r] (one, or one per round). */
static int render_kernel(struct render_opts *o, const char *kernel, char (*paths)[PATH_MAX],
			 char *err, size_t errlen)
{
	char ird[4600], kurl[8192], rurl[8192], name[600];
	const char *extra[] = { "-smp 4", NULL };
	struct fl_kernel *k = calloc(1, sizeof(*k));
	int ret;

	if (!k)
		return fl_seterr(err, errlen, "out of memory"), FL_EXIT_ENV;
	ret = fl_kernel_resolve(o->root, kernel, k, err, errlen);
	if (!ret && !o->initrd)
		ret = kernel_initrd(o, kernel, ird, sizeof(ird), err, errlen);
	if (!ret) {
		url_of(o->base, k->image, kurl, sizeof(kurl));
		url_of(o->base, o->initrd ? o->initrd : ird, rurl, sizeof(rurl));
	}
	for (int r = 0; !ret && r < (o->rounds ? o->rounds : 1); r++) {
		struct fl_lava_job j = { name, o->run_id, k->name, o->m.debian_arch, kurl, rurl,
					 extra, job_minutes(&o->plan, o->rounds ? r : -1),
					 o->rounds > 0, r, o->device_type };

		if (o->rounds)
			snprintf(name, sizeof(name), "faultline %s on %s (%s) round %d",
				 o->plan.suite_name, k->name, o->arch, r);
		else
			snprintf(name, sizeof(name), "faultline %s on %s (%s)", o->plan.suite_name,
				 k->name, o->arch);
		ret = job_path(o->outdir, o->plan.suite_name, k->name, o->arch,
			       o->rounds ? r : -1, paths[r], PATH_MAX, err, errlen);
		if (!ret)
			ret = write_job(paths[r], &j, &o->plan, err, errlen);
	}
	free(k);
	return ret;
}

static int render_args(int argc, char **argv, struct render_opts *o)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' }, { "arch", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' }, { "initramfs", required_argument, NULL, 'i' },
		{ "url-base", required_argument, NULL, 'u' },
		{ "per-round", no_argument, NULL, 'r' },
		{ "device-type", required_argument, NULL, 'd' }, { NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	o->outdir = ".";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (o->nkernels == MAX_KERNELS) {
				fl_err("lava render: at most %d --kernel", MAX_KERNELS);
				return FL_EXIT_USAGE;
			}
			for (int i = 0; i < o->nkernels; i++)
				if (!strcmp(o->kernels[i], optarg)) {
					fl_err("lava render: --kernel %s is given twice (one set of "
					       "jobs per kernel)", optarg);
					return FL_EXIT_USAGE;
				}
			o->kernels[o->nkernels++] = optarg;
			break;
		case 'a': o->arch = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'u': o->base = optarg; break;
		case 'r': o->rounds = -1; break;
		case 'd': o->device_type = optarg; break;
		default: usage(stderr); return FL_EXIT_USAGE;
		}
	}
	if (!o->nkernels || !o->arch || optind != argc - 1) {
		fl_err("lava render needs --kernel CANDIDATE (one or more), --arch ARCH and one "
		       "SUITE");
		return FL_EXIT_USAGE;
	}
	return 0;
}

static int render_plan(struct render_opts *o, const char *suite)
{
	char err[FL_ERRLEN], stamp[32];
	time_t now = time(NULL);

	if (!fl_agent_path(o->agent, sizeof(o->agent)) || access(o->agent, X_OK) ||
	    !fl_project_root(o->root, sizeof(o->root))) {
		fl_err("cannot find the agent or the faultline tree (run make; set FAULTLINE_ROOT)");
		return FL_EXIT_ENV;
	}
	if (fl_suite_load(suite, o->agent, &o->plan, err, sizeof(err))) {
		fl_err("%s", err);
		return FL_EXIT_USAGE;
	}
	if (!o->plan.n) {
		fl_err("lava render: suite %s has no cases (an empty sweep?): there is nothing to "
		       "put in a LAVA job", suite);
		return FL_EXIT_USAGE;
	}
	if (fl_name_check("the suite's name", o->plan.suite_name, err, sizeof(err)) ||
	    fl_name_check("--arch", o->arch, err, sizeof(err)) ||
	    (o->device_type && fl_name_check("--device-type", o->device_type, err,
					     sizeof(err)))) {
		fl_err("lava render: %s", err);
		return FL_EXIT_USAGE;
	}
	if (o->rounds && fl_plan_max_round(&o->plan) >= MAX_ROUNDS) {
		fl_err("lava render: suite %s has more than %d rounds", suite, MAX_ROUNDS);
		return FL_EXIT_USAGE;
	}
	if (o->rounds)
		o->rounds = fl_plan_max_round(&o->plan) + 1;
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
	snprintf(o->run_id, sizeof(o->run_id), "lava-%s-%s", stamp, o->plan.suite_name);
	if (fl_machine_load(o->root, o->arch, &o->m, err, sizeof(err))) {
		fl_err("lava render: %s", err);
		return FL_EXIT_USAGE;
	}
	return 0;
}

static int render(int argc, char **argv)
{
	struct render_opts *o = calloc(1, sizeof(*o));
	char (*paths)[PATH_MAX] = NULL, err[FL_ERRLEN];
	int ret, nr = 1, machine = 0;

	if (!o)
		return FL_EXIT_ENV;
	ret = render_args(argc, argv, o);
	if (!ret)
		ret = render_plan(o, argv[optind]);
	machine = !ret;
	if (!ret) {
		nr = o->rounds ? o->rounds : 1;
		paths = calloc((size_t)(nr * o->nkernels), PATH_MAX);
		ret = paths ? 0 : FL_EXIT_ENV;
	}
	for (int k = 0; !ret && k < o->nkernels; k++) {
		ret = render_kernel(o, o->kernels[k], paths + k * nr, err, sizeof(err));
		if (ret)
			fl_err("lava render: kernel %s: %s", o->kernels[k], err);
	}
	/* the order to submit: round by round, the kernels' order rotating every round */
	for (int r = 0; !ret && r < nr; r++)
		for (int i = 0; i < o->nkernels; i++)
			printf("%s\n", paths[((i + r) % o->nkernels) * nr + r]);
	if (machine)
		fl_machine_free(&o->m);
	fl_plan_free(&o->plan);
	free(paths);
	free(o);
	return ret > 0 ? ret : ret ? FL_EXIT_ENV : 0;
}

/* The workloads this faultline has (the agent's --describe), NULL-terminated; NULL when the
 * agent cannot say, with err set. */
char **fl_lava_workload_names(char *err, size_t errlen)
{
	char agent[4096], **names;
	char *av[] = { agent, "--describe", NULL };
	json_t *arr, *w;
	size_t i;

	if (!fl_agent_path(agent, sizeof(agent)))
		return fl_seterr(err, errlen, "cannot find the agent (run make; set "
				 "FAULTLINE_AGENT)"), NULL;
	arr = fl_child_json(av, err, errlen);
	if (!json_is_array(arr))
		return json_decref(arr), NULL;
	names = calloc(json_array_size(arr) + 1, sizeof(*names));
	json_array_foreach(arr, i, w) {
		const char *n = json_string_value(json_object_get(w, "name"));

		if (names && n)
			names[i] = strdup(n);
	}
	json_decref(arr);
	return names;
}

void fl_lava_names_free(char **names)
{
	for (int i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

static int collect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 },
	};
	char out[PATH_MAX], err[FL_ERRLEN], stamp[32], **names;
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
		if (snprintf(out, sizeof(out), "%s", optarg) >= (int)sizeof(out)) {
			fl_err("lava collect: --out %.80s... is too long", optarg);
			return FL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fl_err("lava collect needs at least one LAVA job log");
		return FL_EXIT_USAGE;
	}
	names = fl_lava_workload_names(err, sizeof(err));
	if (!names) {
		fl_err("lava collect: the workload names are needed to check the logs: %s", err);
		return FL_EXIT_ENV;
	}
	ret = fl_lava_collect(argv + optind, argc - optind, out, (const char *const *)names, err,
			      sizeof(err));
	fl_lava_names_free(names);
	if (ret)
		fl_err("lava collect: %s", err);
	else
		printf("results: %s\n", out);
	return ret == FL_LAVA_LOGS_BAD ? FL_EXIT_USAGE : ret ? FL_EXIT_ENV : FL_EXIT_OK;
}

/* The job ids in the server's answer to a submission ({"job_ids": [N...]}), as text. */
static int job_ids(const char *answer, char *out, size_t len)
{
	json_t *d = json_loads(answer, 0, NULL), *ids = json_object_get(d, "job_ids"), *v;
	size_t i = 0, n = 0;
	bool ok;

	out[0] = '\0';
	json_array_foreach(ids, i, v) {
		json_int_t id = json_integer_value(v);

		if (!json_is_integer(v) || id < 1 || id > (1LL << 53) || n + 24 > len)
			break;
		n += (size_t)snprintf(out + n, len - n, "%s%lld", n ? " " : "", (long long)id);
	}
	ok = n && i == json_array_size(ids);
	json_decref(d);
	return ok ? 0 : -1;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long len;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (len = ftell(f)) >= 0 && len < FL_LAVA_ANSWER_MAX) {
		rewind(f);
		text = calloc(1, (size_t)len + 1);
		if (text && fread(text, 1, (size_t)len, f) != (size_t)len) {
			free(text);
			text = NULL;
		}
	}
	fclose(f);
	return text;
}

/* POST one job; "JOB: job ID" on stdout. */
static int submit_one(const struct fl_lava_server *srv, const char *job)
{
	char *text = read_text(job), *body = NULL, *answer = NULL, err[FL_ERRLEN], ids[512];
	json_t *doc;
	long http;
	int ret;

	if (!text) {
		fl_err("lava submit: cannot read %s (a job file under 8 MB)", job);
		return FL_EXIT_USAGE;
	}
	doc = json_pack("{s:s}", "definition", text);
	free(text);
	body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!body) {
		fl_err("lava submit: %s is not UTF-8 text", job);
		return FL_EXIT_USAGE;
	}
	ret = fl_lava_call(srv, "POST", "jobs/", body, NULL, &answer, &http, err, sizeof(err)) ?
	      fl_lava_failed() : 0;
	if (!ret && (http < 200 || http > 299)) {
		fl_lava_http_err(srv, http, "a job submission", answer, err, sizeof(err));
		ret = FL_EXIT_ENV;
	}
	if (!ret && job_ids(answer, ids, sizeof(ids))) {
		fl_seterr(err, sizeof(err), "%s accepted %s but named no job id (expected "
			  "{\"job_ids\": [N]})", srv->url, job);
		ret = FL_EXIT_ENV;
	}
	if (ret)
		fl_err("lava submit: %s: %s", job, err);
	else
		printf("%s: job %s\n", job, ids);
	fflush(stdout);
	free(answer);
	free(body);
	return ret;
}

static int submit(int argc, char **argv)
{
	static const struct option opts[] = { FL_LAVA_SERVER_OPTS, { NULL, 0, NULL, 0 } };
	struct fl_lava_server srv = { .cmd = "lava submit" };
	const char *file = NULL;
	int c, ret = 0;

	optind = 1;
	while (!ret && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?') {
			usage(stderr);
			return FL_EXIT_USAGE;
		}
		ret = fl_lava_server_opt(&srv, c, optarg, &file) ? FL_EXIT_USAGE : 0;
	}
	if (!ret && optind >= argc) {
		fl_err("lava submit needs at least one JOB file");
		ret = FL_EXIT_USAGE;
	}
	if (!ret && fl_lava_server_ready(&srv, file))
		ret = FL_EXIT_USAGE;
	if (ret)
		return ret;
	signal(SIGPIPE, SIG_IGN);	/* curl gone: its exit status says why */
	fl_interrupt_install();
	for (int i = optind; i < argc && !fl_interrupted(); i++) {
		int r = submit_one(&srv, argv[i]);

		if (r > 128)
			ret = r;
		else if (r && !ret)
			ret = r;
	}
	fl_lava_server_wipe(&srv);
	return ret;
}

int fl_cmd_lava(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "render", render }, { "collect", collect }, { "submit", submit },
		{ "status", fl_lava_status }, { "wait", fl_lava_wait }, { "fetch", fl_lava_fetch },
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? FL_EXIT_USAGE : FL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			usage(stdout);
			return FL_EXIT_OK;
		}
		return cmds[i].fn(argc - 1, argv + 1);
	}
	fl_err("lava: unknown subcommand '%s' (render, collect, submit, status, wait, fetch)",
	       argv[1]);
	return FL_EXIT_USAGE;
}
