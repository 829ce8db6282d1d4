#!/usr/bin/env bash
# The run summary's per-op counters say their phase: the probes' window is the whole measured
# phase (the probes' own cross-CPU calls included), so where a workload counts an IPI class
# around its operation alone (thp-munmap), the summary points to that metric instead of
# dividing the window's count by the operation's PMDs (0.5 function-call IPIs per PMD there,
# while the metric around the munmap said 0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_mkrun.sh"
F=$FL_BIN/faultline
mkdir -p "$TMP/run/cases"
"$FL_BIN/faultline-agent" thp-munmap --size=64M --walkers=1 --iteration=0 --quiet \
	--run-id="test-summary-$$" --suite=test --json="$TMP/run/cases/0001-thp-munmap-i0.json" \
	> /dev/null 2>&1 || notok "thp-munmap 64M ran"
mkcase "$TMP/run" 0 && mv "$TMP/run/cases/0001-ebizzy-i0.json" "$TMP/run/cases/0002-ebizzy-i0.json" ||
	notok "ebizzy ran"
mkrunjson "$TMP/run" || notok "run.json written"
expect_exit 0 "faultline report" "$F" report "$TMP/run"
check "the per-op block names its phase" grep -q "per pmd over the measured phase (the probes' window" "$TMP/stdout"
check "thp-munmap's function-call IPIs point to its own metric" \
	grep -qE "function-call IPIs +see metric function_call_ipis" "$TMP/stdout"
check "and say what that metric counts" grep -q "around its operation alone" "$TMP/stdout"
check "ebizzy (no such metric) keeps the window's figure per record" sh -c \
	'sed -n "/^ebizzy/,\$p" "$0" | grep -qE "function-call IPIs +([0-9]|- \(not counted\))"' "$TMP/stdout"
check "every line fits 80 columns" awk 'length($0) > 80 { print; bad = 1 } END { exit bad }' "$TMP/stdout"
done_testing
