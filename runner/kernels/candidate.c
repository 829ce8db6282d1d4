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
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "kernel.h"
#include "agent_exec.h"

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

/* build/kernels holds, besides the candidates' links, git/, ccache/, src-HASH/, HASH/ and
 * HASH.lock: a candidate named like one of them would replace or follow it. */
static bool reserved_name(const char *n)
{
	size_t len = strlen(n), hex = strspn(n, "0123456789abcdef");

	return !strcmp(n, "git") || !strcmp(n, "ccache") || (len == 16 && hex == 16) ||
	       (len == 20 && !strncmp(n, "src-", 4) && strspn(n + 4, "0123456789abcdef") == 16) ||
	       (len > 5 && !strcmp(n + len - 5, ".lock"));
}

static int check_name(const char *path, const char *field, const char *s, char *err,
		      size_t errlen)
{
	char what[FL_ERRLEN / 2];

	snprintf(what, sizeof(what), "%s: the candidate's %s", path, field);
	if (fl_name_check(what, s, err, errlen))
		return -1;
	if (!strcmp(field, "\"name\"") && reserved_name(s))
		return fl_seterr(err, errlen, "%s: the candidate's \"name\" \"%s\" is reserved for "
				 "build/kernels' own entries (git, ccache, src-HASH, a 16-digit hex "
				 "build hash, *.lock)", path, s);
	return 0;
}

/* One argument of git or apt-get: never an option, no blank or control character. */
static int check_word(const char *path, const char *field, json_t *v, char *err,
		      size_t errlen)
{
	const char *s = json_string_value(v), *p;
	char shown[80];

	if (!s)
		return fl_seterr(err, errlen, "%s: %s must be a string", path, field);
	for (p = s; *p && (unsigned char)*p > ' ' && *p != 0x7f; p++)
		;
	if (!*s || *s == '-' || *p || p - s > 1024)
		return fl_seterr(err, errlen, "%s: %s \"%s\" must be 1-1024 characters without blanks "
				 "or control characters, not starting with '-'", path, field,
				 fl_text_clean(shown, sizeof(shown), s));
	return 0;
}

/* A file the build reads (patches, fragments, a source tarball): relative paths are in ROOT;
 * it must stay inside ROOT, the candidate file's directory or EXTRA (may be NULL). */
