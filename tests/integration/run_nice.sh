#!/usr/bin/env bash
# The workload priority (issue 15): faultline run --nice N and the suite's "nice" reach the agent,
# each case document records the nice read back, run.json's conditions name it so doctor --diff
# and compare tell two runs apart, --resume keeps the run's own, and a value the agent cannot set
# (not root) fails the case instead of running at another priority. About 6 s.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
A=$FL_BIN/faultline-agent
valid_all() { "$F" validate "$1"/run.json "$1"/cases/*.json > /dev/null; }
valid_doc() { "$F" validate "$1" > /dev/null; }
# cases' "nice" values, one line each ("None" when absent)
case_nices() {
	for c in "$1"/cases/*.json; do jget "$c" "['case'].get('nice')"; done
}
# the nice finding of run.json's conditions: "LEVEL SETTING STATE"
nice_finding() {
	python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["run"]["conditions"]
f = [f for f in c["findings"] if f["id"] == "nice"][0]
print(f["level"], f["settings"]["nice"], f["state"])' "$1/run.json"
}
ebizzy='"workload": "ebizzy", "params": {"mmap": true, "touch_only": true, "threads": 1, "seconds": 0.3}'
cat > "$TMP/one.json" <<EOF
{"name": "nice-one", "iterations": 1, "warmup": 0, "timeout_s": 60, "probes": "sw",
 "cases": [{$ebizzy}]}
EOF
cat > "$TMP/mixed.json" <<EOF
{"name": "nice-mixed", "iterations": 1, "warmup": 0, "timeout_s": 60, "probes": "sw", "nice": -2,
 "cases": [{$ebizzy}, {$ebizzy, "nice": 5}]}
EOF

# run --nice -5: every case at nice -5, schema-valid, the run's conditions say so
expect_exit 0 "run --nice -5" "$F" run --nice -5 --out "$TMP/a" "$TMP/one.json"
check "   run.json and the case validate" valid_all "$TMP/a"
check "   the case document has \"nice\": -5" test "$(case_nices "$TMP/a")" = -5
check "   run.json's run.nice is -5 (what --resume keeps)" test "$(jget "$TMP/a/run.json" "['run']['nice']")" = -5
check "   run.json's conditions: workload priority nice -5 from run --nice" \
	test "$(nice_finding "$TMP/a")" = "ok -5 the workload runs at nice -5 (run --nice)"

# without --nice: no "nice" in the case, the finding says the default; doctor --diff names it
expect_exit 0 "run without --nice" "$F" run --out "$TMP/b" "$TMP/one.json"
check "   the case document has no \"nice\"" test "$(case_nices "$TMP/b")" = None
check "   its conditions: nice 0, the default" \
	test "$(nice_finding "$TMP/b")" = "ok 0 the workload runs at nice 0 (the default)"
expect_exit 1 "doctor --diff A B: the priorities differ (exit 1)" "$F" doctor --diff "$TMP/a" "$TMP/b"
check "   it says workload priority: nice is -5 in A, 0 in B" \
	grep -qF "workload priority: nice is -5 in A, 0 in B" "$TMP/stdout"
expect_exit 0 "compare A B" "$F" compare "$TMP/a" "$TMP/b"
check "   compare names the priority among the host conditions" \
	grep -qF "workload priority: nice is -5 in A, 0 in B" "$TMP/stdout"

# the suite's "nice", a case's own over it; the conditions record the suite's and say they differ
expect_exit 0 "dry run of a suite with \"nice\" shows each case's" "$F" run --dry-run "$TMP/mixed.json"
check "   [1/2] at nice -2, [2/2] at nice 5" \
	test "$(grep -o 'nice -\?[0-9]*$' "$TMP/stdout" | tr '\n' ' ')" = "nice -2 nice 5 "
expect_exit 0 "dry run with run --nice -7 over the suite's" "$F" run --dry-run --nice -7 "$TMP/mixed.json"
check "   both cases at nice -7" test "$(grep -c 'nice -7$' "$TMP/stdout")" = 2
expect_exit 0 "run of a suite whose cases differ in \"nice\"" "$F" run --out "$TMP/m" "$TMP/mixed.json"
check "   the cases ran at nice -2 and 5" test "$(case_nices "$TMP/m" | tr '\n' ' ')" = "-2 5 "
check "   the conditions record the suite's -2 and say the cases differ" \
	test "$(nice_finding "$TMP/m")" = "ok -2 the suite's workload priority is nice -2 (the suite's \"nice\"), but its cases differ: from nice -2 to 5 (the case's \"nice\")"

# --resume keeps the run's nice: an unfinished case of A runs again at -5; another --nice is refused
python3 - "$TMP/a" <<'EOF'
import json, os, sys
p = sys.argv[1] + "/run.json"
r = json.load(open(p))
r["state"] = "interrupted"
r["cases"][0]["status"] = "pending"
os.unlink(sys.argv[1] + "/" + r["cases"][0]["file"])
json.dump(r, open(p, "w"), indent=2)
EOF
expect_exit 2 "--resume with another --nice is refused" "$F" run --resume "$TMP/a" --nice 3
stderr_has "was started with --nice -5 and --resume keeps it: drop --nice 3" "   it says the run's own and what to drop"
expect_exit 0 "--resume without --nice" "$F" run --resume "$TMP/a"
check "   the case ran again at nice -5" test "$(case_nices "$TMP/a")" = -5
expect_exit 2 "--resume of a run without --nice refuses --nice" "$F" run --resume "$TMP/b" --nice -5
stderr_has "was started without --nice" "   it says so"

# bad values: one sentence, exit 2, nothing run
for v in 20 -21 1.5 x ''; do
	expect_exit 2 "run --nice '$v' is refused" "$F" run --nice "$v" --out "$TMP/x" "$TMP/one.json"
	stderr_has "run: --nice wants a whole number from -20 to 19, not '$v'" "   with the one sentence"
done
check "   nothing was written" test ! -e "$TMP/x"
expect_exit 2 "the agent refuses --nice=x" "$A" ebizzy --nice=x --check
stderr_has "option --nice: wants a whole number from -20 to 19, not 'x'" "   with its sentence"
expect_exit 2 "the agent refuses --nice=-21" "$A" ebizzy --nice=-21 --check

# not root: setpriority refuses a lower nice, so the case fails and says why (never runs at 0)
if [ "$(id -u)" != 0 ]; then
	skip "the agent at --nice=-5 without CAP_SYS_NICE: the test is not root, so cannot drop it"
elif ! command -v setpriv > /dev/null; then
	skip "the agent at --nice=-5 without CAP_SYS_NICE: no setpriv (util-linux) to drop root"
else
	(cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$A" ebizzy --threads=1 --seconds=0.3 --probes=none --nice=-5 --quiet) \
		> "$TMP/u.json" 2> "$TMP/stderr"
	rc=$?
	check "the agent at --nice=-5 as nobody exits 1 (the case failed)" test "$rc" = 1
	check "   its case is failed and did not run" \
		test "$(jget "$TMP/u.json" "['case']['status']") $(jget "$TMP/u.json" "['case']['measured_s']")" = "failed None"
	check "   the reason names --nice and the errno" \
		grep -qF "option --nice=-5: setpriority refused it (Permission denied;" "$TMP/u.json"
	check "   the document records the nice it has (this shell's, $(nice)), not -5" \
		test "$(jget "$TMP/u.json" "['case']['nice']")" = "$(nice)"
	check "   and validates" valid_doc "$TMP/u.json"
fi
done_testing
