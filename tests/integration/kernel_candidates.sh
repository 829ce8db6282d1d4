#!/usr/bin/env bash
# Candidate kernels, bad input (fast): a candidate with an unknown field, a missing base, a patch
# that does not apply, fragment symbols that cannot be set (a real merge_config + olddefconfig on
# linux-source-6.12, unpacked once into build/kernels/src-<hash>/), and, in one faultline run
# with several --kernel, a kernel that does not boot and broken candidates next to Debian's
# prebuilt 6.12: each a clear sentence, the good kernel's cases run (at --nice -5, which reaches
# the guest's agent). The real builds are in tests/slow/kernel_ab.sh.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites
C=$FL_ROOT/tests/fixtures/candidates
TAR=/usr/src/linux-source-6.12.tar.xz

cand() {	# FILE NAME BASE [EXTRA JSON FIELDS]
	printf '{"name": "%s", "arch": "x86_64", "base": %s%s}\n' "$2" "$3" "${4:-}" > "$1"
}

cand "$TMP/field.json" badfield '{"source": "linux-source-6.12"}' ', "fragmentz": []'
expect_exit 2 "a candidate with an unknown field" "$F" kernel build "$TMP/field.json"
stderr_has "unknown field 'fragmentz' in the candidate" "it names the field"

cand "$TMP/nobase.json" nobase '{"source": "linux-source-9.99"}'
expect_exit 2 "a candidate whose base is missing" "$F" kernel build "$TMP/nobase.json"
stderr_has "base source linux-source-9.99 is missing" "it names the base"

cand "$TMP/nofrag.json" nofrag '{"source": "linux-source-6.12"}' ', "fragments": ["kernels/fragments/nosuch.config"]'
expect_exit 2 "a candidate with a missing fragment" "$F" kernel build "$TMP/nofrag.json"
stderr_has "fragment $FL_ROOT/kernels/fragments/nosuch.config does not exist" "it names the fragment"

if [ ! -f "$TAR" ]; then
	skip "$TAR is not installed (linux-source-6.12)"
else
	cand "$TMP/patch.json" badpatch '{"source": "linux-source-6.12"}' ", \"patches\": \"$C/badpatch\""
	expect_exit 2 "a patch that does not apply" "$F" kernel build "$TMP/patch.json"
	stderr_has "patch $C/badpatch/0001-does-not-apply.patch does not apply" "it names the patch file"
	stderr_has "Hunk #1 FAILED at 100" "it names the hunk"
	stderr_has "(file mm/memory.c)" "it names the file"
	stderr_has "failed at step 'patch'" "it names the step"
	stderr_has "build.log" "it gives the log path"

	cand "$TMP/frag.json" badfrag '{"source": "linux-source-6.12"}' ", \"fragments\": [\"$C/unsettable.config\"]"
	expect_exit 2 "fragment symbols that cannot be set" "$F" kernel build "$TMP/frag.json"
	stderr_has "2 requested config symbol(s) did not stick" "it counts them"
	stderr_has "CONFIG_KASAN_SW_TAGS=y (got n; unsettable.config): missing dependency (lib/Kconfig.kasan: depends on HAVE_ARCH_KASAN_SW_TAGS" "a missing dependency is named with its depends line"
	stderr_has "CONFIG_FAULTLINE_NO_SUCH_SYMBOL=y (got n; unsettable.config): unknown to this tree" "an unknown symbol is named"
	stderr_has "optional symbol not set: CONFIG_FAULTLINE_OPTIONAL_THING" "an optional one is only reported"
	if grep -q "PER_VMA_LOCK=y (got" "$TMP/stderr"; then notok "a symbol that stuck is not listed"; else ok "a symbol that stuck is not listed"; fi
	stderr_has "failed at step 'config check'" "it names the step"
fi

# Several --kernel: a truncated image and two broken candidates do not stop debian-6.12.
need_debian_x86_image
head -c 1000000 "$img" > "$TMP/truncated-bzImage"
expect_exit 3 "a run with a good and three bad kernels exits with the worst status (3: no boot)" "$F" run --target qemu --accel tcg \
	--boot-timeout 40 --nice -5 --kernel debian-6.12 --kernel "$TMP/truncated-bzImage" \
	--kernel "$TMP/field.json" --kernel "$TMP/patch.json" --out "$TMP/ab" "$S/qemu-tiny.json"
