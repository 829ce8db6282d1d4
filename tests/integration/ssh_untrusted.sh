#!/usr/bin/env bash
# The ssh target against a host whose local users are not trusted (a real sshd on 127.0.0.1,
# ssh_lib.sh): the agent cache /tmp/faultline-agent-HASH is trusted by nothing but sha256
# and its own owner and mode. A planted agent (with the old `.complete` marker), a planted
# library, a cache dir with the wrong mode, the wrong owner or a symlink, and an agent
# swapped between two cases of one run are all found and replaced: the planted program (it
# makes a canary file) never runs. A suite name with shell syntax never reaches the shell.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites
. "$(dirname "$0")/ssh_lib.sh"

ssh_require
CANARY=/tmp/faultline-h4-canary-$$
rm -f "$CANARY"
if ! start_sshd; then
	notok "start sshd on 127.0.0.1:$PORT ($(tail -3 "$TMP/sshd.log" 2>/dev/null))"
	done_testing
	exit
fi

# one ebizzy case: the cache is checked in prepare and again in the case's own command
cat > "$TMP/one.json" <<'EOS'
{ "name": "ssh-untrusted", "iterations": 1, "warmup": 0, "timeout_s": 60,
  "cases": [ { "workload": "ebizzy", "params": { "threads": 1, "seconds": 0.2 } } ] }
EOS
n=0
run_one() {	# run the one-case suite; exit status 0 and the case ok
	n=$((n + 1))
	"$F" run --target "$T" --out "$TMP/r$n" "$TMP/one.json" > "$TMP/stdout" 2> "$TMP/stderr" &&
		grep -q '"status": "ok"' "$TMP/r$n/run.json"
}
plant() {	# a program that leaves a canary, where the agent should be, with the old marker
	printf '#!/bin/sh\ntouch %s\necho "{}"\n' "$CANARY" > "$1/faultline-agent"
	chmod 755 "$1/faultline-agent"
	touch "$1/.complete"
}
dir_is_safe() { test "$(stat -c '%u %a %F' "$D")" = "0 700 directory"; }
same_agent() { cmp -s "$FL_BIN/faultline-agent" "$D/faultline-agent"; }

check "a first run fills the cache" run_one
D=$(grep -o '/tmp/faultline-agent-[0-9a-f]*' "$TMP/stdout" | head -1)
echo "$D" > "$TMP/agentdir"
check "the cache is a root-owned directory with mode 0700" dir_is_safe
check "and holds our agent" same_agent

plant "$D"
check "a planted agent (with .complete) is not run" run_one
check "the planted agent left no canary" test ! -e "$CANARY"
stderr_has "does not match the sha256" "the mismatch is reported"
check "the agent is ours again" same_agent

lib=$(ls "$D/lib" | head -1)
echo 'not a library' > "$D/lib/$lib"
check "a planted library is replaced" run_one
check "the library is ours again" cmp -s "$D/lib/$lib" "$(ldd "$FL_BIN/faultline-agent" | awk -v l="$lib" '$1 == l { print $3 }')"

plant "$D"
chmod 755 "$D"
check "a cache dir with mode 0755 is made again" run_one
check "the planted agent left no canary" test ! -e "$CANARY"
stderr_has "making it again" "saying so"
check "the dir is root's, 0700 again" dir_is_safe

plant "$D"
chown nobody "$D"
check "a cache dir owned by another user is made again" run_one
check "the planted agent left no canary" test ! -e "$CANARY"
check "the dir is root's, 0700 again" dir_is_safe

rm -rf "$D" && mkdir -m 700 "$TMP/elsewhere" && plant "$TMP/elsewhere" && ln -s "$TMP/elsewhere" "$D"
check "a cache dir that is a symlink is made again" run_one
check "the planted agent left no canary" test ! -e "$CANARY"
check "the dir is a real directory, root's, 0700" dir_is_safe
check "the symlink's target was not touched" test -e "$TMP/elsewhere/.complete"

# an agent swapped in while the first of two cases runs: the second case's check finds it
"$F" run --target "$T" --out "$TMP/swap" "$S/ssh-drop.json" > "$TMP/swap.out" 2>&1 &
runpid=$!
for _ in $(seq 150); do
	pgrep -f "faultline-agent-[0-9a-f]*/faultline-agent ebizzy" > /dev/null && break
	sleep 0.1
done
mkdir "$TMP/p" && plant "$TMP/p" && mv "$TMP/p/faultline-agent" "$D/faultline-agent"
wait $runpid
check "an agent swapped in during the run is found (exit 0)" test $? = 0
check "the swapped-in agent left no canary" test ! -e "$CANARY"
check "it says the cache changed during the run" grep -q "changed during the run" "$TMP/swap.out"
check "every case is ok" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert d["state"]=="complete" and all(c["status"]=="ok" for c in d["cases"]), d' "$TMP/swap/run.json"
check "the agent is ours again" same_agent

# a suite name with shell syntax: refused (by the loader, or as a run id), never run remotely
sed 's/"ssh-untrusted"/"x;touch${IFS}${HOME%root}tmp${HOME%root}faultline-h4-canary-'$$';"/' "$TMP/one.json" > "$TMP/evil.json"
"$F" run --target "$T" --out "$TMP/evil" "$TMP/evil.json" > "$TMP/stdout" 2> "$TMP/stderr"
check "a suite name with shell syntax is refused" test $? != 0
check "and no shell ran it on the host" test ! -e "$CANARY"
stderr_has "is not a safe name" "saying the name is not safe"
rm -f "$CANARY"

# a host or user that ssh or scp would take as an option
expect_exit 2 "a host starting with '-' is refused" "$F" run --target "ssh:-oProxyCommand=touch $CANARY" --out "$TMP/x" "$TMP/one.json"
stderr_has "may not start with '-'" "saying why"
expect_exit 2 "a user with shell characters is refused" "$F" run --target "ssh:a;b@127.0.0.1:$PORT" --out "$TMP/x" "$TMP/one.json"
check "nothing ran" test ! -e "$CANARY"
done_testing
