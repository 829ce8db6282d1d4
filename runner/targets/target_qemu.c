// SPDX-License-Identifier: GPL-2.0
/*
 * Target "qemu": boot a kernel with the agent's initramfs in QEMU (KVM when /dev/kvm is usable
 * for the arch, else TCG), send each case over a virtio-serial port, receive its document as
 * a checked frame, capture the serial console to results/<run-id>/console.log and classify it.
 * A guest that crashes or stops answering is restarted and the run goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "console_classify.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "kernel.h"
#include "qemu_chan.h"
#include "qemu_opts.h"
#include "fl_sha256.h"
#include "target.h"
#include "plan.h"
#include "agent_exec.h"
#include "rundir.h"

#define DEFAULT_BOOT_TIMEOUT_S 120.0
#define FRAME_SLACK_S 15.0	/* after the case's own timeout: frames, agent start-up */
#define KVM_PROBE_BOOT_S 30.0	/* a KVM guest is up in seconds; longer means KVM is broken */

struct qemu {
	struct fl_machine m;
	struct fl_kernel k;
	char root[4096], arch[72], agent[4200], initrd[4400], console[1200];
	char dir[96];		/* private: QEMU's paths (qemu_opts.h) */
	char busybox[4200], sysroot[4200], cmdline[640], accel[8];
	int cpus;
	long mem_mib;
	pid_t pid;
	int qemu_status;
	bool up, accel_fixed;
	struct fl_chan ch;
	double boot_s;		/* the last boot: QEMU start to the agent's READY */
	int boots;
};

static int qemu_gone(void *ctx)
{
	struct qemu *q = ctx;

	if (q->pid > 0 && waitpid(q->pid, &q->qemu_status, WNOHANG) == q->pid) {
		q->pid = 0;
		return 1;
	}
	return q->pid <= 0;
}

static bool in_path(const char *prog)
{
	char path[4096], *save, *dir, full[4300];

	snprintf(path, sizeof(path), "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(full, sizeof(full), "%s/%s", dir, prog);
		if (!access(full, X_OK))
			return true;
	}
	return false;
}

/* ROOT/PATH for a path of the machine table relative to the tree. */
static void rooted(const struct qemu *q, const char *path, char *buf, size_t len)
{
	if (path[0] == '/' || !path[0])
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "%s/%s", q->root, path);
}

/* ROOT/build/initramfs/ARCH-HASH.cpio.gz from agent + busybox + init + the script, plus the
 * arch's sysroot (the agent's libraries) and the image's modules the machine lists. */
static int initramfs(struct qemu *q, char *err, size_t errlen)
{
	char init[4200], script[4200], dir[4200], hex[65], mods[1024] = "", sysrootpk[4300];
	const char *parts[] = { q->agent, q->busybox, init, script, sysrootpk };
	char *argv[] = { script, q->agent, q->busybox, init, q->initrd, q->sysroot,
			 q->k.modules, mods, NULL };
	struct fl_child_result res;
	struct fl_sha256 s;
	size_t i, nparts = q->sysroot[0] ? 5 : 4;
	json_t *mod;

	snprintf(init, sizeof(init), "%s/runner/targets/guest-init.sh", q->root);
	snprintf(script, sizeof(script), "%s/runner/targets/mkinitramfs.sh", q->root);
	snprintf(sysrootpk, sizeof(sysrootpk), "%s/packages.txt", q->sysroot);
	if (q->k.modules[0])
		json_array_foreach(q->m.modules, i, mod)
			snprintf(mods + strlen(mods), sizeof(mods) - strlen(mods), "%s%s",
				 mods[0] ? " " : "", json_string_value(mod));
	fl_sha256_init(&s);
	for (i = 0; i < nparts; i++)
		if (fl_sha256_file(&s, parts[i]))
			return fl_seterr(err, errlen, "cannot read %s for the initramfs: %s%s",
					 parts[i], strerror(errno),
					 i == 1 && !q->sysroot[0] ? " (install busybox-static)" :
					 i == 1 || i == 4 ? " (make agents fetches it)" : ""),
			       FL_EXIT_ENV;
	fl_sha256_update(&s, q->k.modules, strlen(q->k.modules));
	fl_sha256_update(&s, mods, strlen(mods));
	fl_sha256_hex(&s, hex);
	snprintf(dir, sizeof(dir), "%s/build/initramfs", q->root);
	mkdir(dir, 0755);
	snprintf(q->initrd, sizeof(q->initrd), "%s/%s-%.16s.cpio.gz", dir, q->arch, hex);
	if (!access(q->initrd, R_OK))
		return 0;
	if (fl_child_run(argv, NULL, 120, NULL, &res, err, errlen))
		return FL_EXIT_ENV;
	if (!res.exited || res.code)
		return fl_seterr(err, errlen, "could not assemble the initramfs (see above)"),
		       FL_EXIT_ENV;
	return 0;
}

