#!/usr/bin/env bash
# swapin-collapse (seed 003): quick cases with MADV_COLLAPSE and khugepaged (slow until the
# before snapshot, timed from tracepoints), verification that can fail (a flipped byte, a
# dropped rewrite), swap=file recorded and undone (also on Ctrl-C), the optional threads, the
# memory-fit refusal, bad options.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline
J=${FAULTLINE_JOURNAL:-/run/faultline/knobs.journal}

if [ "$(id -u)" != 0 ] || [ ! -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
	skip "swapin-collapse needs root and THP"
	done_testing; exit
fi
m() { jget "$1" "['case']['metrics']['$2']['value']"; }
gt() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$1" "$2"; }

# Quick case, MADV_COLLAPSE: share after > before, pages came back from swap, no corruption.
expect_exit 0 "128M madvise-collapse ends ok" "$A" swapin-collapse --size 128M --mode madvise-collapse --json "$TMP/mc.json"
[ -x "$F" ] && check "the case validates against the schema" "$F" validate "$TMP/mc.json"
check "thp_share_after > thp_share_before" gt "$(m "$TMP/mc.json" thp_share_after)" "$(m "$TMP/mc.json" thp_share_before)"
check "pswpin > 0" gt "$(m "$TMP/mc.json" pswpin)" 0
check "collapse_ms_per_2m measured" gt "$(m "$TMP/mc.json" collapse_ms_per_2m)" 0
check "0 corrupt pages of 32768" test "$(jget "$TMP/mc.json" "['case']['verify']['corrupt']")/$(jget "$TMP/mc.json" "['case']['verify']['pages_checked']")" = 0/32768
check "the rewrite's first-touch latency: ordered, one value per page rewritten (31130 of 32768)" python3 - "$TMP/mc.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
h, m = c["detail"]["fault_latency"], c["metrics"]
v = [h[k] for k in ("min", "p50", "p90", "p99", "p99.9", "max")]
assert v == sorted(v) and v[0] > 0, v
assert h["count"] == 32768 - 32768 // 20, h["count"]	# skip-one-in-20
assert abs(m["fault_lat_p50_us"]["value"] * 1000 - h["p50"]) < 1e-3 and m["fault_lat_p99_us"]["better"] == "lower"
assert "swap-in" in c["detail"]["fault_latency_clock"]["what"]
PY

# The seed's way, in the seed's order: khugepaged stays slow until the before snapshot, then
# scans fast, swaps the skipped pages in and collapses. (Before the fix the fast scan was set in
# setup: 11-16% of a 128M range was already huge "before", and pswpin fell short.)
kernel_state_locked > "$TMP/state.before"
expect_exit 0 "128M khugepaged ends ok" "$A" swapin-collapse --size 128M --timeout-s 40 --json "$TMP/kh.json"
kernel_state_locked > "$TMP/state.after"
check "khugepaged: kernel settings identical before and after" cmp -s "$TMP/state.before" "$TMP/state.after"
[ -x "$F" ] && check "khugepaged: the case validates against the schema" "$F" validate "$TMP/kh.json"
check "khugepaged: thp_share_before <= 1%, taken while khugepaged was slow" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; v=c['metrics']['thp_share_before']['value']; k=c['detail']['khugepaged_at_before']; assert v <= 1.0 and k == {'pages_to_scan': '8', 'scan_sleep_millisecs': '600000'}, (v, k)" "$TMP/kh.json"
check "khugepaged: thp_share_after > thp_share_before" gt "$(m "$TMP/kh.json" thp_share_after)" "$(m "$TMP/kh.json" thp_share_before)"
check "khugepaged: pswpin >= the 1638 skipped pages of 32768" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; v=c['metrics']['pswpin']['value']; assert v >= 32768 // 20 or c['detail']['swap']['kind'] not in ('zram',), v" "$TMP/kh.json"
check "khugepaged: the share series is recorded" python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['case']['detail']['thp_share_pct_every_100ms']; assert len(s) >= 1" "$TMP/kh.json"
if [ -d /sys/kernel/tracing/events/huge_memory/mm_khugepaged_scan_pmd ]; then
	check "khugepaged: collapse timed from tracepoints (p50/p99, time to last collapse), results by name, this mm only" python3 - "$TMP/kh.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
m, t = c["metrics"], c["detail"]["collapse_trace"]
assert m["collapse_ms_p50"]["value"] > 0 and m["collapse_ms_p99"]["value"] >= m["collapse_ms_p50"]["value"], m
assert m["time_to_collapse_s"]["value"] > 0
assert t["scan_results"].get("succeeded", 0) >= 1, t
assert t["collapse_ns"]["count"] >= 1 and t["mm_filter"].startswith("mm "), t
assert t["swapin"]["swapped_in"] >= 1 and m["swapped_in_by_khugepaged"]["value"] == t["swapin"]["swapped_in"], t
assert t["instance"].startswith("faultline-swapin-collapse-")
PY
	check "khugepaged: the tracefs instance is gone" sh -c '! ls /sys/kernel/tracing/instances | grep -q "^faultline-swapin-collapse-"'
else
	skip "no huge_memory:mm_khugepaged_scan_pmd tracepoint here"
fi

# A dropped rewrite fails the case naming the page (the rewrite stamps a second generation).
expect_exit 1 "a dropped rewrite fails the case" "$A" swapin-collapse --test-drop-rewrite=5 --size 16M --mode madvise-collapse --probes none --json "$TMP/drop.json"
check "the failed case names page 5 and the lost rewrite" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='failed' and 'first: page 5 ' in c['reason'] and 'rewrite was lost' in c['reason'], c['reason']" "$TMP/drop.json"
expect_exit 0 "dropping a page the pattern skips changes nothing" "$A" swapin-collapse --test-drop-rewrite=19 --size 16M --mode madvise-collapse --probes none --json "$TMP/drop19.json"

# swap=file: a real swap file on a block-backed filesystem, recorded, and gone afterwards.
if [ "$(stat -f -c %T /var/tmp)" = ext2/ext3 ] || [ "$(stat -f -c %T /var/tmp)" = xfs ]; then
	kernel_state_locked > "$TMP/state.before"
	expect_exit 0 "swap=file pageout=memcg ends ok" "$A" swapin-collapse --size 32M --swap file --swap-dir /var/tmp --pageout memcg --timeout-s 30 --probes none --json "$TMP/file.json"
	kernel_state_locked > "$TMP/state.after"
	check "swap=file: the case records the file, its filesystem and block device" python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['case']['detail']['swap']; assert s['kind']=='file' and s['path'].startswith('/var/tmp/faultline-swap.') and s['fstype'] in ('ext4','xfs') and not s['device'].startswith('none') and s['synchronous'] is False, s" "$TMP/file.json"
	check "swap=file: swap readahead counters moved (rewrite or collapse)" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; r=c['detail']['rewrite_vmstat']; m=c['metrics']; assert r['swap_ra'] + m['swap_ra_hit']['value'] > 0, (r, m)" "$TMP/file.json"
	check "swap=file: swapped off and removed, settings identical" cmp -s "$TMP/state.before" "$TMP/state.after"
	check "swap=file: no swap file left" sh -c '! ls /var/tmp | grep -q "^faultline-swap\."'
else
	skip "/var/tmp is not ext4 or xfs: no swap file test"
fi

# Ctrl-C while khugepaged collapses: swap, knobs and the tracefs instance are undone.
kernel_state_locked > "$TMP/state.before"
"$A" swapin-collapse --size 64M --swap file --swap-dir /var/tmp --timeout-s 60 --scan-sleep-ms 1000 --pages-to-scan 512 --probes none --json "$TMP/int.json" > /dev/null 2> "$TMP/int.err" &
pid=$!
for _ in $(seq 100); do grep -q "faultline-swap.$pid" /proc/swaps 2>/dev/null && [ "$(cat /sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs)" = 1000 ] && break; sleep 0.1; done
kill -INT "$pid"; wait "$pid"
kernel_state_locked > "$TMP/state.after"
check "Ctrl-C: swap file off and removed, knobs restored" cmp -s "$TMP/state.before" "$TMP/state.after"
check "Ctrl-C: no swap file, no tracefs instance left" sh -c "! ls /var/tmp | grep -q '^faultline-swap\.' && ! ls /sys/kernel/tracing/instances 2>/dev/null | grep -q 'faultline-swapin-collapse-$pid'"

# SIGKILL while khugepaged collapses: nothing runs the agent's own undo, so the tracefs
# instance stays until the journal is replayed (`faultline-agent --restore`, as every
# `faultline run` start-up does); the journal made it removable. The test holds the host lock
# from here to its --restore and passes it to the agents (as knobs_state.sh does): an agent of
# another run would otherwise take it after the SIGKILL and replay the journal first.
host_lock_hold
kernel_state > "$TMP/state.before"
"$A" swapin-collapse --size 32M --timeout-s 60 --scan-sleep-ms 1000 --pages-to-scan 512 \
	--probes none --json "$TMP/kill.json" > /dev/null 2>&1 &
pid=$!
inst=/sys/kernel/tracing/instances/faultline-swapin-collapse-$pid
for _ in $(seq 100); do [ -d "$inst" ] && [ "$(cat /sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs)" = 1000 ] && break; sleep 0.1; done
kill -KILL "$pid"; wait "$pid" 2> /dev/null
check "SIGKILL: the tracefs instance is left behind" test -d "$inst"
expect_exit 0 "faultline-agent --restore replays the dead agent's journal" "$A" --restore
check "it says it removed the instance" grep -q "removed tracefs instance $inst" "$TMP/stdout" "$TMP/stderr"
kernel_state > "$TMP/state.after.kill"
host_lock_release
check "SIGKILL + restore: no instance left" test ! -d "$inst"
check "SIGKILL + restore: swap and knobs as before" cmp -s "$TMP/state.before" "$TMP/state.after.kill"

# Optional threads: VMA changes and faults during the collapse; the pages are still right.
expect_exit 0 "vma_thread=all fault_thread ends ok" "$A" swapin-collapse --size 32M --vma-thread all --fault-thread --timeout-s 3 --probes none --json "$TMP/thr.json"
check "threads: VMA changes and reads were made, 0 corrupt" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; t=c['detail']['threads']; assert t['vma_changes'] > 0 and t['fault_reads'] > 0 and c['verify']['corrupt'] == 0, (t, c['verify'])" "$TMP/thr.json"

# A size that does not fit is refused with the figures.
expect_exit 1 "a size larger than memory is refused" "$A" swapin-collapse --size 1T --probes none --json "$TMP/big.json"
stderr_has "does not fit in MemAvailable" "the refusal names MemAvailable"
stderr_has "use --force" "and says how to run anyway"

# Options.
expect_exit 0 "--help" "$A" swapin-collapse --help
check "--help lists max_ptes_swap and the journal" grep -q -- "--journal" "$TMP/stdout"
expect_exit 2 "max_ptes_swap out of range" "$A" swapin-collapse --max-ptes-swap 600
expect_exit 2 "unknown pattern" "$A" swapin-collapse --pattern sometimes
expect_exit 2 "unknown vma_thread" "$A" swapin-collapse --vma-thread sometimes
done_testing
