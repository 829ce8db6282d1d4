// SPDX-License-Identifier: GPL-2.0
/* Swap areas a case adds: zram (reset afterwards) or a swap file (removed afterwards). The
 * swap header is written here (the layout of mkswap's version 1 header), so no helper program
 * is needed inside a guest. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "fl_util.h"
#include "swapdev.h"

unsigned long long fl_swap_free_bytes(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SwapFree: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* mkswap's header: version 1, last usable page, no bad pages, "SWAPSPACE2" at the page end. */
static int write_swap_header(int fd, unsigned long long bytes, char *err, size_t errlen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *hdr = calloc(1, page);
	uint32_t v[3];
	int ret = 0;

	if (!hdr)
		return fl_seterr(err, errlen, "out of memory");
	v[0] = 1;					/* version */
	v[1] = (uint32_t)(bytes / page - 1);		/* last_page */
	v[2] = 0;					/* nr_badpages */
	memcpy(hdr + 1024, v, sizeof(v));
	memcpy(hdr + page - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, hdr, page, 0) != (ssize_t)page || fsync(fd))
		ret = fl_seterr(err, errlen, "cannot write the swap header: %s", strerror(errno));
	free(hdr);
	return ret;
}

static int enable(struct fl_knobs *k, struct fl_swapdev *sd, bool remove_file,
		  char *err, size_t errlen)
{
	int prio = SWAP_FLAG_PREFER | (32767 & SWAP_FLAG_PRIO_MASK);

	if (fl_knob_swap_added(k, sd->path, remove_file, err, errlen))
		return -1;
	if (swapon(sd->path, prio)) {
		fl_seterr(err, errlen, "swapon %s failed: %s%s", sd->path, strerror(errno),
			  errno == EINVAL && remove_file ? " (its filesystem cannot hold a swap "
			  "file: tmpfs or an initramfs; use a swap_dir on a block-backed "
			  "filesystem)" : "");
		return errno == EINVAL || errno == EPERM ? 1 : -1;
	}
	return 0;
}

/* An unused zram device: disksize 0 and not a swap area. */
static int find_zram(char *dev, size_t len)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	char file[PATH_MAX], size[64];
	int ret = -1;

	if (!d)
		return -1;
	while (ret && (e = readdir(d))) {
		if (strncmp(e->d_name, "zram", 4))
			continue;
		snprintf(file, sizeof(file), "/sys/block/%s/disksize", e->d_name);
		if (fl_read_file(file, size, sizeof(size)) > 0 && atoll(size) == 0) {
			snprintf(dev, len, "/dev/%s", e->d_name);
			ret = 0;
		}
	}
	closedir(d);
	return ret;
}

