#!/usr/bin/env bash
# Probe overhead: ebizzy records/s with all probes against --probes none, in interleaved
# pairs (order alternating), so drift on a noisy machine hits both sides alike.
#   bench/probe-overhead.sh [PAIRS=7] [SECONDS=3] [EBIZZY ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-7}; secs=${2:-3}; shift $(( $# > 2 ? 2 : $# )) || true
args=${*:-"-m -T -t 2"}
A=bin/faultline-agent
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
rate() {	# $1 probes
	# shellcheck disable=SC2086
	"$A" ebizzy $args -S "$secs" --probes "$1" --quiet --json "$tmp/o.json"
	python3 -c "import json; print(json.load(open('$tmp/o.json'))['case']['metrics']['records_per_s']['value'])"
}
echo "probe overhead: ebizzy $args -S $secs, $pairs interleaved pairs, all probes vs none"
printf '%-5s %14s %14s %8s\n' pair "none rec/s" "all rec/s" "all/none"
: > "$tmp/pairs"
for i in $(seq 1 "$pairs"); do
	if [ $((i % 2)) = 1 ]; then n=$(rate none); a=$(rate all); else a=$(rate all); n=$(rate none); fi
	echo "$n $a" >> "$tmp/pairs"
	printf '%-5s %14.1f %14.1f %8.4f\n' "$i" "$n" "$a" "$(python3 -c "print($a/$n)")"
done
python3 - "$tmp/pairs" <<'PY'
import statistics as st, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
none, alls = [r[0] for r in rows], [r[1] for r in rows]
ratios = [a / n for n, a in rows]
print(f"none: mean {st.mean(none):.1f} sd {st.stdev(none):.1f} (CoV {100*st.stdev(none)/st.mean(none):.2f}%)")
print(f"all:  mean {st.mean(alls):.1f} sd {st.stdev(alls):.1f} (CoV {100*st.stdev(alls)/st.mean(alls):.2f}%)")
m, s = st.mean(ratios), st.stdev(ratios)
print(f"overhead (1 - all/none), mean of pair ratios: {100*(1-m):+.2f}% +- {100*s/len(ratios)**0.5:.2f}% (s.e.), median {100*(1-st.median(ratios)):+.2f}%")
PY
