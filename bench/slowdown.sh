# Sourced by bench/changepoint.sh and bench/precision.sh: the --test-delay-us that slows
# ebizzy by a given %, from the records/s of calibration cases.
# shellcheck shell=bash
# rate_of FILE: records/s of a case document
rate_of() {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["case"]["metrics"]["records_per_s"]["value"])' "$1"
}
# slowdown_us PCT < RATES: the spin per record (us, at least 1) that costs PCT % of the median
# of the records/s given one per line; prints "MEDIAN US"
slowdown_us() {
	python3 -c 'import statistics, sys
r = statistics.median(float(l) for l in sys.stdin if l.strip())
p = float(sys.argv[1]) / 100
print(r, max(1, round(p / (1 - p) / r * 1e6)))' "$1"
}