static int add_zram(struct fl_knobs *k, unsigned long long bytes, struct fl_swapdev *sd,
		    char *err, size_t errlen)
{
	char file[PATH_MAX], val[32];
	int fd, ret;

	if (find_zram(sd->path, sizeof(sd->path))) {
		fl_seterr(err, errlen, "no unused zram device (no /sys/block/zram* with disksize 0)");
		return 1;
	}
	if (fl_knob_zram_added(k, sd->path, err, errlen))
		return -1;
	snprintf(file, sizeof(file), "/sys/block/%s/disksize", sd->path + 5);
	snprintf(val, sizeof(val), "%llu", bytes);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val)) {
		fl_seterr(err, errlen, "cannot set %s to %s: %s", file, val, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	fd = open(sd->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fl_seterr(err, errlen, "cannot open %s: %s", sd->path, strerror(errno));
	ret = write_swap_header(fd, bytes, err, errlen);
	close(fd);
	if (ret)
		return ret;
	sd->kind = "zram";
	sd->bytes = bytes;
	sd->synchronous = true;
	return enable(k, sd, false, err, errlen);
}

static int add_file(struct fl_knobs *k, const char *dir, unsigned long long bytes,
		    struct fl_swapdev *sd, char *err, size_t errlen)
{
	int fd, ret;

	snprintf(sd->path, sizeof(sd->path), "%s/faultline-swap.%d", dir, (int)getpid());
	if (fl_knob_swap_added(k, sd->path, true, err, errlen))
		return -1;
	fd = open(sd->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fl_seterr(err, errlen, "cannot create the swap file %s: %s", sd->path,
				 strerror(errno));
	ret = posix_fallocate(fd, 0, (off_t)bytes);
	if (ret) {
		close(fd);
		fl_seterr(err, errlen, "cannot allocate %llu MiB for the swap file %s: %s",
			  bytes >> 20, sd->path, strerror(ret));
		return ret == ENOSPC ? 1 : -1;
	}
	ret = write_swap_header(fd, bytes, err, errlen);
	close(fd);
	if (ret)
		return ret;
	sd->kind = "file";
	sd->bytes = bytes;
	return enable(k, sd, true, err, errlen);
}

int fl_swap_ensure(struct fl_knobs *k, const char *how, const char *dir,
		   unsigned long long need, struct fl_swapdev *sd, char *err, size_t errlen)
{
	unsigned long long bytes = (need + (64ull << 20)) & ~((1ull << 20) - 1);
	int ret;

	memset(sd, 0, sizeof(*sd));
	if (!strcmp(how, "auto") && fl_swap_free_bytes() >= need) {
		sd->kind = "active";
		return 0;
	}
	if (!strcmp(how, "zram"))
		return add_zram(k, bytes, sd, err, errlen);
	if (!strcmp(how, "file"))
		return add_file(k, dir, bytes, sd, err, errlen);
	ret = add_zram(k, bytes, sd, err, errlen);
	if (ret != 1)
		return ret;
	/* auto: no zram either; a swap file this machine cannot have (no such directory, a
	 * filesystem without swap files, as a guest's initramfs) means no swap: a skip. */
	if (add_file(k, dir, bytes, sd, err, errlen) == 0)
		return 0;
	return 1;
}

/* The block device under a file: /sys/dev/block/MAJ:MIN/uevent's DEVNAME. */
static void file_device(const char *path, json_t *o)
{
	static const struct { unsigned long magic; const char *name; } fs[] = {
		{ 0xef53, "ext4" }, { 0x58465342, "xfs" }, { 0x9123683e, "btrfs" },
		{ 0x01021994, "tmpfs" }, { 0x858458f6, "ramfs" }, { 0x65735546, "fuse" },
	};
	char file[96], text[512], *name;
	struct statfs sf;
	struct stat st;
	const char *type = "other";

	if (stat(path, &st))
		return;
	if (statfs(path, &sf) == 0)
		for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
			if ((unsigned long)sf.f_type == fs[i].magic)
				type = fs[i].name;
	json_object_set_new(o, "fstype", json_string(type));
	snprintf(file, sizeof(file), "/sys/dev/block/%u:%u/uevent", major(st.st_dev),
		 minor(st.st_dev));
	name = fl_read_file(file, text, sizeof(text)) > 0 ? strstr(text, "DEVNAME=") : NULL;
	if (name) {
		name += 8;
		name[strcspn(name, "\n")] = '\0';
		json_object_set_new(o, "device", json_string(name));
	} else {
		snprintf(text, sizeof(text), "none (%u:%u is not a block device)",
			 major(st.st_dev), minor(st.st_dev));
		json_object_set_new(o, "device", json_string(text));
	}
}

/* /proc/swaps' areas: "path type". */
static json_t *active_areas(void)
{
	json_t *a = json_array();
	char line[PATH_MAX + 64], path[PATH_MAX], type[32];
	FILE *f = fopen("/proc/swaps", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%4095s %31s", path, type) == 2 && strcmp(path, "Filename"))
			json_array_append_new(a, json_pack("{s:s, s:s}", "path", path, "type", type));
	if (f)
		fclose(f);
	return a;
}

json_t *fl_swap_describe(const struct fl_swapdev *sd)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:b}", "kind", sd->kind ? sd->kind : "none",
			      "path", sd->path, "added_bytes", (json_int_t)sd->bytes,
			      "synchronous", sd->synchronous);

	json_object_set_new(o, "readahead", json_string(sd->synchronous ?
			    "skipped: a synchronous device (zram) is read one page at a time" :
			    "swap readahead runs (swap_ra, swap_ra_hit in /proc/vmstat)"));
	if (sd->kind && !strcmp(sd->kind, "file"))
		file_device(sd->path, o);
	if (sd->kind && !strcmp(sd->kind, "active"))
		json_object_set_new(o, "areas", active_areas());
	return o;
}
