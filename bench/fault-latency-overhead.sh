#!/usr/bin/env bash
# Fault-latency timing overhead: a workload's main metric with fault_latency on (the default)
# against fault_latency=false, in interleaved pairs (order alternating); prints each pair, the
# mean +- s.e. of the pair ratios, and the timed runs' fault latency beside sys time / faults.
#   bench/fault-latency-overhead.sh [PAIRS=10] [SECONDS=3] [WORKLOAD ARGS...]
# Default workload: ebizzy -m -T -t 2 (seed 001's ebizzy -mT, one thread per CPU here).
# FL_BIN picks the binaries (default bin/).
. "$(dirname "$0")/usage.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-10}; secs=${2:-3}; shift $(( $# > 2 ? 2 : $# )) || true
args=${*:-"ebizzy -m -T -t 2"}
A=${FL_BIN:-bin}/faultline-agent
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
main() {	# the first metric of the workload's case document
	python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; m=c['metrics']
k=next(k for k in m if 'value' in m[k]); print(k, m[k]['value'])" "$1"
}
run() {		# $1 on|off, $2 json; prints the main metric's value
	local fl=true
	[ "$1" = off ] && fl=false
	# shellcheck disable=SC2086
	"$A" $args -S "$secs" --fault-latency=$fl --quiet --json "$2"
	main "$2" | cut -d' ' -f2
}
echo "== $args -S $secs: $pairs interleaved pairs, fault_latency=false vs true"
: > "$tmp/pairs"
for i in $(seq 1 "$pairs"); do
	if [ $((i % 2)) = 1 ]; then b=$(run off "$tmp/off_$i.json"); t=$(run on "$tmp/on_$i.json")
	else t=$(run on "$tmp/on_$i.json"); b=$(run off "$tmp/off_$i.json"); fi
	[ "$i" = 1 ] && printf '%-5s %14s %14s %8s   (%s)\n' pair off on on/off \
		"$(main "$tmp/off_1.json" | cut -d' ' -f1)"
	echo "$b $t" >> "$tmp/pairs"
	printf '%-5s %14.1f %14.1f %8.4f\n' "$i" "$b" "$t" "$(python3 -c "print($t/$b)")"
done
python3 - "$tmp/pairs" "$tmp" <<'PY'
import json, statistics as st, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
off, on = [r[0] for r in rows], [r[1] for r in rows]
ratios = [t / b for b, t in rows]
sd = lambda v: st.stdev(v) if len(v) > 1 else 0.0
print(f"off: mean {st.mean(off):.1f} sd {sd(off):.1f} (CoV {100*sd(off)/st.mean(off):.2f}%)")
print(f"on:  mean {st.mean(on):.1f} sd {sd(on):.1f} (CoV {100*sd(on)/st.mean(on):.2f}%)")
m, s = st.mean(ratios), sd(ratios)
print(f"overhead (1 - on/off), mean of pair ratios: {100*(1-m):+.2f}% +- "
      f"{100*s/len(ratios)**0.5:.2f}% (s.e.), median {100*(1-st.median(ratios)):+.2f}%, "
      f"range {100*(1-max(ratios)):+.2f}%..{100*(1-min(ratios)):+.2f}%")
# Ops per CPU second (user + sys of the phase): what other load on the machine takes from
# the wall-clock rate does not move it.
def per_cpu(f):
    c = json.load(open(f))["case"]
    m = c["metrics"]
    if "user_s" not in m or "sys_s" not in m:
        return None
    return c["ops"]["count"] / (m["user_s"]["value"] + m["sys_s"]["value"])
cr = []
for i in range(1, len(rows) + 1):
    b, t = per_cpu(f"{sys.argv[2]}/off_{i}.json"), per_cpu(f"{sys.argv[2]}/on_{i}.json")
    if b and t:
        cr.append(t / b)
if cr:
    print(f"ops per CPU second (user+sys): overhead {100*(1-st.mean(cr)):+.2f}% +- "
          f"{100*sd(cr)/len(cr)**0.5:.2f}% (s.e.), median {100*(1-st.median(cr)):+.2f}%")
PY
echo "== the timed runs' first-touch latency (us) beside sys time per fault (getrusage)"
python3 - "$tmp" <<'PY'
import glob, json, statistics as st, sys
rows = []
for f in sorted(glob.glob(f"{sys.argv[1]}/on_*.json")):
    c = json.load(open(f))["case"]
    h = c.get("detail", {}).get("fault_latency", {})
    if "p50" not in h:
        print("no histogram:", h.get("reason", "?"))
        sys.exit(0)
    pf = c["counters"].get("page-faults", {}).get("value")
    sys_s = c["metrics"].get("sys_s", {}).get("value")
    af = c["detail"].get("record_alloc_free")
    spf = sys_s / pf * 1e6 if sys_s and pf else None
    fpf = (sys_s - af["alloc_cpu_s"] - af["free_cpu_s"]) / pf * 1e6 if spf and af else None
    rows.append((h["p50"] / 1e3, h["mean"] / 1e3, h["p99"] / 1e3, spf, fpf))
med = lambda i: st.median([r[i] for r in rows]) if all(r[i] is not None for r in rows) else None
fmt = lambda v: f"{v:.3f}" if v is not None else "n/a"
p50, mean, p99, spf, fpf = (med(i) for i in range(5))
print(f"median over {len(rows)} runs: p50 {fmt(p50)} mean {fmt(mean)} p99 {fmt(p99)}; "
      f"sys/faults {fmt(spf)}; (sys - alloc/free)/faults {fmt(fpf)}")
if spf:
    print(f"p50 / (sys/faults) = {p50 / spf:.3f}" +
          (f"; p50 / ((sys - alloc/free)/faults) = {p50 / fpf:.3f}" if fpf else ""))
PY
