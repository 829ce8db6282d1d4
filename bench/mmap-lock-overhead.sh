#!/usr/bin/env bash
# mmap_lock probe overhead: fault-scale faults/s with --probes all,mmap_lock against
# --probes all, in interleaved pairs (order alternating), without and with the writer thread;
# then the probe's figures of both cases (workload's read/write: count, contended, wait and
# hold p50/p99/max in us, total time held; medians over the probe runs), so the writer's
# effect shows.
#   bench/mmap-lock-overhead.sh [PAIRS=5] [SECONDS=3] [FAULT-SCALE ARGS...]
# FL_BIN picks the binaries (default bin/).
. "$(dirname "$0")/usage.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-5}; secs=${2:-3}; shift $(( $# > 2 ? 2 : $# )) || true
args=${*:-"-t 2 -s 16M"}
A=${FL_BIN:-bin}/faultline-agent
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() {		# $1 probes, $2 writer flag ("" or -w), $3 json
	# shellcheck disable=SC2086
	"$A" fault-scale $args $2 -S "$secs" --probes "$1" --quiet --json "$3"
	python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['case']['metrics']['faults_per_s']['value'])" "$3"
}
for w in "" -w; do
	name=${w:+writer}; name=${name:-no writer}
	echo "== fault-scale $args $w -S $secs ($name): $pairs interleaved pairs, all vs all,mmap_lock"
	printf '%-5s %14s %14s %8s\n' pair "all faults/s" "+mmap_lock" ratio
	: > "$tmp/pairs"
	for i in $(seq 1 "$pairs"); do
		j=$tmp/probe_${w:-nw}_$i.json
		if [ $((i % 2)) = 1 ]; then b=$(run all "$w" "$tmp/b.json"); p=$(run all,mmap_lock "$w" "$j")
		else p=$(run all,mmap_lock "$w" "$j"); b=$(run all "$w" "$tmp/b.json"); fi
		echo "$b $p" >> "$tmp/pairs"
		printf '%-5s %14.0f %14.0f %8.4f\n' "$i" "$b" "$p" "$(python3 -c "print($p/$b)")"
	done
	python3 - "$tmp/pairs" <<'PY'
import statistics as st, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
base, probe = [r[0] for r in rows], [r[1] for r in rows]
ratios = [p / b for b, p in rows]
sd = lambda v: st.stdev(v) if len(v) > 1 else 0.0
print(f"all:            mean {st.mean(base):.0f} sd {sd(base):.0f} (CoV {100*sd(base)/st.mean(base):.2f}%)")
print(f"all,mmap_lock:  mean {st.mean(probe):.0f} sd {sd(probe):.0f} (CoV {100*sd(probe)/st.mean(probe):.2f}%)")
m, s = st.mean(ratios), sd(ratios)
print(f"overhead (1 - probe/base), mean of pair ratios: {100*(1-m):+.2f}% +- "
      f"{100*s/len(ratios)**0.5:.2f}% (s.e.), median {100*(1-st.median(ratios)):+.2f}%, "
      f"range {100*(1-max(ratios)):+.2f}%..{100*(1-min(ratios)):+.2f}%")
PY
done
echo "== the probe's figures (median over the probe runs; times in us)"
python3 - "$tmp" <<'PY'
import glob, json, statistics as st, sys
print(f"{'case':10} {'side':5} {'count':>8} {'contended':>9} {'wait p50':>9} {'p99':>9} {'max':>9}"
      f" {'hold p50':>9} {'p99':>9} {'max':>9} {'held ms':>8} {'lost':>5}")
for w, name in (("nw", "no writer"), ("-w", "writer")):
    docs = [json.load(open(f))["case"]["mmap_lock"]
            for f in sorted(glob.glob(f"{sys.argv[1]}/probe_{w}_*.json"))]
    docs = [d for d in docs if "read" in d]
    if not docs:
        print(f"{name:10} the probe gave no figures")
        continue
    for role, who in (("", lambda d: d), ("kh ", lambda d: d["khugepaged"])):
        for side in ("read", "write"):
            ss = [who(d)[side] for d in docs if side in who(d)]
            if not ss or (role and not any(s["count"] for s in ss)):
                continue
            med = lambda f: st.median([f(s) for s in ss])
            us = lambda h, k: med(lambda s: s[h].get(k, 0)) / 1000
            print(f"{name:10} {role + side:5} {med(lambda s: s['count']):8.0f} "
                  f"{med(lambda s: s['contended']):9.0f} {us('wait', 'p50'):9.1f} "
                  f"{us('wait', 'p99'):9.1f} {us('wait', 'max'):9.1f} {us('hold', 'p50'):9.1f} "
                  f"{us('hold', 'p99'):9.1f} {us('hold', 'max'):9.1f} "
                  f"{med(lambda s: s['held_ns']) / 1e6:8.1f} "
                  f"{max(d['lost_events'] for d in docs):5d}")
PY
