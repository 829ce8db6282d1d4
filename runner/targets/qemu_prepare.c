// SPDX-License-Identifier: GPL-2.0
/*
 * The qemu target's prepare (target_qemu.h): the kernel (a candidate, an image, "debian"), the
 * machine of the arch, QEMU installed, the guest's agent and busybox, KVM or TCG, the kernel
 * command line, and the initramfs, built once per content (ROOT/build/initramfs/).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "fl_sha256.h"
#include "fl_util.h"
#include "agent_exec.h"
#include "target_qemu.h"

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
static void rooted(const struct fl_qemu *q, const char *path, char *buf, size_t len)
{
	if (path[0] == '/' || !path[0])
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "%s/%s", q->root, path);
}

/* ROOT/build/initramfs/ARCH-HASH.cpio.gz from agent + busybox + init + the script, plus the
 * arch's sysroot (the agent's libraries) and the image's modules the machine lists. */
static int initramfs(struct fl_qemu *q, char *err, size_t errlen)
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
					 i == 1 || i == 4 ? " (make agents fetches it)" : "");
	fl_sha256_update(&s, q->k.modules, strlen(q->k.modules));
	fl_sha256_update(&s, mods, strlen(mods));
	fl_sha256_hex(&s, hex);
	snprintf(dir, sizeof(dir), "%s/build/initramfs", q->root);
	mkdir(dir, 0755);
	snprintf(q->initrd, sizeof(q->initrd), "%s/%s-%.16s.cpio.gz", dir, q->arch, hex);
	if (!access(q->initrd, R_OK))
		return 0;
	if (fl_child_run(argv, NULL, 120, NULL, &res, err, errlen))
		return -1;
	if (!res.exited || res.code)
		return fl_seterr(err, errlen, "could not assemble the initramfs (see above)");
	return 0;
}

const char *fl_qemu_initrd(const struct fl_target *t)
{
	const struct fl_qemu *q = t->ops == &fl_target_qemu_ops ? t->priv : NULL;

	return q && q->initrd[0] ? q->initrd : NULL;
}

/* --kernel debian: the Debian candidate the machine table names for the arch. */
static const char *kernel_spec(struct fl_qemu *q, const struct fl_target_opts *o,
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
static int guest_files(struct fl_qemu *q, char *err, size_t errlen)
{
	const char *miss = access(q->agent, R_OK) ? q->agent :
			   access(q->busybox, R_OK) ? q->busybox : NULL;

	if (!miss)
		return 0;
	if (!q->sysroot[0])
		return fl_seterr(err, errlen, "%s is missing (make builds the agent; "
				 "apt-get install busybox-static)", miss);
	return fl_seterr(err, errlen, "%s is missing: 'make agents ARCHES=%s' builds the %s agent "
			 "and fetches its busybox (the cross compiler comes from 'make deps-cross "
			 "ARCHES=%s')", miss, q->m.uname, q->m.arch, q->m.arch);
}

/*
 * A guest booted with the hash MMU (disable_radix) and a kernel of 4K pages: it has no THP
 * there (a PMD maps 2M, the hash MMU's large page is 16M), and its boot marks the kernel text
 * read-only one 4K hash entry at a time in stop_machine with the other vCPUs spinning: Debian's
 * 6.12 image did not boot in 300 s under single-threaded TCG with 4 vCPUs (kernels/README.md).
 */
static void warn_hash_4k(const struct fl_qemu *q)
{
	char *cfg;

	if (!q->m.append || !strstr(q->m.append, "disable_radix") || !q->k.config[0])
		return;
	cfg = fl_read_all(q->k.config, 0, 0, NULL, NULL, 0);
	if (cfg && strstr(cfg, "\n# CONFIG_PPC_64K_PAGES is not set"))
		fprintf(stderr, "faultline: warning: %s has 4K pages (CONFIG_PPC_64K_PAGES is not "
			"set): under the hash MMU it has no THP, and under single-threaded TCG its "
			"boot can outlast --boot-timeout (kernels/README.md); debian-ppc64le-hash "
			"is a 64K-page kernel\n", q->k.name);
	free(cfg);
}

int fl_qemu_prepare(struct fl_target *t, char *err, size_t errlen)
{
	struct fl_qemu *q = calloc(1, sizeof(*q));
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
	warn_hash_4k(q);
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
	if (guest_files(q, err, errlen))
		return FL_EXIT_ENV;
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
	return initramfs(q, err, errlen) ? FL_EXIT_ENV : 0;
}
