#!/usr/bin/env bash
# bench/counts_nightly.sh [HISTORY_RUNS] [TRIES]: issue #15 acceptance 4. A nightly of
# thp-munmap (4M, op munmap, 1 warm-up + 15 iterations, one munmap per case, 2 vCPUs, TCG) on
# src-6.12-debug builds a history of HISTORY_RUNS runs (default 4); then, with two busy loops
# beside it all along, TRIES runs (default 3, 5 iterations each) of src-6.12-debug-ipi
# (kernels/patches/ipi-extra: one more TLB-shootdown IPI round per munmap) must each be flagged
# against that history as a regression of an IPI count (remote_tlb_flushes, function_call_ipis
# ...) in the counts family, and one more clean run of src-6.12-debug must not be. Each try is judged against a copy of the same history. Both
# kernels must be built (faultline kernel build ...); nothing is built here. Debug kernels under
# TCG: the counts are valid, the times are not (and are never compared here).
#   FL_BIN=DIR (default bin/), OUT=DIR (default a temp dir, kept and printed), BUSY=N busy
#   loops (default 2), BASE=/CAND= other candidates (a dry run of the plumbing). With an OUT
#   of an interrupted bench, history runs already in OUT/h are kept and a partial one resumed.
. "$(dirname "$0")/usage.sh"
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FL=${FL_BIN:-$ROOT/bin}/faultline
RUNS=${1:-4} TRIES=${2:-3}
BASE=${BASE:-src-6.12-debug} CAND=${CAND:-src-6.12-debug-ipi} BUSY=${BUSY:-2}
OUT=${OUT:-$(mktemp -d /tmp/faultline-counts.XXXXXX)}
mkdir -p "$OUT"
busy=()
stop_busy() {
	local p
	for p in "${busy[@]}"; do kill "$p" 2> /dev/null; done
	busy=()
}
trap stop_busy EXIT
for k in "$BASE" "$CAND"; do
	if "$FL" kernel show "$k" 2>&1 | grep -q "is not built yet"; then
		echo "bench: $k is not built; build it first: faultline kernel build $k" >&2
		exit 3
	fi
