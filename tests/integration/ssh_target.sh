#!/usr/bin/env bash
# faultline run --target ssh:root@127.0.0.1:PORT against a real sshd this test starts on the
# loopback interface (high port, throwaway host and user keys in $TMP, nothing in /etc or
# ~/.ssh): the same schema-valid cases as the local target; a connection killed mid-case is
# survived (the case runs again); a host that does not come back stops the run resumable and
# --resume finishes it; unknown arch, wrong kernel, bad specs and an unreachable host refused.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites
. "$(dirname "$0")/ssh_lib.sh"

ssh_require
# Kill the per-connection sshd processes (children of the listener) once a case is running.
kill_connections() {
	local l
	for _ in $(seq 150); do
		pgrep -f "faultline-agent-[0-9a-f]*/faultline-agent ebizzy" > /dev/null && break
		sleep 0.1
	done
	sleep 0.5
	l=$(cat "$TMP/sshd.pid")
	kill $(pgrep -P "$l") 2> /dev/null
	[ "${1:-}" = listener ] && kill "$l" && rm -f "$TMP/sshd.pid"
}
same_cases() {	# the same case files with the same workload, params, warm-up and status
	python3 - "$1" "$2" <<'EOF'
import json, os, sys
a, b = (sorted(os.listdir(d + "/cases")) for d in sys.argv[1:3])
assert a == b, (a, b)
for f in a:
	x, y = (json.load(open(d + "/cases/" + f))["case"] for d in sys.argv[1:3])
	for k in ("workload", "params", "iteration", "warmup", "status"):
		assert x[k] == y[k], (f, k, x[k], y[k])
	assert set(x["metrics"]) == set(y["metrics"]), f
EOF
}
valid_all() { "$F" validate "$1"/run.json "$1"/cases/*.json > /dev/null; }

if ! start_sshd; then
	notok "start sshd on 127.0.0.1:$PORT ($(tail -3 "$TMP/sshd.log" 2>/dev/null))"
	done_testing
	exit
fi
ok "sshd up on 127.0.0.1:$PORT with throwaway keys"

expect_exit 0 "the tiny suite runs over ssh" "$F" run --target "$T" --out "$TMP/s" "$S/tiny.json"
grep -o '/tmp/faultline-agent-[0-9a-f]*' "$TMP/stdout" | head -1 > "$TMP/agentdir"
check "run.json and every case validate" valid_all "$TMP/s"
check "run.json says target ssh and names the host" test "$(jget "$TMP/s/run.json" "['run']['target']['kind']")/$(jget "$TMP/s/run.json" "['run']['target']['host']")" = "ssh/root@127.0.0.1:$PORT"
check "a case says target ssh" test "$(jget "$TMP/s/cases/0001-ebizzy-i0.json" "['run']['target']['kind']")" = ssh
check "no temporary files are left in cases/" test -z "$(ls -A "$TMP/s/cases" | grep '^\.')"
expect_exit 0 "the same suite runs locally" "$F" run --out "$TMP/l" "$S/tiny.json"
check "ssh and local give the same cases (files, params, status, metrics)" same_cases "$TMP/s" "$TMP/l"

"$F" run --target "$T" --out "$TMP/k" "$S/ssh-drop.json" > "$TMP/k.out" 2>&1 &
runpid=$!
kill_connections
wait $runpid
check "a connection killed mid-case is survived (exit 0)" test $? = 0
check "it says it lost the connection and ran the case again" grep -q "lost connection to root@127.0.0.1:$PORT.*back after.*running the case again" "$TMP/k.out"
check "the case log records the lost connection" grep -q "lost connection to root@127.0.0.1:$PORT" "$TMP/k/logs/0000.log"
check "every case is ok and valid" sh -c 'valid_all() { "$0" validate "$1"/run.json "$1"/cases/*.json > /dev/null; }; valid_all "$1" && ! grep -q "\"status\": \"\(failed\|interrupted\)\"" "$1"/run.json' "$F" "$TMP/k"

FAULTLINE_SSH_RECONNECT_S=2 "$F" run --target "$T" --out "$TMP/g" "$S/ssh-drop.json" > "$TMP/g.out" 2> "$TMP/g.err" &
runpid=$!
kill_connections listener
wait $runpid
rc=$?
check "a host that does not come back stops the run (exit 130, resumable)" test $rc = 130
check "it says how to resume" grep -q "faultline run --resume $TMP/g --target $T" "$TMP/g.err"
check "the case is interrupted with 'lost connection to HOST'" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); c=d["cases"][0]; assert d["state"]=="interrupted", d["state"]
assert c["status"]=="interrupted" and c["reason"].startswith("lost connection to root@127.0.0.1"), c' "$TMP/g/run.json"
check "sshd starts again" start_sshd
expect_exit 0 "--resume finishes the run when the host is back" "$F" run --resume "$TMP/g" --target "$T"
check "the resumed run is complete, every case ok and valid" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert d["state"]=="complete" and all(c["status"]=="ok" for c in d["cases"]), d["cases"]' "$TMP/g/run.json"
check "and validates" valid_all "$TMP/g"

expect_exit 3 "a host of an arch we have no agent for is refused" "$F" run --target "ssh:root@127.0.0.1:$FPORT" --out "$TMP/x" "$S/tiny.json"
stderr_has "is riscv64 and there is no faultline agent built for riscv64" "naming the arch"
expect_exit 3 "a host not running the --kernel candidate is refused" "$F" run --target "$T" --kernel debian-6.12 --out "$TMP/x" "$S/tiny.json"
stderr_has "not candidate debian-6.12" "naming the candidate"
expect_exit 2 "an --arch that is not the host's is a usage error" "$F" run --target "$T" --arch s390x --out "$TMP/x" "$S/tiny.json"
stderr_has "--arch s390x, but root@127.0.0.1:$PORT is" "naming both arches"
expect_exit 2 "ssh: without a host is a usage error" "$F" run --target ssh: --out "$TMP/x" "$S/tiny.json"
stderr_has "expected ssh:[USER@]HOST[:PORT]" "saying the form"
expect_exit 2 "a bad port is a usage error" "$F" run --target ssh:root@127.0.0.1:70000 --out "$TMP/x" "$S/tiny.json"
kill "$(cat "$TMP/sshd.pid")" && rm -f "$TMP/sshd.pid"
expect_exit 3 "an unreachable host is an environment error" "$F" run --target "$T" --out "$TMP/x" "$S/tiny.json"
stderr_has "cannot reach root@127.0.0.1:$PORT over ssh" "saying which host"
check "no run directory is made for a refused run" test ! -e "$TMP/x"
done_testing