stderr_has "kernel truncated-bzImage: the guest did not boot to its agent" "the truncated image is one sentence"
stderr_has "kernel field: " "the bad candidate is one sentence"
stderr_has "kernel patch: " "the candidate whose patch fails is one sentence"
stderr_has "the other kernels go on" "each says the others go on"
check "the good kernel's run validates" "$F" validate "$TMP/ab/debian-6.12/run.json"
check "its cases ran" test "$(jget "$TMP/ab/debian-6.12/run.json" "['cases'][1]['status']")" = ok
check "its cases name the candidate" test "$(jget "$TMP/ab/debian-6.12/cases/0001-ebizzy-i1.json" "['run']['kernel']['candidate']")" = debian-6.12
check "--nice reaches its cases in the guest (nice -5 read back)" test "$(jget "$TMP/ab/debian-6.12/cases/0001-ebizzy-i1.json" "['case']['nice']")" = -5
check "  and its run.json keeps it for --resume" test "$(jget "$TMP/ab/debian-6.12/run.json" "['run']['nice']")" = -5
check "the image that does not boot has skipped cases" test "$(jget "$TMP/ab/truncated-bzImage/run.json" "['cases'][0]['status']")" = skipped
statuses() { python3 -c 'import json,sys; print(" ".join(k["status"] for k in json.load(open(sys.argv[1]))["kernels"]))' "$1"; }
check "runs.json says which kernels failed" test "$(statuses "$TMP/ab/runs.json")" = "ok failed failed failed"

# A foreign arch's source candidate without its cross compiler: the packages to install.
expect_exit 3 "a cross build without the cross compiler" "$FL_ROOT/kernels/build.sh" --name t \
	--arch arm64 --kbuild-arch arm64 --defconfig defconfig --target Image \
	--image arch/arm64/boot/Image --source "$TAR" \
	--cross nosuch-linux-gnu- --out "$TMP/kb"
stderr_has "nosuch-linux-gnu-gcc is not installed: 'make deps-cross' (scripts/deps.sh --cross arm64) installs gcc-aarch64-linux-gnu" \
	"it names the packages make deps-cross installs"

# Two builds of one kernel at a time: the second waits for the first (a tiny tarball whose
# build fails at its defconfig, so each attempt takes a second).
mkdir -p "$TMP/tiny/linux" && tar -C "$TMP/tiny" -cJf "$TMP/tiny.tar.xz" linux
tb() { "$FL_ROOT/kernels/build.sh" --name tiny --arch x86_64 --kbuild-arch x86 \
	--defconfig x86_64_defconfig --target bzImage --image arch/x86/boot/bzImage \
	--source "$TMP/tiny.tar.xz" --out "$TMP/kb"; }
expect_exit 1 "a build that fails at its defconfig" tb
h=$(sed -n 's/^faultline: build \([0-9a-f]*\): .*/\1/p' "$TMP/stderr")
check "the build names its hash and directory" test -n "$h"
flock "$TMP/kb/$h.lock" sleep 3 &
sleep 0.5
t0=$SECONDS
expect_exit 1 "the same build while another holds its lock" tb
stderr_has "another build of this kernel ($h) is running; waiting for it" "it says it waits"
check "it waited for the holder ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -ge 2
wait

# Pruning: the failed tiny build is no candidate's; while its lock is held it is kept.
P=$FL_ROOT/kernels/prune.sh
expect_exit 0 "kernel prune --dry-run" "$P" --dry-run --out "$TMP/kb"
check "it would remove the failed build" grep -q "would remove $h (unfinished or failed build" "$TMP/stdout"
flock "$TMP/kb/$h.lock" sleep 2 &
sleep 0.5
expect_exit 0 "kernel prune while the build holds its lock" "$P" --out "$TMP/kb"
check "a build in progress is kept" grep -q "kept $h: it is being built" "$TMP/stdout"
wait
expect_exit 0 "kernel prune" "$P" --out "$TMP/kb"
check "the failed build is gone" test ! -e "$TMP/kb/$h"
check "the unpacked base stays" test -n "$(ls -d "$TMP"/kb/src-* 2>/dev/null)"
done_testing