const char *fl_qemu_initrd(const struct fl_target *t)
{
	const struct qemu *q = t->ops == &fl_target_qemu_ops ? t->priv : NULL;

	return q && q->initrd[0] ? q->initrd : NULL;
}

/* --kernel debian: the Debian candidate the machine table names for the arch. */
static const char *kernel_spec(struct qemu *q, const struct fl_target_opts *o,
			       const char *host, char *buf, size_t len)
{
	struct fl_machine m;
	char e[FL_ERRLEN];

	if (strcmp(o->kernel, "debian") ||
	    fl_machine_load(q->root, o->arch ? o->arch : host, &m, e, sizeof(e)))
		return o->kernel;
	snprintf(buf, len, "%s", m.debian_candidate);
	fl_machine_free(&m);
	return buf;
}

/* The cross agent and the arch's busybox exist, or one sentence on how to get them. */
static int guest_files(struct qemu *q, char *err, size_t errlen)
{
	const char *miss = access(q->agent, R_OK) ? q->agent :
			   access(q->busybox, R_OK) ? q->busybox : NULL;

	if (!miss)
		return 0;
	if (!q->sysroot[0])
		return fl_seterr(err, errlen, "%s is missing (make builds the agent; "
				 "apt-get install busybox-static)", miss), FL_EXIT_ENV;
	return fl_seterr(err, errlen, "%s is missing: 'make agents ARCHES=%s' builds the %s agent "
			 "and fetches its busybox (the cross compiler comes from 'make deps-cross "
			 "ARCHES=%s')", miss, q->m.uname, q->m.arch, q->m.arch), FL_EXIT_ENV;
}

