#!/usr/bin/env bash
# The guest's zram loads with its dependencies and swapin-collapse runs in it (issue 12: on a
# machine without kmod the initramfs carried zram without lz4_compress/lz4hc_compress, the
# guest logged "Unknown symbol LZ4_compress_HC" and every swapin-collapse case was skipped).
# One boot of Debian's 6.12 under TCG with a small swapin-collapse case; then, without booting,
# runner/targets/mkinitramfs.sh refusing module trees it cannot resolve, naming the module.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
MK=$FL_ROOT/runner/targets/mkinitramfs.sh
case_field() { jget "$1" "['case']$2"; }
gt() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$1" "$2"; }

if ! command -v qemu-system-x86_64 > /dev/null || [ "$(uname -m)" != x86_64 ]; then
	skip "qemu-system-x86_64 is not installed or this host is not x86_64"
	done_testing
	exit
fi
cat > "$TMP/zram.json" <<'EOF'
{"name": "qemu-zram", "description": "swapin-collapse in the guest: zram as swap",
 "iterations": 1, "warmup": 0, "timeout_s": 120,
 "cases": [{"workload": "swapin-collapse",
            "params": {"size": "32M", "mode": "madvise-collapse", "swap": "zram"}}]}
EOF
expect_exit 0 "swapin-collapse runs in QEMU on Debian 6.12" \
	"$F" run --target qemu --accel tcg --kernel debian-6.12 --out "$TMP/z" "$TMP/zram.json"
con=$TMP/z/console.log
c=$TMP/z/cases/0000-swapin-collapse-i0.json
check "no 'Unknown symbol' on the guest console" eval "! grep -q 'Unknown symbol' '$con'"
check "no module failed to load in the guest" eval "! grep -q 'faultline-init: FATAL' '$con'"
check "the guest init says which modules it loaded, zram's compressors first" \
	grep -q "faultline-init: modules loaded: lz4_compress lz4hc_compress zram" "$con"
check "the guest's zram0 offers lz4, its default compressor" grep -q "faultline-init: zram0 comp_algorithm: .*\[lz4\]" "$con"
check "the case is ok (not skipped)" test "$(case_field "$c" "['status']")" = ok
check "its swap was zram" test "$(case_field "$c" "['detail']['swap']['kind']")" = zram
check "pages came back from swap (pswpin > 0)" gt "$(case_field "$c" "['metrics']['pswpin']['value']")" 0
check "thp share after > before" gt "$(case_field "$c" "['metrics']['thp_share_after']['value']")" \
	"$(case_field "$c" "['metrics']['thp_share_before']['value']")"

# mkinitramfs: every module it cannot resolve fails the build with the module's name.
K=$FL_ROOT/build/kernels/debian-6.12/pkg/lib/modules
mods=$(ls -d "$K"/* 2>/dev/null | head -1)
A=$FL_BIN/faultline-agent
I=$FL_ROOT/runner/targets/guest-init.sh
mkdir -p "$TMP/ird"
if [ -d "$mods" ]; then
	expect_exit 3 "a module neither in the image nor built in fails the initramfs" \
		"$MK" "$A" /bin/busybox "$I" "$TMP/ird/a.cpio.gz" "" "$mods" "zram nosuch_mod"
	stderr_has "module nosuch_mod (listed for the guest) is neither a .ko in" "it names the module"
	# zram without its compressors in the tree: the dependency is named, not skipped
	rel=${mods##*/}
	t=$TMP/tree/lib/modules/$rel
	mkdir -p "$t/kernel"
	cp "$mods/modules.builtin" "$t/"
	cp "$(find "$mods" -name 'zram.ko*' | head -1)" "$t/kernel/"
	expect_exit 3 "a module whose dependency is missing fails the initramfs" \
		"$MK" "$A" /bin/busybox "$I" "$TMP/ird/b.cpio.gz" "" "$t" "zram"
	stderr_has "(a dependency of zram) is neither" "it names the dependency and who needs it"
	rm "$t/modules.builtin"
	expect_exit 3 "a module tree without modules.builtin is refused" \
		"$MK" "$A" /bin/busybox "$I" "$TMP/ird/c.cpio.gz" "" "$t" "zram"
	stderr_has "has no modules.builtin" "it says why"
	check "nothing was written for the failed builds" test -z "$(ls -A "$TMP/ird")"
else
	skip "no debian-6.12 module tree"
fi
done_testing
