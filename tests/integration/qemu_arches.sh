#!/usr/bin/env bash
# faultline run --target qemu --arch arm64|ppc64le|s390x --kernel debian: each arch's prebuilt
# Debian kernel (fetched with its own apt lists) boots with 4 vCPUs under TCG and its cross
# agent returns schema-valid cases; ppc64le reports its IPIs per GiB in the class "other";
# the runs with x86_64 make one table with a column per arch; wrong-arch images are refused.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites
case_of() { ls "$1"/cases/*.json | head -1; }

if [ "$(uname -m)" != x86_64 ]; then
	skip "the multi-arch test assumes an x86_64 host"
	done_testing
	exit
fi
dirs=()
for a in x86_64 arm64 ppc64le s390x; do
	agent=$("$FL_ROOT/scripts/machine-field" "$a" agent)
	qemu=$("$FL_ROOT/scripts/machine-field" "$a" qemu)
	if [ "$a" != x86_64 ] && [ ! -x "$FL_ROOT/$agent" ]; then
		skip "$a: $agent is not built (make agents)"
		continue
	fi
	if ! command -v "$qemu" > /dev/null; then
		skip "$a: $qemu is not installed (make deps-cross)"
		continue
	fi
	t0=$(date +%s)
	expect_exit 0 "$a: the suite runs on Debian's $a kernel" \
		"$F" run --target qemu --accel tcg --arch "$a" --kernel debian --out "$TMP/$a" \
		"$S/qemu-arch-tiny.json"
	echo "# $a: $(grep -o 'boot to agent ready [0-9.]* s' "$TMP/stdout"), run $(( $(date +%s) - t0 )) s"
	c=$(case_of "$TMP/$a")
	check "$a: run.json and the case validate" "$F" validate "$TMP/$a/run.json" "$c"
	check "$a: run.json says arch $a" test "$(jget "$TMP/$a/run.json" "['run']['target']['arch']")" = "$a"
	check "$a: the guest had 4 CPUs" test "$(jget "$TMP/$a/run.json" "['run']['target']['cpus']")" = 4
	check "$a: the guest kernel is $a's" test "$(jget "$c" "['run']['kernel']['candidate']")" = \
		"$("$FL_ROOT/scripts/machine-field" "$a" debian_candidate)"
	if [ "$(jget "$c" "['case']['status']")" = ok ]; then
		check "$a: per-CPU IPI columns for 4 CPUs" test "$(jget "$c" "['case']['ipi']['cpus'].__len__()")" = 4
	else	# s390x under TCG: no THP, so thp-munmap is skipped with the reason
		check "$a: a case that cannot run is skipped with its reason" \
			grep -q '"reason": "transparent hugepages are built in but off' "$c"
	fi
	dirs+=("$TMP/$a")
done
if [ -d "$TMP/ppc64le" ]; then
	c=$(case_of "$TMP/ppc64le")
	check "ppc64le: thp-munmap ran" test "$(jget "$c" "['case']['status']")" = ok
	check "ppc64le: IPIs per GiB in class other (the muxed IPI row)" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["case"]["metrics"]
sys.exit(0 if m["other_ipis_per_gib"]["value"] > 0 and m["ipis_per_gib"]["value"] > 0 else 1)' "$c"
	fc=$(jget "$c" "['case']['detail']['ipi_op']['function_call'].get('source', 'none')")
	if [ "$fc" = none ]; then	# a kernel before 6.3 has no csd tracepoints
		check "ppc64le: function_call is unsupported there, not 0" test \
			"$(jget "$c" "['case']['ipi']['function_call']['status']")" = unsupported
	else
		check "ppc64le: function-call IPIs per GiB from the cross-CPU calls received" \
			python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["case"]
sys.exit(0 if d["metrics"]["function_call_ipis_per_gib"]["value"] > 0 else 1)' "$c"
	fi
fi
if [ -d "$TMP/ppc64le" ]; then	# seed 000: the hash MMU (its own candidate: the 64K-page 6.1 image)
	check "ppc64le: the guest ran the radix MMU" test "$(jget "$(case_of "$TMP/ppc64le")" "['run']['kernel'].get('mmu')")" = Radix
	expect_exit 0 "ppc64le-hash: Debian's 64K-page image boots with the hash MMU" "$F" run --target qemu \
		--accel tcg --arch ppc64le-hash --kernel debian --out "$TMP/ppc64le-hash" "$S/qemu-arch-tiny.json"
	check "ppc64le-hash: its 64K-page kernel gets no 4K-page warning" \
		sh -c '! grep -q "has 4K pages" "$0"' "$TMP/stderr"
	c=$(case_of "$TMP/ppc64le-hash")
	check "ppc64le-hash: the guest ran the hash MMU" test "$(jget "$c" "['run']['kernel'].get('mmu')")" = Hash
	check "ppc64le-hash: THP under hash (16M pages allowed in the HPT), thp-munmap ran" \
		test "$(jget "$c" "['case']['status']") $(jget "$c" "['case']['metrics']['thp_share']['value']")" = "ok 100"
	echo "# ppc64le radix IPIs/GiB: $(jget "$(case_of "$TMP/ppc64le")" "['case']['detail']['ipi_per_gib']['other']['total']"), hash: $(jget "$c" "['case']['detail']['ipi_per_gib']['other']['total']")"
	# debian-ppc64le is 6.12 (4K pages) or 6.1 (64K), as the security suite resolved
	cfg=$(ls "$FL_ROOT"/build/kernels/debian-ppc64le/pkg/boot/config-* 2>/dev/null | head -1)
	if [ -n "$cfg" ]; then
		"$F" run --target qemu --accel tcg --arch ppc64le-hash --kernel debian-ppc64le \
			--boot-timeout 1 --out "$TMP/hash-radix-kernel" "$S/qemu-arch-tiny.json" \
			> /dev/null 2> "$TMP/hash4k.err"
		if grep -q "^# CONFIG_PPC_64K_PAGES is not set" "$cfg"; then
			check "ppc64le-hash with the 4K-page $(basename "$cfg" | sed 's/config-//'): warned before the boot" \
				grep -q "debian-ppc64le has 4K pages (CONFIG_PPC_64K_PAGES is not set): under the hash MMU it has no THP" "$TMP/hash4k.err"
		else
			check "ppc64le-hash with the 64K-page $(basename "$cfg" | sed 's/config-//'): no warning" \
				sh -c '! grep -q "has 4K pages" "$0"' "$TMP/hash4k.err"
		fi
	fi
fi
if [ -d "$TMP/arm64" ]; then
	c=$(case_of "$TMP/arm64")
	check "arm64: function-call IPIs per GiB" python3 -c '
import json, sys
sys.exit(0 if json.load(open(sys.argv[1]))["case"]["metrics"]["function_call_ipis_per_gib"]["value"] > 0 else 1)' "$c"
	check "arm64: tlb_shootdown is absent (broadcast TLBI)" test \
		"$(jget "$c" "['case']['ipi']['tlb_shootdown']['status']")" = absent
fi
for a in arm64 ppc64le; do	# only x86 fires tlb:tlb_flush: elsewhere no count, not 0
	[ -d "$TMP/$a" ] || continue
	check "$a: remote_tlb_flushes is unsupported with the reason, not 0" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["case"]
w = c["detail"]["metrics_missing"]["remote_tlb_flushes_per_gib"]
assert "remote_tlb_flushes_per_gib" not in c["metrics"], c["metrics"]
assert w["status"] == "unsupported" and "only x86" in w["reason"], w' "$(case_of "$TMP/$a")"
done
if [ ${#dirs[@]} -ge 2 ]; then
	expect_exit 0 "compare --format matrix over the arches" "$F" compare --format matrix "${dirs[@]}"
	check "one column per arch" grep -qE '^metric +x86_64 +arm64' "$TMP/stdout"
	check "the IPI rows are there" grep -q '^ipis_per_gib ' "$TMP/stdout"
	check "remote TLB flushes: a count on x86_64, n/a on arm64 and ppc64le" \
		grep -qE '^remote_tlb_flushes_per_gib +[0-9.]+ +n/a +n/a ' "$TMP/stdout"
	cp "$TMP/stdout" "$TMP/matrix.txt"
	sed 's/^/# /' "$TMP/matrix.txt" | head -30
fi

# Bad input: an image of another arch is refused before QEMU starts.
x86img=$(ls "$FL_ROOT"/build/kernels/debian-6.12/pkg/boot/vmlinuz-* 2>/dev/null | head -1)
if [ -n "$x86img" ]; then
	expect_exit 2 "an x86_64 image for --arch arm64 is refused" \
		"$F" run --target qemu --accel tcg --arch arm64 --kernel "$x86img" "$S/qemu-arch-tiny.json"
	stderr_has "is a kernel image for x86_64, not for --arch arm64" "it says which arch the image is for"
fi
armimg=$(ls "$FL_ROOT"/build/kernels/debian-arm64/pkg/boot/vmlinuz-* 2>/dev/null | head -1)
if [ -n "$armimg" ]; then
	expect_exit 2 "an arm64 image for --arch s390x is refused" \
		"$F" run --target qemu --accel tcg --arch s390x --kernel "$armimg" "$S/qemu-arch-tiny.json"
	stderr_has "is a kernel image for arm64, not for --arch s390x" "it names the image's arch"
fi
expect_exit 2 "a candidate of another arch is refused" \
	"$F" run --target qemu --accel tcg --arch s390x --kernel debian-arm64 "$S/qemu-arch-tiny.json"
stderr_has "candidate debian-arm64 is for arm64, not --arch s390x" "it names both arches"
expect_exit 2 "deps.sh --cross with an unknown arch" "$FL_ROOT/scripts/deps.sh" --cross --check sparc
done_testing
