// SPDX-License-Identifier: GPL-2.0
/*
 * Candidate kernels: configs/candidates/NAME.json, strict like suites.
 *
 *   {"name": "debian-6.12", "description": "...", "arch": "x86_64",
 *    "base": {"debian_package": "REGEX"}            a prebuilt Debian image package, or
 *    "base": {"source": "linux-source-6.12"}        /usr/src/NAME.tar.xz (or a path), or
 *    "base": {"git": "URL", "ref": "v6.12"}         a git tree at a ref,
 *    "patches": "kernels/patches/NAME" | {"path": ..., "name": ..., "version": N},
 *    "fragments": ["kernels/fragments/mechanisms.config"]}
 * Source candidates are built by kbuild.c (kernels/build.sh).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fl_json.h"
#include "fl_util.h"
#include "kernel.h"
#include "runner.h"

static const char *const cand_fields[] = {
	"name", "description", "arch", "base", "patches", "fragments", NULL,
};
static const char *const base_fields[] = { "debian_package", "source", "git", "ref", NULL };


void fl_candidate_path(const char *root, const char *name, char *buf, size_t len)
{
	if (strchr(name, '/') || strstr(name, ".json"))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s/configs/candidates/%s.json", root, name);
}

json_t *fl_candidate_load(const char *path, char *err, size_t errlen)
{
	json_t *doc = fl_json_load(path, err, errlen), *base;

	if (!doc)
		return NULL;
	if (!json_is_object(doc)) {
		fl_seterr(err, errlen, "%s: a candidate must be a JSON object", path);
		goto bad;
	}
	if (fl_json_check_fields(doc, cand_fields, "the candidate", path, err, errlen))
		goto bad;
	if (!json_is_string(json_object_get(doc, "name")) ||
	    !json_is_string(json_object_get(doc, "arch"))) {
		fl_seterr(err, errlen, "%s: a candidate needs \"name\" and \"arch\" strings", path);
		goto bad;
	}
	base = json_object_get(doc, "base");
	if (!json_is_object(base) || !json_object_size(base)) {
		fl_seterr(err, errlen, "%s: a candidate needs a \"base\" object (debian_package, "
			  "source, or git and ref)", path);
		goto bad;
	}
	if (fl_json_check_fields(base, base_fields, "base", path, err, errlen))
		goto bad;
	return doc;
bad:
	json_decref(doc);
	return NULL;
}

/* KEY=VALUE lines of prebuilt.env. */
static int env_get(const char *text, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, "\n");

			snprintf(out, len, "%.*s", (int)n, p + kl + 1);
			return 0;
		}
	}
	return -1;
}

static int fetch_prebuilt(const char *root, const char *name, const char *regex,
			  struct fl_kernel *k, char *err, size_t errlen)
{
	char script[4200], dest[4200], envf[4300], text[4096], rel[2048], pkg[128], ver[96];
	char debarch[32] = "";
	char *argv[] = { script, (char *)regex, dest, debarch, NULL };
	struct fl_child_result res;
	struct fl_machine m;

	/* The package lists of the candidate's arch (kernels/fetch-debian.sh DEBARCH). */
	if (!fl_machine_load(root, k->arch, &m, err, errlen)) {
		snprintf(debarch, sizeof(debarch), "%s", m.debian_arch);
		fl_machine_free(&m);
	}

	snprintf(script, sizeof(script), "%s/kernels/fetch-debian.sh", root);
	snprintf(dest, sizeof(dest), "%s/build/kernels/%s", root, name);
	if (fl_child_run(argv, NULL, 900, NULL, &res, err, errlen))
		return FL_EXIT_ENV;
	if (!res.exited || res.code)
		return fl_seterr(err, errlen, "could not fetch the kernel of candidate %s (see the "
				 "message above)", name), FL_EXIT_ENV;
	snprintf(envf, sizeof(envf), "%s/prebuilt.env", dest);
	if (fl_read_file(envf, text, sizeof(text)) < 0 || env_get(text, "IMAGE", rel, sizeof(rel)))
		return fl_seterr(err, errlen, "%s is missing or has no IMAGE line", envf),
		       FL_EXIT_ENV;
	snprintf(k->image, sizeof(k->image), "%s/%s", dest, rel);
	if (!env_get(text, "CONFIG", rel, sizeof(rel)))
		snprintf(k->config, sizeof(k->config), "%s/%s", dest, rel);
	env_get(text, "RELEASE", k->release, sizeof(k->release));
	if (!env_get(text, "MODULES", rel, sizeof(rel)) && rel[0])
		snprintf(k->modules, sizeof(k->modules), "%s/%s", dest, rel);
	if (!env_get(text, "PACKAGE", pkg, sizeof(pkg)) && !env_get(text, "VERSION", ver, sizeof(ver)))
		snprintf(k->base, sizeof(k->base), "%s %s", pkg, ver);
	return 0;
}

int fl_kernel_resolve(const char *root, const char *spec, struct fl_kernel *k,
		      char *err, size_t errlen)
{
	const char *name, *regex, *slash;
	char path[4200];
	struct stat st;
	json_t *doc, *base;
	int ret;

	memset(k, 0, sizeof(*k));
	if (!strstr(spec, ".json") && !stat(spec, &st) && S_ISREG(st.st_mode)) {
		slash = strrchr(spec, '/');
		snprintf(k->name, sizeof(k->name), "%s", slash ? slash + 1 : spec);
		snprintf(k->image, sizeof(k->image), "%s", spec);
		snprintf(k->base, sizeof(k->base), "image %s", spec);
		return 0;
	}
	fl_candidate_path(root, spec, path, sizeof(path));
	if (stat(path, &st))
		return fl_seterr(err, errlen, "--kernel %s is neither a kernel image file nor a "
				 "candidate (%s: %s; faultline kernel list shows the candidates)",
				 spec, path, strerror(errno)), FL_EXIT_USAGE;
	doc = fl_candidate_load(path, err, errlen);
	if (!doc)
		return FL_EXIT_USAGE;
	name = json_string_value(json_object_get(doc, "name"));
	snprintf(k->name, sizeof(k->name), "%s", name);
	snprintf(k->arch, sizeof(k->arch), "%s", json_string_value(json_object_get(doc, "arch")));
	k->is_candidate = 1;
	base = json_object_get(doc, "base");
	regex = json_string_value(json_object_get(base, "debian_package"));
	if (regex)
		ret = fetch_prebuilt(root, name, regex, k, err, errlen);
	else
		ret = fl_kernel_build(root, doc, k, err, errlen);
	json_decref(doc);
	return ret;
}
