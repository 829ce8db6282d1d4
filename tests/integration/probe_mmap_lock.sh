#!/usr/bin/env bash
# The mmap_lock probe on this kernel: fault-scale with the writer thread records write
# acquisitions (more than without it) with wait/hold percentiles in order, reports its ring
# losses, validates; it is left out of the default probe set; a tracefs without the
# mmap_lock events gives "absent" and no tracefs at all "unsupported" (both faked in a private
# mount namespace: the host's mounts are untouched).
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
SA=${FL_SAN_BIN:-$FL_BIN}/faultline-agent
F=$FL_BIN/faultline

if [ "$(id -u)" != 0 ]; then
	skip "the mmap_lock probe records system-wide: needs root"; done_testing; exit
fi
if [ ! -e /sys/kernel/tracing/events/mmap_lock/mmap_lock_released ] &&
   [ ! -e /sys/kernel/debug/tracing/events/mmap_lock/mmap_lock_released ]; then
	skip "this kernel has no mmap_lock tracepoints"; done_testing; exit
fi
# py FILE EXPR...: python with c = the case's mmap_lock section
py() { local f=$1; shift; python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']['mmap_lock']
$*" "$f"; }
ORDERED='
for who in (c, c["other_tasks"]) + ((c["khugepaged"],) if "read" in c["khugepaged"] else ()):
    for side in ("read", "write"):
        for h in (who[side]["wait"], who[side]["hold"]):
            if h["count"]:
                assert h["p50"] <= h["p99"] <= h["max"], h
            else:
                assert "p50" not in h, h'

expect_exit 0 "fault-scale with the writer, mmap_lock probe (sanitized agent)" \
	"$SA" fault-scale -t 2 -s 4M -S 1 -w --probes mmap_lock --json "$TMP/w.json"
check "the case validates" "$F" validate "$TMP/w.json"
check "write acquisitions > 0, with waits and holds timed" py "$TMP/w.json" '
w = c["write"]
assert w["count"] > 0 and w["hold"]["count"] > 0 and w["wait"]["count"] > 0, w
assert c["scope"] in ("mm", "tasks") and c["events"]["released"] > 0, c["events"]'
check "every wait/hold p50 <= p99 <= max" py "$TMP/w.json" "$ORDERED"
check "ring losses reported (a number, per CPU) and carried by the figures when > 0" py "$TMP/w.json" '
assert c["lost_events"] == sum(c["lost_per_cpu"]), c["lost_per_cpu"]
assert (c["lost_events"] > 0) == ("lost_events" in c["write"]), c["write"]'
check "khugepaged: figures, or absent with a reason" py "$TMP/w.json" '
k = c["khugepaged"]
assert ("write" in k and "count" in k["write"]) or (k["status"] == "absent" and k["reason"]), k'

expect_exit 0 "fault-scale without the writer, mmap_lock probe" \
	"$A" fault-scale -t 2 -s 4M -S 1 --probes mmap_lock --json "$TMP/n.json"
check "it validates, percentiles ordered" py "$TMP/n.json" "$ORDERED"
check "the writer thread adds write acquisitions" python3 -c "
import json,sys; w, n = (json.load(open(f))['case']['mmap_lock']['write']['count'] for f in sys.argv[1:])
assert w > n > 0, (w, n)" "$TMP/w.json" "$TMP/n.json"

expect_exit 0 "the default probe set" "$A" fault-scale -t 1 -s 1M -S 0.2 --json "$TMP/d.json"
check "leaves the mmap_lock probe out" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']; assert 'mmap_lock' not in c and 'vmstat' in c" "$TMP/d.json"
expect_exit 2 "an unknown probe name" "$A" fault-scale --probes all,bogus
stderr_has "all is every one but sw and mmap_lock" "the message names the probes left out of all"

# A tracefs without the mmap_lock events, then no tracefs at all: private mount namespace.
if unshare -m --propagation private true 2>/dev/null; then
	expect_exit 0 "a tracefs without mmap_lock events" unshare -m --propagation private \
		sh -c 'mount -t tmpfs none /sys/kernel/tracing && mkdir /sys/kernel/tracing/events &&
		       exec "$1" fault-scale -t 1 -s 1M -S 0.2 --probes mmap_lock --json "$2"' \
		sh "$A" "$TMP/absent.json"
	check "mmap_lock is absent, with the event named" py "$TMP/absent.json" '
assert c == {"status": "absent", "reason": "this kernel has no mmap_lock:mmap_lock_start_locking tracepoint"}, c'
	check "the absent case validates" "$F" validate "$TMP/absent.json"
	expect_exit 0 "no tracefs, and none mountable" unshare -m --propagation private \
		sh -c 'mount -t tmpfs none /sys/kernel &&
		       exec "$1" fault-scale -t 1 -s 1M -S 0.2 --probes mmap_lock --json "$2"' \
		sh "$A" "$TMP/unsup.json"
	check "mmap_lock is unsupported, saying tracefs could not be mounted" py "$TMP/unsup.json" '
assert c["status"] == "unsupported" and "tracefs" in c["reason"], c'
	check "the unsupported case validates" "$F" validate "$TMP/unsup.json"
else
	skip "unshare -m is not available: the absent/unsupported paths were not faked"
fi
check "the host's tracefs is still mounted with its events" test -e /sys/kernel/tracing/events/mmap_lock
done_testing
