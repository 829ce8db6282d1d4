#!/usr/bin/env bash
# Every registered workload: --help works, its defaults pass --check, and faultline list shows it.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
"$A" --describe > "$TMP/describe.json"
check "--describe is JSON" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/describe.json"
"$FL_BIN/faultline" list > "$TMP/list.txt"
for wl in $(python3 -c "import json,sys; print(' '.join(w['name'] for w in json.load(open(sys.argv[1]))))" "$TMP/describe.json"); do
	expect_exit 0 "$wl --help" "$A" "$wl" --help
	check "$wl --help lists options and metrics" sh -c "grep -q 'workload options:' '$TMP/stdout' && grep -q 'metrics:' '$TMP/stdout'"
	expect_exit 0 "$wl defaults pass --check" "$A" "$wl" --check
	check "faultline list shows $wl" grep -q "^$wl " "$TMP/list.txt"
done
done_testing
