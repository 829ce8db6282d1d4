#!/usr/bin/env bash
# pt-retract (seed 002): shmem collapse by MADV_COLLAPSE and by khugepaged ends ok with
# collapses and no kernel-log findings; khugepaged is slow until each round's before snapshot
# (pmd_kb_before 0) and its collapses are timed from tracepoints; the file variant runs or is skipped with the reason;
# corruption and a kernel-log finding fail the case; bad params exit 2; THP sysfs unchanged.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline
export FAULTLINE_JOURNAL=$TMP/journal

if [ "$(id -u)" != 0 ] || [ ! -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
	skip "pt-retract needs root and a kernel with THP"; done_testing; exit
fi
m() { jget "$1" "['case']['metrics']['$2']['value']"; }
run_case() {	# NAME EXPECTED_EXIT ARGS...
	local name=$1 code=$2; shift 2
	kernel_state_locked > "$TMP/thp.before"
	expect_exit "$code" "pt-retract $*" "$A" pt-retract "$@" --json "$TMP/$name.json"
	kernel_state_locked > "$TMP/thp.after"
	check "$name: THP sysfs identical before and after" cmp -s "$TMP/thp.before" "$TMP/thp.after"
	check "$name: schema-valid" "$F" validate "$TMP/$name.json"
}
healthy() {	# NAME: collapses, no findings, every page checked
	check "$1: collapses > 0, no console findings, no corrupt page" python3 - "$TMP/$1.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
assert c["status"] == "ok", c.get("reason")
assert c["metrics"]["collapses"]["value"] > 0
assert c["console"]["findings"] == [], c["console"]
assert c["verify"]["corrupt"] == 0 and c["verify"]["pages_checked"] > 0
for k in ("round_ms_p50", "exit_ms_p50", "exit_ms_p99", "child_ms_p50", "thp_share_after"):
    assert k in c["metrics"], k
PY
}

run_case madv 0 --size 32M --rounds 3
healthy madv
check "madvise-collapse: per-PMD collapse latency p50/p99" python3 -c \
	"import json,sys; m=json.load(open(sys.argv[1]))['case']['metrics']; assert m['collapse_ms_p50']['value'] > 0 and m['collapse_ms_p99']['value'] >= m['collapse_ms_p50']['value']" "$TMP/madv.json"
run_case khugepaged 0 --size 16M --rounds 3 --mode khugepaged
healthy khugepaged
# khugepaged is slow while a round's file is made and measured, fast only afterwards: nothing is
# huge before (the fast scan used to be set in setup: 12288 of 16384 kB were huge "before").
check "khugepaged: every round's pmd_kb_before is 0, measured with khugepaged slow" python3 - "$TMP/khugepaged.json" <<'PY'
import json, sys
rounds = json.load(open(sys.argv[1]))["case"]["detail"]["rounds"]
for r in rounds:
    assert r["pmd_kb_before"] == 0, rounds
    assert r["khugepaged_at_before"] == {"pages_to_scan": "8", "scan_sleep_millisecs": "600000"}, r
PY
if [ -d /sys/kernel/tracing/events/huge_memory/mm_khugepaged_scan_file ]; then
	check "khugepaged: per-PMD collapse latency from tracepoints, scan results by name" python3 - "$TMP/khugepaged.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
m, t = c["metrics"], c["detail"]["collapse_trace"]
assert t["scan_results"].get("succeeded", 0) >= 1 and t["collapse_ns"]["count"] >= 1, t
assert m["collapse_ms_p50"]["value"] > 0 and m["collapse_ms_p99"]["value"] >= m["collapse_ms_p50"]["value"], m
assert t["instance"].startswith("faultline-pt-retract-"), t
PY
	check "khugepaged: the tracefs instance is gone" sh -c '! ls /sys/kernel/tracing/instances | grep -q "^faultline-pt-retract-"'
else
	skip "no huge_memory:mm_khugepaged_scan_file tracepoint here"
fi

# The regular-file variant needs READ_ONLY_THP_FOR_FS: ok, or skipped (exit 3) with the reason.
kernel_state_locked > "$TMP/thp.before"
"$A" pt-retract --size 8M --rounds 1 --target file --json "$TMP/file.json" 2> "$TMP/stderr"; rc=$?
kernel_state_locked > "$TMP/thp.after"
if [ "$rc" = 3 ]; then
	check "file: skipped, naming READ_ONLY_THP_FOR_FS" python3 -c \
		"import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='skipped' and 'READ_ONLY_THP_FOR_FS' in c['reason'], c" "$TMP/file.json"
else
	check "file: ok with collapses (exit $rc)" python3 -c \
		"import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='ok' and c['metrics']['collapses']['value'] > 0" "$TMP/file.json"
fi
check "file: THP sysfs identical" cmp -s "$TMP/thp.before" "$TMP/thp.after"
check "file: schema-valid" "$F" validate "$TMP/file.json"

# Verification can fail: a page written wrong through the memfd is located.
run_case bad 1 --size 8M --rounds 1 --probes none --test-corrupt-page 300
check "corrupt page 300 is located" python3 -c \
	"import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='failed' and 'page 300' in c['reason'], c['reason']" "$TMP/bad.json"

# A kernel-log problem fails the case (a test log file stands for /dev/kmsg).
printf '6,1,1,-;faultline test line\n4,2,2,-;BUG: Bad page state in process test  pfn:1234\n4,3,3,-; page dumped\n' > "$TMP/kmsg"
FAULTLINE_KMSG=$TMP/kmsg run_case kmsg 1 --size 4M --rounds 1 --probes none
check "the finding is in case.console.findings with title and excerpt" python3 - "$TMP/kmsg.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
f = c["console"]["findings"]
assert c["status"] == "failed" and len(f) == 1, c
assert "Bad page state" in f[0]["title"] and "page dumped" in f[0]["excerpt"], f
PY

expect_exit 2 "unknown mode" "$A" pt-retract --mode sometimes
stderr_has "sometimes" "it names the value"
check "one line" test "$(wc -l < "$TMP/stderr")" -le 1
expect_exit 2 "zero rounds" "$A" pt-retract --rounds 0
stderr_has "parameter 'rounds'" "it names the parameter"
expect_exit 2 "unknown target" "$A" pt-retract --target nfs
stderr_has "nfs" "it names the value"
done_testing
