#!/usr/bin/env bash
# faultline run: end to end on this kernel, suite errors, Ctrl-C and --resume, crash, timeout.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites
valid_all() { "$F" validate "$1"/run.json "$1"/cases/*.json > /dev/null; }

# A sweep with warm-up: every file schema-valid, the table printed.
expect_exit 0 "tiny suite runs" "$F" run --out "$TMP/tiny" "$S/tiny.json"
check "run.json and every case validate" valid_all "$TMP/tiny"
check "6 cases planned (2 sweep points x (1 warm-up + 2))" test "$(jget "$TMP/tiny/run.json" "['planned']")" = 6
check "the run is complete" test "$(jget "$TMP/tiny/run.json" "['state']")" = complete
check "the table shows mean, stddev and CoV" grep -qE 'records_per_s +[0-9.]+ +[0-9.]+ +[0-9.]+%' "$TMP/stdout"
check "the table shows counters per record" grep -q 'page-faults' "$TMP/stdout"
check "the output says where the results are" grep -q "results: $TMP/tiny" "$TMP/stdout"
check "progress shows case i/N and ETA" grep -q '\[1/6\].*ETA' "$TMP/stdout"
check "warm-ups are recorded as such" test "$(jget "$TMP/tiny/cases/0000-ebizzy-w0.json" "['case']['warmup']")" = True
expect_exit 0 "faultline report prints the table again" "$F" report "$TMP/tiny"

# Suite errors: one sentence naming file and field; exit 2.
expect_exit 2 "a suite that is not JSON" "$F" run --out "$TMP/x" "$S/bad-json.json"
stderr_has "bad-json.json:4:" "it names file, line and column"
expect_exit 2 "an unknown case field" "$F" run --out "$TMP/x" "$S/bad-field.json"
stderr_has "unknown field 'paramz' in cases[0]" "it names the field"
expect_exit 2 "an unknown suite field" "$F" run --out "$TMP/x" "$S/bad-top.json"
stderr_has "unknown field 'iteratons'" "it names the field"
expect_exit 2 "an unknown workload" "$F" run --out "$TMP/x" "$S/bad-workload.json"
stderr_has "unknown workload 'nosuch'" "it names the workload"
expect_exit 2 "a parameter out of range in a sweep" "$F" run --out "$TMP/x" "$S/bad-param.json"
stderr_has "parameter 'threads': 0 is out of range" "it names the parameter"
check "nothing was written for refused suites" test ! -e "$TMP/x"
expect_exit 2 "no suite" "$F" run
expect_exit 2 "unknown option" "$F" run --bogus "$S/tiny.json"
expect_exit 2 "missing suite file" "$F" run "$TMP/none.json"
stderr_has "none.json" "it names the file"
mkdir -p "$TMP/ro" && chmod 555 "$TMP/ro"
if [ "$(id -u)" = 0 ] && touch "$TMP/ro/probe" 2>/dev/null; then
	rm -f "$TMP/ro/probe"
	# root ignores modes: use a path under a regular file instead
	touch "$TMP/file"
	expect_exit 3 "an unwritable results directory" "$F" run --out "$TMP/file/run" "$S/tiny.json"
else
	expect_exit 3 "an unwritable results directory" "$F" run --out "$TMP/ro/run" "$S/tiny.json"
fi
stderr_has "cannot create directory" "it says which directory"

# Ctrl-C in the middle: the current case is interrupted, files stay valid; --resume finishes.
"$F" run --out "$TMP/int" "$S/slow.json" > "$TMP/int.out" 2>&1 &
pid=$!
sleep 3
kill -INT $pid
wait $pid; rc=$?
check "an interrupted run exits 130" test "$rc" = 130
check "run.json says interrupted" test "$(jget "$TMP/int/run.json" "['state']")" = interrupted
check "every file written so far validates" valid_all "$TMP/int"
check "the interrupted case is marked" grep -q '"interrupted"' "$TMP/int/run.json"
check "the output says how to resume" grep -q -- "--resume $TMP/int" "$TMP/int.out"
expect_exit 0 "--resume finishes the run" "$F" run --resume "$TMP/int"
check "the resumed run is complete" test "$(jget "$TMP/int/run.json" "['state']")" = complete
check "all 3 cases ok after resume" test "$(grep -c '"status": "ok"' "$TMP/int/run.json")" = 3
check "resume skipped the case already done" grep -q "already done" "$TMP/stdout"

# A case over its timeout is marked timeout and the run goes on.
expect_exit 1 "a hanging case makes the run exit 1" "$F" run --out "$TMP/hang" "$S/hang.json"
check "the case is a timeout" test "$(jget "$TMP/hang/run.json" "['cases'][0]['status']")" = timeout
check "the next case still ran" test "$(jget "$TMP/hang/run.json" "['cases'][1]['status']")" = ok
check "the timeout case validates" valid_all "$TMP/hang"

# An agent that crashes is a failed case with its output, and the run goes on.
cat > "$TMP/crash-agent" <<SH
#!/bin/sh
case "\$*" in *--check*|*--run-info*|*--describe*) exec "$FL_BIN/faultline-agent" "\$@";; esac
echo "about to crash" >&2
kill -SEGV \$\$
SH
chmod +x "$TMP/crash-agent"
FAULTLINE_AGENT="$TMP/crash-agent" "$F" run --out "$TMP/crash" "$S/tiny.json" > "$TMP/stdout" 2>&1
check "a crashing agent gives failed cases" test "$(jget "$TMP/crash/run.json" "['cases'][0]['status']")" = failed
check "the reason names the signal" grep -q "signal 11" "$TMP/crash/run.json"
check "the agent's output is kept" grep -q "about to crash" "$TMP/crash/cases/0000-ebizzy-w0.json"
check "crashed cases validate" valid_all "$TMP/crash"
check "the run went on to the last case" test "$(jget "$TMP/crash/run.json" "['state']")" = complete

# --dry-run: the plan, checked by the agent, and nothing run or written.
expect_exit 0 "run --dry-run prints the plan" "$F" run --dry-run --out "$TMP/dry" "$FL_ROOT/configs/suites/quick.json"
check "one line per planned case, then the total" test "$(grep -c '^\[[0-9]*/56\] ' "$TMP/stdout")" = 56
check "the total counts measured and warm-up cases" grep -q '^suite quick: 56 cases (53 measured, 3 warm-up)' "$TMP/stdout"
check "nothing is written" test ! -e "$TMP/dry"
expect_exit 2 "run --dry-run of a suite with a bad parameter" "$F" run --dry-run "$S/bad-param.json"
stderr_has "ebizzy parameter 'threads': 0 is out of range" "it names the parameter"

# A results directory that holds a run is not reused: its cases would mix with the new ones.
before=$(ls "$TMP/tiny/cases" | wc -l)
expect_exit 2 "a new run into a directory that holds a run" "$F" run --out "$TMP/tiny" "$S/tiny.json"
stderr_has "results directory $TMP/tiny already holds a run (run.json): give a new --out, or finish that run with --resume $TMP/tiny" "it says why and what to do"
check "the earlier run's cases are untouched" test "$(ls "$TMP/tiny/cases" | wc -l)" = "$before"
mkdir -p "$TMP/stale/cases" && cp "$TMP/tiny/cases/$(ls "$TMP/tiny/cases" | head -1)" "$TMP/stale/cases/"
expect_exit 2 "a new run into a directory with stray case files" "$F" run --out "$TMP/stale" "$S/tiny.json"
stderr_has "already has 1 case file(s) in cases/" "it counts the stray case files"
done_testing
