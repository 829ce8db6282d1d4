#!/usr/bin/env bash
# First-touch (fault) latency from the workloads' own timing (workloads/lib/fault_timer.h):
# ebizzy -m -T, fault-scale, percore-map and swapin-collapse's rewrite report a histogram in
# detail.fault_latency and fault_lat_{p50,p99}_us, ordered, with one value per page timed;
# fault_latency=false removes it (the reason stays); where nothing is timed, the reason says why.
# Acceptance 4 of issue 14: ebizzy -mT's p50 agrees within 20% with its sys time per fault.
# The kernel time per fault is sys time less the records' mmap+munmap (detail.record_alloc_free):
# munmap frees the 128 pages of each record, ~18% of sys time with one thread, so plain
# sys/faults is that much above the faults' own time (shown as a comment, not checked). The
# mmap/munmap share is the threads' CPU time in them (alloc_cpu_s, free_cpu_s), not their wall
# time: on a loaded machine preemption lands inside the wall intervals (at load 8-10 on a 2-vCPU
# guest the wall-time munmap total reached 60-85% of sys time and the ratio went to 1.5-2.1).
# One thread: more threads than CPUs put preemption inside the timed (wall) intervals, which CPU
# time does not see. Ratio of the medians of 3 runs: 0.96-1.02 on a 2-vCPU KVM guest (AMD EPYC,
# no PMU) at load 0-11; on a PVM guest see below.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline

# hist_ok JSON EXPECTED_COUNT_PY [PAGES [fault-around]]: the histogram is there, ordered, its
# metrics match it, and its count is the pages timed (a python expression over c, the case,
# and pages, the pages per record or window); at least as many page faults as pages timed,
# unless fault-around (a read fault maps the pages around it: fewer faults than first touches).
hist_ok() {
	python3 - "$@" <<'PY'
import json, os, sys
c = json.load(open(sys.argv[1]))["case"]
h, m = c["detail"]["fault_latency"], c["metrics"]
assert "status" not in h, h
keys = ["min", "p50", "p90", "p99", "p99.9", "max"]
v = [h[k] for k in keys]
assert v == sorted(v) and v[0] > 0, dict(zip(keys, v))
assert h["unit"] == "ns" and h["cdf"][-1] == [h["max"], h["count"]], h["cdf"][-1]
for k, src in (("fault_lat_p50_us", "p50"), ("fault_lat_p99_us", "p99")):
    assert m[k]["unit"] == "us" and m[k]["better"] == "lower", m[k]
    assert abs(m[k]["value"] * 1000 - h[src]) < 1e-6 * h[src] + 1e-3, (k, m[k], h[src])
assert "fault_lat_mean_us" not in m	# the mean is in the histogram: fewer compare rows
clock = c["detail"]["fault_latency_clock"]
assert clock["clock"] in ("tsc", "clock_gettime(CLOCK_MONOTONIC)") and clock["why"], clock
pages = json.loads(sys.argv[3]) if len(sys.argv) > 3 else 0
want = eval(sys.argv[2])
assert h["count"] == want, (h["count"], want)
pf = c["counters"].get("page-faults", {}).get("value")
if sys.argv[4:] != ["fault-around"]:	# else an earlier fault may have mapped the page
    assert pf is None or pf >= h["count"], (pf, h["count"])
PY
}
# off_ok JSON REASON: no fault_lat_* metric, no histogram, the reason says REASON
off_ok() {
	python3 - "$@" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
assert not [k for k in c["metrics"] if k.startswith("fault_lat_")], list(c["metrics"])
h = c["detail"]["fault_latency"]
assert h["status"] == "absent" and sys.argv[2] in h["reason"], h
assert "fault_latency_clock" not in c["detail"]
PY
}
PAGE=$(getconf PAGESIZE)

# ebizzy -m -T: 512 KiB records, each page of a fresh mmap faulted once.
for i in 1 2 3; do
	expect_exit 0 "ebizzy -m -T -t 1 run $i" "$A" ebizzy -m -T -t 1 -S 1 --quiet --json "$TMP/eb$i.json"
done
check "ebizzy: histogram ordered, count = records x pages per record" \
	hist_ok "$TMP/eb1.json" "c['ops']['count'] * pages" "$((512 * 1024 / PAGE))"
check "ebizzy: the case validates" "$F" validate "$TMP/eb1.json"
# A PVM guest (its kernel log says "Hypervisor detected: PVM") runs its kernel in user mode on
# the host's shadow page tables: a guest page fault also takes a host fault to fill the shadow
# entry, and that host work is not in the guest's sys time (the guest charges it, by ticks, to
# whichever mode it interrupted). There p50 / kernel time per fault was 1.5-2.0 (2026-12-01),
# so only the lower bound holds: a fault takes at least the kernel's time. Said, not skipped.
pvm=0
dmesg 2> /dev/null | grep -q "Hypervisor detected: PVM" && pvm=1
if [ $pvm = 1 ]; then
	what="ebizzy -mT on a PVM guest: p50 at least 0.8 x (sys - mmap/munmap CPU time) / page-faults (the host's shadow-paging share is not in sys; medians of 3 runs)"
