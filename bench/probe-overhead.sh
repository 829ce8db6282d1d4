#!/usr/bin/env bash
# Probe overhead: ebizzy records/s with probes against --probes none, in interleaved rounds
# (one run of each arm per round, the order rotating), so drift on a noisy machine hits every
# arm alike. Each arm's overhead is the mean of its per-round ratios to none, with its standard
# error, and their median: of records/s (wall time), and of CPU time per record (user_s + sys_s
# over records; what a probe adds to the task's own work, less sensitive to the machine's
# other load).
#   bench/probe-overhead.sh [ROUNDS=7] [SECONDS=3] [EBIZZY ARGS...]   (default args -m -T -t 2)
# Environment:
#   PROBES  the arms, space separated (default "all", the default probe set); each a --probes
#           list, optionally AGENT:LIST to run another agent binary, so that a build before a
#           change and one after are measured in the same rounds:
#           PROBES="build/old/bin/faultline-agent:all all all,sw"
#   AGENT   the agent for arms without one and for none (default bin/faultline-agent)
. "$(dirname "$0")/usage.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}; secs=${2:-3}; shift $(( $# > 2 ? 2 : $# )) || true
args=${*:-"-m -T -t 2"}
A=${AGENT:-bin/faultline-agent}
read -r -a arms <<< "${PROBES:-all}"
for arm in "${arms[@]}"; do
	agent=$A
	[[ $arm == *:* ]] && agent=${arm%:*}
	[ -x "$agent" ] || { echo "probe-overhead.sh: agent '$agent' (arm '$arm') is not an executable" >&2; exit 2; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
rate() {	# $1 arm
	local agent=$A list=$1
	if [[ $1 == *:* ]]; then agent=${1%:*}; list=${1##*:}; fi
	# shellcheck disable=SC2086
	"$agent" ebizzy $args -S "$secs" --probes "$list" --quiet --json "$tmp/o.json"
	python3 -c "import json; c = json.load(open('$tmp/o.json'))['case']; m = c['metrics']
print('%s,%s' % (m['records_per_s']['value'], (m['user_s']['value'] + m['sys_s']['value']) / c['ops']['count']))"
}
all=(none "${arms[@]}")
n=${#all[@]}
echo "probe overhead: ebizzy $args -S $secs, $rounds interleaved rounds of: ${all[*]}"
: > "$tmp/rows"
for r in $(seq 0 $((rounds - 1))); do
	got=()
	for k in $(seq 0 $((n - 1))); do
		j=$(( (k + r) % n ))
		got[$j]=$(rate "${all[$j]}")
	done
	line=""
	for j in $(seq 0 $((n - 1))); do line+="${got[$j]} "; done
	echo "$line" >> "$tmp/rows"
	printf "round %-3s %s\n" "$((r + 1))" "$line"
	unset got
done
python3 - "$tmp/rows" "${all[@]}" <<'PY'
import statistics as st, sys
rows = [[tuple(map(float, c.split(","))) for c in l.split()] for l in open(sys.argv[1]) if l.strip()]
names = sys.argv[2:]
def cov(x):
    return 100 * st.stdev(x) / st.mean(x) if len(x) > 1 else float("nan")
def est(ratios):
    m = st.mean(ratios)
    se = st.stdev(ratios) / len(ratios) ** 0.5 if len(ratios) > 1 else float("nan")
    return f"{100*(1-m):+.2f}% +- {100*se:.2f}%, median {100*(1-st.median(ratios)):+.2f}%"
print(f"{'arm':<40} {'rec/s':>9} {'CoV':>6}   records/s: 1 - arm/none      "
      f"CPU per record: 1 - none/arm")
none = [r[0][0] for r in rows]
print(f"{'none':<40} {st.mean(none):9.1f} {cov(none):5.2f}%")
for j, name in enumerate(names[1:], start=1):
    x = [r[j][0] for r in rows]
    wall = [r[j][0] / r[0][0] for r in rows]
    cpu = [r[0][1] / r[j][1] for r in rows]
    print(f"{name:<40} {st.mean(x):9.1f} {cov(x):5.2f}%   {est(wall)}   {est(cpu)}")
PY
