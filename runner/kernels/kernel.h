/* SPDX-License-Identifier: GPL-2.0 */
/* Guest machines (kernels/machines.json) and candidate kernels (configs/candidates/NAME.json). */
#ifndef FL_KERNEL_H
#define FL_KERNEL_H

#include <stddef.h>
#include <jansson.h>

/* One architecture's QEMU recipe. Strings point into the loaded table (json). */
struct fl_machine {
	const char *arch, *qemu, *machine, *cpu, *kvm_cpu, *console, *kernel_file;
	const char *debian_arch, *busybox, *agent;
	const char *uname;		/* the guest kernel's machine name (aarch64 for arm64) */
	const char *qemu_package;	/* the Debian package holding qemu */
	const char *debian_candidate;	/* what --kernel debian means for this arch */
	const char *sysroot;		/* the arch's unpacked Debian packages; "" for the host's */
	const char *serial_device;	/* virtio-serial-pci, virtio-serial-ccw */
	const char *append;		/* extra kernel command line */
	int cpus;
	long mem_mib;
	json_t *qemu_args;	/* array of extra strings */
	json_t *image_magic;	/* array of "OFFSET:HEX ..." alternatives */
	json_t *modules;	/* array of module names the guest init loads if they are modules */
	json_t *table;		/* owns the strings */
};

/* Load ARCH's entry from ROOT/kernels/machines.json, by name or by its uname; m->arch is the
 * entry's name. -1 with a sentence listing known arches. */
int fl_machine_load(const char *root, const char *arch, struct fl_machine *m,
		    char *err, size_t errlen);
void fl_machine_free(struct fl_machine *m);
/* 0 when IMAGE carries one of m's image_magic signatures (or m has none); else -1 with a
 * sentence naming what the image looks like, from the other entries of the table. */
int fl_image_check(const struct fl_machine *m, const char *image, char *err, size_t errlen);

/* A kernel ready to boot. */
struct fl_kernel {
	char name[128];		/* candidate name, or the image file's name */
	char arch[32];
	char image[6400], config[6400];	/* config may be empty (a bare image) */
	char release[128];	/* as the package/build says; the guest's uname -r is the truth */
	char modules[6400];	/* the image's /lib/modules/RELEASE tree, or empty */
	char base[256];		/* e.g. the Debian package and version */
	int is_candidate;
	/* source candidates (kbuild.c): the build's content hash and the patch series */
	char build_hash[32];
	char patchset_name[128], patchset_sha256[65];
	int patchset_version;
};

/* Candidate file for NAME (ROOT/configs/candidates/NAME.json) or NAME as a path. */
void fl_candidate_path(const char *root, const char *name, char *buf, size_t len);
/* Load and check a candidate (strict fields; names by fl_name_check, git and apt arguments never
 * options, patches and fragments inside ROOT or the candidate file's directory); doc is
 * returned for show. */
json_t *fl_candidate_load(const char *root, const char *path, char *err, size_t errlen);
/* Resolve CANDIDATE|IMAGE to a bootable kernel: an image file is used as is; a prebuilt
 * candidate is fetched into ROOT/build/kernels/NAME/ once (kernels/fetch-debian.sh).
 * Returns 0 or an exit status (2 input, 3 environment) with err set. */
int fl_kernel_resolve(const char *root, const char *spec, struct fl_kernel *k,
		      char *err, size_t errlen);

/* kbuild.c: build a source candidate (DOC as fl_candidate_load returned it) with
 * kernels/build.sh, or find it built already (a content-hash cache hit takes seconds). */
int fl_kernel_build(const char *root, json_t *doc, struct fl_kernel *k, char *err, size_t errlen);
/* The last build of candidate NAME (build/kernels/NAME/build.json); INFO gets the document. */
int fl_kernel_built(const char *root, const char *name, struct fl_kernel *k, json_t **info,
		    char *err, size_t errlen);
/* A candidate's "patches": its path (empty when none), series name and version. */
int fl_candidate_patchset(const char *root, json_t *doc, char *path, size_t plen,
			  char *name, size_t nlen, int *version, char *err, size_t errlen);

#endif
