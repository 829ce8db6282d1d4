#!/usr/bin/env bash
# The ASan/UBSan build end to end: a small suite through build/san/bin, no sanitizer report.
. "$(dirname "$0")/lib.sh"
SAN=${FL_SAN_BIN:-$FL_ROOT/build/san/bin}
if [ ! -x "$SAN/faultline" ]; then
	skip "no sanitizer build (make SAN=1)"; done_testing; exit
fi
"$SAN/faultline" run --out "$TMP/san" "$FL_ROOT/tests/fixtures/suites/tiny.json" > "$TMP/out" 2>&1
check "the sanitized runner and agent complete the tiny suite" test $? = 0
check "no sanitizer report from the runner" sh -c "! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' '$TMP/out'"
check "no sanitizer report from any agent" sh -c "! grep -lqE 'runtime error|AddressSanitizer|LeakSanitizer' '$TMP'/san/logs/*.log"
check "the files validate" "$SAN/faultline" validate "$TMP/san/run.json" "$TMP"/san/cases/*.json
"$SAN/faultline-agent" ebizzy -t 2 -S 0.5 --test-corrupt-page 1 --json "$TMP/bad.json" > "$TMP/out" 2>&1
check "a failing case under sanitizers exits 1 cleanly" test $? = 1
check "no sanitizer report on the failure path" sh -c "! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' '$TMP/out'"
done_testing
