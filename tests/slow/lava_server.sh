#!/usr/bin/env bash
# A real LAVA server end to end, on this machine and on 127.0.0.1 only (tests/slow/lava_server/
# instance.sh: Debian 12's lava-server and lava-dispatcher, a private PostgreSQL cluster, the
# server's copy of /etc/lava-server in a private mount namespace; nothing is left running and
# no file outside the temporary directory is changed; the packages come from
# scripts/deps.sh --slow and stay installed).
#  1. An A/B as LAVA jobs: `lava render --per-round` for two candidates (Debian's 6.12 under two
#     run dirs: no kernel is built here), one job per kernel and round submitted interleaved
#     with `lava submit`, followed with `lava wait`, fetched with `lava fetch` into one run dir
#     per kernel; every case validates and `faultline compare` accepts the two.
#  2. A job canceled on the server mid-run, and a worker (and its lava-run) stopped mid-job:
#     each is one sentence; fetch keeps what it has (a second fetch does not fetch it again)
#     and, once the lost job has ended, gets the rest.
#  3. The API token is never in any process's argv (sampled all along), the run dirs, the
#     fetched definitions, the server's job output or logs, or the worker's files.
. "$(dirname "$0")/lava_server/instance.sh"
lava_ns_enter "$@"
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/lava_lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites/tiny.json
t_start=$SECONDS

if ! "$FL_ROOT/scripts/deps.sh" --slow > "$TMP/deps.log" 2>&1; then
	skip "the slow set's packages cannot be installed ($(tail -1 "$TMP/deps.log"))"
	done_testing; exit
fi
# the candidate's kernel and modules for libguestfs; the worker's env.yaml hands them to lava-run
lava_candidate_modules || { done_testing; exit; }

sampler=
trap 'lava_down; [ -n "$sampler" ] && kill "$sampler" 2> /dev/null; keep_consoles; rm -rf "$TMP"' EXIT
t0=$SECONDS
if ! lava_up "$K/boot/vmlinuz-$V" "$TMP/mods/lib/modules/$V"; then
	notok "the LAVA instance starts: $LAVA_FAILED"
	tail -n 20 "$LV"/log/* 2> /dev/null | sed 's/^/# /'
	done_testing; exit
fi
ok "PostgreSQL, lava-server (gunicorn, scheduler) and a lava-worker are up on $LAVA_URL"
echo "# set-up: ${LAVA_SETUP_S} s (packages and the kernel were there: $((t0 - t_start)) s)"
SRV=(--url "$LAVA_URL" --token-file "$LAVA_TOKEN_FILE")
check "the worker is online and the device qemu-01 is on it" sh -c \
	'lava-server manage devices details qemu-01 | grep "worker *: faultline-worker" > /dev/null'

# (3) sample every process's argv for the token while the test runs (grep -f: the token is
# read from its file, never put on grep's own command line)
: > "$TMP/argv-hits"
( while :; do grep -lsFf "$LAVA_TOKEN_FILE" /proc/[0-9]*/cmdline >> "$TMP/argv-hits"; sleep 0.3; done ) &
sampler=$!

# the cancel and stop steps below reach the API with the token from a header file
(umask 077; printf 'Authorization: Token %s\n' "$(cat "$LAVA_TOKEN_FILE")" > "$LV/auth-header")
api() { curl -sS --max-time 60 -H @"$LV/auth-header" "${LAVA_URL}api/v0.2/$1"; }
# log_has ID TEXT SECONDS: TEXT is in job ID's log on the server within SECONDS
log_has() {
	local i
	for i in $(seq "$3"); do api "jobs/$1/logs/" 2> /dev/null | grep -q "$2" && return 0; sleep 1; done
	return 1
}
ids_of() { sed -n 's/.*: job \([0-9][0-9]*\)$/\1/p' "$1"; }

# --- (1) the A/B: two candidates' jobs, one per round, interleaved
expect_exit 0 "lava render --per-round: candidate A" "$F" lava render --kernel debian-6.12 \
	--arch x86_64 --per-round --out "$TMP/jobs-a" "$S"
mapfile -t A < "$TMP/stdout"
expect_exit 0 "lava render --per-round: candidate B" "$F" lava render --kernel debian-6.12 \
	--arch x86_64 --per-round --out "$TMP/jobs-b" "$S"
