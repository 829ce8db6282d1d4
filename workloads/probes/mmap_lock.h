/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "mmap_lock" probe: how long the workload's tasks and khugepaged wait for and hold the
 * workload's mmap_lock, from the mmap_lock tracepoints recorded in perf ring buffers.
 *
 *   start_locking -> acquire_returned (same task, mm, mode)         = wait
 *   acquire_returned(success) -> released (same task, mm, mode)     = hold
 *
 * The pairing engine below is pure (events in, figures out) so tests can feed it synthetic
 * sequences; the probe (fl_probe_mmap_lock) feeds it from the ring buffers in time order.
 */
#ifndef FL_MMAP_LOCK_H
#define FL_MMAP_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "probes/probe.h"


enum fl_mml_type { FL_MML_START, FL_MML_ACQUIRE, FL_MML_RELEASE, FL_MML_TYPES };
/* Who took the lock: the workload's own tasks, khugepaged, or anyone else (a /proc reader,
 * the probe's own reader thread). */
enum fl_mml_role { FL_MML_WORKLOAD, FL_MML_KHUGEPAGED, FL_MML_OTHER, FL_MML_ROLES };

struct fl_mml_event {
	uint64_t time;		/* ns, one clock for every CPU */
	uint64_t mm;		/* which mm's lock */
	int32_t tid;
	uint8_t type;		/* enum fl_mml_type */
	uint8_t role;		/* enum fl_mml_role */
	bool write;
	bool success;		/* acquire_returned only */
};

/* One role's figures for one mode (read or write). */
struct fl_mml_side;

struct fl_mml_totals {
	uint64_t events[FL_MML_TYPES];	/* events fed, by type */
	uint64_t lost;			/* events the ring buffers lost (PERF_RECORD_LOST) */
	uint64_t dropped;		/* waits and holds forgotten at a loss (or nested too deep) */
	uint64_t abandoned;		/* a start_locking never answered (replaced by another) */
	uint64_t pending_at_stop;	/* still waiting when the phase ended */
	uint64_t open_at_stop;		/* still held when the phase ended */
};

struct fl_mml;

struct fl_mml *fl_mml_new(void);
void fl_mml_free(struct fl_mml *m);
/* Events must come in time order. */
void fl_mml_feed(struct fl_mml *m, const struct fl_mml_event *e);
/* n events were lost at this point of the stream: every wait and hold in flight is dropped
 * (a lost release would otherwise stretch a hold to the next one), and every figure says
 * it comes from buffers that lost events. */
void fl_mml_lost(struct fl_mml *m, uint64_t n);
/* The phase ended: what is still waiting or held is counted, not timed. */
void fl_mml_finish(struct fl_mml *m);
void fl_mml_get_totals(const struct fl_mml *m, struct fl_mml_totals *t);
/* Figures of one role and mode. */
const struct fl_mml_side *fl_mml_side(const struct fl_mml *m, enum fl_mml_role role, bool write);
uint64_t fl_mml_side_count(const struct fl_mml_side *s);	/* successful acquisitions */
uint64_t fl_mml_side_contended(const struct fl_mml_side *s);
uint64_t fl_mml_side_unmatched(const struct fl_mml_side *s);	/* releases with no acquire */
uint64_t fl_mml_side_downgrades(const struct fl_mml_side *s);	/* write holds ended by downgrade */
/* Percentile p of the waits or holds in ns (0 when there are none); n gets how many. */
uint64_t fl_mml_side_wait(const struct fl_mml_side *s, double p, uint64_t *n);
uint64_t fl_mml_side_hold(const struct fl_mml_side *s, double p, uint64_t *n);
/* {"read": SIDE, "write": SIDE} of the workload, "khugepaged": {...}, "other_tasks",
 * "events", "lost_events", "unpaired" (schema: #/$defs/mmap_lock). */
json_t *fl_mml_json(const struct fl_mml *m, bool khugepaged_known);

/* ---- the tracepoints' format files ------------------------------------------------ */

struct fl_mml_field {
	int off, size;		/* size 0: the event has no such field */
};

struct fl_mml_format {
	unsigned int id;		/* common_type */
	struct fl_mml_field mm;		/* "mm" (a pointer) or "mm_id" */
	struct fl_mml_field write, success;
	bool mm_is_id;			/* the field is "mm_id", not "mm" */
};

/* Parse one event's format file text (pure): 0, or -1 with why (names the missing field).
 * need_success: acquire_returned must have a "success" field. */
int fl_mml_format_parse(const char *text, bool need_success, struct fl_mml_format *f,
			char *why, size_t len);
/* Decode a PERF_SAMPLE_RAW record (the trace entry) with the formats of the three events,
 * indexed by enum fl_mml_type: 0 and e->type/mm/write/success set, or -1 if it is none of
 * them or too short. */
int fl_mml_decode(const struct fl_mml_format fmt[FL_MML_TYPES], const void *raw, size_t size,
		  struct fl_mml_event *e);

#endif
