#!/usr/bin/env bash
# The agent's page-faults figure against `perf stat -e page-faults` around the same measured
# phase (perf driven through its control fifos by the agent): they must agree within 3%, both
# as the sw probe counts it (perf) and as the default probes do (rusage: getrusage and /proc).
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
if ! command -v perf > /dev/null; then
	skip "perf is not installed"; done_testing; exit
fi
mkfifo "$TMP/ctl" "$TMP/ack"
# percore-map percore-mm: the faults are the worker processes' (children alive across the phase).
runs=()
for probes in sw rusage; do
	for args in "ebizzy -m -T -t 2 -S 3" "ebizzy -t 2 -S 2" "ebizzy -m -t 1 -S 2"; do
		runs+=("$probes|$args")
	done
done
runs+=("rusage|percore-map --mode=percore-mm --threads=2 --seconds=1")
for run in "${runs[@]}"; do
	probes=${run%%|*} args=${run#*|}
	# shellcheck disable=SC2086
	perf stat -x, -o "$TMP/perf.csv" -e page-faults -D -1 --control "fifo:$TMP/ctl,$TMP/ack" \
		-- "$A" $args --probes $probes --perf-ctl "$TMP/ctl,$TMP/ack" --json "$TMP/a.json" \
		> "$TMP/stdout" 2> "$TMP/stderr"
	rc=$?
	if [ $rc != 0 ]; then
		notok "$args --probes $probes under perf stat (exit $rc: $(head -c 300 "$TMP/stderr"))"
		continue
	fi
	perf_n=$(awk -F, '$3 ~ /page-faults/ {print $1}' "$TMP/perf.csv")
	ours=$(jget "$TMP/a.json" "['case']['counters']['page-faults']['value']")
	src=$(jget "$TMP/a.json" "['case']['counters']['page-faults']['source']")
	if python3 -c "import sys; p,a=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if p>0 and abs(a-p)/p < 0.03 else 1)" "$perf_n" "$ours"; then
		ok "$args --probes $probes: agent $ours ($src) vs perf stat $perf_n page-faults (within 3%)"
	else
		notok "$args --probes $probes: agent $ours ($src) vs perf stat $perf_n page-faults (over 3% apart)"
	fi
done
done_testing
