/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel identity texts (procparse_kernel.c): config symbols, "uname -a", a sysfs
 * "[choice]" selector; fl_proc_machine() is kernel_id.c's (it reads files). */
#ifndef FL_PROCPARSE_KERNEL_H
#define FL_PROCPARSE_KERNEL_H

#include <stddef.h>
#include <jansson.h>

/* NULL-terminated list of the mechanism config symbols reported (without "CONFIG_"). */
extern const char *const fl_mechanism_symbols[];
/* Value of CONFIG_<sym> in config text: 'y', 'm', 'n' ("is not set"), 'v' (another
 * value), or 0 when the symbol does not appear. */
char fl_config_lookup(const char *config_text, const char *sym);
/* NULL-terminated extra symbols reported on one arch (uname machine; none if unknown). */
const char *const *fl_mechanism_arch_symbols(const char *machine);
/* {"PER_VMA_LOCK": true/false/null, ...} over the common and machine's own symbols: true
 * for =y/=m, false for "is not set" or absent; every flag null when config_text is NULL
 * (no config could be read). */
json_t *fl_config_mechanisms(const char *config_text, const char *machine);
/* Split one "uname -a" line into release, version and machine. Returns 0 or -1. */
int fl_parse_uname_a(const char *line, char *release, size_t rlen, char *version, size_t vlen,
		     char *machine, size_t mlen);
/* The bracketed choice of a sysfs selector: "always [madvise] never" -> "madvise".
 * Returns 0, or -1 if there is no bracketed word. */
int fl_sysfs_selected(const char *text, char *out, size_t len);
/* The uname machine of the kernel behind proc_root: uname() for "/proc" (or NULL), else
 * <proc_root>/sys/kernel/arch, so tests can point it at a fixture tree. 0 or -1.
 * (Defined in kernel_id.c; it reads files.) */
int fl_proc_machine(const char *proc_root, char *out, size_t len);

#endif
