#!/usr/bin/env bash
# faultline lava status|wait|fetch against a mock LAVA REST API on 127.0.0.1 (the real server:
# tests/slow/lava_server.sh). The mock answers as lava-server 2023.01 does (jobs/ID/,
# jobs/ID/logs/, jobs/ID/junit/, devices/NAME/, workers/NAME/) for: job 42 Complete (its log made
# by running a rendered job's steps here), 43 still Running on a device whose worker is
# Offline, 44 Canceled after its first case, 45 an answer with a terminal escape, another job's
# id and a path for a device, 46 a 5 s answer (--max-time 1), 47 and 48 jobs of another
# candidate and suite, 49 Incomplete with a traceback. Checks: the progress lines and one
# sentence per job that did not complete, the others going on; fetch builds a run dir that
# validates, is resumable (what was fetched is kept, the rest fetched on the next run) and
# takes nothing from the server as a path; job ids must be numbers; the token is sent as the
# Authorization header and is in no file fetch writes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lava_lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites/tiny.json
PY=/usr/bin/python3

: > "$TMP/initrd.gz"
expect_exit 0 "lava render --per-round two kernels" "$F" lava render --kernel debian-6.12 \
	--kernel "$FL_ROOT/tests/fixtures/lava/qemu-device.yaml" --arch x86_64 --per-round \
	--initramfs "$TMP/initrd.gz" --out "$TMP/jobs" "$S"
mapfile -t J < "$TMP/stdout"
check "four jobs, in the order A0 B0 B1 A1" sh -c 'test "$#" = 4 && case "$1$2$3$4" in
	*debian-6.12-x86_64-r0.yaml*qemu-device.yaml-x86_64-r0.yaml*qemu-device.yaml-x86_64-r1.yaml*debian-6.12-x86_64-r1.yaml) ;; *) exit 1 ;; esac' sh "${J[@]}"
check "round 0 has the warm-ups and iteration 0 (4 cases), round 1 iteration 1 (2)" sh -c \
	'test "$(grep -c FAULTLINE-PLAN "$0")" = 4 && test "$(grep -c FAULTLINE-PLAN "$1")" = 2 && grep -q "FAULTLINE-PLAN 5 " "$1"' "${J[0]}" "${J[3]}"
check "device_type qemu by default" grep -qx 'device_type: "qemu"' "${J[0]}"
expect_exit 0 "--device-type names the lab's QEMU type" "$F" lava render --kernel debian-6.12 --arch x86_64 \
	--device-type qemu-tcg --initramfs "$TMP/initrd.gz" --out "$TMP/jobs3" "$S"
check "in the job" grep -qx 'device_type: "qemu-tcg"' "$(cat "$TMP/stdout")"
expect_exit 2 "a --device-type that is not a name is refused" "$F" lava render --kernel debian-6.12 --arch x86_64 \
	--device-type 'qemu"x' --initramfs "$TMP/initrd.gz" --out "$TMP/jobs3" "$S"
expect_exit 2 "the same --kernel twice is refused" "$F" lava render --kernel debian-6.12 --kernel debian-6.12 \
	--arch x86_64 --initramfs "$TMP/initrd.gz" --out "$TMP/jobs2" "$S"
stderr_has "is given twice" "saying so"

# the jobs' steps run here make the log of job 42 (A0 and A1 together: one run of A)
expect_exit 0 "lava render one job" "$F" lava render --kernel debian-6.12 --arch x86_64 \
	--initramfs "$TMP/initrd.gz" --out "$TMP/one" "$S"
JOB=$(cat "$TMP/stdout")
lava_local_steps "$JOB" "$TMP/steps.sh"
PATH=$TMP/bin:$PATH sh "$TMP/steps.sh" 2>&1 | $PY -c 'import sys, json
for line in sys.stdin:
    print("- " + json.dumps({"dt": "2026-01-01T00:00:00", "lvl": "target", "msg": line.rstrip("\n")}))' > "$TMP/log.yaml"
# job 44's log: cut after its first case
awk '/FAULTLINE-CASE 1 /{exit} {print}' "$TMP/log.yaml" > "$TMP/log44.yaml"

cat > "$TMP/mock.py" <<'PY'
import http.server, json, os, sys, time
port_file, jobfile, log, log44, hits = sys.argv[1:6]
definition = open(jobfile).read()
def job(i, state, health, dev="qemu-01", comment=None):
    return {"id": i, "state": state, "health": health, "actual_device": dev,
            "requested_device_type": "qemu", "definition": "re-dumped",
            "original_definition": definition, "failure_comment": comment,
            "token": "jobtoken", "submitter": "faultline"}
