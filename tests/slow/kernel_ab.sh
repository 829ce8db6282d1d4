#!/usr/bin/env bash
# Source candidates end to end (make check-slow): build src-6.12 (linux-source-6.12 +
# mechanisms.config) and src-6.12-novmalock (the same + kernels/patches/novmalock) — cold
# 15-32 min on 2 busy cores for the first, under a minute for the second, which starts from
# the first's object dir — then build both again (a content-hash cache hit, seconds), and boot both in one faultline run with two --kernel: the
# per-VMA lock is on and counted in A, and the series' effect shows in B (vma_lock_success 0).
. "$(dirname "$0")/../integration/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites

if [ ! -r /usr/src/linux-source-6.12.tar.xz ] || ! command -v qemu-system-x86_64 > /dev/null ||
   [ "$(uname -m)" != x86_64 ]; then
	skip "linux-source-6.12 or qemu-system-x86_64 is missing, or this host is not x86_64"
	done_testing
	exit
fi
secs() { local t0=$SECONDS; "$@" > "$TMP/build.out" 2> "$TMP/build.err"; local rc=$?; echo $((SECONDS - t0)) > "$TMP/secs"; return $rc; }
for c in src-6.12 src-6.12-novmalock; do
	check "$c builds (or is already built)" secs "$F" kernel build $c
	echo "# $c: first build command took $(cat "$TMP/secs") s (build.json duration_s $(jget "$FL_ROOT/build/kernels/$c/build.json" "['duration_s']") s)"
done
for c in src-6.12 src-6.12-novmalock; do
	check "$c built again" secs "$F" kernel build $c
	t=$(cat "$TMP/secs")
	echo "# $c: second build took $t s"
	check "$c: the second build is a cache hit" grep -q "\[cache\] hit" "$TMP/build.err"
	check "$c: the cache hit takes seconds ($t s)" test "$t" -lt 60
done
B=$FL_ROOT/build/kernels
check "the series changed the hash" test "$(readlink "$B/src-6.12")" != "$(readlink "$B/src-6.12-novmalock")"
check "build.json records the patch" test "$(jget "$B/src-6.12-novmalock/build.json" "['patches']['count']")" = 1
check "build.json has the command to reproduce" grep -q '"command": "kernels/build.sh' "$B/src-6.12/build.json"
check "PER_VMA_LOCK_STATS is in the .config" grep -q '^CONFIG_PER_VMA_LOCK_STATS=y' "$B/src-6.12/.config"

expect_exit 0 "both candidates boot and run in one faultline run" "$F" run --target qemu --accel tcg \
	--kernel src-6.12 --kernel src-6.12-novmalock --out "$TMP/ab" "$S/ab-tiny.json"
A=$TMP/ab/src-6.12 N=$TMP/ab/src-6.12-novmalock
check "A's run validates" "$F" validate "$A/run.json" "$A"/cases/*.json
check "B's run validates" "$F" validate "$N/run.json" "$N"/cases/*.json
check "the rounds alternate the order" test "$(jget "$TMP/ab/runs.json" "['rounds']")" = "[['src-6.12', 'src-6.12-novmalock'], ['src-6.12-novmalock', 'src-6.12']]"
ca=$A/cases/0000-fault-scale-i0.json cb=$N/cases/0000-fault-scale-i0.json
check "A's cases name candidate src-6.12" test "$(jget "$ca" "['run']['kernel']['candidate']")" = src-6.12
check "B's cases name candidate src-6.12-novmalock" test "$(jget "$cb" "['run']['kernel']['candidate']")" = src-6.12-novmalock
check "A has no patchset" test "$(jget "$ca" "['run']['kernel']['patchset']")" = None
check "B's patchset is novmalock v1 with its sha256" test "$(jget "$cb" "['run']['kernel']['patchset']['name'], d['run']['kernel']['patchset']['version'], len(d['run']['kernel']['patchset']['sha256'])")" = "('novmalock', 1, 64)"
check "A runs with PER_VMA_LOCK on" test "$(jget "$ca" "['run']['kernel']['mechanisms']['PER_VMA_LOCK']")" = True
va=$(jget "$ca" "['case']['vmstat']['vma_lock_success']['value']")
vb=$(jget "$cb" "['case']['vmstat']['vma_lock_success']['value']")
echo "# vma_lock_success: A $va, B $vb"
echo "# faults_per_s: A $(jget "$ca" "['case']['metrics']['faults_per_s']['value']"), B $(jget "$cb" "['case']['metrics']['faults_per_s']['value']")"
check "A counts per-VMA lock faults (vma_lock_success $va)" test "$va" -gt 1000
check "B takes mmap_lock for every fault (vma_lock_success $vb)" test "$vb" = 0
check "vma_lock_abort, _retry, _miss are present in A" python3 -c "
import json,sys; v=json.load(open(sys.argv[1]))['case']['vmstat']
assert all(k in v for k in ('vma_lock_abort', 'vma_lock_retry', 'vma_lock_miss')), sorted(v)" "$ca"
"$F" compare "$A" "$N" > "$TMP/compare.txt" 2>&1
check "faultline compare reads the two run dirs" grep -q "faults_per_s" "$TMP/compare.txt"
sed 's/^/# /' "$TMP/compare.txt" | head -30
done_testing
