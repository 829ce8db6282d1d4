// SPDX-License-Identifier: GPL-2.0
/*
 * Source candidates: turn a candidate's base, patches and fragments plus the arch's recipe
 * (kernels/kbuild.json) into a kernels/build.sh command line, run it (its progress goes to the
 * terminal), and read back build/kernels/<hash>/build.json through the build/kernels/NAME link.
 */
#include <stdbool.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_util.h"
#include "kernel.h"
#include "agent_exec.h"

#define BUILD_TIMEOUT_S (6 * 3600.0)
#define MAX_FRAGMENTS 16

struct argv_buf {
	char *argv[FL_MAX_ARGS];
	int n;
};

static int push(struct argv_buf *a, const char *fmt, const char *s)
{
	if (a->n >= FL_MAX_ARGS - 1 || asprintf(&a->argv[a->n], fmt, s) < 0)
		return -1;
	a->argv[++a->n] = NULL;
	return 0;
}

static void in_root(const char *root, const char *p, char *buf, size_t len)
{
	if (p[0] == '/')
		snprintf(buf, len, "%s", p);
	else
		snprintf(buf, len, "%s/%s", root, p);
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* The patch series: "patches": "DIR|MBOX" or {"path": ..., "name": ..., "version": N}. */
int fl_candidate_patchset(const char *root, json_t *doc, char *path, size_t plen,
			  char *name, size_t nlen, int *version, char *err, size_t errlen)
{
	json_t *p = json_object_get(doc, "patches");
	const char *cname = json_string_value(json_object_get(doc, "name"));
	const char *rel = json_string_value(p);
	char tmp[4200];

	path[0] = name[0] = '\0';
	*version = 1;
	if (!p)
		return 0;
	if (json_is_object(p)) {
		static const char *const patch_fields[] = { "path", "name", "version", NULL };
		char where[300];

		snprintf(where, sizeof(where), "candidate %s", cname);
		if (fl_json_check_fields(p, patch_fields, "patches", where, err, errlen))
			return -1;
		rel = json_string_value(json_object_get(p, "path"));
		if (json_object_get(p, "version") && !json_is_integer(json_object_get(p, "version")))
			return fl_seterr(err, errlen, "candidate %s: patches.version must be an "
					 "integer", cname);
		if (json_is_integer(json_object_get(p, "version")))
			*version = (int)json_integer_value(json_object_get(p, "version"));
		if (json_is_string(json_object_get(p, "name")))
			snprintf(name, nlen, "%s", json_string_value(json_object_get(p, "name")));
	}
	if (!rel)
		return fl_seterr(err, errlen, "candidate %s: \"patches\" must be a path (a directory "
				 "of git format-patch files or an mbox) or {\"path\", \"name\", "
				 "\"version\"}", cname);
	in_root(root, rel, path, plen);
	if (!exists(path))
		return fl_seterr(err, errlen, "candidate %s: patches %s do not exist", cname, path);
	if (!name[0]) {
		snprintf(tmp, sizeof(tmp), "%s", path);
		snprintf(name, nlen, "%s", basename(tmp));
	}
	return 0;
}

static json_t *recipe_for(const char *root, const char *cname, const char *arch,
			  json_t **table, char *err, size_t errlen)
{
	char path[4200];
	json_t *e;

	snprintf(path, sizeof(path), "%s/kernels/kbuild.json", root);
	*table = fl_json_load(path, err, errlen);
	if (!*table)
		return NULL;
	e = json_object_get(*table, arch);
	if (!json_is_object(e))
		fl_seterr(err, errlen, "candidate %s: arch %s has no build recipe in %s", cname,
			  arch, path);
	return json_is_object(e) ? e : NULL;
}

static int add_base(const char *root, json_t *doc, struct argv_buf *a, char *err, size_t errlen)
{
	json_t *base = json_object_get(doc, "base");
	const char *cname = json_string_value(json_object_get(doc, "name"));
	const char *src = json_string_value(json_object_get(base, "source"));
	const char *git = json_string_value(json_object_get(base, "git"));
	const char *ref = json_string_value(json_object_get(base, "ref"));
	char path[4200];

	if (src) {
		if (strchr(src, '/'))
			in_root(root, src, path, sizeof(path));
		else
			snprintf(path, sizeof(path), "/usr/src/%s.tar.xz", src);
		if (!exists(path))
			return fl_seterr(err, errlen, "candidate %s: base source %s is missing (%s: "
					 "install the Debian package %s, or name a tarball)",
					 cname, src, path, strchr(src, '/') ? "linux-source-6.12"
									    : src);
		return push(a, "--source", NULL) || push(a, "%s", path);
	}
	if (git) {
		if (!ref)
			return fl_seterr(err, errlen, "candidate %s: base git %s needs a \"ref\"",
					 cname, git);
		return push(a, "--git", NULL) || push(a, "%s", git) || push(a, "--ref", NULL) ||
		       push(a, "%s", ref);
	}
	return fl_seterr(err, errlen, "candidate %s: base names neither \"source\" nor \"git\"",
			 cname);
}

static int add_fragments(const char *root, json_t *doc, json_t *recipe, struct argv_buf *a,
			 char *err, size_t errlen)
{
	const char *cname = json_string_value(json_object_get(doc, "name"));
	const char *archfrag = json_string_value(json_object_get(recipe, "fragment"));
	json_t *frags = json_object_get(doc, "fragments"), *f;
	char path[4200];
	size_t i;

	if (frags && !json_is_array(frags))
		return fl_seterr(err, errlen, "candidate %s: \"fragments\" must be an array of "
				 "paths", cname);
	if (json_array_size(frags) > MAX_FRAGMENTS)
		return fl_seterr(err, errlen, "candidate %s: more than %d fragments", cname,
				 MAX_FRAGMENTS);
	if (archfrag) {
		in_root(root, archfrag, path, sizeof(path));
		if (exists(path) && (push(a, "--fragment", NULL) || push(a, "%s", path)))
			return -1;
	}
	json_array_foreach(frags, i, f) {
		if (!json_is_string(f))
			return fl_seterr(err, errlen, "candidate %s: fragment %zu is not a path",
					 cname, i + 1);
		in_root(root, json_string_value(f), path, sizeof(path));
		if (!exists(path))
			return fl_seterr(err, errlen, "candidate %s: fragment %s does not exist",
					 cname, path);
		if (push(a, "--fragment", NULL) || push(a, "%s", path))
			return -1;
	}
	return 0;
}

static int build_argv(const char *root, json_t *doc, json_t *recipe, struct argv_buf *a,
		      char *err, size_t errlen)
{
	static const char *const keys[] = { "arch", "defconfig", "target", "image" };
	static const char *const opts[] = { "--kbuild-arch", "--defconfig", "--target", "--image" };
	const char *cname = json_string_value(json_object_get(doc, "name"));
	const char *cross = json_string_value(json_object_get(recipe, "cross_compile"));
	const char *uname_m = json_string_value(json_object_get(recipe, "uname"));
	char script[4200], patches[4200], pname[128];
	struct utsname u;
	int version;

	snprintf(script, sizeof(script), "%s/kernels/build.sh", root);
	if (push(a, "%s", script) || push(a, "--name", NULL) || push(a, "%s", cname) ||
	    push(a, "--arch", NULL) ||
	    push(a, "%s", json_string_value(json_object_get(doc, "arch"))))
		return fl_seterr(err, errlen, "out of memory");
	for (int i = 0; i < 4; i++) {
		const char *v = json_string_value(json_object_get(recipe, keys[i]));

		if (!v)
			return fl_seterr(err, errlen, "kernels/kbuild.json: the %s recipe has no "
					 "\"%s\"", json_string_value(json_object_get(doc, "arch")),
					 keys[i]);
		if (push(a, "%s", opts[i]) || push(a, "%s", v))
			return fl_seterr(err, errlen, "out of memory");
	}
	uname(&u);
	if (cross && uname_m && strcmp(u.machine, uname_m) &&
	    (push(a, "--cross", NULL) || push(a, "%s", cross)))
		return fl_seterr(err, errlen, "out of memory");
	if (add_base(root, doc, a, err, errlen) ||
	    fl_candidate_patchset(root, doc, patches, sizeof(patches), pname, sizeof(pname),
				  &version, err, errlen))
		return -1;
	if (patches[0] && (push(a, "--patches", NULL) || push(a, "%s", patches)))
		return fl_seterr(err, errlen, "out of memory");
	return add_fragments(root, doc, recipe, a, err, errlen);
}

int fl_kernel_built(const char *root, const char *name, struct fl_kernel *k, json_t **info,
		    char *err, size_t errlen)
{
	char path[4400], dir[4200];
	const char *img;
	json_t *b, *ps;

	snprintf(dir, sizeof(dir), "%s/build/kernels/%s", root, name);
	snprintf(path, sizeof(path), "%s/build.json", dir);
	if (!exists(path))
		return fl_seterr(err, errlen, "candidate %s is not built yet (faultline kernel "
				 "build %s)", name, name);
	b = fl_json_load(path, err, errlen);
	if (!b)
		return -1;
	img = json_string_value(json_object_get(b, "image"));
	snprintf(k->image, sizeof(k->image), "%s/%s", dir, img ? img : "bzImage");
	snprintf(k->config, sizeof(k->config), "%s/.config", dir);
	snprintf(k->release, sizeof(k->release), "%s",
		 json_string_value(json_object_get(b, "release")) ?: "");
	snprintf(k->base, sizeof(k->base), "%s",
		 json_string_value(json_object_get(json_object_get(b, "base"), "id")) ?: "");
	snprintf(k->build_hash, sizeof(k->build_hash), "%s",
		 json_string_value(json_object_get(b, "hash")) ?: "");
	ps = json_object_get(b, "patches");
	if (json_integer_value(json_object_get(ps, "count")) > 0)
		snprintf(k->patchset_sha256, sizeof(k->patchset_sha256), "%s",
			 json_string_value(json_object_get(ps, "sha256")) ?: "");
	if (info)
		*info = b;
	else
		json_decref(b);
	return 0;
}

int fl_kernel_build(const char *root, json_t *doc, struct fl_kernel *k, char *err, size_t errlen)
{
	const char *cname = json_string_value(json_object_get(doc, "name"));
	const char *arch = json_string_value(json_object_get(doc, "arch"));
	char patches[4200], reason_file[64] = "/tmp/faultline-build-XXXXXX", why[600] = "";
	struct fl_child_result res;
	int fd;
	struct argv_buf a = { .n = 0 };
	json_t *table = NULL, *recipe;
	int ret = FL_EXIT_USAGE;

	recipe = recipe_for(root, cname, arch, &table, err, errlen);
	if (!recipe || build_argv(root, doc, recipe, &a, err, errlen))
		goto out;
	fd = mkstemp(reason_file);
	if (fd < 0 || push(&a, "--reason-file", NULL) || push(&a, "%s", reason_file)) {
		fl_seterr(err, errlen, "cannot create a temporary file in /tmp");
		ret = FL_EXIT_ENV;
		goto out;
	}
	close(fd);
	fflush(stdout);
	if (fl_child_run(a.argv, NULL, BUILD_TIMEOUT_S, NULL, &res, err, errlen)) {
		ret = FL_EXIT_ENV;
		goto out;
	}
	if (!res.exited || res.code) {
		ret = res.exited && res.code == 3 ? FL_EXIT_ENV : FL_EXIT_USAGE;
		if (fl_read_file(reason_file, why, sizeof(why)) > 0)
			why[strcspn(why, "\n")] = '\0';
		fl_seterr(err, errlen, "candidate %s did not build: %s", cname,
			  why[0] ? why : res.timed_out ? "kernels/build.sh timed out" :
			  res.exited ? "kernels/build.sh failed" : "kernels/build.sh was killed");
		goto out;
	}
	if (fl_kernel_built(root, cname, k, NULL, err, errlen))
		goto out;
	fl_candidate_patchset(root, doc, patches, sizeof(patches), k->patchset_name,
			      sizeof(k->patchset_name), &k->patchset_version, err, errlen);
	if (!k->patchset_sha256[0])
		k->patchset_name[0] = '\0';
	ret = 0;
out:
	if (strcmp(reason_file + strlen(reason_file) - 6, "XXXXXX"))
		unlink(reason_file);
	for (int i = 0; i < a.n; i++)
		free(a.argv[i]);
	json_decref(table);
	return ret;
}