else
	what="ebizzy -mT: p50 within 20% of (sys - mmap/munmap CPU time) / page-faults (medians of 3 runs)"
fi
check "$what" python3 - $pvm "$TMP"/eb[123].json <<'PY'
import json, statistics as st, sys
pvm = sys.argv.pop(1) == "1"
p50, spf, fpf = [], [], []
for f in sys.argv[1:]:
    c = json.load(open(f))["case"]
    pf, sys_s = c["counters"]["page-faults"]["value"], c["metrics"]["sys_s"]["value"]
    af = c["detail"]["record_alloc_free"]
    p50.append(c["detail"]["fault_latency"]["p50"] / 1e3)
    spf.append(sys_s / pf * 1e6)
    fpf.append((sys_s - af["alloc_cpu_s"] - af["free_cpu_s"]) / pf * 1e6)
r = st.median(p50) / st.median(fpf)
print(f"# p50 {st.median(p50):.3f} us; (sys - mmap/munmap)/faults {st.median(fpf):.3f} us "
      f"(ratio {r:.3f}); sys/faults {st.median(spf):.3f} us (ratio {st.median(p50) / st.median(spf):.3f})")
assert 0.8 <= r and (pvm or r <= 1.2), r
PY
expect_exit 0 "ebizzy -m -T --fault-latency=false" "$A" ebizzy -m -T -t 1 -S 0.3 --fault-latency=false --quiet --json "$TMP/eb_off.json"
check "ebizzy fault_latency=false: no histogram, no metric, the reason" off_ok "$TMP/eb_off.json" "fault_latency=false"
check "ebizzy fault_latency=false validates" "$F" validate "$TMP/eb_off.json"
expect_exit 0 "ebizzy without -T" "$A" ebizzy -m -t 1 -S 0.3 --quiet --json "$TMP/eb_copy.json"
check "ebizzy without -T: not timed, the reason says the copy is one memcpy" off_ok "$TMP/eb_copy.json" "one memcpy"

# fault-scale: one op is one page faulted; the write kind and the read kind.
for k in anon file-read; do
	expect_exit 0 "fault-scale kind=$k" "$A" fault-scale -t 2 -s 4M -k "$k" -S 0.5 --quiet --json "$TMP/fs_$k.json"
	check "fault-scale kind=$k: histogram ordered, count = pages faulted in (ops)" \
		hist_ok "$TMP/fs_$k.json" "c['ops']['count']" 0 "$([ $k = file-read ] && echo fault-around)"
done
expect_exit 0 "fault-scale --fault-latency=false" "$A" fault-scale -t 2 -s 4M -S 0.3 --fault-latency=false --quiet --json "$TMP/fs_off.json"
check "fault-scale fault_latency=false: no histogram, no metric" off_ok "$TMP/fs_off.json" "fault_latency=false"

# percore-map: each op touches the window's pages; the last op of each worker touches its
# window and stops before it counts.
for o in zap mmap; do
	expect_exit 0 "percore-map op=$o" "$A" percore-map -t 2 -o "$o" -S 0.5 --quiet --json "$TMP/pc_$o.json"
	check "percore-map op=$o: histogram ordered, count = (ops + workers) x window pages" \
		hist_ok "$TMP/pc_$o.json" "(c['ops']['count'] + 2) * pages" "$((65536 / PAGE))"
done
expect_exit 0 "percore-map --fault-latency=false" "$A" percore-map -t 2 -S 0.3 --fault-latency=false --quiet --json "$TMP/pc_off.json"
check "percore-map fault_latency=false: no histogram, no metric" off_ok "$TMP/pc_off.json" "fault_latency=false"
check "percore-map op latency is still there" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['metrics']['lat_p50_us']['value'] > 0" "$TMP/pc_off.json"
expect_exit 0 "percore-map populate=madvise" "$A" percore-map -t 2 --populate=madvise -S 0.3 --quiet --json "$TMP/pc_madv.json"
check "percore-map populate=madvise: not timed, the reason says the stores do not fault" off_ok "$TMP/pc_madv.json" "do not fault"

# swapin-collapse: its rewrite's histogram is checked in wl_swapin_collapse.sh (the run is
# there); here that fault_latency=false leaves it out. Needs root, THP and swap.
if [ "$(id -u)" = 0 ] && [ -d /sys/kernel/mm/transparent_hugepage ]; then
	"$A" swapin-collapse --size 8M --mode madvise-collapse --fault-latency=false --quiet \
		--json "$TMP/sc_off.json" > /dev/null 2>&1
	if [ "$(jget "$TMP/sc_off.json" "['case']['status']" 2>/dev/null)" = ok ]; then
		check "swapin-collapse fault_latency=false: no histogram, no metric" off_ok "$TMP/sc_off.json" "fault_latency=false"
	else
		skip "swapin-collapse did not run here: $(jget "$TMP/sc_off.json" "['case']['reason']" 2>/dev/null)"
	fi
else
	skip "swapin-collapse needs root and THP"
fi

# Bad input: the parameter is a boolean.
expect_exit 2 "fault_latency=maybe is refused" "$A" ebizzy --fault-latency=maybe --check
stderr_has "parameter 'fault_latency': 'maybe' is not a boolean" "it names the parameter and what is expected"
done_testing
