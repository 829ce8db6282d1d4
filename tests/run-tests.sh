#!/usr/bin/env bash
# Run every test: unit tests (cmocka, from the ASan/UBSan build) and integration scripts.
# Each prints TAP lines; this counts them and ends with "N passed, N failed[, N skipped]".
#   tests/run-tests.sh [--slow] [PATTERN]
set -uo pipefail
cd "$(dirname "$0")/.."
slow=0
[ "${1:-}" = "--slow" ] && { slow=1; shift; }
pattern=${1:-}

export FL_ROOT=$PWD
export FL_BIN=${FL_BIN:-$PWD/bin}
export FL_SAN_BIN=${FL_SAN_BIN:-$PWD/build/san/bin}
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0 skipped=0 failures=()
logdir=build/test-logs
mkdir -p "$logdir"

count() {	# $1 name, $2 log, $3 exit status, $4 seconds
	local p f s
	p=$(grep -cE '^ok ' "$2" | tr -d ' ')
	s=$(grep -ciE '^ok .*# skip' "$2" | tr -d ' ')
	f=$(grep -cE '^not ok ' "$2" | tr -d ' ')
	p=$((p - s))
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		f=1	# crashed or failed outside a test: count it
		echo "not ok - $1 exited with status $3" >> "$2"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$f" = 0 ] || failures+=("$1 (log: $2)")
	printf '%-40s %3d passed %3d failed %3d skipped %4ds\n' "$1" "$p" "$f" "$s" "$4"
}

run() {		# $1 name, rest: command
	local name=$1 log
	shift
	[ -n "$pattern" ] && [[ "$name" != *$pattern* ]] && return
	log="$logdir/$(basename "$name").log"
	t0=$SECONDS
	"$@" > "$log" 2>&1
	count "$name" "$log" $? $((SECONDS - t0))
}

for t in build/san/tests/test_*; do
	[ -x "$t" ] && run "unit/$(basename "$t")" "$t"
done
for t in tests/integration/*.sh tests/integration/*.py; do
	[ -x "$t" ] && run "integration/$(basename "$t")" "$t"
done
if [ "$slow" = 1 ]; then
	for t in tests/slow/*.sh; do
		[ -x "$t" ] && run "slow/$(basename "$t")" "$t"
	done
fi

for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