JOBS = {42: job(42, "Finished", "Complete"), 43: job(43, "Running", "Unknown"),
        44: job(44, "Finished", "Canceled", comment="canceled by faultline"),
        45: dict(job(45, "Finished\x1b[2J", "Complete", dev="../../etc"), id=46),
        46: job(46, "Running", "Unknown"),
        47: dict(job(47, "Finished", "Complete"), original_definition=definition.replace(
            'faultline.candidate: "debian-6.12"', 'faultline.candidate: "other\x1b"')),
        48: dict(job(48, "Finished", "Complete"), original_definition=definition.replace(
            'faultline.suite: "tiny"', 'faultline.suite: "quick"')),
        49: job(49, "Finished", "Incomplete",
                comment="Traceback (most recent call last):\n  File \"x.py\"\nJobError: boot failed\n\n")}
class H(http.server.BaseHTTPRequestHandler):
    def answer(self, code, body, ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.end_headers()
        self.wfile.write(body if isinstance(body, bytes) else json.dumps(body).encode())
    def do_GET(self):
        open(hits, "a").write(self.path + " " + str(self.headers["Authorization"]) + "\n")
        if self.headers["Authorization"] != "Token s3cret":
            return self.answer(401, {"detail": "Invalid token."})
        p = self.path.split("/")
        if self.path == "/api/v0.2/devices/qemu-01/":
            return self.answer(200, {"hostname": "qemu-01", "state": "Running", "health": "Good",
                                     "worker_host": "w1"})
        if self.path == "/api/v0.2/workers/w1/":
            return self.answer(200, {"hostname": "w1", "state": "Offline", "health": "Active"})
        if len(p) >= 6 and p[3] == "jobs" and p[4].isdigit() and int(p[4]) in JOBS:
            i = int(p[4])
            if i == 46:
                time.sleep(5)
            if p[5] == "":
                return self.answer(200, JOBS[i])
            if p[5] == "logs":
                return self.answer(200, open(log44 if i == 44 else log, "rb").read(), "application/yaml")
            if p[5] == "junit":
                return self.answer(200, b"<testsuites/>", "application/xml")
        self.answer(404, {"detail": "Not found."})
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
$PY "$TMP/mock.py" "$TMP/port" "$JOB" "$TMP/log.yaml" "$TMP/log44.yaml" "$TMP/hits" &
mock=$!
trap 'kill $mock 2> /dev/null; keep_consoles; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
URL=http://127.0.0.1:$(cat "$TMP/port")
printf 's3cret\n' > "$TMP/token" && chmod 600 "$TMP/token"
SRV=(--url "$URL" --token-file "$TMP/token")

expect_exit 0 "lava status of a finished job" "$F" lava status "${SRV[@]}" 42
check "one line: Finished, Complete on its device" grep -q "^job 42: Finished, Complete on qemu-01" "$TMP/stdout"
check "the token went as the Authorization header" grep -q "^/api/v0.2/jobs/42/ Token s3cret$" "$TMP/hits"
expect_exit 2 "a job id that is not a number is refused" "$F" lava status "${SRV[@]}" "42/../1"
stderr_has "job id 42/../1 is not a job number" "naming it"
expect_exit 2 "a job id of 0 is refused" "$F" lava wait "${SRV[@]}" 0
expect_exit 3 "a job the server does not have is one sentence" "$F" lava status "${SRV[@]}" 7
stderr_has "has no job 7 (HTTP 404: \"Not found.\")" "with the server's word"
expect_exit 2 "status has no --out" "$F" lava status "${SRV[@]}" --out "$TMP/x" 42
expect_exit 2 "--token is refused" "$F" lava wait --url "$URL" --token s3cret 42
stderr_has "give --token-file FILE, or set FAULTLINE_LAVA_TOKEN" "naming the alternatives"
printf 'wrong\n' > "$TMP/wrong" && chmod 600 "$TMP/wrong"
expect_exit 3 "a refused token is one sentence" "$F" lava status --url "$URL" --token-file "$TMP/wrong" 42
stderr_has "refused the token for job 42 (HTTP 401" "saying so"

t0=$(date +%s)
expect_exit 3 "lava wait: one job Complete, one still Running at --timeout 2" "$F" lava wait "${SRV[@]}" \
	--timeout 2 --interval 1 42 43
check "within a few seconds" test $(( $(date +%s) - t0 )) -le 8
check "a progress line per job" sh -c 'grep -q "^job 42: Finished, Complete on qemu-01" "$0" && grep -q "^job 43: Running on qemu-01" "$0"' "$TMP/stdout"
stderr_has "job 43 is still Running after --timeout 2 s; device qemu-01 is Running, health Good, and its worker w1 is Offline" \
	"one sentence naming the device and its offline worker"
check "and only that one" test "$(wc -l < "$TMP/stderr")" = 1
expect_exit 3 "lava wait: a canceled job is one sentence" "$F" lava wait "${SRV[@]}" --timeout 5 44 42
stderr_has "job 44 was canceled on the server" "saying so"
expect_exit 3 "lava wait: an Incomplete job is one sentence" "$F" lava wait "${SRV[@]}" --timeout 5 49
stderr_has "job 49 ended Incomplete on qemu-01 (JobError: boot failed); the cases it finished can be fetched" "with the last line of the server's comment"
expect_exit 3 "an answer for another job, with an escape and a path, is refused" "$F" lava status "${SRV[@]}" 45
stderr_has "is not that job" "saying so"
check "no escape reached the terminal" sh -c '! grep -q "$(printf "\033")" "$0" "$1"' "$TMP/stdout" "$TMP/stderr"
expect_exit 3 "a slow answer is given up (--max-time 1)" "$F" lava status "${SRV[@]}" --max-time 1 46
stderr_has "did not answer in time" "saying so"

# fetch: 42 complete, 43 running: one sentence, the rest built; the second fetch keeps 42
expect_exit 3 "lava fetch 42 43: 43 is not finished" "$F" lava fetch "${SRV[@]}" --out "$TMP/run" 42 43
stderr_has "job 43 is still Running on qemu-01: its log is not fetched yet; run lava fetch again" "one sentence"
check "job 42's log, definition, results and state are kept" sh -c 'cd "$0"/lava && test -s job-42.log.yaml -a -s job-42.definition.yaml -a -s job-42.junit.xml -a -s job-42.json' "$TMP/run"
check "job 43's definition is kept, it has no log yet" sh -c 'test -s "$0"/lava/job-43.definition.yaml -a ! -e "$0"/lava/job-43.log.yaml' "$TMP/run"
check "the saved definition is the one submitted (not the server's re-dump)" cmp -s "$JOB" "$TMP/run/lava/job-42.definition.yaml"
check "the run dir validates" sh -c '"$0" validate "$1"/run.json "$1"/cases/*.json > /dev/null' "$F" "$TMP/run"
check "6 cases ok, candidate debian-6.12 in job-42.json" sh -c 'test "$(grep -c "\"status\": \"ok\"" "$0"/run.json)" = 6 && grep -q "\"faultline.candidate\": \"debian-6.12\"" "$0"/lava/job-42.json' "$TMP/run"
check "nothing of the server's job token or the API token in the fetched files" sh -c '! grep -rq "jobtoken\|s3cret" "$0"' "$TMP/run"
: > "$TMP/hits"
expect_exit 3 "fetch again: 42 is kept, not fetched again" "$F" lava fetch "${SRV[@]}" --out "$TMP/run" 42 43
check "it says so" grep -q "^job 42: fetched before (Complete), kept" "$TMP/stdout"
check "and asked the server about 43 only" sh -c '! grep -q "jobs/42/" "$0" && grep -q "jobs/43/" "$0"' "$TMP/hits"
expect_exit 3 "fetch a canceled job: the case it finished" "$F" lava fetch "${SRV[@]}" --out "$TMP/c" 44
stderr_has "job 44 was canceled on the server" "one sentence"
check "case 0 ok, the others failed, the run interrupted" $PY -c 'import json,sys
d = json.load(open(sys.argv[1])); c = d["cases"]
assert d["state"] == "interrupted" and c[0]["status"] == "ok" and all(x["status"] == "failed" for x in c[1:]), d' "$TMP/c/run.json"
expect_exit 3 "fetch the complete job into that dir too (44 is still said)" "$F" lava fetch "${SRV[@]}" --out "$TMP/c" 44 42
check "complete now" test "$(jget "$TMP/c/run.json" "['state']")" = complete
expect_exit 3 "an answer that is not that job stops only that job" "$F" lava fetch "${SRV[@]}" --out "$TMP/d" 45 42
check "job 42 is fetched all the same" test -s "$TMP/d/lava/job-42.log.yaml"
check "nothing is written outside --out" test ! -e "$TMP/etc"
mkdir -p "$TMP/pl/lava" && echo keep > "$TMP/victim"
ln -s "$TMP/victim" "$TMP/pl/lava/job-42.log.yaml.part"
ln -s "$TMP/victim" "$TMP/pl/lava/job-42.junit.xml"
ln -s "$TMP/victim" "$TMP/pl/lava/job-42.definition.yaml"
expect_exit 0 "fetch into a dir with links planted at its file names" "$F" lava fetch "${SRV[@]}" --out "$TMP/pl" 42
check "no link was followed" sh -c 'test "$(cat "$0")" = keep && test -f "$1"/lava/job-42.log.yaml -a ! -L "$1"/lava/job-42.junit.xml' "$TMP/victim" "$TMP/pl"
expect_exit 2 "fetch needs --out" "$F" lava fetch "${SRV[@]}" 42
expect_exit 2 "two candidates' jobs into one run dir are refused" "$F" lava fetch "${SRV[@]}" --out "$TMP/mixed" 42 47
stderr_has "job 42 ran candidate debian-6.12 and job 47 candidate other?: give one kernel's jobs of one suite per --out DIR" "naming both"
check "and no run is built" test ! -e "$TMP/mixed/run.json"
expect_exit 2 "two suites' jobs into one run dir are refused" "$F" lava fetch "${SRV[@]}" --out "$TMP/mixed" 42 48
stderr_has "job 42 ran suite tiny and job 48 suite quick" "naming both"
done_testing
