#!/usr/bin/env bash
# Kernel state is the same before and after a case: a normal run, one interrupted with SIGINT
# in the middle of swapin-collapse, and one killed with SIGKILL whose journal the next agent
# run (or faultline-agent --restore) replays, saying so.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
# The default journal: agents of other cases (and other runs) take turns on it.
J=${FAULTLINE_JOURNAL:-/run/faultline/knobs.journal}
KHP=/sys/kernel/mm/transparent_hugepage/khugepaged

if [ "$(id -u)" != 0 ] || [ ! -e $KHP/scan_sleep_millisecs ]; then
	skip "needs root and khugepaged"
	done_testing; exit
fi
# The host lock for the whole test, passed to every agent and faultline run it starts (as
# doctor.sh does). Without it an agent of another run could take the lock between a SIGKILL
# and the restore checked here and replay the killed agent's journal itself, as it should: the
# checks would then see that run's restore, not this test's (two failures in one of nine
# `make check` runs while other tests ran beside it).
host_lock_hold
# Every THP/khugepaged setting (counters left out), the swap areas, zram sizes; no agent of
# another run can be in the middle of a case while this test holds the lock.
snapshot() { kernel_state > "$1"; }
same_state() {
	snapshot "$TMP/after"
	if diff -u "$TMP/before" "$TMP/after" > "$TMP/diff"; then ok "$1"; else notok "$1 ($(head -c 400 "$TMP/diff"))"; fi
}
# A case that cannot finish early: nothing to collapse within max_ptes_swap=0.
long_case() {
	"$A" swapin-collapse --size 64M --pattern none --max-ptes-swap 0 --timeout-s 60 \
		--probes none --json "$TMP/long.json" "$@" > "$TMP/long.out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do	# until the measured phase: swap on and pages out
		grep -q "zram\|faultline-swap" /proc/swaps && sleep 1.5 && return
		sleep 0.1
	done
}

# Under the lock a journal can only be a killed agent's from before: the next agent would
# restore it, so do that first and take the settled state as the one to keep.
if [ -e "$J" ]; then
	"$A" --restore > "$TMP/stale" 2>&1
	echo "# restored a stale journal from an earlier run first: $(head -c 200 "$TMP/stale")"
fi
snapshot "$TMP/before"
expect_exit 0 "--restore with no journal: nothing to do" "$A" --restore
check "and it prints nothing" test ! -s "$TMP/stdout"

# (a) a normal run.
expect_exit 0 "a normal swapin-collapse run" "$A" swapin-collapse --size 64M --probes none --json "$TMP/a.json"
same_state "(a) state identical after a normal run"
check "(a) no journal left" test ! -e "$J"

# (b) SIGINT in the middle.
long_case
check "(b) the case changed the state while it ran" sh -c "! grep -q '^10000$' $KHP/scan_sleep_millisecs || [ \"\$(cat $KHP/max_ptes_swap)\" = 0 ]"
kill -INT "$pid"; wait "$pid"; rc=$?
check "(b) SIGINT: the agent exits 130" test "$rc" = 130
check "(b) the case is written as interrupted" test "$(jget "$TMP/long.json" "['case']['status']")" = interrupted
same_state "(b) state identical after SIGINT"
check "(b) no journal left" test ! -e "$J"

# (c) SIGKILL in the middle; the next agent run restores, saying so.
long_case
kill -KILL "$pid"; wait "$pid" 2> /dev/null
check "(c) the killed agent left its journal" test -s "$J"
snapshot "$TMP/killed"
check "(c) and changed state" sh -c "! cmp -s $TMP/before $TMP/killed"
expect_exit 0 "(c) the next agent run" "$A" ebizzy -S 0.2 -t 1 --probes none --json "$TMP/next.json"
stderr_has "restoring kernel state from $J" "(c) it says it restores the stale journal"
same_state "(c) state identical after the next run"

# (c') SIGKILL again; faultline-agent --restore puts it back and lists what.
long_case
kill -KILL "$pid"; wait "$pid" 2> /dev/null
expect_exit 0 "(c') faultline-agent --restore" "$A" --restore
check "(c') it lists what it restored" grep -q "$KHP/scan_sleep_millisecs" "$TMP/stdout"
check "(c') and the swap it took away" grep -q "swapoff" "$TMP/stdout"
same_state "(c') state identical after --restore"
expect_exit 0 "(c') a second --restore has nothing to do" "$A" --restore

# (c'') SIGKILL again; the next `faultline run` restores at start-up, saying so.
long_case
kill -KILL "$pid"; wait "$pid" 2> /dev/null
expect_exit 0 "(c'') the next faultline run" "$FL_BIN/faultline" run --out "$TMP/run" \
	"$FL_ROOT/tests/fixtures/suites/tiny.json"
check "(c'') it says what it restored before the first case" \
	sh -c "grep -q 'scan_sleep_millisecs' '$TMP/stdout' '$TMP/stderr'"
same_state "(c'') state identical after the next faultline run"
done_testing