static int qemu_prepare(struct fl_target *t, char *err, size_t errlen)
{
	struct qemu *q = calloc(1, sizeof(*q));
	char spec[128];
	struct utsname u;
	int ret, fd;

	if (!q)
		return fl_seterr(err, errlen, "out of memory"), FL_EXIT_ENV;
	t->priv = q;
	if (!fl_project_root(q->root, sizeof(q->root)))
		return fl_seterr(err, errlen, "cannot find the faultline tree (kernels/machines.json) "
				 "next to this program; set FAULTLINE_ROOT"), FL_EXIT_ENV;
	uname(&u);
	ret = fl_kernel_resolve(q->root, kernel_spec(q, &t->opts, u.machine, spec, sizeof(spec)),
				&q->k, err, errlen);
	if (ret)
		return ret;
	snprintf(q->arch, sizeof(q->arch), "%s", t->opts.arch ? t->opts.arch :
		 q->k.arch[0] ? q->k.arch : u.machine);
	if (fl_machine_load(q->root, q->arch, &q->m, err, errlen))
		return FL_EXIT_USAGE;
	snprintf(q->arch, sizeof(q->arch), "%s", q->m.arch);
	if (q->k.arch[0] && strcmp(q->k.arch, q->arch) && strcmp(q->k.arch, q->m.uname))
		return fl_seterr(err, errlen, "candidate %s is for %s, not --arch %s", q->k.name,
				 q->k.arch, q->arch), FL_EXIT_USAGE;
	if (fl_image_check(&q->m, q->k.image, err, errlen))
		return FL_EXIT_USAGE;
	if (!in_path(q->m.qemu))
		return fl_seterr(err, errlen, "%s is not installed (%s installs %s; "
				 "scripts/packages.txt lists it)", q->m.qemu,
				 q->m.sysroot[0] ? "make deps-cross" : "make deps",
				 q->m.qemu_package), FL_EXIT_ENV;
	if (!strcmp(u.machine, q->m.uname))
		snprintf(q->agent, sizeof(q->agent), "%s", t->opts.agent);
	else
		rooted(q, q->m.agent, q->agent, sizeof(q->agent));
	rooted(q, q->m.busybox, q->busybox, sizeof(q->busybox));
	rooted(q, q->m.sysroot, q->sysroot, sizeof(q->sysroot));
	ret = guest_files(q, err, errlen);
	if (ret)
		return ret;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	snprintf(q->accel, sizeof(q->accel), "%s",
		 fd >= 0 && !strcmp(u.machine, q->m.uname) ? "kvm" : "tcg");
	if (fd >= 0)
		close(fd);
	if (t->opts.accel && strcmp(t->opts.accel, "auto")) {
		if (strcmp(t->opts.accel, "kvm") && strcmp(t->opts.accel, "tcg"))
			return fl_seterr(err, errlen, "--accel %s: use auto, kvm or tcg",
					 t->opts.accel), FL_EXIT_USAGE;
		if (!strcmp(t->opts.accel, "kvm") && strcmp(q->accel, "kvm"))
			return fl_seterr(err, errlen, "--accel kvm: /dev/kvm is not usable here or "
					 "the guest arch differs from the host's"), FL_EXIT_ENV;
		snprintf(q->accel, sizeof(q->accel), "%s", t->opts.accel);
		q->accel_fixed = true;
	}
	q->cpus = t->opts.cpus ? t->opts.cpus : q->m.cpus;
	q->mem_mib = t->opts.mem_mib ? t->opts.mem_mib : q->m.mem_mib;
	/* Under TCG on an oversubscribed host (4 vCPUs on 2 cores) a vCPU can go unscheduled
	 * for many seconds: looser soft-lockup and RCU-stall thresholds keep that emulation
	 * artifact from being reported as a kernel finding; real hangs still end in the
	 * per-case timeout ("no output from guest"). */
	snprintf(q->cmdline, sizeof(q->cmdline), "console=%s loglevel=5 oops=panic panic=-1 "
		 "softlockup_panic=1%s%s%s%s", q->m.console,
		 strcmp(q->accel, "tcg") ? "" :
		 " watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=120",
		 t->opts.panic_on_warn ? " panic_on_warn=1" : "", q->m.append[0] ? " " : "",
		 q->m.append);
	return initramfs(q, err, errlen);
}

static json_t *host_info(void)
{
	char name[256] = "unknown";

	gethostname(name, sizeof(name) - 1);
	return json_pack("{s:s, s:i}", "hostname", name, "cpus", fl_online_cpus());
}

