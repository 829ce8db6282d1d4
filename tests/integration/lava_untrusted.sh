#!/usr/bin/env bash
# faultline lava with untrusted input. collect: crafted logs in tests/fixtures/lava/bad-*.log
# (a plan entry's file climbing out of --out, a workload that is a path or unknown, a case
# document for another workload, tabs between fields, malformed markers of every kind, NULs,
# a 2 MB line) never write outside --out and never crash (also under ASan/UBSan when
# FL_SAN_BIN is set). render: a suite name with ../, a job path that is a symlink out of
# --out, an empty sweep, and a parameter full of shell and YAML syntax (quotes, $(...), C0/C1
# controls, DEL, U+2028) give a job whose steps pass the parameter to the agent as one word.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
FX=$FL_ROOT/tests/fixtures/lava
PY=/usr/bin/python3
ESC=/tmp/faultline-lava-escape.json
CANARY=/tmp/flc$$
rm -f "$ESC" "$CANARY"
trap 'keep_consoles; rm -rf "$TMP" "$CANARY"' EXIT

# --- collect
expect_exit 0 "a plan entry whose file climbs out of --out is collected" "$F" lava collect "$FX/bad-path.log" --out "$TMP/c1"
check "nothing is written outside --out" test ! -e "$ESC"
check "the case file is named from the index and the workload" test -s "$TMP/c1/cases/0000-ebizzy-i0.json"
check "run.json names that file" test "$(jget "$TMP/c1/run.json" "['cases'][0]['file']")" = cases/0000-ebizzy-i0.json
check "run.json and the case validate" sh -c '"$0" validate "$1"/run.json "$1"/cases/*.json > /dev/null' "$F" "$TMP/c1"

expect_exit 0 "tabs between the fields are read (no crash)" "$F" lava collect "$FX/bad-tab.log" --out "$TMP/c2"
check "and the case is collected" test "$(jget "$TMP/c2/run.json" "['cases'][0]['status']")" = ok

expect_exit 2 "a plan entry whose workload is a path is not used" "$F" lava collect "$FX/bad-workload.log" --out "$TMP/c3"
stderr_has "were malformed" "saying the markers were malformed"
check "nothing is written outside --out" test ! -e "$ESC"
expect_exit 2 "a plan entry naming an unknown workload is refused" "$F" lava collect "$FX/bad-unknown.log" --out "$TMP/c4"
stderr_has 'names workload "no-such-workload", which this faultline does not have' "naming it"
expect_exit 0 "a case document for another workload than planned is not used" "$F" lava collect "$FX/bad-mismatch.log" --out "$TMP/c5"
check "that case is failed, the run interrupted" $PY -c 'import json,sys
d=json.load(open(sys.argv[1])); assert d["state"]=="interrupted" and d["cases"][0]["status"]=="failed", d' "$TMP/c5/run.json"
check "and no case file is written" test -z "$(ls "$TMP/c5/cases")"

expect_exit 2 "malformed markers are all ignored (no crash)" "$F" lava collect "$FX/bad-junk.log" --out "$TMP/c6"
stderr_has "no faultline case in $FX/bad-junk.log" "and the log has no case"
$PY -c 'import sys; sys.stdout.write("FAULTLINE-CASE 0 " + "a" * 64 + " " + "QUJD" * 500000 + "\tFAULTLINE-PLAN 1\t" + "\0" * 1000)' > "$TMP/long.log"
expect_exit 2 "a 2 MB line with NULs and no newline is scanned (no crash)" "$F" lava collect "$TMP/long.log" --out "$TMP/c7"
if [ -n "${FL_SAN_BIN:-}" ] && [ -x "$FL_SAN_BIN/faultline" ]; then
	for l in "$FX"/bad-*.log "$TMP/long.log"; do
		FAULTLINE_AGENT=$FL_SAN_BIN/faultline-agent "$FL_SAN_BIN/faultline" lava collect "$l" --out "$TMP/san-$(basename "$l")" > /dev/null 2> "$TMP/san.err"
		check "ASan/UBSan: collect of $(basename "$l") is clean (exit $?)" sh -c '! grep -q "Sanitizer\|runtime error" "$0"' "$TMP/san.err"
	done
else
	skip "FL_SAN_BIN is not set: the collect of crafted logs under ASan is not run"
fi

