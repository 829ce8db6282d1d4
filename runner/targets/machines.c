// SPDX-License-Identifier: GPL-2.0
/* kernels/machines.json: how each guest architecture boots in QEMU, as data. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "fl_json.h"
#include "fl_util.h"
#include "fl_safe.h"
#include "kernel.h"
#include "qemu_opts.h"

static const char *str(json_t *e, const char *key, const char *path, const char *arch,
		       char *err, size_t errlen)
{
	const char *s = json_string_value(json_object_get(e, key));

	if (!s)
		fl_seterr(err, errlen, "%s: %s.%s must be a string", path, arch, key);
	return s;
}

/* The string fields of an entry, read in this order (the first missing one is named). */
#define FIELD(f) { #f, offsetof(struct fl_machine, f) }
static const struct { const char *key; size_t off; } string_fields[] = {
	FIELD(qemu), FIELD(machine), FIELD(cpu), FIELD(kvm_cpu), FIELD(console),
	FIELD(kernel_file), FIELD(debian_arch), FIELD(busybox), FIELD(agent), FIELD(uname),
	FIELD(qemu_package), FIELD(debian_candidate), FIELD(sysroot), FIELD(serial_device),
	FIELD(append),
};
#undef FIELD

static int load_strings(struct fl_machine *m, json_t *e, const char *path, const char *arch,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(string_fields) / sizeof(string_fields[0]); i++) {
		const char **f = (const char **)((char *)m + string_fields[i].off);

		*f = str(e, string_fields[i].key, path, arch, err, errlen);
		if (!*f)
			return -1;
	}
	return 0;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* The strings that reach QEMU's command line: option strings of a plain charset, no path
 * (qemu_opts.h); the program a plain name; the kernel command line printable. Names that
 * become paths or arguments (candidate, Debian arch, modules) are plain names (fl_safe.h). */
static int check_strings(const struct fl_machine *m, const char *path, char *err, size_t errlen)
{
	const struct { const char *key, *val; } opt[] = {
		{ "machine", m->machine }, { "cpu", m->cpu }, { "kvm_cpu", m->kvm_cpu },
		{ "serial_device", m->serial_device }, { "console", m->console },
	};
	const struct { const char *key, *val; } name[] = {
		{ "uname", m->uname }, { "kernel_file", m->kernel_file },
		{ "debian_arch", m->debian_arch }, { "debian_candidate", m->debian_candidate },
	};
	json_t *e = json_object_get(m->table, m->arch), *a;
	json_t *args = json_object_get(e, "qemu_args"), *mods = json_object_get(e, "modules");
	size_t i;

	if (!fl_name_ok(m->arch))
		return fl_seterr(err, errlen, "%s: the entry name '%s' must be 1-%d characters of "
				 "[A-Za-z0-9._+-]", path, m->arch, FL_NAME_MAX);
	for (i = 0; i < sizeof(name) / sizeof(name[0]); i++)
		if (!fl_name_ok(name[i].val))
			return fl_seterr(err, errlen, "%s: %s.%s must be a name of [A-Za-z0-9._+-], "
					 "not '%s'", path, m->arch, name[i].key, name[i].val);
	json_array_foreach(mods, i, a)
		if (!fl_name_ok(json_string_value(a)))
			return fl_seterr(err, errlen, "%s: %s.modules[%zu] must be a module name of "
					 "[A-Za-z0-9._+-]", path, m->arch, i);
	if (!fl_name_ok(m->qemu))
		return fl_seterr(err, errlen, "%s: %s.qemu must be a program name of "
				 "[A-Za-z0-9._+-] (found in PATH), not '%s'", path, m->arch, m->qemu);
	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (!fl_qemu_optstr_ok(opt[i].val, false))
			return fl_seterr(err, errlen, "%s: %s.%s must be NAME[,KEY=VALUE...] of "
					 "[A-Za-z0-9_.+:-] (no path, no empty item), not '%s'",
					 path, m->arch, opt[i].key, opt[i].val);
	if (!printable(m->append))
		return fl_seterr(err, errlen, "%s: %s.append must be printable ASCII", path,
				 m->arch);
	if (json_array_size(args) > FL_QEMU_MAX_ARGS)
		return fl_seterr(err, errlen, "%s: %s.qemu_args has more than %d entries", path,
				 m->arch, FL_QEMU_MAX_ARGS);
	json_array_foreach(args, i, a)
		if (!fl_qemu_optstr_ok(json_string_value(a), true))
			return fl_seterr(err, errlen, "%s: %s.qemu_args[%zu] must be a string of "
					 "[A-Za-z0-9_.+:-] items joined by ',' (no path)", path,
					 m->arch, i);
	return 0;
}

int fl_machine_load(const char *root, const char *arch, struct fl_machine *m,
		    char *err, size_t errlen)
{
	char path[4200], known[256] = "";
	const char *key;
	json_t *e, *v;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/kernels/machines.json", root);
	m->table = fl_json_load(path, err, errlen);
	if (!m->table)
		return -1;
	e = json_object_get(m->table, arch);
	if (!json_is_object(e))
		json_object_foreach(m->table, key, v)
			if (json_is_object(v) && !e &&
			    !strcmp(json_string_value(json_object_get(v, "uname")) ?: "", arch)) {
				e = v;
				arch = key;
			}
	if (!json_is_object(e)) {
		json_object_foreach(m->table, key, v)
			if (json_is_object(v))
				snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
					 known[0] ? ", " : "", key);
		fl_machine_free(m);
		return fl_seterr(err, errlen, "no QEMU machine for arch '%s' in %s (known: %s)",
				 arch, path, known);
	}
	m->arch = json_object_iter_key(json_object_iter_at(m->table, arch));	/* owned */
	if (load_strings(m, e, path, arch, err, errlen) || check_strings(m, path, err, errlen)) {
		fl_machine_free(m);
		return -1;
	}
	m->cpus = (int)json_integer_value(json_object_get(e, "cpus"));
	m->mem_mib = (long)json_integer_value(json_object_get(e, "mem_mib"));
	m->qemu_args = json_object_get(e, "qemu_args");
	m->image_magic = json_object_get(e, "image_magic");
	m->modules = json_object_get(e, "modules");
	if (m->cpus < 1 || m->mem_mib < 128 || !json_is_array(m->qemu_args) ||
	    !json_is_array(m->image_magic) || !json_is_array(m->modules)) {
		fl_machine_free(m);
		return fl_seterr(err, errlen, "%s: %s needs cpus >= 1, mem_mib >= 128 and "
				 "qemu_args, image_magic and modules arrays", path, arch);
	}
	return 0;
}

void fl_machine_free(struct fl_machine *m)
{
	json_decref(m->table);
	memset(m, 0, sizeof(*m));
}
