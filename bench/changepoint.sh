#!/usr/bin/env bash
# bench/changepoint.sh [RUNS] [STEP_AT] [STEP_PCT]: change points over a nightly history of real
# runs. Two histories of RUNS runs each (default 60) of ebizzy -mT (1 thread, 3 x 0.3 s, as
# tests/integration/nightly.sh): one with a slowdown of STEP_PCT % (default 3) from run STEP_AT
# (default 40) on, made by --test-delay-us calibrated on this machine first, one without. The
# runs of both histories alternate, so the machine's drift falls on both alike. Prints each
# history's change points as the last nightly's verdict.json names them. About 5 minutes here.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FL_ROOT=$ROOT FL_BIN=${FL_BIN:-$ROOT/bin}
. "$ROOT/tests/integration/compare_mkrun.sh"
RUNS=${1:-60} AT=${2:-40} PCT=${3:-3}
TMP=$(mktemp -d /tmp/faultline-cp.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
SUITE=$ROOT/tests/fixtures/suites/tiny.json

# Calibrate: the delay per record that costs PCT % of the records/s measured here.
calibrate() {	# records/s of 5 cases, one per line
	local i f
	for i in 1 2 3 4 5; do
		mkcase "$TMP/cal" $i > /dev/null
		f=$(printf '%s/cal/cases/%04d-ebizzy-i%d.json' "$TMP" $((i + 1)) "$i")
		python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["case"]["metrics"]["records_per_s"]["value"])' "$f"
	done
}
rate=$(calibrate | sort -n | sed -n 3p)
delay=$(python3 -c "import sys; r=float(sys.argv[1]); p=float(sys.argv[2])
print(max(1, round(p / 100 / (1 - p / 100) / r * 1e6)))" "$rate" "$PCT")
echo "records/s here (median of 5): $rate; $PCT% slower is +$delay us per record"

run() {	# run HISTORY N [AGENT OPTIONS]: assemble run N and add it to HISTORY
	local h=$1 n=$2 d=$TMP/$1-$2 i; shift 2
	for i in -1 0 1 2; do mkcase "$d" $i "$@" || return 1; done
	mkrunjson "$d" && "$FL_BIN/faultline" nightly "$SUITE" --history "$TMP/$h" --run "$d" \
		> "$TMP/$h.last" 2>&1
	rm -rf "$d"
}
for n in $(seq 1 "$RUNS"); do
	step=()
	[ "$n" -ge "$AT" ] && step=(--test-delay-us="$delay")
	run step "$n" "${step[@]}" && run flat "$n" || { echo "run $n failed"; exit 1; }
	[ $((n % 10)) = 0 ] && echo "  $n of $RUNS runs in each history"
done
for h in step flat; do
	echo "== history '$h' ($RUNS runs$([ $h = step ] && echo ", -$PCT% from run $AT"))"
	python3 - "$TMP/$h/verdict.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
cps = v.get("change_points", [])
if not cps:
    print("  no change point")
for c in cps:
    print("  %s %s: run %d of %d (%s): %.1f -> %.1f (%+.2f%%, %s), p %.3f" % (
        c["workload"], c["metric"], c["run_index"], c["runs"], c["run"], c["before"],
        c["after"], c["change_pct"], c["direction"], c["p"]))
PY
done
