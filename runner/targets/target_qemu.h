/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The qemu target's state and what its files share: qemu_prepare.c resolves the kernel, the
 * machine, the accelerator, the command line and the initramfs; qemu_describe.c makes the run
 * object; qemu_guest.c starts, boots and stops the guest and reads its console; target_qemu.c
 * sends the cases and takes their documents (and holds the ops table).
 */
#ifndef FL_TARGET_QEMU_H
#define FL_TARGET_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>
#include "kernel.h"
#include "qemu_chan.h"
#include "rundir.h"
#include "target.h"

struct fl_qemu {
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

/* qemu_prepare.c: everything resolved before a run dir exists (target.h's prepare). */
int fl_qemu_prepare(struct fl_target *t, char *err, size_t errlen);

/* qemu_describe.c: the run object before the boot (the host's view), and after the first
 * boot the guest's own kernel identity put into rd->run_info. */
json_t *fl_qemu_describe(struct fl_target *t, char *err, size_t errlen);
int fl_qemu_guest_info(struct fl_qemu *q, struct fl_rundir *rd, char *err, size_t errlen);

/* qemu_guest.c */
/* The channel's "gone" callback: nonzero once QEMU has exited (reaped here). */
int fl_qemu_gone(void *ctx);
/* TCG's thread mode for this guest on this host (qemu_opts.h), NULL under KVM. */
const char *fl_qemu_tcg_thread(const struct fl_qemu *q);
/* Kill QEMU and close the channel; the next case boots a fresh guest. */
void fl_qemu_stop(struct fl_qemu *q);
/* Boot a guest to its agent's READY within timeout_s (first: print it and take the guest's
 * kernel identity); 0, or -1 with err set. */
int fl_qemu_boot_guest(struct fl_qemu *q, struct fl_rundir *rd, double timeout_s, bool first,
		       char *err, size_t errlen);
/* The size of the file at path, 0 when it cannot be read. */
long fl_qemu_file_size(const char *path);
/* The console from offset off to now, classified (an array, maybe empty). */
json_t *fl_qemu_console_findings(const struct fl_qemu *q, long off);

#endif
