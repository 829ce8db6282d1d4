#!/usr/bin/env bash
# faultline lava: a rendered job passes lava-common's own schema validator; its test steps,
# run here with the local agent and a stand-in lava-test-case, printed as lava-dispatcher's
# YAML log, are collected into a run directory that validates and that faultline compare
# accepts (a tampered case document is refused by its sha256); submit posts to a mock LAVA
# REST API on 127.0.0.1 the headers and body LAVA expects. (lava-run itself: see runner/README.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lava_lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites/tiny.json
PY=/usr/bin/python3	# Debian's python: lava_common lives there

expect_exit 0 "lava render writes a job" "$F" lava render --kernel debian-6.12 --arch x86_64 --out "$TMP/jobs" "$S"
JOB=$(cat "$TMP/stdout")
check "the job file exists" test -s "$JOB"
if $PY -c 'import lava_common.schemas' 2> /dev/null; then
	check "lava-common's validator accepts the job (strict)" $PY -c 'import sys, yaml
from lava_common.schemas import validate
validate(yaml.safe_load(open(sys.argv[1])), strict=True)' "$JOB"
else
	skip "lava-common is not installed (apt-get install lava-common)"
fi
# Run the job's test steps here: the agent path mapped to ours, lava-test-case printing
# LAVA's marker; every output line wrapped as a lava-dispatcher log entry.
lava_local_steps "$JOB" "$TMP/steps.sh"
PATH=$TMP/bin:$PATH sh "$TMP/steps.sh" 2>&1 | $PY -c 'import sys, json, datetime
for line in sys.stdin:
    print("- " + json.dumps({"dt": datetime.datetime.now().isoformat(), "lvl": "target", "msg": line.rstrip("\n")}))' > "$TMP/log.yaml"
check "the steps printed a LAVA test-case marker per case" test "$(grep -c 'LAVA_SIGNAL_TESTCASE.*RESULT=pass' "$TMP/log.yaml")" = 6
expect_exit 0 "lava collect turns the log into a run" "$F" lava collect "$TMP/log.yaml" --out "$TMP/run"
check "run.json and every case validate" sh -c '"$0" validate "$1"/run.json "$1"/cases/*.json > /dev/null' "$F" "$TMP/run"
check "the run says target lava and is complete" $PY -c 'import json,sys
d=json.load(open(sys.argv[1])); assert d["state"]=="complete" and d["run"]["target"]["kind"]=="lava" and len(d["cases"])==6' "$TMP/run/run.json"
expect_exit 0 "a local run of the suite" "$F" run --out "$TMP/local" "$S"
expect_exit 0 "faultline compare accepts the collected run" "$F" compare "$TMP/local" "$TMP/run"
check "the comparison names records_per_s" grep -q records_per_s "$TMP/stdout"
# tamper with one case document inside the log: its sha256 no longer matches
$PY - "$TMP/log.yaml" > "$TMP/bad.yaml" <<'PY'
import sys
done = False
for line in open(sys.argv[1]):
    if not done and "FAULTLINE-CASE 1 " in line:
        line = line[:-20] + "AAAA" + line[-16:]
        done = True
    sys.stdout.write(line)
PY
expect_exit 0 "a log with a damaged case document still collects" "$F" lava collect "$TMP/bad.yaml" --out "$TMP/run2"
stderr_has "failed their sha256 or schema check" "and says one was not used"
check "that case is failed with a reason, the run interrupted" $PY -c 'import json,sys
d=json.load(open(sys.argv[1])); c=d["cases"][1]; assert d["state"]=="interrupted" and c["status"]=="failed" and "no case document" in c["reason"]' "$TMP/run2/run.json"
echo 'nothing here' > "$TMP/empty.log"
expect_exit 2 "a log without markers is refused" "$F" lava collect "$TMP/empty.log" --out "$TMP/run3"
stderr_has "no faultline case in $TMP/empty.log" "naming the log"
: > "$TMP/not-a-dir"
expect_exit 3 "a good log whose run directory cannot be made is an environment error" \
	"$F" lava collect "$TMP/bad.yaml" --out "$TMP/not-a-dir/run4"
stderr_has "cannot create $TMP/not-a-dir/run4" "naming the directory"

