// SPDX-License-Identifier: GPL-2.0
/*
 * pt-retract's file of a round (pt_retract.h): a memfd on the internal shmem mount, or an
 * unlinked regular file reopened read-only (READ_ONLY_THP_FOR_FS), stamped through the file
 * PMD by PMD, mapped at a PMD-aligned address and faulted in as small pages; how much of it
 * is PMD-mapped; whether the kernel can collapse such a file at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/map_aligned.h"
#include "lib/smaps.h"
#include "lib/stamp.h"
#include "lib/thp.h"
#include "probes/procparse.h"
#include "pt_retract.h"

static int file_open(struct ptr *t, char *err, size_t len)
{
	int fd;

	if (t->target == TARGET_SHMEM) {
		fd = memfd_create("faultline-pt-retract", 0);
		if (fd < 0)
			snprintf(err, len, "memfd_create failed: %s", strerror(errno));
		return fd;
	}
	fd = open(t->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		snprintf(err, len, "cannot create an unlinked file in %s: %s", t->dir,
			 strerror(errno));
	return fd;
}

/* A regular file must not be open for writing when it is collapsed: reopen it read-only. */
static int file_readonly(int fd, char *err, size_t len)
{
	char path[64];
	int ro;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro < 0)
		snprintf(err, len, "cannot reopen the file read-only: %s", strerror(errno));
	close(fd);
	return ro;
}

/* Stamps written through the file, PMD by PMD. */
static int file_write(struct ptr *t, int fd, uint64_t seed, char *err, size_t len)
{
	size_t ppp = t->hpage / t->page;

	if (ftruncate(fd, (off_t)t->size)) {
		snprintf(err, len, "ftruncate to %zu bytes failed: %s", t->size, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < t->npmd; i++) {
		fl_stamp_fill(t->buf, ppp, t->page, seed, i * ppp);
		if (pwrite(fd, t->buf, t->hpage, (off_t)(i * t->hpage)) != (ssize_t)t->hpage) {
			snprintf(err, len, "writing the file failed: %s", strerror(errno));
			return -1;
		}
	}
	if (t->target == TARGET_FILE && fsync(fd)) {
		snprintf(err, len, "fsync of the file failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* New file, stamped, mapped, faulted in as small pages. */
int ptr_file_make(struct ptr *t, struct ptr_file *f, uint64_t seed, char *err, size_t len)
{
	volatile uint64_t sink = 0;

	f->map = NULL;
	f->seed = seed;
	f->fd = file_open(t, err, len);
	if (f->fd < 0)
		return -1;
	if (file_write(t, f->fd, seed, err, len))
		return -1;
	if (t->target == TARGET_FILE) {
		f->fd = file_readonly(f->fd, err, len);
		if (f->fd < 0)
			return -1;
	}
	f->map = fl_map_aligned(t->size, t->hpage, PROT_READ, MAP_SHARED, f->fd);
	if (!f->map) {
		snprintf(err, len, "cannot map the file: %s", strerror(errno));
		return -1;
	}
	if (t->khugepaged && madvise(f->map, t->size, MADV_HUGEPAGE)) {
		snprintf(err, len, "madvise(MADV_HUGEPAGE) of the file failed: %s", strerror(errno));
		return -1;
	}
	for (size_t pg = 0; pg < t->npages; pg++)
		sink += *(const volatile uint64_t *)(f->map + pg * t->page);
	(void)sink;
	return 0;
}

void ptr_file_drop(struct ptr *t, struct ptr_file *f)
{
	if (f->map)
		munmap(f->map, t->size);
	if (f->fd >= 0)
		close(f->fd);
	f->map = NULL;
	f->fd = -1;
}

/* PMD-mapped bytes of the current mapping, after touching one word per PMD (a retracted
 * page table is refaulted as a PMD mapping). */
int ptr_pmd_mapped(struct ptr *t, uint64_t *kb, uint64_t *rss_kb)
{
	volatile uint64_t sink = 0;
	struct fl_smaps s;

	for (size_t i = 0; i < t->npmd; i++)
		sink += *(const volatile uint64_t *)(t->cur.map + i * t->hpage);
	(void)sink;
	if (fl_smaps_range(t->cur.map, t->size, &s))
		return -1;
	*kb = s.shmem_pmd_kb + s.file_pmd_kb;
	*rss_kb = s.rss_kb;
	return 0;
}

/* ---- can it collapse ------------------------------------------------------------- */

static const char *config_says(const char *sym)
{
	FILE *f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r");
	static const char *const said[] = { "", " (this kernel has CONFIG_%s=y)",
					    " (CONFIG_%s is not set in this kernel)" };
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	char v = 0;

	if (!f)
		return said[0];
	n = getdelim(&text, &cap, '\0', f);
	pclose(f);
	if (n > 0)
		v = fl_config_lookup(text, sym);
	free(text);
	return v == 'y' ? said[1] : v == 'n' ? said[2] : said[0];
}

/* Can this kernel collapse this kind of file? One PMD, MADV_COLLAPSE. */
int ptr_probe_collapse(struct fl_case *c, struct ptr *t)
{
	struct ptr_file f = { .fd = -1 };
	size_t size = t->size, npages = t->npages, npmd = t->npmd;
	char err[256], why[160];
	int ret = 0;

	t->size = t->hpage;
	t->npages = t->hpage / t->page;
	t->npmd = 1;
	if (ptr_file_make(t, &f, 1, err, sizeof(err))) {
		ret = fl_case_fail(c, "%s", err);
	} else if (madvise(f.map, t->hpage, MADV_COLLAPSE) && errno == EINVAL &&
		   (t->target == TARGET_FILE || !t->khugepaged)) {
		if (t->target == TARGET_FILE)
			snprintf(why, sizeof(why), config_says("READ_ONLY_THP_FOR_FS"),
				 "READ_ONLY_THP_FOR_FS");
		else
			snprintf(why, sizeof(why), " (MADV_COLLAPSE came in Linux 6.1)");
		ret = fl_case_skip(c, "this kernel cannot collapse a %s mapping: MADV_COLLAPSE "
				   "gives EINVAL%s", t->target == TARGET_FILE ?
				   "read-only regular-file" : "shmem", why);
	}
	ptr_file_drop(t, &f);
	t->size = size;
	t->npages = npages;
	t->npmd = npmd;
	return ret;
}

