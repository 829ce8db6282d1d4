#!/usr/bin/env bash
# A knobs journal is replayed only where an agent could have changed something (issue #12):
# a crafted journal naming a file to write, a swap area that is not faultline's to swapoff, a
# directory and a cgroup that are not faultline's to rmdir and a file to unlink is refused
# entry by entry, one sentence each, and every canary survives. The journal file itself must
# be a journal: a symlink or a file that is not one is never replayed, truncated or removed.
# Runs in seconds.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
THP=/sys/kernel/mm/transparent_hugepage

if [ "$(id -u)" != 0 ] || [ ! -e $THP/enabled ]; then
	skip "needs root and THP"
	done_testing; exit
fi
# Snapshots under the host lock: no agent of another run is in the middle of a case.
L=/run/faultline/host.lock
snapshot() { kernel_state_locked > "$1"; }
snapshot "$TMP/before"

# Canaries: a file to overwrite, a file to unlink, an empty directory, a cgroup that is not
# faultline's, and a swap area that is not faultline's (all the test's own, undone below).
echo safe > "$TMP/canary-write"
echo safe > "$TMP/canary-unlink"
mkdir "$TMP/canary-dir"
CG=""
for h in /sys/fs/cgroup/unified /sys/fs/cgroup/memory /sys/fs/cgroup; do
	if [ -w "$h/cgroup.procs" ] && mkdir "$h/fl-journal-guard-$$" 2> /dev/null; then
		CG=$h/fl-journal-guard-$$
		break
	fi
done
SW=/var/tmp/fl-journal-guard-$$.swap
swap_ok=0
if dd if=/dev/zero of="$SW" bs=1M count=16 status=none && chmod 600 "$SW" &&
   mkswap "$SW" > /dev/null 2>&1 && swapon "$SW" 2> /dev/null; then
	swap_ok=1
fi
cleanup_canaries() {
	[ "$swap_ok" = 1 ] && swapoff "$SW" 2> /dev/null
	rm -f "$SW"
	[ -n "$CG" ] && rmdir "$CG" 2> /dev/null
}
trap 'cleanup_canaries; keep_consoles; rm -rf "$TMP"' EXIT
enabled=$(sed 's/.*\[\(.*\)\].*/\1/' $THP/enabled)

J=$TMP/crafted.journal
{
	echo '{"kind":"journal","pid":1,"started":1}'
	echo "{\"kind\":\"sysfs\",\"file\":\"$THP/enabled\",\"old\":\"$enabled\"}"
	echo "{\"kind\":\"sysfs\",\"file\":\"$TMP/canary-write\",\"old\":\"pwned\"}"
	echo "{\"kind\":\"sysfs\",\"file\":\"$THP/../../../../$TMP/canary-write\",\"old\":\"pwned\"}"
	echo "{\"kind\":\"swap\",\"path\":\"$SW\",\"remove\":false}"
	echo "{\"kind\":\"swap\",\"path\":\"$TMP/canary-unlink\",\"remove\":true}"
	echo "{\"kind\":\"cgroup\",\"dir\":\"$TMP/canary-dir\"}"
	[ -n "$CG" ] && echo "{\"kind\":\"cgroup\",\"dir\":\"$CG\"}"
	echo '{"kind":"zram","dev":"/dev/vda"}'
} > "$J"
chmod 600 "$J"
nref=$(($(wc -l < "$J") - 2))

expect_exit 3 "--restore of a crafted journal exits 3" "$A" --restore --journal="$J"
cat "$TMP/stdout" "$TMP/stderr" > "$TMP/said"
check "  one 'refused' sentence per crafted entry ($nref)" \
	test "$(grep -c 'refused: a .* entry naming' "$TMP/said")" = "$nref"
check "  the THP entry (allowed) is still replayed" grep -q "$THP/enabled is '$enabled'" "$TMP/said"
check "  the file to overwrite survived" test "$(cat "$TMP/canary-write")" = safe
check "  the file to unlink survived" test -f "$TMP/canary-unlink"
check "  the directory survived" test -d "$TMP/canary-dir"
if [ -n "$CG" ]; then check "  the cgroup that is not faultline's survived" test -d "$CG"
else skip "no writable cgroup hierarchy for the cgroup canary"; fi
if [ "$swap_ok" = 1 ]; then check "  the swap area that is not faultline's is still on" grep -q "^$SW " /proc/swaps
else skip "no swap file possible in /var/tmp for the swapoff canary"; fi
check "  the journal stays (its refused entries were not restored)" test -f "$J"
check "  it says the journal stays" grep -q "journal stays at $J" "$TMP/said"

# The journal file itself: only a journal is ever replayed, truncated or removed.
echo "root:x:0:0:root:/root:/bin/bash" > "$TMP/not-a-journal"
cp "$TMP/not-a-journal" "$TMP/not-a-journal.orig"
expect_exit 3 "--restore --journal=a file that is not a journal exits 3" \
	"$A" --restore --journal="$TMP/not-a-journal"
check "  saying it is not a journal" grep -q "not a journal" "$TMP/stdout"
expect_exit 3 "a case with --journal=a file that is not a journal is skipped" \
	"$A" ebizzy --seconds=0.1 --threads=1 --probes none --journal="$TMP/not-a-journal" \
	--json "$TMP/nj.json"
check "  the file is intact (not truncated, not removed)" cmp -s "$TMP/not-a-journal" "$TMP/not-a-journal.orig"
ln -s "$TMP/canary-write" "$TMP/link.journal"
expect_exit 3 "--restore --journal=a symlink exits 3" "$A" --restore --journal="$TMP/link.journal"
expect_exit 3 "a case with --journal=a symlink is skipped" \
	"$A" ebizzy --seconds=0.1 --threads=1 --probes none --journal="$TMP/link.journal" \
	--json "$TMP/sl.json"
check "  the symlink's target is intact" test "$(cat "$TMP/canary-write")" = safe
echo '{"kind":"journal","pid":1}' > "$TMP/open.journal"
chmod 666 "$TMP/open.journal"
expect_exit 3 "--restore --journal=a journal others can write exits 3" \
	"$A" --restore --journal="$TMP/open.journal"
check "  and leaves it" test -f "$TMP/open.journal"

cleanup_canaries
CG="" swap_ok=0
snapshot "$TMP/after"
if diff -u "$TMP/before" "$TMP/after" > "$TMP/diff"; then ok "kernel settings identical before and after"
else notok "kernel settings identical before and after ($(head -c 400 "$TMP/diff"))"; fi
done_testing
