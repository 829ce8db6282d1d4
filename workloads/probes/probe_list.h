/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probes, one line each: the only list. probe.h makes the extern declarations from it,
 * probes.c the table, the names --probes accepts, its help and the default set. No include
 * guard: each includer defines FL_PROBE(name, when) first, and it is undefined at the end.
 *
 * name: the probe's ops are `const struct fl_probe_ops fl_probe_<name>` (in its own file) and
 *   its --probes name is "<name>".
 * when: FL_PROBE_DEFAULT, in the default set "all"; FL_PROBE_NAMED, run only when named
 *   ("all,<name>") because its overhead is not negligible.
 *
 * Order is the bracketing order: start() walks the list backwards and stop() forwards, so
 * the /proc snapshots (vmstat, interrupts) are taken first and last and the perf counters
 * are enabled last and disabled first, as close to the measured phase as possible.
 */
/* Before rusage: rusage emits only the names sw did not count. */
FL_PROBE(sw,		FL_PROBE_NAMED)
FL_PROBE(rusage,	FL_PROBE_DEFAULT)
FL_PROBE(tracepoints,	FL_PROBE_DEFAULT)
FL_PROBE(hw,		FL_PROBE_DEFAULT)
FL_PROBE(vmstat,	FL_PROBE_DEFAULT)
FL_PROBE(interrupts,	FL_PROBE_DEFAULT)
/* Last: its stop drains the ring buffers, after the /proc snapshots. */
FL_PROBE(mmap_lock,	FL_PROBE_NAMED)

#undef FL_PROBE
