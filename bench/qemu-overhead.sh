#!/usr/bin/env bash
# What the QEMU target costs: boot-to-agent-ready time (QEMU start to the agent's READY on
# virtio-serial) and per-case overhead (case wall time minus its measured phase: agent start,
# setup, probes, verify, teardown, the result frame) of the same cases run by the local target
# on this host. Prints figures; never passes or fails on timing.
#   bench/qemu-overhead.sh [--kernel CANDIDATE|IMAGE] [--iterations N]
. "$(dirname "$0")/usage.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
kernel=debian-6.12 iters=3
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--iterations) iters=$2; shift 2 ;;
	*) echo "usage: bench/qemu-overhead.sh [--kernel K] [--iterations N]" >&2; exit 2 ;;
	esac
done
F=bin/faultline
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/suite.json" <<JSON
{"name": "qemu-overhead", "description": "bench/qemu-overhead.sh", "iterations": $iters,
 "warmup": 0, "timeout_s": 120, "cases": [
  {"workload": "fault-scale", "params": {"threads": 2, "size": "4M", "seconds": 1, "pin": "none"}},
  {"workload": "ebizzy", "params": {"threads": 2, "seconds": 1, "mmap": true, "touch_only": true}}]}
JSON
"$F" run --target local --out "$tmp/local" "$tmp/suite.json" > "$tmp/local.out" 2>&1 || true
t0=$(date +%s.%N)
"$F" run --target qemu --accel tcg --kernel "$kernel" --out "$tmp/qemu" "$tmp/suite.json" > "$tmp/qemu.out" 2>&1 || true
t1=$(date +%s.%N)
python3 - "$tmp" "$kernel" "$(echo "$t1 - $t0" | bc)" <<'PY'
import glob, json, re, sys, statistics as st
tmp, kernel, total = sys.argv[1], sys.argv[2], float(sys.argv[3])
def cases(kind):
    out = {}
    # per-case wall time from the progress lines, in plan order; measured_s from the documents
    walls = [float(m) for m in re.findall(r'\((\d+\.\d+) s\)', open(f'{tmp}/{kind}.out').read())]
    files = sorted(glob.glob(f'{tmp}/{kind}/cases/*.json'))
    for f, w in zip(files, walls):
        c = json.load(open(f))['case']
        if c.get('status') != 'ok':
            continue
        out.setdefault(c['workload'], []).append((w, c.get('measured_s', 0.0)))
    return out
boot = re.search(r'boot to agent ready (\d+\.\d+) s', open(f'{tmp}/qemu.out').read())
up = re.search(r'guest up: (\S+)', open(f'{tmp}/qemu.out').read())
print(f'QEMU target overhead: kernel {kernel} ({up.group(1) if up else "?"}), TCG, 4 vCPUs, host {len(open("/proc/cpuinfo").read().split("processor")) - 1} CPUs')
print(f'  boot to agent ready     {boot.group(1) if boot else "?"} s')
print(f'  whole qemu run          {total:.1f} s')
loc, qem = cases('local'), cases('qemu')
print(f'  {"case":<14} {"target":<6} {"n":>2} {"wall s":>8} {"measured s":>10} {"overhead s":>10}')
for wl in sorted(set(loc) | set(qem)):
    for name, d in (('local', loc), ('qemu', qem)):
        v = d.get(wl, [])
        if not v:
            print(f'  {wl:<14} {name:<6}  0        -          -          -')
            continue
        w = st.median(x[0] for x in v); m = st.median(x[1] for x in v)
        print(f'  {wl:<14} {name:<6} {len(v):>2} {w:>8.2f} {m:>10.2f} {w - m:>10.2f}')
print('  (medians; overhead = wall - measured: agent start, setup, probes, verify, teardown, transfer)')
PY
