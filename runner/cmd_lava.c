// SPDX-License-Identifier: GPL-2.0
/*
 * faultline lava render --kernel K --arch ARCH SUITE [--out DIR] [--initramfs F] [--url-base U]
 * faultline lava collect LOG... [--out DIR]
 * faultline lava submit --url URL [--token-file FILE] [--connect-timeout S] [--max-time S] JOB...
 * Submit posts {"definition": YAML} to URL/api/v0.2/jobs/ with curl (the binary, not
 * libcurl: no new library in the host binary, and the user's proxy, CA and ~/.curlrc settings
 * apply as they do to their own curl). The token is never in any process's argv and never in
 * a file we write: it comes from --token-file (not readable by group or others) or
 * $FAULTLINE_LAVA_TOKEN, and goes to curl as a header line of a config read from curl's
 * stdin (--config -); the body goes through a pipe (@/dev/fd/3). curl runs with
 * --connect-timeout and --max-time; SIGINT/SIGTERM stop curl and leave nothing behind.
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
#include "runner.h"
#include "target.h"

static void usage(FILE *out)
{
	fputs("usage: faultline lava render --kernel CANDIDATE --arch ARCH SUITE [--out DIR]\n"
	      "                             [--initramfs FILE] [--url-base URL]\n"
	      "       faultline lava collect LOG... [--out DIR]\n"
	      "       faultline lava submit --url URL [--token-file FILE] [--connect-timeout S]\n"
	      "                             [--max-time S] JOB.yaml...\n"
	      "  render   a LAVA job (device_type qemu: kernel + the agent's initramfs, boot to a\n"
	      "           shell, one test step per case printing result markers) into DIR\n"
	      "           (default .); images as file:// URLs, or URL/NAME with --url-base\n"
	      "  collect  LAVA job logs (lava-dispatcher's YAML log or a plain console log) into\n"
	      "           a run directory (default results/lava-TIME) for faultline compare\n"
	      "  submit   post jobs to a LAVA server's REST API (URL/api/v0.2/jobs/) with curl;\n"
	      "           the token from --token-file FILE (mode 0600) or $FAULTLINE_LAVA_TOKEN,\n"
	      "           never the command line; curl gives up connecting after\n"
	      "           --connect-timeout (default 10 s) and on a job after --max-time\n"
	      "           (default 120 s)\n", out);
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

/* OUT/SUITE-CANDIDATE-ARCH.yaml from checked names, and it stays in OUT. */
static int job_path(const char *outdir, const char *suite, const char *cand, const char *arch,
		   char *path, size_t len, char *err, size_t errlen)
{
	if (fl_name_check("the candidate's name", cand, err, errlen))
		return FL_EXIT_USAGE;
	if (mkdir(outdir, 0755) && errno != EEXIST)
		return fl_seterr(err, errlen, "cannot create --out %s: %s", outdir,
				 strerror(errno)), FL_EXIT_ENV;
	if (snprintf(path, len, "%s/%s-%s-%s.yaml", outdir, suite, cand, arch) >= (int)len)
		return fl_seterr(err, errlen, "--out %s is too long", outdir), FL_EXIT_USAGE;
	if (fl_path_under(outdir, path, err, errlen))
		return FL_EXIT_USAGE;
	return 0;
}