# --- render (an empty initramfs stands in: render only names it)
: > "$TMP/initrd.gz"
render() { "$F" lava render --kernel debian-6.12 --arch x86_64 --initramfs "$TMP/initrd.gz" "$@"; }
suite() {	# suite FILE NAME PARAMS-JSON
	printf '{ "name": "%s", "iterations": 1, "warmup": 0, "timeout_s": 60,\n  "cases": [ { "workload": "fault-scale", "params": %s } ] }\n' "$2" "$3" > "$1"
}
mkdir "$TMP/jobs" "$TMP/bin" && printf '#!/bin/sh\ntrue\n' > "$TMP/bin/lava-test-case" && chmod +x "$TMP/bin/lava-test-case"
suite "$TMP/up.json" "../../up" '{ "threads": 1, "seconds": 0.1 }'
expect_exit 2 "a suite name with ../ is refused" render --out "$TMP/jobs/deep" "$TMP/up.json"
check "and no job is written outside --out" sh -c '! ls "$0"/*.yaml "$0"/../*.yaml > /dev/null 2>&1' "$TMP/jobs"
suite "$TMP/empty.json" "empty" '{ "threads": [], "seconds": 0.1 }'
expect_exit 2 "a suite with an empty sweep is refused (no crash)" render --out "$TMP/jobs" "$TMP/empty.json"
check "saying it has no cases" grep -q "no cases\|empty sweep" "$TMP/stderr"
suite "$TMP/ok.json" "lava-untrusted" '{ "threads": 1, "seconds": 0.1 }'
echo 'outside' > "$TMP/outside"
ln -s "$TMP/outside" "$TMP/jobs/lava-untrusted-debian-6.12-x86_64.yaml"
expect_exit 2 "a job path that is a symlink out of --out is refused" render --out "$TMP/jobs" "$TMP/ok.json"
stderr_has "is not inside $TMP/jobs" "saying where it points"
check "and the file it points to is untouched" test "$(cat "$TMP/outside")" = outside
rm "$TMP/jobs/lava-untrusted-debian-6.12-x86_64.yaml"

# a parameter value that closes a single quote: one shell word all the same
suite "$TMP/sh.json" "lava-untrusted" "{ \"threads\": 1, \"seconds\": 0.1, \"dir\": \"/dev/shm/x';touch $CANARY;'\" }"
expect_exit 0 "a job with a quote in a parameter renders" render --out "$TMP/jobs" "$TMP/sh.json"
$PY - "$(cat "$TMP/stdout")" > "$TMP/steps.sh" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
test = [a["test"] for a in job["actions"] if "test" in a][0]
for s in test["definitions"][0]["repository"]["run"]["steps"]:
    print(s.replace("/bin/faultline-agent", "true"))
PY
PATH=$TMP/bin:$PATH sh "$TMP/steps.sh" > /dev/null 2>&1
check "its steps run no part of the parameter as a command" test ! -e "$CANARY"
rm -f "$CANARY"

# a parameter value with shell and YAML syntax (fault-scale's --dir is a free string)
DIRJSON=$($PY -c 'import json,sys; c=sys.argv[1]
print(json.dumps("/dev/shm/a\x27b\"c $(touch %s);touch %s;\x27\\\\x \x01\x1b\x7f|\x85|\u2028|\ufeff|\u00e9|\U0001f600" % (c, c)))' "$CANARY")
suite "$TMP/evil.json" "lava-untrusted" "{ \"threads\": 1, \"seconds\": 0.1, \"dir\": $DIRJSON }"
expect_exit 0 "a job with a hostile parameter value renders" render --out "$TMP/jobs" "$TMP/evil.json"
JOB=$(cat "$TMP/stdout")
check "the job is ASCII only" sh -c '! LC_ALL=C grep -q "[^ -~]" "$0"' "$JOB"
# the steps, with a stand-in agent that records its arguments, one a line, NUL-safe
printf '#!/bin/sh\nfor a; do printf "%%s\\0" "$a"; done > %s\n' "$TMP/args" > "$TMP/fake-agent"
chmod +x "$TMP/fake-agent"
$PY - "$JOB" "$TMP/fake-agent" > "$TMP/steps.sh" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
test = [a["test"] for a in job["actions"] if "test" in a][0]
for s in test["definitions"][0]["repository"]["run"]["steps"]:
    print(s.replace("/bin/faultline-agent", sys.argv[2]))
PY
check "a YAML reader reads the job" test -s "$TMP/steps.sh"
PATH=$TMP/bin:$PATH sh "$TMP/steps.sh" > "$TMP/steps.out" 2>&1
check "no word of the parameter ran as a command" test ! -e "$CANARY"
check "the agent got the parameter as one word, byte for byte" $PY -c 'import json,sys
args = open(sys.argv[1], "rb").read().split(b"\0")
v = json.loads(sys.argv[2]).encode()
assert b"--param=dir=" + v in args or b"--dir=" + v in args, (v, args)' "$TMP/args" "$DIRJSON"
check "the plan marker the step printed decodes to the plan entry" $PY -c 'import base64,json,sys
l = [x for x in open(sys.argv[1]) if x.startswith("FAULTLINE-PLAN 0 ")][0]
e = json.loads(base64.b64decode(l.split()[2]))
assert e["workload"] == "fault-scale" and e["params"]["dir"] == json.loads(sys.argv[2]), e' "$TMP/steps.out" "$DIRJSON"
done_testing
