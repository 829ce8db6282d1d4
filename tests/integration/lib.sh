# Shared by the integration scripts: TAP output and small checks.
# shellcheck shell=bash
FL_ROOT=${FL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FL_BIN=${FL_BIN:-$FL_ROOT/bin}
tap_n=0 tap_failed=0
TMP=$(mktemp -d /tmp/faultline-test.XXXXXX)
# On a failure, the guests' consoles are kept in the test's log (the temp dir goes).
keep_consoles() {
	[ "$tap_failed" = 0 ] && return
	find "$TMP" -name console.log 2>/dev/null | while read -r f; do
		echo "# --- last 60 lines of $f"
		tail -n 60 "$f" | sed 's/^/# /'
	done
}
trap 'keep_consoles; rm -rf "$TMP"' EXIT

ok()   { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
notok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - # SKIP $*"; }
# check DESC CMD...: ok when CMD succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
# expect_exit CODE DESC CMD...: ok when CMD exits with CODE; its stderr is in $TMP/stderr
expect_exit() {
	local code=$1 d=$2 rc; shift 2
	"$@" > "$TMP/stdout" 2> "$TMP/stderr"; rc=$?
	if [ "$rc" = "$code" ]; then ok "$d"; else
		notok "$d (exit $rc, expected $code: $(head -c 300 "$TMP/stderr"))"
		tail -c 600 "$TMP/stdout" | sed 's/^/# stdout: /'
	fi
}
# stderr_has TEXT DESC: the last expect_exit's stderr contains TEXT
stderr_has() { if grep -qF -- "$1" "$TMP/stderr"; then ok "$2"; else notok "$2 (stderr: $(head -c 300 "$TMP/stderr"))"; fi; }
# jq-like lookups with python3
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$@"; }
done_testing() { echo "1..$tap_n"; [ "$tap_failed" = 0 ]; }
# need_debian_x86_image: on an x86_64 host with qemu-system-x86_64, sets img to the debian-6.12
# candidate's image (fetched if need be); elsewhere says skip and ends the test.
need_debian_x86_image() {
	if ! command -v qemu-system-x86_64 > /dev/null || [ "$(uname -m)" != x86_64 ]; then
		skip "qemu-system-x86_64 is not installed or this host is not x86_64"
		done_testing
		exit
	fi
	img=$("$FL_BIN/faultline" kernel show debian-6.12 2>&1 | awk '$1 == "image" {print $2}')
}

# Kernel settings faultline workloads may change (THP, khugepaged, swap, zram, swappiness),
# as text, to compare before and after a run; statistics and counters are left out.
kernel_state() {
	find /sys/kernel/mm/transparent_hugepage -type f ! -path '*/stats/*' \
		! -name full_scans ! -name pages_collapsed | sort | while read -r f; do
		printf '%s: %s\n' "$f" "$(cat "$f" 2>/dev/null)"
	done
	swapon --show --noheadings --raw --output NAME,TYPE,SIZE
	for z in /sys/block/zram*/disksize; do [ -e "$z" ] && echo "$z: $(cat "$z")"; done
	echo "vm.swappiness: $(cat /proc/sys/vm/swappiness)"
}
# Hold the host lock on fd 9 from here until host_lock_release (or the test's end) and pass it
# to the agents and faultline runs the test starts (FAULTLINE_HOSTLOCK_FD), so no run
# elsewhere on the machine changes or restores kernel settings in between.
host_lock_hold() {
	mkdir -p /run/faultline
	exec 9>> /run/faultline/host.lock
	flock 9
	export FAULTLINE_HOSTLOCK_FD=9
}
host_lock_release() {
	exec 9>&-
	unset FAULTLINE_HOSTLOCK_FD
}
# kernel_state taken under the host lock, so a run elsewhere on the machine is not caught
# half-way through its set-up or teardown (it waits for that run to end)
kernel_state_locked() {
	mkdir -p /run/faultline
	{ flock 9; kernel_state; } 9>> /run/faultline/host.lock
}