/* The job's time limit: every case's timeout and 30 s each to start, and 10 min to boot. */
static int job_minutes(const struct fl_plan *plan)
{
	double s = 0;

	for (size_t i = 0; i < plan->n; i++)
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

static int render(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' }, { "arch", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' }, { "initramfs", required_argument, NULL, 'i' },
		{ "url-base", required_argument, NULL, 'u' }, { NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL, *arch = NULL, *outdir = ".", *initrd = NULL, *base = NULL;
	char agent[4096], root[4096], err[FL_ERRLEN], ird[4600], kurl[8192], rurl[8192];
	char path[PATH_MAX], run_id[200], name[600], stamp[32];
	struct fl_plan plan = { 0 };
	struct fl_machine m;
	struct fl_kernel k;
	time_t now = time(NULL);
	int c, ret;

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
	if (!plan.n) {
		fl_err("lava render: suite %s has no cases (an empty sweep?): there is nothing to "
		       "put in a LAVA job", argv[optind]);
		fl_plan_free(&plan);
		return FL_EXIT_USAGE;
	}
	if (fl_name_check("the suite's name", plan.suite_name, err, sizeof(err)) ||
	    fl_name_check("--arch", arch, err, sizeof(err))) {
		fl_err("lava render: %s", err);
		fl_plan_free(&plan);
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
	ret = job_path(outdir, plan.suite_name, k.name, arch, path, sizeof(path), err,
		       sizeof(err));
	if (!ret) {
		const char *extra[] = { "-smp 4", NULL };
		struct fl_lava_job j = { name, run_id, k.name, m.debian_arch, kurl, rurl, extra,
					 job_minutes(&plan) };

		ret = write_job(path, &j, &plan, err, sizeof(err));
	}
	if (ret)
		fl_err("lava render: %s", err);
	else
		printf("%s\n", path);
	fl_machine_free(&m);
	fl_plan_free(&plan);
	return ret;
}

/* The workloads this faultline has (the agent's --describe), NULL-terminated; NULL when the
 * agent cannot say, with err set. */
static char **workload_names(char *err, size_t errlen)
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
	names = workload_names(err, sizeof(err));
	if (!names) {
		fl_err("lava collect: the workload names are needed to check the logs: %s", err);
		return FL_EXIT_ENV;
	}
	ret = fl_lava_collect(argv + optind, argc - optind, out, (const char *const *)names, err,
			      sizeof(err));
	for (int i = 0; names[i]; i++)
		free(names[i]);
	free(names);
	if (ret)
		fl_err("lava collect: %s", err);
	else
		printf("results: %s\n", out);
	return ret;
}

#define CONNECT_TIMEOUT_S 10
#define MAX_TIME_S 120
#define TOKEN_MAX 1024

struct submit_opts {
	const char *url;
	char token[TOKEN_MAX];
	double connect_s, max_s;
};

/* A token is one line of printable ASCII without spaces (what an HTTP header can carry). */
static int token_set(struct submit_opts *o, const char *tok, size_t n, const char *where)
{
	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
		n--;
	if (!n) {
		fl_err("lava submit: %s holds no token", where);
		return FL_EXIT_USAGE;
	}
	if (n >= sizeof(o->token)) {
		fl_err("lava submit: the token in %s is longer than %d bytes", where, TOKEN_MAX - 1);
		return FL_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		if (tok[i] <= ' ' || tok[i] >= 0x7f) {
			fl_err("lava submit: the token in %s has a space, a control character or a "
			       "line break in it (expected one line of printable ASCII)", where);
			return FL_EXIT_USAGE;
		}
	memcpy(o->token, tok, n);
	o->token[n] = '\0';
	return 0;
}

/* The token from FILE: a regular file that neither group nor others can read. */
static int token_file(struct submit_opts *o, const char *path)
{
	char buf[TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st)) {
		fl_err("lava submit: --token-file %s cannot be read: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return FL_EXIT_USAGE;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		close(fd);
		fl_err("lava submit: --token-file %s %s; it must be a file only its owner can read "
		       "(chmod 600 %s)", path, S_ISREG(st.st_mode) ? "can be read by group or others" :
		       "is not a regular file", path);
		return FL_EXIT_USAGE;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		fl_err("lava submit: cannot read --token-file %s: %s", path, strerror(errno));
		return FL_EXIT_USAGE;
	}
	buf[n] = '\0';
	return token_set(o, buf, strcspn(buf, "\n") + (buf[strcspn(buf, "\n")] == '\n'), path);
}

static int seconds_opt(const char *name, const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v > 0 && v <= 86400)) {
		fl_err("lava submit: %s %s: expected seconds, more than 0 and at most 86400", name,
		       arg);
		return FL_EXIT_USAGE;
	}
	*out = v;
	return 0;
}