# submit against a mock LAVA REST API that checks what we send; in "hold" mode it says when a
# request arrived and answers only once the test has looked at /proc
cat > "$TMP/mock.py" <<'PY'
import http.server, json, os, sys, time
port_file, job, hits, mode = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if mode == "hold":
            open(hits + ".arrived", "w").close()
            for _ in range(300):
                if os.path.exists(hits + ".release"):
                    break
                time.sleep(0.1)
        ok = (self.path == "/api/v0.2/jobs/" and self.headers["Authorization"] == "Token s3cret"
              and self.headers["Content-Type"] == "application/json"
              and json.loads(body) == {"definition": job})
        self.send_response(201 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"job_ids": [42]} if ok else {"detail": "Invalid token."}).encode())
        open(hits, "a").write(("ok" if ok else "bad") + "\n")
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
# a server that takes the connection and never answers
cat > "$TMP/mute.py" <<'PY'
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
PY
start_mock() {	# start_mock NAME SCRIPT ARGS...: the URL in $URL, the pid in $mock_NAME
	local name=$1 script=$2; shift 2
	$PY "$TMP/$script" "$TMP/$name.port" "$@" &
	eval "mock_$name=$!"
	for _ in $(seq 50); do [ -s "$TMP/$name.port" ] && break; sleep 0.1; done
	URL=http://127.0.0.1:$(cat "$TMP/$name.port")
}
lava_tmp() { ls -d /tmp/faultline-lava-* 2> /dev/null | sort; }
lava_tmp > "$TMP/lava-tmp.before"
printf 's3cret\n' > "$TMP/token" && chmod 600 "$TMP/token"
start_mock mock mock.py "$JOB" "$TMP/hits" normal
expect_exit 0 "lava submit posts the job (--token-file)" "$F" lava submit --url "$URL" --token-file "$TMP/token" "$JOB"
check "the server saw the right path, token, content type and body, and answered a job id" sh -c 'grep -qx ok "$0" && grep -qx "$2: job 42" "$1"' "$TMP/hits" "$TMP/stdout" "$JOB"
rm -f "$TMP/hits"
expect_exit 0 "lava submit takes the token from FAULTLINE_LAVA_TOKEN" env FAULTLINE_LAVA_TOKEN=s3cret "$F" lava submit --url "$URL/" "$JOB"
check "and the server accepted it" grep -qx ok "$TMP/hits"
printf 'wrong\n' > "$TMP/wrong" && chmod 600 "$TMP/wrong"
expect_exit 3 "a refused token is an environment error" "$F" lava submit --url "$URL/" --token-file "$TMP/wrong" "$JOB"
stderr_has "refused the token for a job submission (HTTP 401: \"Invalid token.\")" "saying so, with the server's word"
expect_exit 2 "--token on the command line is refused" "$F" lava submit --url "$URL" --token s3cret "$JOB"
stderr_has "give --token-file FILE, or set FAULTLINE_LAVA_TOKEN" "naming the alternatives"
chmod 644 "$TMP/token"
expect_exit 2 "a token file others can read is refused" "$F" lava submit --url "$URL" --token-file "$TMP/token" "$JOB"
stderr_has "can be read by group or others" "saying why"
chmod 600 "$TMP/token"
expect_exit 2 "submit without a token is a usage error" env -u FAULTLINE_LAVA_TOKEN "$F" lava submit --url "$URL" "$JOB"
stderr_has "--token-file FILE" "naming where the token goes"
kill $mock_mock

# while curl runs: the token is in no process's argv, nor in curl's environment, nor in a file
start_mock hold mock.py "$JOB" "$TMP/held" hold
FAULTLINE_LAVA_TOKEN=s3cret "$F" lava submit --url "$URL" "$JOB" > "$TMP/held.out" 2> "$TMP/held.err" &
sub=$!
for _ in $(seq 100); do [ -e "$TMP/held.arrived" ] && break; sleep 0.1; done
curlpid=$(pgrep -P $sub -x curl)
check "curl is running, holding the request" test -n "$curlpid"
check "the token is in no process's command line" sh -c '! grep -qs "s3cr[e]t" /proc/[0-9]*/cmdline'
check "nor in curl's environment" sh -c '! tr "\0" "\n" < /proc/$0/environ | grep -q s3cret' "$curlpid"
check "nor in a temporary file" sh -c '! grep -qrs s3cret /tmp/faultline-lava-*'
touch "$TMP/held.release"
wait $sub
check "the held request completes (exit 0)" test $? = 0
check "with the right token" grep -qx ok "$TMP/held"

# SIGTERM while curl runs: curl stops, faultline exits 128+15, nothing is left in /tmp
rm -f "$TMP/held.arrived" "$TMP/held.release"
FAULTLINE_LAVA_TOKEN=s3cret "$F" lava submit --url "$URL" "$JOB" > "$TMP/term.out" 2> "$TMP/term.err" &
sub=$!
for _ in $(seq 100); do [ -e "$TMP/held.arrived" ] && break; sleep 0.1; done
curlpid=$(pgrep -P $sub -x curl)
kill -TERM $sub
wait $sub
check "SIGTERM stops lava submit (exit 143)" test $? = 143
check "curl is stopped too" sh -c '! kill -0 "$0" 2> /dev/null' "${curlpid:-0}"
check "no temporary file is left" sh -c 'lava_tmp() { ls -d /tmp/faultline-lava-* 2> /dev/null | sort; }; lava_tmp | cmp -s - "$0"' "$TMP/lava-tmp.before"
touch "$TMP/held.release"
kill $mock_hold

# a server that never answers: --max-time bounds the wait
start_mock mute mute.py
t0=$(date +%s)
expect_exit 3 "a server that never answers is given up (--max-time 2)" env FAULTLINE_LAVA_TOKEN=s3cret "$F" lava submit --url "$URL" --max-time 2 "$JOB"
check "within a few seconds" test $(( $(date +%s) - t0 )) -le 8
stderr_has "did not answer in time" "saying it timed out"
expect_exit 2 "a bad --max-time is a usage error" env FAULTLINE_LAVA_TOKEN=s3cret "$F" lava submit --url "$URL" --max-time 0 "$JOB"
stderr_has "--max-time wants seconds, more than 0 and at most 86400, not '0'" "naming the option"
kill $mock_mute
done_testing
