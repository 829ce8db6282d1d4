#!/usr/bin/env bash
# faultline nightly without a person: two nightlies started together on one history (the
# second exits 3 naming the holder's pid and start time, a third with --wait waits and goes
# on; no history is lost); summary.txt (mail) and verdict.json (valid against
# schema/verdict-1.schema.json); --keep N rotation keeps every summary in the index; the
# systemd units parse.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_mkrun.sh"
F=$FL_BIN/faultline
H=$TMP/h
SUITE=$FL_ROOT/tests/fixtures/suites/tiny.json
verdict_valid() {
	python3 - "$FL_ROOT/schema/verdict-1.schema.json" "$H/verdict.json" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
}

"$F" nightly "$SUITE" --history "$H" > "$TMP/a.out" 2> "$TMP/a.err" &
a=$!
for _ in $(seq 100); do grep -q "^pid $a " "$H/.nightly.lock" 2> /dev/null && break; sleep 0.1; done
expect_exit 3 "a second nightly on the same history exits 3 while the first runs" \
	"$F" nightly "$SUITE" --history "$H" --wait 1
stderr_has "another nightly is running on $H (pid $a started " "naming the holder's pid and start time"
"$F" nightly "$SUITE" --history "$H" --wait 300 > "$TMP/c.out" 2> "$TMP/c.err" &
c=$!
wait $a; ra=$?
wait $c; rc=$?
check "the first nightly finished (exit $ra)" test "$ra" = 0
check "the third, with --wait, waited and finished (exit $rc)" sh -c '[ "$0" = 0 ] || [ "$0" = 1 ]' "$rc"
check "no history is lost: 2 runs in the index, both directories complete" python3 -c 'import json,os,sys
d=json.load(open(sys.argv[1]+"/index.json")); assert len(d["runs"])==2, len(d["runs"])
assert all(os.path.isfile(sys.argv[1]+"/"+r["dir"]+"/run.json") and os.listdir(sys.argv[1]+"/"+r["dir"]+"/cases") for r in d["runs"])
assert not [f for f in os.listdir(sys.argv[1]+"/runs") if f.startswith(".")]' "$H"
check "verdict.json is valid (schema/verdict-1.schema.json)" verdict_valid
check "verdict.json names the last run and its exit status" python3 -c 'import json,sys
v=json.load(open(sys.argv[1])); i=json.load(open(sys.argv[2]))
assert v["run"]==i["runs"][-1]["id"] and v["exit_status"]==int(sys.argv[3]) and v["baseline"]["runs"]==1' "$H/verdict.json" "$H/index.json" "$rc"
check "summary.txt starts with a Subject line and has the verdict and the table" sh -c \
	'head -1 "$0" | grep -q "^Subject: faultline nightly tiny: " && grep -q "^nightly: run " "$0" && grep -q "records_per_s" "$0"' "$H/summary.txt"

H=$TMP/h2	# rotation: a history of assembled runs (their ebizzy parameters differ from tiny's)
for i in 1 2 3 4 5; do mkrun "$TMP/r$i" 3 || notok "assemble run $i"; done
for i in 1 2 3 4 5; do "$F" nightly "$SUITE" --history "$H" --run "$TMP/r$i" --keep 2 --threshold 50 > "$TMP/k$i.out" 2>&1; done
check "--keep 2: the index still lists all 5 runs with their summaries" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert len(d["runs"])==5 and all(r["summary"] for r in d["runs"])' "$H/index.json"
check "only the last 2 runs keep their case files; older ones are marked pruned" python3 -c 'import json,os,sys
h=sys.argv[1]; d=json.load(open(h+"/index.json"))
for r in d["runs"][:3]: assert r.get("pruned") is True and not os.path.exists(h+"/"+r["dir"]+"/cases") and os.path.isfile(h+"/"+r["dir"]+"/run.json")
for r in d["runs"][3:]: assert "pruned" not in r and os.listdir(h+"/"+r["dir"]+"/cases")' "$H"
check "the verdict after rotation is still valid" verdict_valid
expect_exit 2 "--keep 0 is refused" "$F" nightly "$SUITE" --history "$H" --keep 0
if command -v systemd-analyze > /dev/null; then
	check "the systemd units parse (systemd-analyze verify)" sh -c 'cd "$0" && systemd-analyze verify --man=no ./faultline-nightly.service ./faultline-nightly.timer 2>&1 | grep -v "Failed to \(open\|get\|connect\)\|not found\|/usr/local\|is not executable" | (! grep .)' "$FL_ROOT/contrib/systemd"
else
	check "the systemd units have their sections" sh -c 'grep -q "^\[Timer\]" "$0/faultline-nightly.timer" && grep -q "^ExecStart=" "$0/faultline-nightly.service"' "$FL_ROOT/contrib/systemd"
fi
done_testing
