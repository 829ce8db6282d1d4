// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel identity: release, version, machine, cmdline, config source and sha256, mechanism
 * flags (common and per arch), THP mode, page size and MMU (powerpc: radix or hash). With
 * proc_root "/proc" the running kernel is asked (uname, /boot, /sys); any other proc_root is a
 * captured tree, where release, version and machine come from
 * <proc_root>/sys/kernel/{osrelease,version,arch} and the host-only fields (/boot config, THP
 * mode, page size) are left out. A string that cannot be read is left out too (the schema types
 * them as strings); config.source/sha256 and the mechanism flags are null instead, as the
 * contract says. /proc/config.gz is read through "gzip -dc" and hashed here (sha256 of the
 * config text, so /proc/config.gz and /boot/config-* of one build hash alike): no zlib, no
 * crypto lib.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probes/probe.h"
#include "probes/procparse.h"
#include "fl_safe.h"
#include "fl_sha256.h"
#include "fl_util.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

static bool is_live(const char *root)
{
	return !strcmp(root, "/proc");
}

/* Whole file, trailing newlines cut; NULL if unreadable. */
static char *read_trimmed(const char *dir, const char *name)
{
	char path[PATH_MAX], *s;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	s = fl_read_all(path, 0, 0, &n, NULL, 0);
	while (s && n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

int fl_proc_machine(const char *proc_root, char *out, size_t len)
{
	struct utsname u;
	char *s;
	int ret;

	if (!proc_root || is_live(proc_root)) {
		if (uname(&u))
			return -1;
		return snprintf(out, len, "%s", u.machine) < (int)len ? 0 : -1;
	}
	s = read_trimmed(proc_root, "sys/kernel/arch");
	if (!s)
		return -1;
	ret = snprintf(out, len, "%s", s) < (int)len ? 0 : -1;
	free(s);
	return ret;
}

/* obj[key] = s unless s is NULL; takes ownership of s. */
static void set_str(json_t *obj, const char *key, char *s)
{
	if (s)
		json_object_set_new(obj, key, json_string(s));
	free(s);
}

static void kid_uname(json_t *obj, const char *root, char *release, size_t rlen)
{
	struct utsname u;
	char *rel, *ver, *mach;

	if (is_live(root) && uname(&u) == 0) {
		rel = strdup(u.release);
		ver = strdup(u.version);
		mach = strdup(u.machine);
	} else {
		rel = read_trimmed(root, "sys/kernel/osrelease");
		ver = read_trimmed(root, "sys/kernel/version");
		mach = read_trimmed(root, "sys/kernel/arch");
	}
	snprintf(release, rlen, "%s", rel ? rel : "");
	set_str(obj, "release", rel);
	set_str(obj, "version", ver);
	set_str(obj, "machine", mach);
}

/* Everything a command prints; NULL unless it exits 0. */
static char *run_capture(const char *cmd, size_t *len)
{
	size_t cap = 1 << 16, got = 0, r;
	char *buf = malloc(cap), *nbuf;
	FILE *f;
	int status;

	if (!buf)
		return NULL;
	f = popen(cmd, "r");
	if (!f)
		goto fail;
	while ((r = fread(buf + got, 1, cap - 1 - got, f)) > 0) {
		got += r;
		if (got + 1 < cap)
			continue;
		nbuf = realloc(buf, cap * 2);
		if (!nbuf) {
			pclose(f);
			goto fail;
		}
		buf = nbuf;
		cap *= 2;
	}
	status = pclose(f);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		goto fail;
	buf[got] = '\0';
	*len = got;
	return buf;
fail:
	free(buf);
	return NULL;
}

/* gzip -dc of path, quoted as one shell word (fl_sh_quote). */
static char *gunzip_file(const char *path, size_t *len)
{
	char cmd[4 * PATH_MAX + 64] = "gzip -dc < ";

	if (access(path, R_OK) || fl_sh_quote(cmd, sizeof(cmd), path) ||
	    fl_str_append(cmd, sizeof(cmd), " 2>/dev/null"))
		return NULL;
	return run_capture(cmd, len);
}

/* Config text and where it came from (source, PATH_MAX); NULL if none could be read. */
static char *kid_config_text(const char *root, const char *release, char *source, size_t *len)
{
	char *text;

	snprintf(source, PATH_MAX, "%s/config.gz", root);
	text = gunzip_file(source, len);
	if (text || !is_live(root) || !release[0])
		return text;
	snprintf(source, PATH_MAX, "/boot/config-%s", release);
	return fl_read_all(source, 0, 0, len, NULL, 0);
}

static void kid_config(json_t *obj, const char *root, const char *release)
{
	char source[PATH_MAX], hex[65];
	size_t len = 0;
	char *text = kid_config_text(root, release, source, &len);
	json_t *cfg;

	if (text) {
		fl_sha256_buf(text, len, hex);
		cfg = json_pack("{s:s,s:s}", "source", source, "sha256", hex);
	} else {
		cfg = json_pack("{s:n,s:n}", "source", "sha256");
	}
	json_object_set_new(obj, "config", cfg);
	json_object_set_new(obj, "mechanisms",
			    fl_config_mechanisms(text, json_string_value(json_object_get(obj, "machine"))));
	free(text);
}

static json_t *thp_mode(const char *name)
{
	char *text = read_trimmed(THP_DIR, name), sel[64];
	json_t *v = json_null();

	if (text && fl_sysfs_selected(text, sel, sizeof(sel)) == 0)
		v = json_string(sel);
	free(text);
	return v;
}

/* The MMU line of /proc/cpuinfo ("Radix" or "Hash" on powerpc book3s64); NULL elsewhere. */
static char *cpuinfo_mmu(void)
{
	char line[256], *v = NULL, *p;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return NULL;
	while (!v && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "MMU", 3) || !(p = strchr(line, ':')))
			continue;
		p += strspn(p + 1, " \t") + 1;
		p[strcspn(p, "\n")] = '\0';
		if (*p)
			v = strdup(p);
	}
	fclose(f);
	return v;
}

static void kid_host(json_t *obj, const char *root)
{
	long page = sysconf(_SC_PAGESIZE);

	if (!is_live(root))
		return;
	json_object_set_new(obj, "thp", json_pack("{s:o,s:o}", "enabled", thp_mode("enabled"),
						  "defrag", thp_mode("defrag")));
	if (page > 0)
		json_object_set_new(obj, "page_size", json_integer(page));
	set_str(obj, "mmu", cpuinfo_mmu());
}

json_t *fl_kernel_identity(const char *proc_root)
{
	const char *root = proc_root ? proc_root : "/proc";
	json_t *obj = json_object();
	char release[256];

	if (!obj)
		return NULL;
	kid_uname(obj, root, release, sizeof(release));
	set_str(obj, "cmdline", read_trimmed(root, "cmdline"));
	kid_config(obj, root, release);
	kid_host(obj, root);
	return obj;
}
