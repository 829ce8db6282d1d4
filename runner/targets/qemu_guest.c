// SPDX-License-Identifier: GPL-2.0
/* The qemu target's guest (target_qemu.h): start QEMU, connect its channel, boot to the
 * agent's READY (once more under multi-threaded TCG), stop it, and classify its console. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "console_classify.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "qemu_opts.h"
#include "target_qemu.h"

int fl_qemu_gone(void *ctx)
{
	struct fl_qemu *q = ctx;

	if (q->pid > 0 && waitpid(q->pid, &q->qemu_status, WNOHANG) == q->pid) {
		q->pid = 0;
		return 1;
	}
	return q->pid <= 0;
}

/* TCG's thread mode for this guest on this host (qemu_opts.h), NULL under KVM. */
const char *fl_qemu_tcg_thread(const struct fl_qemu *q)
{
	return strcmp(q->accel, "tcg") ? NULL : fl_tcg_thread(fl_host_cpus(), q->cpus);
}

void fl_qemu_stop(struct fl_qemu *q)
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

static pid_t spawn_qemu(struct fl_qemu *q, char *err, size_t errlen)
{
	struct fl_qemu_spec spec = { .m = &q->m, .accel = q->accel,
				     .tcg_thread = fl_qemu_tcg_thread(q), .cpus = q->cpus,
				     .mem_mib = q->mem_mib, .dir = q->dir, .cmdline = q->cmdline };
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

static int connect_chan(struct fl_qemu *q, double deadline)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", q->dir, FL_QEMU_CHAN);
	while (fl_now_s() < deadline && !fl_qemu_gone(q)) {
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

long fl_qemu_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (long)st.st_size;
}

/* The console from offset off to now, classified. */
json_t *fl_qemu_console_findings(const struct fl_qemu *q, long off)
{
	long end = fl_qemu_file_size(q->console), n = end - off;
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

static void chan_unlink(const struct fl_qemu *q)
{
	char path[sizeof(q->dir) + 8];

	snprintf(path, sizeof(path), "%s/%s", q->dir, FL_QEMU_CHAN);
	unlink(path);
}

static int boot_once(struct fl_qemu *q, struct fl_rundir *rd, double timeout_s, bool first,
		     bool *panicked, char *err, size_t errlen)
{
	double t0 = fl_now_s(), deadline = t0 + timeout_s;
	char line[256];
	long off = fl_qemu_file_size(q->console);
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

		fl_qemu_stop(q);
		*panicked = false;
		return fl_seterr(err, errlen, "the guest init reported: %s (console: %s)",
				 fl_text_clean(said, sizeof(said), line + 5), q->console);
	}
	if (ret == FL_CHAN_OK && strncmp(line, "READY", 5))
		ret = FL_CHAN_EOF;
	if (ret != FL_CHAN_OK) {
		json_t *f = fl_qemu_console_findings(q, off);
		const char *title = json_string_value(json_object_get(json_array_get(f, 0), "title"));

		fl_qemu_stop(q);
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
		       line + 6, q->arch, q->accel, fl_qemu_tcg_thread(q) ? " thread=" : "",
		       fl_qemu_tcg_thread(q) ? fl_qemu_tcg_thread(q) : "", q->cpus, q->mem_mib, q->boot_s);
		fflush(stdout);
		return fl_qemu_guest_info(q, rd, err, errlen);
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
int fl_qemu_boot_guest(struct fl_qemu *q, struct fl_rundir *rd, double timeout_s, bool first,
		       char *err, size_t errlen)
{
	bool panicked = false;
	const char *thread = fl_qemu_tcg_thread(q);

	if (!boot_once(q, rd, timeout_s, first, &panicked, err, errlen))
		return 0;
	if (!panicked || !thread || strcmp(thread, "multi"))
		return -1;
	fprintf(stderr, "faultline: %s; booting once more (multi-threaded TCG)\n", err);
	return boot_once(q, rd, timeout_s, first, &panicked, err, errlen);
}
