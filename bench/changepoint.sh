#!/usr/bin/env bash
# Change points over a nightly history of real runs (issue #15, acceptance 3). Two histories of
# RUNS runs each of ebizzy -mT (1 thread, ITERATIONS x SECONDS s and a warm-up per run): "step",
# slowed by PCT % from run AT on (--test-delay-us, calibrated on this machine first), and
# "flat", never slowed. Each run is added with `faultline nightly`, in history order; the last
# nightly's verdict.json names the history's change points, printed per history.
#
# A nightly history's runs are a day apart, so the conditions of one run (what else the lab
# ran, the host's turbo and cache state) are independent of the next one's. Here 2 x RUNS runs
# are made in minutes, and this VM drifts by a few % over minutes: runs made one after the
# other would share one drift, a real shift of the machine that a change-point search rightly
# finds. So by default the runs are made in a shuffled order (--order shuffled, seed printed):
# each history position gets a time slot at random, as each night gets its own conditions.
# The runs of both histories are shuffled together, so both see the same machine.
# --order sequential makes them in history order (step and flat alternating), to see how the
# machine's own drift reads as change points. --order spread makes the runs in rounds, round k
# making iteration k of every run (each round shuffled): a run's cases then span the whole
# bench, as a long nightly run's span its night, and this VM's shifts of ~2% over tens of
# seconds (larger than a run's 8 cases' own spread, 1.4%) average out within each run instead
# of moving one run's mean.
#
#   bench/changepoint.sh [--runs 60] [--at 40] [--pct 3] [--iterations 5] [--seconds 1]
#                        [--order shuffled|sequential|spread] [--seed N] [--nice N] [--keep DIR]
#     --nice N     the agent's --nice for every case (as `faultline run --nice N`)
#     --keep DIR   keep the run directories, the histories and series.tsv (each run's
#                  records/s in history order) in DIR
#     --reuse DIR  the runs kept in DIR/runs by an earlier --keep DIR: make the histories
#                  again from them (DIR/step, DIR/flat, series.tsv are replaced), no new runs
# About 20 minutes here with the defaults.
. "$(dirname "$0")/usage.sh"
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FL_ROOT=$ROOT FL_BIN=${FL_BIN:-$ROOT/bin}
. "$ROOT/tests/integration/compare_mkrun.sh"
. "$ROOT/bench/slowdown.sh"
RUNS=60 AT=40 PCT=3 ITERS=5 SECS=1 ORDER=shuffled SEED=$$ KEEP= NICE= REUSE=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2 ;; --at) AT=$2 ;; --pct) PCT=$2 ;; --iterations) ITERS=$2 ;;
	--seconds) SECS=$2 ;; --order) ORDER=$2 ;; --seed) SEED=$2 ;; --keep) KEEP=$2 ;;
	--nice) NICE=$2 ;; --reuse) REUSE=$2 ;;
	*) echo "changepoint.sh: unknown option '$1' (see the comment at the top)" >&2; exit 2 ;;
	esac
	[ $# -ge 2 ] || { echo "changepoint.sh: $1 wants a value" >&2; exit 2; }
	shift 2
done
for v in RUNS AT ITERS SEED; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { echo "changepoint.sh: --${v,,} wants a whole number, not '${!v}'" >&2; exit 2; }
done
[[ $PCT =~ ^[0-9]+(\.[0-9]+)?$ && $SECS =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
	{ echo "changepoint.sh: --pct and --seconds want a number" >&2; exit 2; }
case $ORDER in shuffled|sequential|spread) ;; *)
	echo "changepoint.sh: --order wants shuffled, sequential or spread, not '$ORDER'" >&2; exit 2 ;;
esac
if [ -n "$REUSE" ]; then
	[ -d "$REUSE/runs" ] || { echo "changepoint.sh: --reuse $REUSE has no runs/" >&2; exit 2; }
	TMP=$(cd "$REUSE" && pwd)
	rm -rf "$TMP/step" "$TMP/flat" "$TMP/series.tsv"
elif [ -n "$KEEP" ]; then
	mkdir -p "$KEEP" && TMP=$(cd "$KEEP" && pwd)
	[ -z "$(ls -A "$TMP")" ] || { echo "changepoint.sh: --keep $KEEP is not empty" >&2; exit 2; }
else
	TMP=$(mktemp -d /tmp/faultline-cp.XXXXXX)
	trap 'rm -rf "$TMP"' EXIT
fi
SUITE=$ROOT/tests/fixtures/suites/tiny.json
AGENT_OPTS=(--seconds="$SECS" ${NICE:+--nice="$NICE"})

if [ -z "$REUSE" ]; then
# Calibrate: the delay per record that costs PCT % of the records/s measured here.
calibrate() {
	local i f
	for i in 1 2 3 4 5; do
		mkcase "$TMP/cal" "$i" "${AGENT_OPTS[@]}" || return 1
		f=$(printf '%s/cal/cases/%04d-ebizzy-i%d.json' "$TMP" $((i + 1)) "$i")
		rate_of "$f"
	done
}
cal=$(calibrate | slowdown_us "$PCT")	# set -e: a failed case stops here
read -r rate delay <<< "$cal"
rm -rf "$TMP/cal"
echo "records/s here (median of 5 cases of $SECS s): $rate; $PCT% slower is +$delay us per record"
echo "runs: $RUNS per history, $ITERS x $SECS s each, nice ${NICE:-0}, made in $ORDER order$([ "$ORDER" != sequential ] && echo " (seed $SEED)")"

# The order the runs are made in: "history n" lines.
python3 - "$RUNS" "$ORDER" "$SEED" > "$TMP/order" <<'PY'
import random, sys
runs, order, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
plan = [(h, n) for n in range(1, runs + 1) for h in ("step", "flat")]
if order != "sequential":
    random.Random(seed).shuffle(plan)
for h, n in plan:
    print(h, n)
PY
# one case: mkone HISTORY N I
mkone() {
	local opts=("${AGENT_OPTS[@]}")
	[ "$1" = step ] && [ "$2" -ge "$AT" ] && opts+=(--test-delay-us="$delay")
	mkcase "$TMP/runs/$1-$2" "$3" "${opts[@]}" ||
		{ echo "changepoint.sh: run $1 $2 iteration $3 failed" >&2; exit 1; }
}
made=0
if [ "$ORDER" = spread ]; then
	# Round i makes iteration i of every run, each round in its own shuffled order.
	for ((i = -1; i < ITERS; i++)); do
		python3 -c 'import random, sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
random.Random(int(sys.argv[2])).shuffle(lines)
print("\n".join(lines))' "$TMP/order" "$((SEED + i + 2))" > "$TMP/round"
		while read -r h n; do mkone "$h" "$n" "$i"; done < "$TMP/round"
		echo "  round $((i + 2)) of $((ITERS + 1)) made ($(date +%T))"
	done
	while read -r h n; do mkrunjson "$TMP/runs/$h-$n"; done < "$TMP/order"
else
	while read -r h n; do
		for ((i = -1; i < ITERS; i++)); do mkone "$h" "$n" "$i"; done
		mkrunjson "$TMP/runs/$h-$n"
		made=$((made + 1))
		[ $((made % 20)) = 0 ] && echo "  $made of $((2 * RUNS)) runs made ($(date +%T))"
	done < "$TMP/order"
fi
fi

# Add them to the histories in history order; series.tsv: history, run, mean records/s.
: > "$TMP/series.tsv"
for n in $(seq 1 "$RUNS"); do
	for h in step flat; do
		d=$TMP/runs/$h-$n
		rc=0
		"$FL_BIN/faultline" nightly "$SUITE" --history "$TMP/$h" --run "$d" > "$TMP/$h.last" 2>&1 ||
			rc=$?
		[ "$rc" -le 1 ] ||	# 1: a regression against the last runs, as a step makes
			{ echo "changepoint.sh: nightly of $h run $n failed: $(tail -2 "$TMP/$h.last")" >&2; exit 1; }
		python3 - "$d" "$h" "$n" >> "$TMP/series.tsv" <<'PY'
import glob, json, statistics, sys
v = [json.load(open(f))["case"]["metrics"]["records_per_s"]["value"]
     for f in sorted(glob.glob(sys.argv[1] + "/cases/*-i*.json"))]
print("%s\t%s\t%.2f" % (sys.argv[2], sys.argv[3], statistics.mean(v)))
PY
	done
done
for h in step flat; do
	echo "== history '$h' ($RUNS runs$([ $h = step ] && echo ", -$PCT% from run $AT"))"
	python3 - "$TMP/$h/verdict.json" "$TMP/series.tsv" "$h" "$AT" <<'PY'
import json, statistics as st, sys
v = json.load(open(sys.argv[1]))
x = [float(l.split()[2]) for l in open(sys.argv[2]) if l.split()[0] == sys.argv[3]]
at = int(sys.argv[4])
def desc(s):
    return "mean %.1f, CoV %.2f%%" % (st.mean(s), 100 * st.stdev(s) / st.mean(s))
if sys.argv[3] == "step":
    print("  runs 1-%d: %s; runs %d-%d: %s" % (at - 1, desc(x[:at - 1]), at, len(x), desc(x[at - 1:])))
else:
    print("  runs 1-%d: %s" % (len(x), desc(x)))
cps = v.get("change_points", [])
if not cps:
    print("  no change point")
for c in cps:
    print("  %s %s: run %d of %d (%s): %.1f -> %.1f (%+.2f%%, %s), p %.3f" % (
        c["workload"], c["metric"], c["run_index"], c["runs"], c["run"], c["before"],
        c["after"], c["change_pct"], c["direction"], c["p"]))
PY
done