/* Write all of buf to fd; -1 on an error or a signal (errno EINTR). */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* curl's config on its stdin: the headers, the token among them ("..." escaped). */
static char *curl_config(const struct submit_opts *o)
{
	char *cfg = malloc(TOKEN_MAX * 2 + 256), *p;

	if (!cfg)
		return NULL;
	p = cfg + sprintf(cfg, "header = \"Authorization: Token ");
	for (const char *t = o->token; *t; t++) {
		if (*t == '"' || *t == '\\')
			*p++ = '\\';
		*p++ = *t;
	}
	strcpy(p, "\"\nheader = \"Content-Type: application/json\"\n"
	       "header = \"Accept: application/json\"\n");
	return cfg;
}

/* curl with the config on stdin and the body on fd 3; the token in neither argv nor env. */
static pid_t curl_start(const struct submit_opts *o, const char *endpoint, int cfg[2], int body[2])
{
	char ct[32], mt[32];
	pid_t pid;

	snprintf(ct, sizeof(ct), "%g", o->connect_s);
	snprintf(mt, sizeof(mt), "%g", o->max_s);
	pid = fork();
	if (pid)
		return pid;
	signal(SIGPIPE, SIG_DFL);
	if (dup2(cfg[0], STDIN_FILENO) < 0 || dup2(body[0], 3) < 0)
		_exit(FL_EXIT_ENV);
	for (int fd = 4; fd < 64; fd++)
		close(fd);
	close(cfg[1]);
	close(body[1]);
	unsetenv("FAULTLINE_LAVA_TOKEN");
	execlp("curl", "curl", "-sS", "--fail-with-body", "--connect-timeout", ct, "--max-time", mt,
	       "--config", "-", "-X", "POST", "--data-binary", "@/dev/fd/3", "--url", endpoint,
	       (char *)NULL);
	fprintf(stderr, "faultline: lava submit needs curl (apt-get install curl)\n");
	_exit(127);
}

/* Wait for curl; a signal to us stops it. Its exit status, or -1 when we were interrupted. */
static int curl_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return FL_EXIT_ENV;
		if (fl_interrupted())
			kill(pid, SIGTERM);
	}
	if (fl_interrupted())
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* POST one job; curl's answer (JSON with job_ids) goes to stdout. */
static int submit_one(const struct submit_opts *o, const char *job)
{
	char endpoint[2048], *text, *body = NULL, *cfg = NULL;
	int cfgp[2] = { -1, -1 }, bodyp[2] = { -1, -1 }, code;
	size_t ulen = strlen(o->url);
	json_t *doc;
	long len;
	pid_t pid;
	FILE *f = fopen(job, "r");

	if (!f) {
		fl_err("lava submit: cannot read %s: %s", job, strerror(errno));
		return FL_EXIT_USAGE;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = len >= 0 ? calloc(1, (size_t)len + 1) : NULL;
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		fl_err("lava submit: cannot read %s", job);
		return FL_EXIT_USAGE;
	}
	fclose(f);
	doc = json_pack("{s:s}", "definition", text);
	free(text);
	body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!body) {
		fl_err("lava submit: %s is not UTF-8 text", job);
		return FL_EXIT_USAGE;
	}
	snprintf(endpoint, sizeof(endpoint), "%s%sapi/v0.2/jobs/", o->url,
		 o->url[ulen - 1] == '/' ? "" : "/");
	cfg = curl_config(o);
	if (!cfg || pipe2(cfgp, O_CLOEXEC) || pipe2(bodyp, O_CLOEXEC)) {
		code = FL_EXIT_ENV;
		fl_err("lava submit: cannot start curl: %s", strerror(errno));
		goto out;
	}
	pid = curl_start(o, endpoint, cfgp, bodyp);
	close(cfgp[0]);
	close(bodyp[0]);
	cfgp[0] = bodyp[0] = -1;
	/* curl reads its config to the end, then the body: write them in that order */
	if (pid > 0 && !write_all(cfgp[1], cfg, strlen(cfg))) {
		close(cfgp[1]);
		cfgp[1] = -1;
		write_all(bodyp[1], body, strlen(body));	/* curl's exit status tells */
	}
	explicit_bzero(cfg, strlen(cfg));
	close(bodyp[1]);
	bodyp[1] = -1;
	code = pid > 0 ? curl_wait(pid) : FL_EXIT_ENV;
	putchar('\n');
	if (code < 0) {
		fl_err("lava submit: interrupted; curl stopped, nothing left behind");
		code = 128 + fl_interrupt_signal();
	} else if (code == 28) {
		fl_err("lava submit: %s did not answer in time (curl gives up connecting after "
		       "--connect-timeout %g s and on the whole request after --max-time %g s)",
		       endpoint, o->connect_s, o->max_s);
		code = FL_EXIT_ENV;
	} else if (code) {
		fl_err("lava submit: %s was refused or not reachable (curl exit %d; see above)",
		       endpoint, code);
		code = FL_EXIT_ENV;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (cfgp[i] >= 0)
			close(cfgp[i]);
		if (bodyp[i] >= 0)
			close(bodyp[i]);
	}
	free(cfg);
	free(body);
	return code;
}

