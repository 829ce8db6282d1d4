/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's command line for the qemu target, with no string from outside in an option value.
 *
 * QEMU parses "-chardev socket,path=P,server=on" (and most options) as KEY=VALUE pairs split at
 * commas, so a path holding a comma adds options. Every path QEMU gets is therefore a fixed
 * name in a private directory the runner made (mkdtemp, /tmp/faultline-qemu-XXXXXX, 0700):
 * DIR/kernel and DIR/initrd are symlinks to the resolved image and initramfs (whatever their
 * names, commas included), DIR/chan is the result channel's socket. The machine table's
 * strings (kernels/machines.json) are checked when it is loaded: option strings of a plain
 * charset, never a path.
 */
#ifndef FL_QEMU_OPTS_H
#define FL_QEMU_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include "kernel.h"

#define FL_QEMU_MAX_ARGS 32	/* machines.json qemu_args */
#define FL_QEMU_ARGV_MAX (40 + FL_QEMU_MAX_ARGS)

struct fl_qemu_spec {
	const struct fl_machine *m;
	const char *accel;	/* kvm or tcg */
	const char *tcg_thread;	/* single or multi (tcg only; NULL: QEMU's default) */
	int cpus;
	long mem_mib;
	const char *dir;	/* fl_qemu_dir_make()'s directory */
	const char *cmdline;	/* the kernel command line (-append, never comma-parsed) */
};

/* The socket's name in DIR. */
#define FL_QEMU_CHAN "chan"

/*
 * TCG's thread mode for VCPUS guest CPUs on HOST_CPUS host CPUs: "single" (one host thread
 * runs every vCPU in turn) when the host has fewer CPUs than the guest, else "multi". With
 * vCPU threads preempted on an oversubscribed host, multi-threaded TCG ran a stale translation
 * of a text_poke_bp() site ("Oops: int3" mid-run); single-threaded TCG does not.
 */
const char *fl_tcg_thread(int host_cpus, int vcpus);
/* The CPUs this process (and so QEMU) may run on: its affinity mask, else the online ones. */
int fl_host_cpus(void);

/*
 * Append S to BUF as one QEMU option value: commas doubled (QEMU's escape). -1 and BUF
 * unchanged when it does not fit.
 */
int fl_qemu_opt_escape(char *buf, size_t len, const char *s);
/*
 * A QEMU option string from the machine table (machine, cpu, serial_device): comma-separated
 * items, the first a name, the others NAME or KEY=VALUE, all of [A-Za-z0-9_.+:-]; no path
 * (no '/'), no empty item. ARG true: one of qemu_args, which may start with '-'.
 */
bool fl_qemu_optstr_ok(const char *s, bool arg);

/*
 * Make DIR (/tmp/faultline-qemu-XXXXXX, 0700) with DIR/kernel -> IMAGE and DIR/initrd ->
 * INITRD (both resolved). -1 with a sentence on failure (nothing left behind).
 */
int fl_qemu_dir_make(char *dir, size_t len, const char *image, const char *initrd,
		     char *err, size_t errlen);
/* Remove what fl_qemu_dir_make() and QEMU put in DIR, and DIR; "" is a no-op. */
void fl_qemu_dir_remove(const char *dir);

/*
 * QEMU's argv for S into ARGV (at most FL_QEMU_ARGV_MAX entries plus NULL, each malloc'ed;
 * fl_qemu_argv_free() frees them). Returns the count, or -1 with a sentence when S->dir is
 * not a plain path or a machine string is not a plain option string.
 */
int fl_qemu_argv(const struct fl_qemu_spec *s, char **argv, char *err, size_t errlen);
void fl_qemu_argv_free(char **argv);

#endif