done
cat > "$OUT/suite.json" <<'JSON'
{
  "name": "counts-thp-munmap",
  "description": "issue #15 acceptance 4: one munmap of a 4M THP range per case; its IPIs are a count",
  "iterations": 15,
  "warmup": 1,
  "timeout_s": 300,
  "cases": [
    { "workload": "thp-munmap", "params": { "size": "4M", "op": "munmap", "walkers": 0 } }
  ]
}
JSON
# The tries and the clean run: 5 iterations (a count needs few; a debug guest under TCG beside
# the busy loops took 25-30 s per case here).
sed 's/"iterations": 15/"iterations": 5/' "$OUT/suite.json" > "$OUT/suite-try.json"
# A guest under TCG beside the busy loops missed its boot 5 times of 6 here (the IO-APIC timer
# check panics when the host is too slow: load 10-13 on 2 cores): with LOAD=1 (the tries and
# the clean run) the busy loops start when the guest's first case starts and stop when the run
# ends, so every munmap measured runs beside them; 300 s to boot, and a run that did not
# finish is resumed, up to 3 attempts.
start_busy() {
	for _ in $(seq 1 "$BUSY"); do
		sh -c 'while :; do :; done' > /dev/null 2>&1 &
		busy+=($!)
	done
}
run() {	# run KERNEL NAME [LOAD]: one guest run into OUT/NAME (a partial one resumed); seconds
	local t0=$SECONDS what a suite=$OUT/suite.json pid
	case $2 in base*) ;; *) suite=$OUT/suite-try.json ;; esac
	for a in 1 2 3; do
		what=(--out "$OUT/$2" "$suite")
		[ -e "$OUT/$2/run.json" ] && what=(--resume "$OUT/$2")
		nice -n 5 "$FL" run --target qemu --accel tcg --cpus 2 --boot-timeout 300 \
			--kernel "$1" "${what[@]}" >> "$OUT/$2.log" 2>&1 &
		pid=$!
		if [ "${3:-0}" = 1 ]; then
			while kill -0 "$pid" 2> /dev/null && ! grep -qs '^\[1/' "$OUT/$2.log"; do
				sleep 1
			done
			start_busy
			echo "  $BUSY busy loop(s) from the first case on; load $(cut -d' ' -f1 /proc/loadavg)" >&2
		fi
		wait "$pid" && { stop_busy; break; }
		stop_busy
		echo "bench: run $2 attempt $a did not finish ($OUT/$2.log)" >&2
		[ $a = 3 ] && return 1
	done
	echo $((SECONDS - t0))
}
ipis() {	# ipis RUN: remote_tlb_flushes and function_call_ipis of each measured iteration
	python3 - "$OUT/$1" <<'PY'
import json, os, sys
d = sys.argv[1] + "/cases"
v = {"remote_tlb_flushes": [], "function_call_ipis": []}
for n in sorted(os.listdir(d)):
    c = json.load(open(d + "/" + n))["case"]
    if not c.get("warmup") and c["status"] == "ok":
        for k in v:
            v[k].append(c["metrics"].get(k, {}).get("value"))
print("; ".join("%s %s" % (k, " ".join("%g" % x if x is not None else "?" for x in xs))
                for k, xs in v.items()))
PY
}
judge() {	# judge RUN: nightly of RUN against a copy of the history; prints exit and verdict
	rm -rf "$OUT/h-$1"
	cp -r "$OUT/h" "$OUT/h-$1"
	"$FL" nightly "$OUT/suite.json" --history "$OUT/h-$1" --run "$OUT/$1" > "$OUT/$1.nightly" 2>&1
	local rc=$?
	python3 - "$OUT/h-$1/verdict.json" "$rc" "$1" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
r = [x for x in v["regressions"]]
cnt = [x for x in r if x.get("family") == "counts" and
       ("ipis" in x["metric"] or "tlb_flushes" in x["metric"])]
print("%s: nightly exit %s; regressions: %s%s" % (sys.argv[3], sys.argv[2],
      ", ".join("%s (%s, %+.3g %s, floor %.3g)" % (x["metric"], x.get("family"),
                x.get("delta") or 0, x.get("unit", ""), x.get("floor") or 0) for x in r) or "none",
      "; an IPI count flagged in the counts family" if cnt else ""))
PY
}

t0=$SECONDS
for i in $(seq 1 "$RUNS"); do
	if [ -s "$OUT/base$i.nightly" ]; then
		echo "history run $i ($BASE): kept from an earlier bench: $(ipis "base$i")"
		continue
	fi
	s=$(run "$BASE" "base$i") || exit 1
	"$FL" nightly "$OUT/suite.json" --history "$OUT/h" --run "$OUT/base$i" > "$OUT/base$i.nightly" 2>&1
	echo "history run $i ($BASE): ${s}s, per munmap: $(ipis "base$i")"
done
echo "history: $RUNS runs in $((SECONDS - t0))s"
flagged=0
for t in $(seq 1 "$TRIES"); do
	s=$(run "$CAND" "ipi$t" 1) || exit 1
	echo "try $t ($CAND): ${s}s, per munmap: $(ipis "ipi$t")"
	line=$(judge "ipi$t")
	echo "  $line"
	case $line in *"flagged in the counts family"*) flagged=$((flagged + 1)) ;; esac
done
s=$(run "$BASE" clean 1) || exit 1
echo "clean ($BASE): ${s}s, per munmap: $(ipis clean)"
line=$(judge clean)
echo "  $line"
clean_ok=0
case $line in *"nightly exit 0"*) clean_ok=1 ;; esac
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "acceptance 4: $flagged of $TRIES tries flagged under load; clean run $([ $clean_ok = 1 ] && echo "not flagged" || echo "FLAGGED"); total $((SECONDS - t0))s; results in $OUT"
[ "$flagged" = "$TRIES" ] && [ $clean_ok = 1 ]
