#!/usr/bin/env bash
# The newcomer's command: ./run.sh (deps, build, quick suite on this kernel), every file valid.
. "$(dirname "$0")/lib.sh"
cd "$FL_ROOT" || exit 1
kernel_state_locked > "$TMP/state.before"
./run.sh > "$TMP/out" 2> "$TMP/err"; rc=$?
kernel_state_locked > "$TMP/state.after"
check "./run.sh succeeds" test "$rc" = 0
dir=$(sed -n 's/^results: //p' "$TMP/out" | tail -1)
check "it says where the results are" test -d "$dir"
check "it prints the summary table" grep -q 'records_per_s' "$TMP/out"
check "run.json and every case validate against the schema" \
	"$FL_BIN/faultline" validate "$dir/run.json" "$dir"/cases/*.json
check "every case of the quick suite is ok" python3 - "$dir/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "complete" and all(c["status"] == "ok" for c in d["cases"]), d["cases"]
PY
check "THP, khugepaged, swap and sysctls are as before the quick suite" \
	diff "$TMP/state.before" "$TMP/state.after"
rm -rf "$dir"
done_testing