mapfile -t B < "$TMP/stdout"
check "one job per round (2 rounds) each" test "${#A[@]}" = 2 -a "${#B[@]}" = 2
check "the job definitions hold no token" sh -c '! grep -qrFf "$0" "$1" "$2"' "$LAVA_TOKEN_FILE" "$TMP/jobs-a" "$TMP/jobs-b"
# rounds in turn, the kernels' order rotating: A0 B0 B1 A1
expect_exit 0 "lava submit the four jobs" "$F" lava submit "${SRV[@]}" "${A[0]}" "${B[0]}" "${B[1]}" "${A[1]}"
mapfile -t IDS < <(ids_of "$TMP/stdout")
check "each job got an id (${IDS[*]})" test "${#IDS[@]}" = 4
IDA=("${IDS[0]}" "${IDS[3]}") IDB=("${IDS[1]}" "${IDS[2]}")
t1=$SECONDS
"$F" lava wait "${SRV[@]}" --timeout 5400 --interval 5 "${IDS[@]}" > "$TMP/wait.out" 2> "$TMP/wait.err"
rc=$?
check "lava wait follows the four jobs to Complete (exit $rc)" test "$rc" = 0
sed 's/^/# /' "$TMP/wait.out" "$TMP/wait.err"
echo "# four jobs: $((SECONDS - t1)) s, $(((SECONDS - t1) / 4)) s a job"
check "and printed a line as each started and finished" sh -c \
	'test "$(grep -c "Running on qemu-01" "$0")" = 4 && test "$(grep -c "Finished, Complete" "$0")" = 4' "$TMP/wait.out"
expect_exit 0 "lava status says each is Complete" "$F" lava status "${SRV[@]}" "${IDS[@]}"
check "four lines" test "$(grep -c 'Finished, Complete on qemu-01' "$TMP/stdout")" = 4
expect_exit 0 "lava fetch A's jobs into one run dir" "$F" lava fetch "${SRV[@]}" --out "$TMP/ab/A" "${IDA[@]}"
expect_exit 0 "lava fetch B's jobs into another" "$F" lava fetch "${SRV[@]}" --out "$TMP/ab/B" "${IDB[@]}"
check "no marker in the server's logs was taken for a bad one" sh -c '! grep -q malformed "$0"' "$TMP/stderr"
for k in A B; do
	check "$k: run.json and every case validate" sh -c '"$0" validate "$1"/run.json "$1"/cases/*.json > /dev/null' "$F" "$TMP/ab/$k"
	check "$k: 6 cases, all ok, the run complete, target lava" python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "complete" and len(d["cases"]) == 6, d["state"]
assert all(c["status"] == "ok" for c in d["cases"]) and d["run"]["target"]["kind"] == "lava"' "$TMP/ab/$k/run.json"
	check "$k: the jobs' logs, definitions and JUnit results are kept" sh -c 'ls "$0"/lava/job-*.log.yaml "$0"/lava/job-*.definition.yaml "$0"/lava/job-*.junit.xml > /dev/null' "$TMP/ab/$k"
done
expect_exit 0 "faultline compare accepts the two run dirs" "$F" compare "$TMP/ab/A" "$TMP/ab/B"
check "the comparison names records_per_s" grep -q records_per_s "$TMP/stdout"
expect_exit 2 "a job id that is not a number is refused" "$F" lava status "${SRV[@]}" "12;rm"
stderr_has "is not a job number" "naming it"
expect_exit 3 "a job that does not exist is one sentence" "$F" lava status "${SRV[@]}" 999999
stderr_has "has no job 999999" "naming it"

# --- (2a) a job canceled on the server once its first case is in (two 40 s cases: the cancel
# lands in the second): one sentence; its finished case is fetched and kept; another suite's
# job is never mixed into A's run dir
expect_exit 0 "lava render a job of two 40 s cases" "$F" lava render --kernel debian-6.12 --arch x86_64 \
	--out "$TMP/jobs-c" "$FL_ROOT/tests/fixtures/lava/cancel-suite.json"
