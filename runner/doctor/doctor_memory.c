// SPDX-License-Identifier: GPL-2.0
/* faultline doctor: what the platform does to the guest's memory behind the workloads' backs.
 * Free page reporting (a virtio-balloon with VIRTIO_BALLOON_F_REPORTING): free blocks of
 * 2^page_reporting_order pages go back to the host, so a later fault on them is also a fault in
 * the host. DAMON (its sysfs interface, kdamonds that are on): schemes that page out, promote
 * or split memory DAMON finds idle or hot, and the sampling itself (an rmap walk that clears
 * accessed bits every sample interval). Both are facts of this machine ("info"), recorded as
 * settings so that compare warns when two runs had them differently. */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "doctor.h"

#define VIRTIO_ID_BALLOON 5
#define VIRTIO_BALLOON_F_REPORTING 5	/* the bit, as /sys/bus/virtio/devices/N/features
					 * prints it: one '0'/'1' per bit, bit 0 first */
#define DAMON_ADMIN "/sys/kernel/mm/damon/admin"
#define MAX_SHOWN 4			/* kdamonds, contexts and schemes described */

/* A number in dir/rel; -1 when it cannot be read. */
static int read_u64(const char *dir, const char *rel, uint64_t *v)
{
	char path[PATH_MAX], buf[64], *end;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (fl_doctor_read(path, buf, sizeof(buf)) || !buf[0])
		return -1;
	*v = strtoull(buf, &end, 0);
	return *end ? -1 : 0;
}

/* A word in dir/rel of [a-z_] only ("pageout", "paddr", "on"), else "?". */
static void read_word(const char *dir, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (fl_doctor_read(path, buf, len) || !buf[0] ||
	    buf[strspn(buf, "abcdefghijklmnopqrstuvwxyz_")])
		snprintf(buf, len, "?");
}

/* The virtio-balloon device (its name in dev) that reports free pages; 1 when one does, 0
 * when a balloon does not (dev names it), -1 when there is no balloon. */
static int reporting_balloon(const char *vdir, char *dev, size_t len)
{
	DIR *d = opendir(vdir);
	struct dirent *e;
	int found = -1;

	while (d && (e = readdir(d)) && found < 1) {
		char path[PATH_MAX], buf[512];
		uint64_t id;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", vdir, e->d_name);
		if (read_u64(path, "device", &id) || id != VIRTIO_ID_BALLOON)
			continue;
		snprintf(dev, len, "%s", e->d_name);
		found = 0;
		snprintf(path, sizeof(path), "%s/%s/features", vdir, e->d_name);
		if (!fl_doctor_read(path, buf, sizeof(buf)) &&
		    strlen(buf) > VIRTIO_BALLOON_F_REPORTING && buf[VIRTIO_BALLOON_F_REPORTING] == '1')
			found = 1;
	}
	if (d)
		closedir(d);
	return found;
}

void fl_doctor_check_reporting(json_t *doc, const char *vdir, const char *order_path)
{
	char dev[256] = "", buf[32], size[48] = "";
	int r = reporting_balloon(vdir, dev, sizeof(dev));
	long order = -1, page = sysconf(_SC_PAGESIZE);
	json_t *f;

	if (r < 1) {
		f = fl_doctor_add(doc, "reporting", "page reporting", "ok", "none needed",
				  r < 0 ? "off: no virtio-balloon device" : "off: the virtio-balloon "
				  "device %s does not report free pages", dev);
		json_object_set_new(f, "settings", json_pack("{s:s}", "free_page_reporting",
							     "off"));
		return;
	}
	if (!fl_doctor_read(order_path, buf, sizeof(buf)))
		order = strtol(buf, NULL, 10);
	if (order < 0 || order > 20 || page <= 0) {
		snprintf(buf, sizeof(buf), "on");
	} else {
		snprintf(buf, sizeof(buf), "order %ld", order);
		snprintf(size, sizeof(size), ", order %ld: blocks of %ld KiB", order,
			 (page << order) / 1024);
	}
	f = fl_doctor_add(doc, "reporting", "page reporting", "info",
			  "none in the guest: the host's balloon device offers it; compare runs "
			  "made on one kind of machine, and read fault-bound figures with it in mind",
			  "on (virtio-balloon %s%s): memory the guest frees in blocks that large "
			  "goes back to the host, so a fault that reuses it is also a fault in the "
			  "host, and fault-bound figures move with how much was handed back", dev,
			  size);
	json_object_set_new(f, "settings", json_pack("{s:s}", "free_page_reporting", buf));
}

/* "pageout of memory seen accessed in at most 1 of 10 samples for 60 s or more, at most 128
 * MiB per 1 s" of scheme dir s (its action read by the caller), whose context aggregates
 * every aggr_us (samples samples). */
