#!/usr/bin/env bash
# Suite params reach only the workload's declared parameters (issue #12): a suite whose params
# name one of the agent's own options (journal, json, run-id, probes, perf-ctl, ...) is refused
# with one sentence naming the suite file, the case and the param, exit 2, before anything
# runs; the file such a param names is never touched. Runs in seconds.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
A=$FL_BIN/faultline-agent

# A canary the param points at: it must survive, unchanged.
CANARY=$TMP/canary
echo "canary: do not touch" > "$CANARY"
cp "$CANARY" "$TMP/canary.orig"
canary_stat=$(stat -c '%i %Y %s' "$CANARY")

# suite KEY VALUE: a one-case suite with ebizzy's params and KEY=VALUE besides.
suite() {
	cat > "$TMP/s-$1.json" <<-EOF
	{"name": "guard", "iterations": 1, "timeout_s": 30,
	 "cases": [{"workload": "ebizzy",
	            "params": {"threads": 1, "seconds": 0.2, "$1": $2}}]}
	EOF
	echo "$TMP/s-$1.json"
}

for key in journal json run-id run_id probes perf-ctl events iteration suite target-kind \
	   quiet check force test-corrupt-page no-wait param jour; do
	case $key in
	journal|json|jour|perf-ctl) val="\"$CANARY\"" ;;
	quiet|check|force|no-wait) val=true ;;
	iteration|test-corrupt-page) val=1 ;;
	*) val="\"x\"" ;;
	esac
	s=$(suite "$key" "$val")
	expect_exit 2 "a suite param \"$key\" is refused by faultline run" \
		"$F" run --out "$TMP/out-$key" "$s"
	stderr_has "$s: cases[0]" "  the message names the suite file and the case"
	stderr_has "no parameter \"$key\"" "  and the param"
	check "  one line" test "$(wc -l < "$TMP/stderr")" = 1
	check "  nothing ran: no results directory" test ! -e "$TMP/out-$key"
	expect_exit 2 "  and by faultline run --dry-run" "$F" run --dry-run "$s"
done
check "the canary survived every one of them" cmp -s "$CANARY" "$TMP/canary.orig"
check "  and was not even replaced (same inode, mtime, size)" \
	test "$(stat -c '%i %Y %s' "$CANARY")" = "$canary_stat"

# A key that is not a name (an '=' would move the agent's split) is refused too.
s=$(suite 'seconds=1 --journal' "\"$CANARY\"")
expect_exit 2 "a param key with '=' and spaces is refused" "$F" run --dry-run "$s"
stderr_has 'no parameter "seconds?1?--journal"' "  shown with '?' for what no name has"

# The agent itself: --param accepts only declared parameters, never its own options.
expect_exit 2 "faultline-agent --param=journal=FILE is refused" \
	"$A" ebizzy --param=journal="$CANARY" --seconds=0.1 --probes none
stderr_has 'ebizzy has no parameter "journal"' "  naming the param"
expect_exit 2 "faultline-agent --param=json=FILE is refused" \
	"$A" ebizzy --param=json="$CANARY" --check
expect_exit 2 "faultline-agent --param without NAME=VALUE is refused" "$A" ebizzy --param=seconds --check
expect_exit 0 "faultline-agent --param=touch-only=true --param=seconds=0.1 is accepted" \
	"$A" ebizzy --param=touch-only=true --param=seconds=0.1 --check
check "the canary is still intact" cmp -s "$CANARY" "$TMP/canary.orig"

# A good suite still runs, its params reaching the workload.
cat > "$TMP/good.json" <<-EOF
{"name": "guard-ok", "iterations": 1, "timeout_s": 60,
 "cases": [{"workload": "ebizzy", "params": {"threads": 1, "seconds": 0.2, "touch_only": true}}]}
EOF
expect_exit 0 "a suite with declared params runs" "$F" run --out "$TMP/ok" "$TMP/good.json"
doc=$(ls "$TMP"/ok/cases/*.json 2> /dev/null | head -1)
check "  its case has the suite's params" \
	test "$(jget "$doc" "['case']['params']['touch_only']")" = True
done_testing