LONG=$(cat "$TMP/stdout")
expect_exit 0 "submit it, to cancel it" "$F" lava submit "${SRV[@]}" "$LONG"
C=$(ids_of "$TMP/stdout")
check "its first case reaches the server's log" log_has "$C" "FAULTLINE-CASE 0 " 1800
api "jobs/$C/cancel/" > /dev/null
expect_exit 3 "lava wait: the canceled job is an environment error" "$F" lava wait "${SRV[@]}" --timeout 600 --interval 3 "$C"
stderr_has "job $C was canceled on the server" "in one sentence"
check "one line on stderr" test "$(wc -l < "$TMP/stderr")" = 1
cp "$TMP/ab/A/run.json" "$TMP/A-run.before"
expect_exit 2 "fetching it into A's run dir (another suite) is refused" "$F" lava fetch "${SRV[@]}" --out "$TMP/ab/A" "${IDA[@]}" "$C"
stderr_has "ran suite tiny and job $C suite lava-cancel" "naming both"
check "and A's run is untouched" cmp -s "$TMP/A-run.before" "$TMP/ab/A/run.json"
expect_exit 3 "lava fetch of the canceled job: one sentence" "$F" lava fetch "${SRV[@]}" --out "$TMP/canceled" "$C"
stderr_has "job $C was canceled on the server; the cases it finished can be fetched" "saying so"
check "its run: interrupted, case 0 ok and case 1 failed with a reason" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); c = d["cases"]
assert d["state"] == "interrupted" and c[0]["status"] == "ok" and c[1]["status"] == "failed" and c[1]["reason"], d' "$TMP/canceled/run.json"
check "case 0 validates" sh -c '"$0" validate "$1"/cases/0000-*.json > /dev/null' "$F" "$TMP/canceled"
cp "$TMP/canceled/cases/"0000-*.json "$TMP/case0.before"
expect_exit 3 "fetch it again: kept, not fetched again" "$F" lava fetch "${SRV[@]}" --out "$TMP/canceled" "$C"
check "says so, and case 0 is as it was" sh -c 'grep -q "fetched before (Canceled), kept" "$0" && cmp -s "$1" "$2"/cases/0000-*.json' "$TMP/stdout" "$TMP/case0.before" "$TMP/canceled"

# --- (2b) the worker and its lava-run stopped mid-job (a lab machine lost): one sentence, the
# job's definition kept; the worker back: the job ends, fetch again gets what it ran
expect_exit 0 "submit a job for the worker to lose" "$F" lava submit "${SRV[@]}" "$LONG"
W=$(ids_of "$TMP/stdout")
check "its first case reaches the server's log" log_has "$W" "FAULTLINE-CASE 0 " 1800
lava_worker_down	# the worker and its lava-run (and QEMU) stop
expect_exit 3 "lava wait --timeout 30 on it: one sentence" "$F" lava wait "${SRV[@]}" --timeout 30 --interval 3 "$W"
stderr_has "job $W is still Running after --timeout 30 s; device qemu-01" "naming the job, its device"
cat "$TMP/stderr" | sed 's/^/# /'
expect_exit 3 "lava fetch: not finished, not fetched yet" "$F" lava fetch "${SRV[@]}" --out "$TMP/lost" "$W"
stderr_has "run lava fetch again when it has finished" "says to fetch again"
check "its definition is kept" test -s "$TMP/lost/lava/job-$W.definition.yaml"
lava_worker_up
"$F" lava wait "${SRV[@]}" --timeout 900 --interval 5 "$W" > "$TMP/w2.out" 2> "$TMP/w2.err"
check "with the worker back the job ends (Incomplete: $(head -c 200 "$TMP/w2.err"))" grep -q "job $W ended Incomplete\|job $W was canceled" "$TMP/w2.err"
expect_exit 3 "lava fetch again: the log of what it ran" "$F" lava fetch "${SRV[@]}" --out "$TMP/lost" "$W"
check "case 0 is there and validates" sh -c '"$0" validate "$1"/cases/0000-*.json > /dev/null' "$F" "$TMP/lost"

# --- (3) the token: in no argv (sampled), no run dir, no fetched definition, no server file
kill "$sampler" 2> /dev/null; sampler=
check "no process's command line held the token" test ! -s "$TMP/argv-hits"
check "no run dir or fetched file holds it" sh -c '! grep -rqFf "$0" "$1" "$2" "$3"' "$LAVA_TOKEN_FILE" "$TMP/ab" "$TMP/canceled" "$TMP/lost"
check "nor the server's job output, logs, or the worker's files" sh -c '! grep -rqFf "$0" /var/lib/lava-server/default/media "$1/log" "$1/worker"' "$LAVA_TOKEN_FILE" "$LV"
for i in "${IDS[@]}" "$C" "$W"; do api "jobs/$i/"; done > "$TMP/server-jobs.json"
check "nor the jobs (their definitions) as the server holds them" sh -c 'test -s "$1" && ! grep -qFf "$0" "$1"' "$LAVA_TOKEN_FILE" "$TMP/server-jobs.json"
lava_down
echo "$LV" > "$TMP/lv.pat"
check "nothing the test started is left running (no process names $LV)" sh -c '! grep -lsFf "$0" /proc/[0-9]*/cmdline' "$TMP/lv.pat"
echo "# whole test: $((SECONDS - t_start)) s"
done_testing
