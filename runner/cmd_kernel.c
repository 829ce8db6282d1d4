// SPDX-License-Identifier: GPL-2.0
/* faultline kernel list|show|build|prune: candidate kernels (configs/candidates/NAME.json). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_util.h"
#include "kernel.h"
#include "commands.h"
#include "target.h"

static void kernel_usage(FILE *out)
{
	fputs("usage: faultline kernel list              the candidates in configs/candidates/\n"
	      "       faultline kernel show CANDIDATE    its definition; fetches a prebuilt one and\n"
	      "                                          prints its image, config and release\n"
	      "       faultline kernel build CANDIDATE   build a source candidate (base + patches +\n"
	      "                                          fragments; cached by content hash) or\n"
	      "                                          fetch a prebuilt one\n"
	      "       faultline kernel prune [--dry-run] remove build trees no candidate uses any\n"
	      "                                          more (failed or superseded builds)\n", out);
}

static int kernel_list(const char *root)
{
	char dir[4200], path[4600], err[FL_ERRLEN];
	struct dirent **ents;
	int n;

	snprintf(dir, sizeof(dir), "%s/configs/candidates", root);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		fl_err("cannot list %s", dir);
		return FL_EXIT_ENV;
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);
		json_t *doc, *base;

		if (len > 5 && !strcmp(ents[i]->d_name + len - 5, ".json")) {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			doc = fl_candidate_load(root, path, err, sizeof(err));
			if (!doc) {
				printf("%-24s (broken: %s)\n", ents[i]->d_name, err);
			} else {
				const char *cname = json_string_value(json_object_get(doc, "name"));
				char built[300] = "";
				struct fl_kernel k;

				base = json_object_get(doc, "base");
				if (!json_object_get(base, "debian_package")) {
					if (fl_kernel_built(root, cname, &k, NULL, err, sizeof(err)))
						snprintf(built, sizeof(built), ", not built yet");
					else
						snprintf(built, sizeof(built), ", last built %s (%s)",
							 k.build_hash, k.release);
				}
				printf("%-24s %-8s %s%s\n", cname,
				       json_string_value(json_object_get(doc, "arch")),
				       json_object_get(base, "debian_package") ? "prebuilt Debian package"
									       : "source build", built);
				json_decref(doc);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return FL_EXIT_OK;
}

/* The last build of a source candidate, without building: show must not take 15 minutes. */
static void show_built(const char *root, const char *name)
{
	char err[FL_ERRLEN];
	struct fl_kernel k;
	json_t *info;

	if (fl_kernel_built(root, name, &k, &info, err, sizeof(err))) {
		printf("%s\n", err);
		return;
	}
	printf("image    %s\nconfig   %s\nrelease  %s\nbase     %s\nhash     %s\n"
	       "patches  %s\nbuilt    %s in %lld s\nbuild    %s\n", k.image, k.config, k.release,
	       k.base, k.build_hash, k.patchset_sha256[0] ? k.patchset_sha256 : "(none)",
	       json_string_value(json_object_get(info, "built")),
	       json_integer_value(json_object_get(info, "duration_s")),
	       json_string_value(json_object_get(info, "command")));
	json_decref(info);
}

static int kernel_build(const char *root, const char *name)
{
	char err[FL_ERRLEN];
	struct fl_kernel k;
	int ret = fl_kernel_resolve(root, name, &k, err, sizeof(err));

	if (ret) {
		fl_err("%s", err);
		return ret;
	}
	printf("image    %s\nconfig   %s\nrelease  %s\nbase     %s\n", k.image,
	       k.config[0] ? k.config : "(none)", k.release, k.base);
	if (k.patchset_name[0])
		printf("patchset %s v%d sha256 %s\n", k.patchset_name, k.patchset_version,
		       k.patchset_sha256);
	return FL_EXIT_OK;
}

static int kernel_show(const char *root, const char *name)
{
	char path[4200], err[FL_ERRLEN];
	struct fl_kernel k;
	json_t *doc;
	int ret;

	fl_candidate_path(root, name, path, sizeof(path));
	doc = fl_candidate_load(root, path, err, sizeof(err));
	if (!doc) {
		fl_err("%s", err);
		return FL_EXIT_USAGE;
	}
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	if (!json_object_get(json_object_get(doc, "base"), "debian_package")) {
		show_built(root, json_string_value(json_object_get(doc, "name")));
		json_decref(doc);
		return FL_EXIT_OK;
	}
	json_decref(doc);
	ret = fl_kernel_resolve(root, name, &k, err, sizeof(err));
	if (ret) {
		fl_err("%s", err);
		return ret;
	}
	printf("image    %s\nconfig   %s\nrelease  %s\nbase     %s\n", k.image,
	       k.config[0] ? k.config : "(none)", k.release, k.base);
	return FL_EXIT_OK;
}

/* kernels/prune.sh does the work (it takes the builds' locks as build.sh does). */
static int kernel_prune(const char *root, char **argv)
{
	char script[4200];

	snprintf(script, sizeof(script), "%s/kernels/prune.sh", root);
	argv[0] = script;
	execv(script, argv);
	fl_err("cannot run %s: %s", script, strerror(errno));
	return FL_EXIT_ENV;
}

int fl_cmd_kernel(int argc, char **argv)
{
	char root[4096];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		kernel_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? FL_EXIT_USAGE : FL_EXIT_OK;
	}
	if (!fl_project_root(root, sizeof(root))) {
		fl_err("cannot find the faultline tree (kernels/machines.json) next to this program; "
		       "set FAULTLINE_ROOT");
		return FL_EXIT_ENV;
	}
	if (!strcmp(argv[1], "list"))
		return kernel_list(root);
	if (!strcmp(argv[1], "prune"))
		return kernel_prune(root, argv + 1);
	if (argc != 3) {
		fl_err("kernel %s: give one candidate (faultline kernel list)", argv[1]);
		return FL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "show"))
		return kernel_show(root, argv[2]);
	if (!strcmp(argv[1], "build"))
		return kernel_build(root, argv[2]);
	fl_err("kernel: unknown subcommand '%s' (list, show, build, prune)", argv[1]);
	return FL_EXIT_USAGE;
}