static int url_ok(const char *url)
{
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return 0;
	for (; *url; url++)
		if ((unsigned char)*url <= ' ' || *url == 0x7f)
			return 0;
	return 1;
}

static int submit_args(int argc, char **argv, struct submit_opts *o)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' }, { "token", required_argument, NULL, 't' },
		{ "token-file", required_argument, NULL, 'f' },
		{ "connect-timeout", required_argument, NULL, 'c' },
		{ "max-time", required_argument, NULL, 'm' }, { NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *env = getenv("FAULTLINE_LAVA_TOKEN");
	int c, ret = 0;

	optind = 1;
	while (!ret && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': o->url = optarg; break;
		case 'f': file = optarg; break;
		case 'c': ret = seconds_opt("--connect-timeout", optarg, &o->connect_s); break;
		case 'm': ret = seconds_opt("--max-time", optarg, &o->max_s); break;
		case 't':
			fl_err("lava submit: --token would show the token to every user of this "
			       "machine (ps, /proc/PID/cmdline); put it in a file only you can read "
			       "and give --token-file FILE, or set FAULTLINE_LAVA_TOKEN");
			return FL_EXIT_USAGE;
		default: usage(stderr); return FL_EXIT_USAGE;
		}
	}
	if (ret)
		return ret;
	if (!o->url || !url_ok(o->url) || optind >= argc) {
		fl_err("lava submit needs --url http(s)://SERVER and at least one JOB file");
		return FL_EXIT_USAGE;
	}
	if (file)
		return token_file(o, file);
	if (env && *env)
		return token_set(o, env, strlen(env), "FAULTLINE_LAVA_TOKEN");
	fl_err("lava submit needs the LAVA token: --token-file FILE (a file only you can read) "
	       "or FAULTLINE_LAVA_TOKEN in the environment");
	return FL_EXIT_USAGE;
}

static int submit(int argc, char **argv)
{
	struct submit_opts o = { .connect_s = CONNECT_TIMEOUT_S, .max_s = MAX_TIME_S };
	int ret = submit_args(argc, argv, &o);

	if (ret)
		return ret;
	signal(SIGPIPE, SIG_IGN);	/* curl gone: its exit status says why */
	fl_interrupt_install();
	for (int i = optind; i < argc && !ret; i++)
		ret = submit_one(&o, argv[i]);
	explicit_bzero(o.token, sizeof(o.token));
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
