// SPDX-License-Identifier: GPL-2.0
/* faultline kernel list|show|build: candidate kernels (configs/candidates/NAME.json). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_json.h"
#include "fl_util.h"
#include "kernel.h"
#include "runner.h"
#include "target.h"

static void kernel_usage(FILE *out)
{
	fputs("usage: faultline kernel list              the candidates in configs/candidates/\n"
	      "       faultline kernel show CANDIDATE    its definition; fetches a prebuilt one and\n"
	      "                                          prints its image, config and release\n"
	      "       faultline kernel build CANDIDATE   build from source (not done yet)\n", out);
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
			doc = fl_candidate_load(path, err, sizeof(err));
			if (!doc) {
				printf("%-24s (broken: %s)\n", ents[i]->d_name, err);
			} else {
				base = json_object_get(doc, "base");
				printf("%-24s %-8s %s\n", json_string_value(json_object_get(doc, "name")),
				       json_string_value(json_object_get(doc, "arch")),
				       json_object_get(base, "debian_package") ? "prebuilt Debian package"
									       : "source build");
				json_decref(doc);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return FL_EXIT_OK;
}

static int kernel_show(const char *root, const char *name)
{
	char path[4200], err[FL_ERRLEN];
	struct fl_kernel k;
	json_t *doc;
	int ret;

	fl_candidate_path(root, name, path, sizeof(path));
	doc = fl_candidate_load(path, err, sizeof(err));
	if (!doc) {
		fl_err("%s", err);
		return FL_EXIT_USAGE;
	}
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
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
	if (argc != 3) {
		fl_err("kernel %s: give one candidate (faultline kernel list)", argv[1]);
		return FL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "show"))
		return kernel_show(root, argv[2]);
	if (!strcmp(argv[1], "build")) {
		fl_err("kernel build: source builds (linux-source-6.12 + patches + fragments) are not "
		       "done yet; prebuilt candidates are fetched by 'faultline kernel show' or 'run'");
		return FL_EXIT_USAGE;
	}
	fl_err("kernel: unknown subcommand '%s' (list, show, build)", argv[1]);
	return FL_EXIT_USAGE;
}