static json_t *utc_now(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* TCG's thread mode for this guest on this host (qemu_opts.h), NULL under KVM. */
static const char *tcg_thread(const struct qemu *q)
{
	return strcmp(q->accel, "tcg") ? NULL : fl_tcg_thread(fl_host_cpus(), q->cpus);
}

static json_t *target_json(const struct qemu *q, int cpus, json_t *mem)
{
	json_t *t = json_pack("{s:s, s:s, s:i, s:o, s:s}", "kind", "qemu", "arch", q->arch,
			      "cpus", cpus, "mem_mib", mem, "accel", q->accel);

	if (tcg_thread(q))
		json_object_set_new(t, "tcg_thread", json_string(tcg_thread(q)));
	return t;
}

static void set_candidate(const struct qemu *q, json_t *kernel)
{
	json_object_set_new(kernel, "candidate", q->k.is_candidate ? json_string(q->k.name)
								   : json_null());
	json_object_set_new(kernel, "base", json_string(q->k.base));
	if (q->k.patchset_name[0])
		json_object_set_new(kernel, "patchset", json_pack("{s:s, s:i, s:s}", "name",
			q->k.patchset_name, "version", q->k.patchset_version, "sha256",
			q->k.patchset_sha256));
	else if (!json_object_get(kernel, "patchset"))
		json_object_set_new(kernel, "patchset", json_null());
	if (q->k.build_hash[0])
		json_object_set_new(kernel, "build", json_string(q->k.build_hash));
}

/* Before the guest is up: what the host knows; boot replaces it with the guest's view. */
static json_t *qemu_describe(struct fl_target *t, char *err, size_t errlen)
{
	struct qemu *q = t->priv;
	json_t *kernel = json_pack("{s:s}", "release", q->k.release[0] ? q->k.release : q->k.name);

	set_candidate(q, kernel);
	return json_pack("{s:s, s:n, s:o, s:{s:s, s:s}, s:o, s:o, s:o}", "id", "pending",
			 "suite", "started", utc_now(), "tool", "version", FL_VERSION,
			 "commit", FL_COMMIT, "target",
			 target_json(q, q->cpus, json_integer(q->mem_mib)),
			 "kernel", kernel, "host", host_info());
}

static void stop_guest(struct qemu *q)
{
	if (q->ch.fd > 0)
		close(q->ch.fd);
	q->ch.fd = -1;
	q->ch.len = 0;
	if (q->pid > 0) {
		kill(q->pid, SIGKILL);
		waitpid(q->pid, &q->qemu_status, 0);
	}
	q->pid = 0;
	q->up = false;
}

static pid_t spawn_qemu(struct qemu *q, char *err, size_t errlen)
{
	struct fl_qemu_spec spec = { .m = &q->m, .accel = q->accel, .tcg_thread = tcg_thread(q),
				     .cpus = q->cpus, .mem_mib = q->mem_mib, .dir = q->dir,
				     .cmdline = q->cmdline };
	char *argv[FL_QEMU_ARGV_MAX + 1];
	int fd;
	pid_t pid;

	if (fl_qemu_argv(&spec, argv, err, errlen) < 0)
		return -1;
	fd = open(q->console, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fl_seterr(err, errlen, "cannot write %s: %s", q->console, strerror(errno));
		pid = -1;
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		setpgid(0, 0);	/* Ctrl-C goes to the runner, which stops QEMU itself */
		execvp(argv[0], argv);
		fprintf(stderr, "faultline: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	if (pid < 0)
		fl_seterr(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
out:
	fl_qemu_argv_free(argv);
	return pid;
}

static int connect_chan(struct qemu *q, double deadline)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", q->dir, FL_QEMU_CHAN);
	while (fl_now_s() < deadline && !qemu_gone(q)) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			q->ch.fd = fd;
			return 0;
		}
		if (fd >= 0)
			close(fd);
		usleep(50000);
	}
	return -1;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (long)st.st_size;
}

/* The console from offset off to now, classified. */
static json_t *console_findings(const struct qemu *q, long off)
{
	long end = file_size(q->console), n = end - off;
	FILE *f = fopen(q->console, "r");
	json_t *found;
	char *buf;

	if (!f || n <= 0 || !(buf = malloc((size_t)n))) {
		if (f)
			fclose(f);
		return json_array();
	}
	fseek(f, off, SEEK_SET);
	n = (long)fread(buf, 1, (size_t)n, f);
	fclose(f);
	found = fl_console_classify(buf, (size_t)n);
	free(buf);
	return found;
}

/* Ask the guest's agent for the run object (its kernel identity) and make it ours. */
static int guest_info(struct qemu *q, struct fl_rundir *rd, char *err, size_t errlen)
{
	char line[256], kind[16], sha[65], *body = NULL;
	double deadline = fl_now_s() + 60;
	json_t *info, *kernel, *target;
	size_t n;
	int ret;

	if (fl_chan_write(&q->ch, "INFO\n", 5) || fl_chan_line(&q->ch, line, sizeof(line), deadline) ||
	    !fl_frame_header(line, kind, sizeof(kind), &n, sha) ||
	    (ret = fl_chan_frame(&q->ch, n, sha, deadline, &body, err, errlen)) != 0)
		return fl_seterr(err, errlen, "the guest's agent did not describe its kernel "
				 "(faultline-agent --run-info)"), -1;
	info = json_loads(body, 0, NULL);
	free(body);
	kernel = json_object_get(info, "kernel");
	target = json_object_get(info, "target");
	if (!kernel || !target) {
		json_decref(info);
		return fl_seterr(err, errlen, "the guest's agent printed no kernel identity"), -1;
	}
	set_candidate(q, kernel);
	json_object_set(rd->run_info, "kernel", kernel);
	json_object_set_new(rd->run_info, "target",
			    target_json(q, (int)json_integer_value(json_object_get(target, "cpus")),
					json_incref(json_object_get(target, "mem_mib"))));
	json_decref(info);
	return 0;
}

static void chan_unlink(const struct qemu *q)
{
	char path[sizeof(q->dir) + 8];

	snprintf(path, sizeof(path), "%s/%s", q->dir, FL_QEMU_CHAN);
	unlink(path);
}

static int boot_once(struct qemu *q, struct fl_rundir *rd, double timeout_s, bool first,
		     bool *panicked, char *err, size_t errlen)
{
	double t0 = fl_now_s(), deadline = t0 + timeout_s;
	char line[256];
	long off = file_size(q->console);
	int ret;

	chan_unlink(q);
	q->ch.fd = -1;
	q->pid = spawn_qemu(q, err, errlen);
	if (q->pid < 0)
		return -1;
	q->boots++;
	if (connect_chan(q, deadline))
		ret = FL_CHAN_GONE;
	else
		ret = fl_chan_line(&q->ch, line, sizeof(line), deadline);
	if (ret == FL_CHAN_OK && !strncmp(line, "FAIL ", 5)) {
		/* the guest init's own sentence (a module that did not load): not retried */
		char said[200];

		stop_guest(q);
		*panicked = false;
		return fl_seterr(err, errlen, "the guest init reported: %s (console: %s)",
				 fl_text_clean(said, sizeof(said), line + 5), q->console);
	}
	if (ret == FL_CHAN_OK && strncmp(line, "READY", 5))
		ret = FL_CHAN_EOF;
	if (ret != FL_CHAN_OK) {
		json_t *f = console_findings(q, off);
		const char *title = json_string_value(json_object_get(json_array_get(f, 0), "title"));

		stop_guest(q);
		*panicked = title != NULL;
		fl_seterr(err, errlen, "the guest did not boot to its agent within %.0f s (%s; "
			  "console: %s)", timeout_s,
			  title ? title : ret == FL_CHAN_TIMEOUT ? "no answer" : "QEMU exited",
			  q->console);
		json_decref(f);
		return -1;
	}
	q->boot_s = fl_now_s() - t0;
	q->up = true;
	if (first) {
		printf("guest up: %s on %s %s%s%s, %d vCPUs, %ld MiB, boot to agent ready %.1f s\n",
		       line + 6, q->arch, q->accel, tcg_thread(q) ? " thread=" : "",
		       tcg_thread(q) ? tcg_thread(q) : "", q->cpus, q->mem_mib, q->boot_s);
		fflush(stdout);
		return guest_info(q, rd, err, errlen);
	}
	return 0;
}

/*
 * Multi-threaded TCG can run a stale translation of a site text_poke_bp() patched: the int3
 * it wrote in between, on a vCPU that finds no patch in progress ("Oops: int3", at boot or
 * mid-run). Where the host has fewer CPUs than the guest (vCPU threads preempted mid-
 * translation) the target runs single-threaded TCG, which has no such race, and a boot that
 * ends in a kernel report is reported at once. Under multi-threaded TCG (host CPUs >= vCPUs)
 * such a boot is tried once more, said on stderr; the console keeps both boots.
 */
static int boot_guest(struct qemu *q, struct fl_rundir *rd, double timeout_s, bool first,
		      char *err, size_t errlen)
{
	bool panicked = false;
	const char *thread = tcg_thread(q);

	if (!boot_once(q, rd, timeout_s, first, &panicked, err, errlen))
		return 0;
	if (!panicked || !thread || strcmp(thread, "multi"))
		return -1;
	fprintf(stderr, "faultline: %s; booting once more (multi-threaded TCG)\n", err);
	return boot_once(q, rd, timeout_s, first, &panicked, err, errlen);
}

static int qemu_boot(struct fl_target *t, struct fl_rundir *rd, char *err, size_t errlen)
{
	struct qemu *q = t->priv;

	snprintf(q->console, sizeof(q->console), "%s/console.log", rd->dir);
	if (!q->dir[0] && fl_qemu_dir_make(q->dir, sizeof(q->dir), q->k.image, q->initrd,
					   err, errlen))
		return -1;
	q->ch.gone = qemu_gone;
	q->ch.ctx = q;
	/* /dev/kvm can open and still fail (nested virtualization): fall back to TCG. */
	if (!strcmp(q->accel, "kvm") && !q->accel_fixed) {
		if (!boot_guest(q, rd, KVM_PROBE_BOOT_S, true, err, errlen))
			return 0;
		fprintf(stderr, "faultline: KVM did not boot the guest (%s); using TCG\n", err);
		snprintf(q->accel, sizeof(q->accel), "tcg");
	}
	return boot_guest(q, rd, t->opts.boot_timeout_s ? t->opts.boot_timeout_s :
			  DEFAULT_BOOT_TIMEOUT_S, true, err, errlen);
}

/* --inject-fault N:panic,M:hang: the kind for plan case idx, or NULL. */
static const char *inject_for(const char *spec, size_t idx, char *buf, size_t len)
{
	for (const char *p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		char kind[16];
		unsigned long n;

		if (sscanf(p, "%lu:%15[a-z]", &n, kind) == 2 && n == idx) {
			snprintf(buf, len, "%s", kind);
			return buf;
		}
	}
	return NULL;
}

static int send_case(struct qemu *q, char **argv)
{
	char head[32];
	int n = 0;

	while (argv[n])
		n++;
	snprintf(head, sizeof(head), "RUN %d\n", n);
	if (fl_chan_write(&q->ch, head, strlen(head)))
		return -1;
	for (int i = 0; i < n; i++)
		if (strchr(argv[i], '\n') || fl_chan_write(&q->ch, argv[i], strlen(argv[i])) ||
		    fl_chan_write(&q->ch, "\n", 1))
			return -1;
	return 0;
}

static void keep_tail(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	snprintf(dst, len, "%s", n >= len ? src + n - (len - 1) : src);
}

/* Frames until DONE: LOG into the case log and the result's tail, CASE into res->doc. */
static int receive(struct qemu *q, const char *log, double deadline,
		   struct fl_case_result *res, char *err, size_t errlen)
{
	char line[512], kind[16], sha[65], *body;
	size_t n;
	int ret;

	for (;;) {
		ret = fl_chan_line(&q->ch, line, sizeof(line), deadline);
		if (ret)
			return ret;
		if (!strncmp(line, "DONE ", 5)) {
			res->exited = 1;
			res->code = atoi(line + 5);
			return FL_CHAN_OK;
		}
		if (!fl_frame_header(line, kind, sizeof(kind), &n, sha))
			continue;
		ret = fl_chan_frame(&q->ch, n, sha, deadline, &body, err, errlen);
		if (ret)
			return ret;
		if (!strcmp(kind, "LOG")) {
			FILE *f = fopen(log, "a");

			if (f) {
				fputs(body, f);
				fclose(f);
			}
			keep_tail(res->log_tail, sizeof(res->log_tail), body);
		} else if (!strcmp(kind, "CASE")) {
			json_error_t je;

			json_decref(res->doc);
			res->doc = json_loads(body, 0, &je);
		}
		free(body);
	}
}

static int qemu_run_case(struct fl_target *t, struct fl_rundir *rd, const char *suite,
			 struct fl_plan_case *pc, size_t idx, volatile sig_atomic_t *interrupted,
			 struct fl_case_result *res, char *err, size_t errlen)
{
	struct qemu *q = t->priv;
	char *argv[FL_MAX_ARGS], log[1400], inj[16], ferr[FL_ERRLEN] = "", cmd[48];
	double t0, timeout = pc->timeout_s + FRAME_SLACK_S;
	long off;
	int ret;

	if (!q->up && boot_guest(q, rd, t->opts.boot_timeout_s ? t->opts.boot_timeout_s :
				 DEFAULT_BOOT_TIMEOUT_S, false, err, errlen))
		return -1;
	snprintf(log, sizeof(log), "%s/logs/%04zu.log", rd->dir, idx);
	off = file_size(q->console);
	t0 = fl_now_s();
	if (inject_for(t->opts.inject, idx, inj, sizeof(inj))) {
		snprintf(cmd, sizeof(cmd), "INJECT %s\n", inj);
		fl_chan_write(&q->ch, cmd, strlen(cmd));
	}
	fl_case_argv(pc, rd->id, suite, "/bin/faultline-agent", NULL, "qemu", argv);
	ret = send_case(q, argv) ? FL_CHAN_EOF : FL_CHAN_OK;
	fl_argv_free(argv);
	q->ch.ctx = q;
	if (!ret)
		ret = receive(q, log, t0 + timeout, res, ferr, sizeof(ferr));
	res->elapsed_s = fl_now_s() - t0;
	if (ret == FL_CHAN_TIMEOUT && *interrupted)
		res->interrupted = true;
	if (ret == FL_CHAN_TIMEOUT || ret == FL_CHAN_EOF || ret == FL_CHAN_GONE)
		stop_guest(q);	/* the next case boots a fresh guest */
	res->findings = console_findings(q, off);
	/* KASAN reports once per boot and lockdep turns itself off after a report: a finding
	 * the guest survived still means a fresh guest for the next case. */
	if (json_array_size(res->findings) && q->up)
		stop_guest(q);
	if (ret == FL_CHAN_OK)
		return 0;
	if (ret == 1) {		/* a damaged frame: the document is not used */
		snprintf(res->reason, sizeof(res->reason), "%s", ferr);
		return 0;
	}
	if (ret == FL_CHAN_TIMEOUT) {
		res->timed_out = true;
		if (!json_array_size(res->findings))
			json_array_append_new(res->findings, fl_console_finding(
				"no output from guest", "the guest stopped answering and its console "
				"shows no kernel report"));
	} else {
		res->crashed = true;
		if (!json_array_size(res->findings))
			json_array_append_new(res->findings, fl_console_finding(
				"lost connection", "the guest's channel closed or QEMU exited, and the "
				"console shows no kernel report"));
	}
	snprintf(res->reason, sizeof(res->reason), "%s: %.200s (console: %.200s)",
		 res->timed_out ? "the guest did not finish the case within its time" :
		 "the guest died during the case",
		 json_string_value(json_object_get(json_array_get(res->findings, 0), "title")),
		 q->console);
	return 0;
}

/* The document from the guest goes into the run dir with the run's identity and the console
 * findings; a finding makes an ok case crashed. */
static int qemu_collect(struct fl_target *t, struct fl_rundir *rd, struct fl_plan_case *pc,
			struct fl_case_result *res, char *err, size_t errlen)
{
	json_t *cs = json_object_get(res->doc, "case");
	char path[1400];

	snprintf(path, sizeof(path), "%s/%s", rd->dir, pc->file);
	unlink(path);
	if (!res->doc || !json_is_object(cs) || res->timed_out || res->crashed)
		return 0;
	json_object_set_new(res->doc, "run", json_deep_copy(rd->run_info));
	json_object_set_new(cs, "console", json_pack("{s:O}", "findings",
						     res->findings ? res->findings : json_array()));
	if (json_array_size(res->findings)) {
		const char *title = json_string_value(json_object_get(json_array_get(res->findings,
										     0), "title"));

		json_object_set_new(cs, "status", json_string("crashed"));
		json_object_set_new(cs, "reason", json_sprintf("the console shows %s", title));
	}
	return fl_json_write_atomic(path, res->doc, err, errlen);
}

static void qemu_shutdown(struct fl_target *t)
{
	struct qemu *q = t->priv;

	if (!q)
		return;
	if (q->up && q->ch.fd >= 0) {
		double deadline = fl_now_s() + 10;

		fl_chan_write(&q->ch, "POWEROFF\n", 9);
		while (fl_now_s() < deadline && !qemu_gone(q))
			usleep(50000);
	}
	stop_guest(q);
	fl_qemu_dir_remove(q->dir);
	fl_machine_free(&q->m);
	free(q);
	t->priv = NULL;
}

const struct fl_target_ops fl_target_qemu_ops = {
	.kind = "qemu",
	.summary = "boot --kernel in QEMU (KVM when /dev/kvm is usable, else\n"
		   "TCG) and run inside, the agent in an initramfs",
	.caps = FL_TGT_BOOTS_KERNEL | FL_TGT_MULTI_KERNEL,
	.prepare = qemu_prepare,
	.describe = qemu_describe,
	.boot = qemu_boot,
	.run_case = qemu_run_case,
	.collect = qemu_collect,
	.shutdown = qemu_shutdown,
};
