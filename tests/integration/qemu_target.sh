#!/usr/bin/env bash
# faultline run --target qemu: Debian's prebuilt 6.12 kernel (fetched by the project's own code
# with apt-get download on first use), 4 vCPUs under TCG; schema-valid cases with per-CPU IPI
# counts; a real guest panic and a hang classified, the run going on; bad input refused.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites
valid_all() { "$F" validate "$1"/run.json "$1"/cases/*.json > /dev/null; }
case_field() { jget "$1" "['case']$2"; }

if ! command -v qemu-system-x86_64 > /dev/null || [ "$(uname -m)" != x86_64 ]; then
	skip "qemu-system-x86_64 is not installed or this host is not x86_64"
	done_testing
	exit
fi

# TCG explicitly: /dev/kvm may exist and still fail under nested virtualization.
Q=(--target qemu --accel tcg --kernel debian-6.12)
expect_exit 0 "a suite runs in QEMU on Debian 6.12" "$F" run "${Q[@]}" --out "$TMP/q" "$S/qemu-tiny.json"
check "run.json and every case validate" valid_all "$TMP/q"
check "run.json says target qemu" test "$(jget "$TMP/q/run.json" "['run']['target']['kind']")" = qemu
check "run.json says accel tcg" test "$(jget "$TMP/q/run.json" "['run']['target']['accel']")" = tcg
# Single-threaded TCG where this host has fewer CPUs than the guest (nproc: our affinity).
want=multi
[ "$(nproc)" -lt 4 ] && want=single
check "run.json records TCG's thread mode ($want)" test "$(jget "$TMP/q/run.json" "['run']['target']['tcg_thread']")" = $want
check "the guest-up line says it" grep -q "x86_64 tcg thread=$want, 4 vCPUs" "$TMP/stdout"
check "the guest had 4 CPUs" test "$(jget "$TMP/q/run.json" "['run']['target']['cpus']")" = 4
check "the kernel is the candidate" test "$(jget "$TMP/q/run.json" "['run']['kernel']['candidate']")" = debian-6.12
check "the release comes from the guest" grep -q '"release": "6.12' "$TMP/q/run.json"
c0=$TMP/q/cases/0000-ebizzy-i0.json
check "the case is ok" test "$(case_field "$c0" "['status']")" = ok
check "the case says target qemu" test "$(jget "$c0" "['run']['target']['kind']")" = qemu
check "function-call IPIs per CPU for 4 CPUs" test "$(case_field "$c0" "['ipi']['function_call']['per_cpu'].__len__()")" = 4
check "IPIs were sent between the vCPUs" test "$(case_field "$c0" "['ipi']['function_call']['total']")" -gt 0
check "the console findings are empty" test "$(case_field "$c0" "['console']['findings']")" = "[]"
check "the serial console was captured" grep -q "faultline-init: ready" "$TMP/q/console.log"
check "no 'Oops: int3' on the console (a stale text_poke_bp translation)" \
	bash -c "! grep -q 'Oops: int3' '$TMP/q/console.log'"
check "the boot-to-agent time is printed" grep -q "boot to agent ready" "$TMP/stdout"

# A real panic (sysrq c) before case 0, a hang before case 1, a WARNING the guest survives
# before case 2: crashed, timeout, crashed, then ok, each after a fresh boot (KASAN reports
# once per boot and lockdep turns itself off, so a finding means a new guest).
expect_exit 1 "a panicking and a hanging guest make the run exit 1" \
	"$F" run "${Q[@]}" --inject-fault 0:panic,1:hang,2:warn --out "$TMP/c" "$S/qemu-crash.json"
check "every file validates" valid_all "$TMP/c"
check "the panic is a crashed case" test "$(jget "$TMP/c/run.json" "['cases'][0]['status']")" = crashed
check "titled kernel panic" test "$(case_field "$TMP/c/cases/0000-ebizzy-i0.json" "['console']['findings'][0]['title']")" = "kernel panic"
check "its excerpt shows the sysrq crash" grep -q "sysrq triggered crash" "$TMP/c/cases/0000-ebizzy-i0.json"
check "the hang is a timeout" test "$(jget "$TMP/c/run.json" "['cases'][1]['status']")" = timeout
check "titled no output from guest" test "$(case_field "$TMP/c/cases/0001-ebizzy-i1.json" "['console']['findings'][0]['title']")" = "no output from guest"
check "the WARNING the guest survived makes a crashed case" test "$(jget "$TMP/c/run.json" "['cases'][2]['status']")" = crashed
check "titled WARNING in the function" test "$(case_field "$TMP/c/cases/0002-ebizzy-i2.json" "['console']['findings'][0]['title']")" = "WARNING in faultline_injected_warning"
check "the guest was restarted and the last case ran" test "$(jget "$TMP/c/run.json" "['cases'][3]['status']")" = ok
check "each case after a finding ran in a fresh guest (4 boots)" test "$(grep -c 'faultline-init: ready' "$TMP/c/console.log")" = 4
check "the run is complete" test "$(jget "$TMP/c/run.json" "['state']")" = complete

# Bad input: one sentence each, exit 2 (input) or 3 (environment).
expect_exit 2 "qemu without --kernel" "$F" run --target qemu "$S/qemu-tiny.json"
stderr_has "needs --kernel" "it says what is missing"
expect_exit 2 "an unknown candidate" "$F" run --target qemu --kernel nosuch "$S/qemu-tiny.json"
stderr_has "neither a kernel image file nor a candidate" "it says what --kernel can be"
printf '{"name": "x", "arch": "x86_64", "base": {"debian_package": "y"}, "patchez": []}\n' > "$TMP/bad.json"
expect_exit 2 "a candidate with an unknown field" "$F" run --target qemu --kernel "$TMP/bad.json" "$S/qemu-tiny.json"
stderr_has "unknown field 'patchez'" "it names the field"
printf '{"name": "x", "arch": "x86_64"}\n' > "$TMP/nobase.json"
expect_exit 2 "a candidate without a base" "$F" run --target qemu --kernel "$TMP/nobase.json" "$S/qemu-tiny.json"
stderr_has "needs a \"base\"" "it says a base is needed"
head -c 2000000 /dev/urandom > "$TMP/garbage.img"
expect_exit 2 "an arch without a machine" "$F" run --target qemu --arch sparc --kernel "$TMP/garbage.img" "$S/qemu-tiny.json"
stderr_has "no QEMU machine for arch 'sparc'" "it names the arch"
expect_exit 2 "--kernel on the local target" "$F" run --kernel debian-6.12 "$S/qemu-tiny.json"
expect_exit 2 "a file that is no kernel image is refused before boot" "$F" run "${Q[@]/debian-6.12/$TMP/garbage.img}" --out "$TMP/g0" "$S/qemu-tiny.json"
stderr_has "is not a kernel image for x86_64" "it says the image is not for the arch"
printf 'HdrS' | dd of="$TMP/garbage.img" bs=1 seek=514 conv=notrunc status=none
expect_exit 3 "a kernel that does not boot" "$F" run "${Q[@]/debian-6.12/$TMP/garbage.img}" --boot-timeout 30 --out "$TMP/g" "$S/qemu-tiny.json"
stderr_has "did not boot to its agent" "it says the guest did not boot"
expect_exit 0 "kernel build of a prebuilt candidate fetches it (nothing to compile)" "$F" kernel build debian-6.12
check "it says which image and release" grep -q "^release  6.12" "$TMP/stdout"
expect_exit 0 "kernel list" "$F" kernel list
check "it lists debian-6.12" grep -q '^debian-6.12 ' "$TMP/stdout"
done_testing
