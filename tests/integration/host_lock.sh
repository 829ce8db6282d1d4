#!/usr/bin/env bash
# One host-wide lock for kernel settings and measured phases, whatever the journal path
# (issue #12): two agents (and two `faultline run --target local`) with different journals
# take turns, the second saying it waits and for whom; with --no-wait it exits 3 with that
# sentence; every THP/khugepaged/swap setting is as before; a SIGKILLed holder releases it.
# Before the lock, two pt-retract cases with their own journals left khugepaged pages_to_scan
# at 8192 (the second saved the first's 8192 as "original"). About 30 seconds.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline
L=/run/faultline/host.lock
KHP=/sys/kernel/mm/transparent_hugepage/khugepaged

if [ "$(id -u)" != 0 ] || [ ! -e $KHP/pages_to_scan ]; then
	skip "needs root and khugepaged"
	done_testing; exit
fi
# Snapshots under the host lock: no agent of another run is in the middle of a case.
snapshot() { kernel_state_locked > "$1"; }
snapshot "$TMP/before"

# owns PID [TRIES]: wait until PID holds the host lock (its owner file names it), polling
# TRIES times 50 ms (default 6000: another run on this machine may hold it minutes); 1 if
# PID ends first.
owns() {
	for _ in $(seq "${2:-6000}"); do
		[ "$(cut -d' ' -f1 "$L.owner" 2> /dev/null)" = "$1" ] && return 0
		kill -0 "$1" 2> /dev/null || return 1
		sleep 0.05
	done
	return 1
}
# said FILE TEXT: wait up to 20 s until FILE has TEXT.
said() {
	for _ in $(seq 400); do grep -qF -- "$2" "$1" 2> /dev/null && return 0; sleep 0.05; done
	return 1
}
# mtime in seconds with fractions.
mtime() { date -r "$1" +%s.%N; }
# measured_s of a case document.
measured() { jget "$1" "['case']['measured_s']"; }
# The second's measured phase began after the first's ended: end(b) - measured(b) >= end(a).
after() { python3 -c 'import sys; a,b,m=map(float,sys.argv[1:]); sys.exit(0 if b-m >= a-0.05 else 1)' "$@"; }
same_state() {
	snapshot "$TMP/after"
	if diff -u "$TMP/before" "$TMP/after" > "$TMP/diff"; then ok "$1"; else notok "$1 ($(head -c 400 "$TMP/diff"))"; fi
}
PT=(pt-retract --mode khugepaged --size 8M --rounds 2 --probes none)
# hold PID / release PID: a holder stopped (SIGSTOP keeps its lock) while the checks that need
# the lock busy run, so they never race its end; continued on any exit of this test.
held=
hold() { held="$held $1"; kill -STOP "$1"; }
release() { kill -CONT "$1"; }
trap 'kill -CONT $held 2> /dev/null; keep_consoles; rm -rf "$TMP"' EXIT

# 1. Two agents with different journals that both change khugepaged settings.
"$A" "${PT[@]}" --journal="$TMP/a.journal" --json "$TMP/a.json" 2> "$TMP/a.err" & a=$!
# Until A holds the lock or has changed a setting (its journal says so), whichever shows first.
for _ in $(seq 6000); do
	[ "$(cut -d' ' -f1 "$L.owner" 2> /dev/null)" = "$a" ] && break
	grep -qs '"kind":"sysfs"' "$TMP/a.journal" && break
	kill -0 $a 2> /dev/null || break
	sleep 0.05
done
check "1. the first agent changes khugepaged settings (its journal is there)" \
	said "$TMP/a.journal" '"kind":"sysfs"'
check "   it holds the host lock" owns $a 1
hold $a
"$A" "${PT[@]}" --rounds 3 --journal="$TMP/b.journal" --json "$TMP/b.json" 2> "$TMP/b.err" & b=$!
check "   a second agent says it waits, and for whom" \
	said "$TMP/b.err" "waiting for the host lock $L (kernel settings and measurements are host-wide), held by pid $a"
check "   it has not run while the first holds the lock" test ! -e "$TMP/b.json"
expect_exit 3 "   a third agent with --no-wait exits 3" \
	"$A" "${PT[@]}" --journal="$TMP/nw.journal" --no-wait --json "$TMP/nw.json"
stderr_has "is held by pid $a since" "   naming the holder's pid and start"
stderr_has "faultline-agent pt-retract --mode khugepaged" "   and its command"
stderr_has "(--no-wait)" "   and why it did not wait"
check "   in one line" test "$(wc -l < "$TMP/stderr")" = 1
check "   its journal was not even created" test ! -e "$TMP/nw.journal"
release $a
wait $a; ra=$?
wait $b; rb=$?
check "   both end ok ($ra, $rb)" test "$ra$rb" = 00
check "   the second measured only after the first ended" \
	after "$(mtime "$TMP/a.json")" "$(mtime "$TMP/b.json")" "$(measured "$TMP/b.json")"