static size_t scheme_text(const char *s, const char *action, uint64_t aggr_us,
			  uint64_t samples, char *buf, size_t len)
{
	char q[96] = "";
	uint64_t age = 0, acc = 0, bytes = 0, reset = 0;
	size_t off;

	read_u64(s, "access_pattern/age/min", &age);
	read_u64(s, "access_pattern/nr_accesses/max", &acc);
	if (!read_u64(s, "quotas/bytes", &bytes) && bytes &&
	    !read_u64(s, "quotas/reset_interval_ms", &reset))
		snprintf(q, sizeof(q), ", at most %" PRIu64 " MiB per %g s", bytes >> 20,
			 (double)reset / 1000);
	off = (size_t)snprintf(buf, len, "%s", action);
	if (off < len && (age || acc < samples))
		off += (size_t)snprintf(buf + off, len - off, " of memory seen accessed in at most "
					"%" PRIu64 " of %" PRIu64 " samples for %g s or more", acc,
					samples, (double)(age * aggr_us) / 1e6);
	if (off < len)
		off += (size_t)snprintf(buf + off, len - off, "%s", q);
	return off < len ? off : len;
}

/* "kdamond 0 on (paddr, sampling every 0.5 s): pageout of ..." of kdamond dir k; its
 * settings value ("paddr: pageout", each context's operations and its schemes' actions) in
 * set. */
static void kdamond_text(const char *k, const char *name, char *buf, size_t len, char *set,
			 size_t slen)
{
	uint64_t nc = 0, ns, sample = 0, aggr = 0;
	char c[PATH_MAX], s[PATH_MAX], ops[32], act[32];
	size_t off = (size_t)snprintf(buf, len, "kdamond %s on", name), soff = 0;

	read_u64(k, "contexts/nr_contexts", &nc);
	for (uint64_t i = 0; i < nc && i < MAX_SHOWN && off < len && soff < slen; i++) {
		snprintf(c, sizeof(c), "%.3000s/contexts/%" PRIu64, k, i);
		read_word(c, "operations", ops, sizeof(ops));
		read_u64(c, "monitoring_attrs/intervals/sample_us", &sample);
		read_u64(c, "monitoring_attrs/intervals/aggr_us", &aggr);
		off += (size_t)snprintf(buf + off, len - off, " (%s, sampling every %g s)", ops,
					(double)sample / 1e6);
		soff += (size_t)snprintf(set + soff, slen - soff, "%s%s:", i ? "; " : "", ops);
		ns = 0;
		read_u64(c, "schemes/nr_schemes", &ns);
		for (uint64_t j = 0; j < ns && j < MAX_SHOWN && off < len && soff < slen; j++) {
			snprintf(s, sizeof(s), "%.3500s/schemes/%" PRIu64, c, j);
			read_word(s, "action", act, sizeof(act));
			off += (size_t)snprintf(buf + off, len - off, "%s", j ? "; " : ": ");
			if (off < len)
				off += scheme_text(s, act, aggr, sample ? aggr / sample : 0,
						   buf + off, len - off);
			soff += (size_t)snprintf(set + soff, slen - soff, " %s", act);
		}
		if (!ns && off < len)
			off += (size_t)snprintf(buf + off, len - off, ": monitoring only");
	}
}

void fl_doctor_check_damon(json_t *doc, const char *adm)
{
	char kd[PATH_MAX], st[16], name[24], key[40], one[640], set[160], state[2048] = "",
	     fix[512] = "";
	uint64_t n = 0;
	json_t *f, *sets = json_object();
	size_t on = 0;

	snprintf(kd, sizeof(kd), "%s/kdamonds", adm);
	if (read_u64(kd, "nr_kdamonds", &n))
		n = 0;
	for (uint64_t i = 0; i < n; i++) {
		snprintf(kd, sizeof(kd), "%s/kdamonds/%" PRIu64, adm, i);
		read_word(kd, "state", st, sizeof(st));
		if (strcmp(st, "on"))
			continue;
		snprintf(name, sizeof(name), "%" PRIu64, i);
		set[0] = '\0';
		kdamond_text(kd, name, one, sizeof(one), set, sizeof(set));
		if (on < MAX_SHOWN) {
			size_t l = strlen(state), fl = strlen(fix);

			snprintf(state + l, sizeof(state) - l, "%s%s", on ? "; " : "", one);
			snprintf(fix + fl, sizeof(fix) - fl, "%secho off > %.200s/state", on ? "; " :
				 "", kd);
		}
		on++;
		snprintf(key, sizeof(key), "kdamond.%s", name);
		json_object_set_new(sets, key, json_string(set));
	}
	if (!on) {
		f = fl_doctor_add(doc, "damon", "DAMON", "ok", "none needed", "%s",
				  n ? "no kdamond on" : "not running (no DAMON sysfs interface, "
				  "or no kdamond)");
	} else {
		char fx[640];

		snprintf(fx, sizeof(fx), "%s while measuring, if the platform lets you (it may "
			 "rely on DAMON to reclaim idle memory); compare runs made alike", fix);
		f = fl_doctor_add(doc, "damon", "DAMON", "info", fx, "%s: memory a workload leaves "
				  "idle that long is acted on, and each sample clears accessed bits "
				  "in page tables beside the workload", state);
	}
	json_object_set_new(f, "settings", sets);
}

void fl_doctor_check_memory(json_t *doc)
{
	fl_doctor_check_reporting(doc, "/sys/bus/virtio/devices",
				  "/sys/module/page_reporting/parameters/page_reporting_order");
	fl_doctor_check_damon(doc, DAMON_ADMIN);
}