static int check_file(const char *root, const char *path, const char *field, json_t *v,
		      const char *extra, char *err, size_t errlen)
{
	const char *rel = json_string_value(v);
	char abs[4200], dir[4200], shown[200], e[FL_ERRLEN];

	if (!rel)
		return fl_seterr(err, errlen, "%s: %s must be a path (a string)", path, field);
	fl_text_clean(shown, sizeof(shown), rel);
	if (!*rel || *rel == '-')
		return fl_seterr(err, errlen, "%s: %s \"%s\" must be a path not starting with '-'",
				 path, field, shown);
	if (rel[0] == '/')
		snprintf(abs, sizeof(abs), "%s", rel);
	else
		snprintf(abs, sizeof(abs), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	if (!fl_path_under(root, abs, e, sizeof(e)) ||
	    !fl_path_under(dirname(dir), abs, e, sizeof(e)) ||
	    (extra && !fl_path_under(extra, abs, e, sizeof(e))))
		return 0;
	return fl_seterr(err, errlen, "%s: %s \"%s\" is outside the faultline tree and the "
			 "candidate's directory%s%s", path, field, shown, extra ? " and " : "",
			 extra ? extra : "");
}

static int check_patches(const char *root, const char *path, json_t *p, char *err,
			 size_t errlen)
{
	json_t *ver;

	if (!p || json_is_string(p))
		return p ? check_file(root, path, "\"patches\"", p, NULL, err, errlen) : 0;
	if (!json_is_object(p))
		return fl_seterr(err, errlen, "%s: \"patches\" must be a path or {\"path\", \"name\", "
				 "\"version\"}", path);
	ver = json_object_get(p, "version");
	if (ver && (!json_is_integer(ver) || json_integer_value(ver) < 1 ||
		    json_integer_value(ver) > 1000000))
		return fl_seterr(err, errlen, "%s: patches.version must be a whole number from 1 to "
				 "1000000", path);
	if (json_object_get(p, "name") &&
	    check_name(path, "patches.name", json_string_value(json_object_get(p, "name")), err,
		       errlen))
		return -1;
	return check_file(root, path, "patches.path", json_object_get(p, "path"), NULL, err,
			  errlen);
}

static int check_base(const char *root, const char *path, json_t *base, char *err,
		      size_t errlen)
{
	json_t *src = json_object_get(base, "source"), *v;
	const char *key;

	json_object_foreach(base, key, v) {
		char field[32];

		snprintf(field, sizeof(field), "base.%s", key);
		if (strcmp(key, "source") && check_word(path, field, v, err, errlen))
			return -1;
	}
	if (json_object_get(base, "ref") && !json_object_get(base, "git"))
		return fl_seterr(err, errlen, "%s: base.ref goes with base.git", path);
	if (!src)
		return 0;
	if (json_is_string(src) && !strchr(json_string_value(src), '/'))
		return check_name(path, "base.source", json_string_value(src), err, errlen);
	return check_file(root, path, "base.source", src, "/usr/src", err, errlen);
}

static int check_fragments(const char *root, const char *path, json_t *frags, char *err,
			   size_t errlen)
{
	char field[32];
	json_t *f;
	size_t i;

	if (frags && !json_is_array(frags))
		return fl_seterr(err, errlen, "%s: \"fragments\" must be an array of paths", path);
	json_array_foreach(frags, i, f) {
		snprintf(field, sizeof(field), "fragments[%zu]", i);
		if (check_file(root, path, field, f, NULL, err, errlen))
			return -1;
	}
	return 0;
}

/* Every string of a candidate that becomes a path, a directory name or a command argument. */
static int check_candidate(const char *root, const char *path, json_t *doc, char *err,
			   size_t errlen)
{
	return check_name(path, "\"name\"", json_string_value(json_object_get(doc, "name")), err,
			  errlen) ||
	       check_name(path, "\"arch\"", json_string_value(json_object_get(doc, "arch")), err,
			  errlen) ||
	       check_base(root, path, json_object_get(doc, "base"), err, errlen) ||
	       check_patches(root, path, json_object_get(doc, "patches"), err, errlen) ||
	       check_fragments(root, path, json_object_get(doc, "fragments"), err, errlen);
}

json_t *fl_candidate_load(const char *root, const char *path, char *err, size_t errlen)
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
	if (fl_json_check_fields(base, base_fields, "base", path, err, errlen) ||
	    check_candidate(root, path, doc, err, errlen))
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

/* Run kernels/fetch-debian.sh; on failure its one-line reason (apt-get's own error included)
 * is in the sentence. */
static int run_fetch(const char *root, const char *name, const char *regex, const char *dest,
		     const char *debarch, char *err, size_t errlen)
{
	char script[4200], reason[] = "/tmp/faultline-fetch-XXXXXX", why[600] = "";
	char *argv[] = { script, (char *)regex, (char *)dest, (char *)debarch, reason, NULL };
	struct fl_child_result res;
	int fd = mkstemp(reason), ret = 0;

	if (fd < 0)
		return fl_seterr(err, errlen, "cannot create a temporary file in /tmp: %s",
				 strerror(errno)), FL_EXIT_ENV;
	close(fd);
	snprintf(script, sizeof(script), "%s/kernels/fetch-debian.sh", root);
	if (fl_child_run(argv, NULL, 900, NULL, &res, err, errlen)) {
		ret = FL_EXIT_ENV;
	} else if (!res.exited || res.code) {
		if (fl_read_file(reason, why, sizeof(why)) > 0)
			why[strcspn(why, "\n")] = '\0';
		ret = res.exited && res.code == 2 ? FL_EXIT_USAGE : FL_EXIT_ENV;
		fl_seterr(err, errlen, "could not fetch the kernel of candidate %s: %s", name,
			  why[0] ? why : res.timed_out ? "kernels/fetch-debian.sh timed out" :
			  res.exited ? "kernels/fetch-debian.sh failed without saying why" :
			  "kernels/fetch-debian.sh was killed");
	}
	unlink(reason);
	return ret;
}

static int fetch_prebuilt(const char *root, const char *name, const char *regex,
			  struct fl_kernel *k, char *err, size_t errlen)
{
	char dest[4200], envf[4300], text[4096], rel[2048], pkg[128], ver[96];
	char debarch[32] = "";
	struct fl_machine m;
	int ret;

	/* The package lists of the candidate's arch (kernels/fetch-debian.sh DEBARCH). */
	if (!fl_machine_load(root, k->arch, &m, err, errlen)) {
		snprintf(debarch, sizeof(debarch), "%s", m.debian_arch);
		fl_machine_free(&m);
	}

	snprintf(dest, sizeof(dest), "%s/build/kernels/%s", root, name);
	ret = run_fetch(root, name, regex, dest, debarch, err, errlen);
	if (ret)
		return ret;
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
	doc = fl_candidate_load(root, path, err, errlen);
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
