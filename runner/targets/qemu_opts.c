// SPDX-License-Identifier: GPL-2.0
/* QEMU's command line for the qemu target: paths only from our own directory (qemu_opts.h). */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_util.h"
#include "qemu_opts.h"

#define DIR_TEMPLATE "/tmp/faultline-qemu-XXXXXX"

static const char *const dir_files[] = { "kernel", "initrd", FL_QEMU_CHAN };

const char *fl_tcg_thread(int host_cpus, int vcpus)
{
	return host_cpus < vcpus ? "single" : "multi";
}

int fl_host_cpus(void)
{
	cpu_set_t set;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return fl_online_cpus();
}

int fl_qemu_opt_escape(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf), need = n;

	for (const char *p = s; *p; p++)
		need += *p == ',' ? 2 : 1;
	if (need >= len)
		return -1;
	for (const char *p = s; *p; p++) {
		buf[n++] = *p;
		if (*p == ',')
			buf[n++] = ',';
	}
	buf[n] = '\0';
	return 0;
}

static bool plain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_.+:-", c);
}

/* One item of an option string: NAME (first) or NAME / KEY=VALUE, len > 0. */
static bool item_ok(const char *s, size_t len, bool first)
{
	size_t eq = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=' && !first && !eq && i > 0 && i + 1 < len)
			eq = i;
		else if (!plain_char(s[i]))
			return false;
	}
	return len > 0;
}

bool fl_qemu_optstr_ok(const char *s, bool arg)
{
	bool first = true;

	if (!s || !*s || (*s == '-' && !arg))
		return false;
	for (;;) {
		size_t n = strcspn(s, ",");

		if (!item_ok(s, n, first && !arg))
			return false;
		if (!s[n])
			return true;
		s += n + 1;
		first = false;
	}
}

/* A directory QEMU may see: absolute, of [A-Za-z0-9/._+-] only, so no comma ever. */
static bool plain_dir(const char *d)
{
	if (d[0] != '/' || strlen(d) > 80)
		return false;
	for (; *d; d++)
		if (*d != '/' && !plain_char(*d))
			return false;
	return true;
}

