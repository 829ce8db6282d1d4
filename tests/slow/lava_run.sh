#!/usr/bin/env bash
# LAVA end to end on this machine: a job rendered by `faultline lava render` runs under
# lava-dispatcher's lava-run with QEMU (TCG), its log is collected into a run directory, and
# that run validates and is accepted by `faultline compare`.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/lava_lib.sh"
F=$FL_BIN/faultline
if ! command -v lava-run > /dev/null; then
	apt-get install -y -q lava-dispatcher > "$TMP/apt.log" 2>&1 ||
		{ skip "lava-dispatcher cannot be installed ($(tail -1 "$TMP/apt.log"))"; done_testing; exit; }
fi
# The candidate's image and modules (fetched by faultline itself on first use).
# libguestfs builds LAVA's overlay disk with a supermin appliance: point it at the candidate's
# kernel and a depmod'ed copy of its module tree; KVM is not usable here, so force TCG.
lava_candidate_modules || { done_testing; exit; }
export SUPERMIN_KERNEL=$K/boot/vmlinuz-$V SUPERMIN_MODULES=$TMP/mods/lib/modules/$V
export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg

expect_exit 0 "lava render a tiny suite" "$F" lava render --kernel debian-6.12 --arch x86_64 \
	--out "$TMP/jobs" "$FL_ROOT/tests/fixtures/suites/tiny.json"
job=$(ls "$TMP"/jobs/*.yaml | head -1)
timeout 900 lava-run --device "$FL_ROOT/tests/fixtures/lava/qemu-device.yaml" --job-id 1 \
	--output-dir "$TMP/out" "$job" > "$TMP/lava.log" 2>&1
check "lava-run finishes the job" grep -q "Job finished correctly" "$TMP/lava.log"
check "every case step passed in LAVA" sh -c "! grep -q ': fail' '$TMP/lava.log' && grep -q '0005-ebizzy-i1: pass' '$TMP/lava.log'"
expect_exit 0 "lava collect the log" "$F" lava collect "$TMP/lava.log" --out "$TMP/run"
check "the collected run validates" "$F" validate "$TMP/run/run.json" "$TMP"/run/cases/*.json
check "all 6 cases ok" test "$(grep -c '"status": "ok"' "$TMP/run/run.json")" = 6
expect_exit 0 "faultline compare accepts it" "$F" compare "$TMP/run" "$TMP/run" --format csv
done_testing
