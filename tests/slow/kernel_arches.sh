#!/usr/bin/env bash
# Source candidates for the foreign arches (make check-slow): src-6.12-arm64, -ppc64le and
# -s390x (linux-source-6.12 + the arch fragment + mechanisms.config, cross-compiled; cold
# builds take 20-50 min each on 2 busy cores), built a second time (a content-hash cache hit,
# seconds), then each booted under TCG with a two-case suite: the guest reports the mechanism
# flags the fragments asked for, per-VMA lock faults are counted, and on ppc64le the
# function-call IPIs per GiB come from the csd tracepoint; ppc64le boots radix and, with the
# same image, hash (--arch ppc64le-hash), and each says which MMU it ran.
. "$(dirname "$0")/../integration/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites
B=$FL_ROOT/build/kernels
field() { "$FL_ROOT/scripts/machine-field" "$1" "$2"; }
secs() { local t0=$SECONDS; "$@" > "$TMP/build.out" 2> "$TMP/build.err"; local rc=$?; echo $((SECONDS - t0)) > "$TMP/secs"; return $rc; }
mech() { jget "$1" "['run']['kernel']['mechanisms']['$2']"; }

if [ ! -r /usr/src/linux-source-6.12.tar.xz ] || [ "$(uname -m)" != x86_64 ]; then
	skip "linux-source-6.12 is missing, or this host is not x86_64"
	done_testing
	exit
fi
for a in arm64 ppc64le s390x; do
	c=src-6.12-$a
	cross=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]['cross_compile'])" \
		"$FL_ROOT/kernels/kbuild.json" "$a")
	if ! command -v "${cross}gcc" > /dev/null || ! command -v "$(field $a qemu)" > /dev/null ||
	   [ ! -x "$FL_ROOT/$(field $a agent)" ]; then
		skip "$a: ${cross}gcc, $(field $a qemu) or the $a agent is missing (make deps-cross agents)"
		continue
	fi
	check "$c builds (or is already built)" secs "$F" kernel build $c
	echo "# $c: first build command took $(cat "$TMP/secs") s (build.json duration_s $(jget "$B/$c/build.json" "['duration_s']") s)"
	check "$c built again" secs "$F" kernel build $c
	t=$(cat "$TMP/secs")
	echo "# $c: second build took $t s"
	check "$c: the second build is a cache hit" grep -q "\[cache\] hit" "$TMP/build.err"
	check "$c: the cache hit takes seconds ($t s)" test "$t" -lt 60
	for sym in PER_VMA_LOCK PER_VMA_LOCK_STATS TRANSPARENT_HUGEPAGE MMU_GATHER_RCU_TABLE_FREE ZRAM; do
		check "$c: CONFIG_$sym=y in the .config" grep -q "^CONFIG_$sym=y" "$B/$c/.config"
	done

	expect_exit 0 "$c boots under TCG and runs the suite" "$F" run --target qemu --accel tcg \
		--arch $a --kernel $c --out "$TMP/$a" "$S/arch-src-tiny.json"
	echo "# $a: $(grep -o 'guest up: .*' "$TMP/stdout")"
	fs=$TMP/$a/cases/0000-fault-scale-i0.json tm=$TMP/$a/cases/0001-thp-munmap-i0.json
	check "$a: the run validates" "$F" validate "$TMP/$a/run.json" "$fs" "$tm"
	check "$a: the guest runs 6.12 ($(jget "$fs" "['run']['kernel']['release']"))" \
		grep -q '"release": "6\.12\.' "$fs"
	check "$a: the guest's machine is $(field $a uname)" \
		test "$(jget "$fs" "['run']['kernel']['machine']")" = "$(field $a uname)"
	for sym in PER_VMA_LOCK PER_VMA_LOCK_STATS TRANSPARENT_HUGEPAGE MMU_GATHER_RCU_TABLE_FREE; do
		check "$a: the guest reports $sym on" test "$(mech "$fs" $sym)" = True
	done
	check "$a: a benchmark kernel: DEBUG_VM and PROVE_LOCKING off" \
		test "$(mech "$fs" DEBUG_VM) $(mech "$fs" PROVE_LOCKING)" = "False False"
	v=$(jget "$fs" "['case']['vmstat']['vma_lock_success']['value']")
	echo "# $a: fault-scale $(jget "$fs" "['case']['metrics']['faults_per_s']['value']") faults/s, vma_lock_success $v"
	check "$a: faults are handled under the per-VMA lock (vma_lock_success $v)" test "$v" -gt 100
	st=$(jget "$tm" "['case']['status']")
	if [ "$st" = ok ]; then
		echo "# $a: thp-munmap split IPIs/GiB: $(jget "$tm" "['case']['detail']['ipi_per_gib']")"
	else
		echo "# $a: thp-munmap $st: $(jget "$tm" "['case'].get('reason')")"
	fi
done

tm=$TMP/ppc64le/cases/0001-thp-munmap-i0.json
if [ -f "$tm" ]; then
	check "ppc64le: PPC_64K_PAGES (page-table fragments), both MMUs" test \
		"$(mech "$tm" PPC_64K_PAGES) $(mech "$tm" PPC_RADIX_MMU) $(mech "$tm" PPC_64S_HASH_MMU)" = "True True True"
	check "ppc64le: thp-munmap ran" test "$(jget "$tm" "['case']['status']")" = ok
	check "ppc64le: function-call IPIs per GiB from the csd tracepoint" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["case"]
fc = d["detail"]["ipi_op"]["function_call"]
sys.exit(0 if d["metrics"]["function_call_ipis_per_gib"]["value"] > 0 and
	 fc["source"].startswith("csd:csd_function_entry") and "muxed_row" in fc else 1)' "$tm"
	check "ppc64le: the guest ran the radix MMU" test "$(jget "$tm" "['run']['kernel'].get('mmu')")" = Radix
	expect_exit 0 "the same image boots with the hash MMU (--arch ppc64le-hash)" "$F" run \
		--target qemu --accel tcg --arch ppc64le-hash --kernel src-6.12-ppc64le \
		--out "$TMP/ppc64le-hash" "$S/qemu-arch-tiny.json"
	th=$(ls "$TMP"/ppc64le-hash/cases/*.json | head -1)
	check "ppc64le-hash: the guest ran the hash MMU" test "$(jget "$th" "['run']['kernel'].get('mmu')")" = Hash
	echo "# ppc64le radix: $(jget "$tm" "['case']['detail']['ipi_per_gib']")"
	echo "# ppc64le hash:  $(jget "$th" "['case']['detail']['ipi_per_gib']")"
	expect_exit 0 "compare --format matrix over radix and hash" "$F" compare --format matrix \
		"$TMP/ppc64le" "$TMP/ppc64le-hash"
	sed 's/^/# /' "$TMP/stdout" | head -30
fi
done_testing
