#!/usr/bin/env bash
# faultline compare on bad input: each a clear sentence naming the file or the difference.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_mkrun.sh"
FL=$FL_BIN/faultline

mkrun "$TMP/a" 3 && mkrun "$TMP/b" 3 && mkrun "$TMP/other" 3 --chunks=5 ||
	{ notok "assemble real runs with the agent"; done_testing; exit; }

cp -r "$TMP/b" "$TMP/v2"
sed -i 's|"faultline/1"|"faultline/2"|' "$TMP/v2/run.json"
expect_exit 2 "another schema major version is refused" "$FL" compare "$TMP/a" "$TMP/v2"
stderr_has "$TMP/v2/run.json has schema faultline/2; this faultline reads faultline/1" \
	"names the file and both versions"

expect_exit 2 "runs that share no case" "$FL" compare "$TMP/a" "$TMP/other"
stderr_has "share no case (same workload and parameters); the parameters differ: chunks 4 vs 5" \
	"says which parameter differs"

cp -r "$TMP/b" "$TMP/corrupt"
f=$(ls "$TMP/corrupt/cases/" | sed -n 3p)
echo '{"schema": "faultline/1", "case": {' > "$TMP/corrupt/cases/$f"
expect_exit 0 "a corrupt case file is skipped, the rest compared" "$FL" compare "$TMP/a" "$TMP/corrupt"
stderr_has "$TMP/corrupt/cases/$f: skipped: not valid JSON at line" "names the corrupt file on stderr"
check "and lists it under problems" grep -q "B cases/$f: unreadable" "$TMP/stdout"
check "the skipped file is not averaged: n is 2" grep -q "(n: A 3, B 2)$" "$TMP/stdout"

mkdir -p "$TMP/empty/cases"
expect_exit 2 "an empty run" "$FL" compare "$TMP/a" "$TMP/empty"
stderr_has "run $TMP/empty has no usable case documents (cases/ is empty): nothing to compare" \
	"says the run is empty"
expect_exit 2 "not a run directory" "$FL" compare "$TMP/a" "$TMP/nothere"
stderr_has "$TMP/nothere is not a directory" "names the directory"
expect_exit 2 "one run only" "$FL" compare "$TMP/a"
stderr_has "at least two run directories" "says two are needed"

# too few samples and failed cases
mkrun "$TMP/few" 2 || notok "assemble a 2-iteration run"
python3 - "$TMP/few" <<'PY'
import json, sys, glob
f = sorted(glob.glob(sys.argv[1] + "/cases/*-i1.json"))[0]
d = json.load(open(f)); d["case"]["status"] = "crashed"; d["case"]["reason"] = "BUG: Bad page state in process ebizzy"
json.dump(d, open(f, "w"))
PY
expect_exit 0 "n < 3" "$FL" compare "$TMP/a" "$TMP/few" --format json
check "n < 3 gives the verdict 'too few samples'" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); m=d["groups"][0]["metrics"][0]
assert m["comparisons"][0]["verdict"]=="too few samples" and m["runs"][1]["n"]==1, m
p=[p for p in d["problems"] if p["status"]=="crashed"]; assert p and "Bad page state" in p[0]["reason"]' "$TMP/stdout"
expect_exit 0 "text with a crashed case" "$FL" compare "$TMP/a" "$TMP/few"
check "the crash is in the problems section with its title" grep -q "BUG: Bad page state" "$TMP/stdout"
check "text says too few samples (n<3)" grep -qE "^records_per_s .* n<3$" "$TMP/stdout"
done_testing
