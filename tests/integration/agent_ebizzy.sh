#!/usr/bin/env bash
# faultline-agent ebizzy: the issue's acceptance run, verification that can fail, bad options.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline

# Acceptance 2: ebizzy -m -T -t 2 -S 5 writes a schema-valid case with real counters.
expect_exit 0 "ebizzy -m -T -t 2 -S 5 runs" "$A" ebizzy -m -T -t 2 -S 5 --json "$TMP/out.json"
check "the case validates against the schema" "$F" validate "$TMP/out.json"
v() { jget "$TMP/out.json" "$1"; }
check "records_per_s > 0" python3 -c "import sys; assert float(sys.argv[1]) > 0" "$(v "['case']['metrics']['records_per_s']['value']")"
check "faults_per_record present (> 0 with -m -T)" python3 -c "import sys; assert float(sys.argv[1]) > 0" "$(v "['case']['metrics']['faults_per_record']['value']")"
check "page-faults counted" python3 -c "import sys; assert int(sys.argv[1]) > 0" "$(v "['case']['counters']['page-faults']['value']")"
# The default probes count faults and context switches from getrusage (no cost per event); the
# per-task perf software events only when named (--probes all,sw), and then they say so.
check "the default probes count page-faults with getrusage" test "$(v "['case']['counters']['page-faults']['source']")" = getrusage
check "cpu-migrations is absent from the default probes, with the reason" test "$(v "['case']['counters']['cpu-migrations']['status']")" = absent
if [ -d /sys/kernel/tracing/events/pagefault ]; then
	skip "this kernel has pagefault:* tracepoints"
else
	check "pagefault:* is absent, with a reason" test "$(v "['case']['counters']['pagefault:*']['status']")" = absent
fi
if perf stat -e cycles true > /dev/null 2>&1 && ! perf stat -e cycles true 2>&1 | grep -q 'not supported'; then
	check "cycles counted (this machine has a PMU)" python3 -c "import sys; assert int(sys.argv[1]) > 0" "$(v "['case']['counters']['cycles']['value']")"
else
	check "cycles unsupported on a machine without PMU" test "$(v "['case']['counters']['cycles']['status']")" = unsupported
fi
check "no counter is written as 0 with a missing status" python3 - "$TMP/out.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]["counters"]
for k, v in c.items():
    assert ("value" in v) != ("status" in v), k
PY
check "per-second samples recorded" python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['case']['metrics']['samples']['per_second']; assert len(s) >= 4" "$TMP/out.json"
check "verification checked records, none corrupt" python3 -c "import json,sys; v=json.load(open(sys.argv[1]))['case']['verify']; assert v['records_checked'] > 0 and v['corrupt'] == 0" "$TMP/out.json"

# Verification can fail: one flipped page is found and located.
expect_exit 1 "an injected corruption fails the case" "$A" ebizzy -t 1 -S 0.5 --probes none --test-corrupt-page 3 --json "$TMP/bad.json"
check "the failed case says where" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='failed' and 'chunk 0 page 3' in c['reason'], c['reason']" "$TMP/bad.json"
check "the failed case is schema-valid" "$F" validate "$TMP/bad.json"

# A known number of touched pages gives at least that many faults: -m -T, 1 thread, one
# 512 KiB copy per record = 128 pages of 4 KiB per record.
for probes in all,sw all; do
	expect_exit 0 "ebizzy -m -T -t 1 runs (--probes $probes)" "$A" ebizzy -m -T -t 1 -S 1 --probes "$probes" --json "$TMP/t1.json"
	check "page-faults >= 128 per record (--probes $probes)" python3 - "$TMP/t1.json" "$probes" <<'PY'
import json, sys, os
c = json.load(open(sys.argv[1]))["case"]
pf = c["counters"]["page-faults"]
pages = 512 * 1024 // os.sysconf("SC_PAGE_SIZE")
assert pf["value"] >= pages * c["ops"]["count"], pf
assert pf["source"] == ("perf" if sys.argv[2] == "all,sw" else "getrusage"), pf
PY
done

# Bad input: one sentence each, exit 2.
expect_exit 2 "unknown workload" "$A" nosuch
stderr_has "unknown workload 'nosuch'" "it names the workload"
expect_exit 2 "unknown option" "$A" ebizzy --bogus
stderr_has "unknown option --bogus" "it names the option"
expect_exit 2 "value out of range" "$A" ebizzy -t 0
stderr_has "parameter 'threads': 0 is out of range" "it names the parameter and range"
expect_exit 2 "not a number" "$A" ebizzy --seconds=abc
stderr_has "'abc' is not a number" "it names the value"
expect_exit 2 "bad size" "$A" ebizzy -s 12Q
stderr_has "is not a size" "it says what a size looks like"
expect_exit 2 "unknown probe" "$A" ebizzy -S 0.2 --probes sw,bogus
stderr_has "unknown probe 'bogus'" "it names the probe"
expect_exit 0 "workload --help" "$A" ebizzy --help
check "help lists the ebizzy options" grep -q -- "-T, --touch_only" "$TMP/stdout"
expect_exit 0 "--describe prints JSON" "$A" --describe
check "describe is JSON with ebizzy" python3 -c "import json,sys; assert any(w['name']=='ebizzy' for w in json.load(open(sys.argv[1])))" "$TMP/stdout"
expect_exit 0 "faultline list" "$F" list
check "list shows ebizzy with its options and metrics" sh -c "grep -q '^ebizzy' '$TMP/stdout' && grep -q -- '--touch_only' '$TMP/stdout' && grep -q 'records_per_s' '$TMP/stdout'"
done_testing