static int link_into(const char *dir, const char *name, const char *target,
		     char *err, size_t errlen)
{
	char real[PATH_MAX], path[PATH_MAX];

	if (!realpath(target, real))
		return fl_seterr(err, errlen, "cannot resolve %s for QEMU: %s", target,
				 strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (symlink(real, path))
		return fl_seterr(err, errlen, "cannot link %s to %s: %s", path, real,
				 strerror(errno));
	return 0;
}

void fl_qemu_dir_remove(const char *dir)
{
	char path[PATH_MAX];

	if (!dir || !dir[0])
		return;
	for (size_t i = 0; i < sizeof(dir_files) / sizeof(dir_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dir_files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int fl_qemu_dir_make(char *dir, size_t len, const char *image, const char *initrd,
		     char *err, size_t errlen)
{
	if (len < sizeof(DIR_TEMPLATE))
		return fl_seterr(err, errlen, "no room for QEMU's directory name");
	snprintf(dir, len, "%s", DIR_TEMPLATE);
	if (!mkdtemp(dir)) {
		fl_seterr(err, errlen, "cannot create a directory for QEMU (%s): %s",
			  DIR_TEMPLATE, strerror(errno));
		goto fail;
	}
	if (link_into(dir, "kernel", image, err, errlen) ||
	    link_into(dir, "initrd", initrd, err, errlen))
		goto remove;
	return 0;
remove:
	fl_qemu_dir_remove(dir);
fail:
	dir[0] = '\0';
	return -1;
}

/* -accel kvm | tcg[,thread=single|multi] */
static void accel_opt(const struct fl_qemu_spec *s, char *buf, size_t len)
{
	bool tcg = !strcmp(s->accel, "tcg");

	snprintf(buf, len, "%s%s%s", tcg ? "tcg" : "kvm",
		 tcg && s->tcg_thread ? ",thread=" : "",
		 tcg && s->tcg_thread && !strcmp(s->tcg_thread, "single") ? "single" :
		 tcg && s->tcg_thread ? "multi" : "");
}

static int check_machine(const struct fl_qemu_spec *s, char *err, size_t errlen)
{
	const struct fl_machine *m = s->m;
	const char *cpu = !strcmp(s->accel, "kvm") ? m->kvm_cpu : m->cpu;
	size_t i;
	json_t *a;

	if (!plain_dir(s->dir))
		return fl_seterr(err, errlen, "QEMU's directory '%s' is not an absolute path of "
				 "[A-Za-z0-9/._+-]", s->dir);
	if (!fl_qemu_optstr_ok(m->machine, false) || !fl_qemu_optstr_ok(cpu, false) ||
	    !fl_qemu_optstr_ok(m->serial_device, false))
		return fl_seterr(err, errlen, "kernels/machines.json: %s's machine, cpu or "
				 "serial_device is not a plain QEMU option string", m->arch);
	if (json_array_size(m->qemu_args) > FL_QEMU_MAX_ARGS)
		return fl_seterr(err, errlen, "kernels/machines.json: %s has more than %d "
				 "qemu_args", m->arch, FL_QEMU_MAX_ARGS);
	json_array_foreach(m->qemu_args, i, a)
		if (!fl_qemu_optstr_ok(json_string_value(a), true))
			return fl_seterr(err, errlen, "kernels/machines.json: %s.qemu_args[%zu] is "
					 "not a plain QEMU option string", m->arch, i);
	return 0;
}

/* DIR/chan as the socket chardev's path, commas doubled (DIR has none: plain_dir). */
static int chan_opt(const char *dir, char *buf, size_t len)
{
	static const char tail[] = ",server=on,wait=off";
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, FL_QEMU_CHAN);
	snprintf(buf, len, "socket,id=fl,path=");
	if (fl_qemu_opt_escape(buf, len, path) || strlen(buf) + sizeof(tail) > len)
		return -1;
	strcat(buf, tail);
	return 0;
}

int fl_qemu_argv(const struct fl_qemu_spec *s, char **argv, char *err, size_t errlen)
{
	const struct fl_machine *m = s->m;
	char cpus[32], mem[32], accel[32], chan[200], kernel[128], initrd[128];
	const char *fixed[] = {
		m->qemu, "-machine", m->machine,
		"-cpu", !strcmp(s->accel, "kvm") ? m->kvm_cpu : m->cpu,
		"-accel", accel, "-smp", cpus, "-m", mem,
		"-display", "none", "-monitor", "none", "-no-reboot", "-serial", "stdio",
		"-kernel", kernel, "-initrd", initrd, "-append", s->cmdline,
		"-device", m->serial_device, "-chardev", chan,
		"-device", "virtserialport,chardev=fl,name=faultline",
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), i;
	int n = 0;
	json_t *a;

	argv[0] = NULL;
	if (check_machine(s, err, errlen))
		return -1;
	if (chan_opt(s->dir, chan, sizeof(chan)))
		return fl_seterr(err, errlen, "QEMU's directory '%s' is too long", s->dir);
	accel_opt(s, accel, sizeof(accel));
	snprintf(cpus, sizeof(cpus), "%d", s->cpus);
	snprintf(mem, sizeof(mem), "%ld", s->mem_mib);
	snprintf(kernel, sizeof(kernel), "%s/kernel", s->dir);
	snprintf(initrd, sizeof(initrd), "%s/initrd", s->dir);
	for (i = 0; i < nfixed; i++)
		if (!(argv[n++] = strdup(fixed[i])))
			goto oom;
	json_array_foreach(m->qemu_args, i, a)
		if (!(argv[n++] = strdup(json_string_value(a))))
			goto oom;
	argv[n] = NULL;
	return n;
oom:
	argv[n - 1] = NULL;
	fl_qemu_argv_free(argv);
	return fl_seterr(err, errlen, "out of memory building QEMU's command line");
}

void fl_qemu_argv_free(char **argv)
{
	for (int i = 0; argv[i]; i++) {
		free(argv[i]);
		argv[i] = NULL;
	}
}