same_state "   every THP/khugepaged/swap setting is as before (pages_to_scan $(cat $KHP/pages_to_scan))"

# 2. Two `faultline run --target local` of a tiny suite, each with its own journal.
S=$FL_ROOT/tests/fixtures/suites/tiny.json
FAULTLINE_JOURNAL=$TMP/r1.journal "$F" run --out "$TMP/r1" "$S" > "$TMP/r1.out" 2> "$TMP/r1.err" & r1=$!
check "2. the first run holds the host lock" owns $r1
hold $r1
expect_exit 3 "   a second run with --no-wait exits 3" \
	env FAULTLINE_JOURNAL="$TMP/r2.journal" "$F" run --no-wait --out "$TMP/r2nw" "$S"
stderr_has "is held by pid $r1 since" "   naming the holder"
stderr_has "faultline run --out $TMP/r1" "   and its command"
check "   in one line" test "$(wc -l < "$TMP/stderr")" = 1
check "   and writes nothing" test ! -e "$TMP/r2nw"
echo "{\"name\": \"bad\", \"cases\": [{\"workload\": \"ebizzy\", \"params\": {\"journal\": \"$TMP/x\"}}]}" > "$TMP/bad.json"
expect_exit 2 "   a bad suite is refused at once, without waiting for the lock" \
	timeout 20 "$F" run --out "$TMP/bad" "$TMP/bad.json"
FAULTLINE_JOURNAL=$TMP/r2.journal "$F" run --out "$TMP/r2" "$S" > "$TMP/r2.out" 2> "$TMP/r2.err" & r2=$!
check "   a second run without --no-wait says it waits, and for whom" \
	said "$TMP/r2.err" "waiting for the host lock $L (kernel settings and measurements are host-wide), held by pid $r1"
release $r1
wait $r1; x1=$?
wait $r2; x2=$?
check "   both runs end ok ($x1, $x2)" test "$x1$x2" = 00
last1=$(ls -t "$TMP"/r1/cases/*.json | head -1)
first2=$(ls -tr "$TMP"/r2/cases/*.json | head -1)
check "   the second run's first case measured after the first run's last case" \
	after "$(mtime "$last1")" "$(mtime "$first2")" "$(measured "$first2")"
check "   the agents it started shared its lock (no case waited)" \
	sh -c "! grep -l 'waiting for the host lock' '$TMP'/r1/logs/* '$TMP'/r2/logs/*"
same_state "   every THP/khugepaged/swap setting is as before"

# 3. A SIGKILLed holder releases the lock: the kernel drops it with the last open file.
"$A" ebizzy --seconds=20 --threads=1 --probes none --json "$TMP/k.json" 2> /dev/null & k=$!
check "3. an agent holds the host lock" owns $k
kill -KILL $k; wait $k 2> /dev/null
expect_exit 0 "   SIGKILLed: the next --restore gets the lock" timeout 120 "$A" --restore
check "   without waiting for the dead agent" sh -c "! grep -q 'held by pid $k ' '$TMP/stderr'"
cat > "$TMP/one.json" <<-EOF
{"name": "one", "iterations": 1, "timeout_s": 60,
 "cases": [{"workload": "ebizzy", "params": {"threads": 1, "seconds": 3}}]}
EOF
"$F" run --out "$TMP/k" "$TMP/one.json" > /dev/null 2>&1 & r=$!
check "   a run holds the host lock" owns $r
for _ in $(seq 100); do child=$(pgrep -P $r -f 'faultline-agent ebizzy'); [ -n "$child" ] && break; sleep 0.05; done
kill -KILL $r; wait $r 2> /dev/null
if [ -n "$child" ] && kill -0 "$child" 2> /dev/null; then
	expect_exit 3 "   the SIGKILLed run's agent still holds it while it measures" \
		"$A" --restore --no-wait
else
	skip "the run's agent ended before the check"
fi
for _ in $(seq 200); do kill -0 "$child" 2> /dev/null || break; sleep 0.05; done
expect_exit 0 "   and when it ends the lock is free" timeout 120 "$A" --restore
check "   (nobody waited for the dead run or its agent)" \
	sh -c "! grep -q 'held by pid \($r\|$child\) ' '$TMP/stderr'"
same_state "every THP/khugepaged/swap setting is as before"
done_testing
