#!/usr/bin/env bash
# Seed 000 in guests (make check-slow, ~1 min for x86_64, ~3 min more for ppc64le radix and
# hash): thp-munmap with an idle thread on every vCPU (it ran there once, then sleeps) and one
# GUP-fast walker, in TCG guests with 4, 8 and 16 vCPUs (tests/fixtures/suites/
# thp-munmap-vcpus.json: munmap and split of 64M). In every guest the idle threads ran on
# distinct CPUs, slept through the operation and the mm ran on every vCPU; the IPIs of one
# operation received by idle CPUs grow with the CPUs the mm ran on (split: the collapse's
# page-table sync IPIs every CPU); the munmap figures are printed as a table (vCPUs x IPIs per
# munmap, per GiB, to idle and walking CPUs). ppc64le runs when its agent is built.
. "$(dirname "$0")/../integration/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites/thp-munmap-vcpus.json
VCPUS=${THPM_VCPUS:-4 8 16}

if [ "$(uname -m)" != x86_64 ]; then
	skip "the guest sweep assumes an x86_64 host"
	done_testing
	exit
fi

# table ARCH CLASS DIR...: one line per run and op; checks each case; prints the table.
table() {
	python3 - "$@" <<'PY'
import json, glob, sys
arch, cls, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
base = {"function_call": "function_call_ipis", "other": "other_ipis"}[cls]
print(f"# {arch}: vCPUs  op      mm_cpus  {base}  idle  walking  per GiB")
for d in dirs:
    for f in sorted(glob.glob(d + "/cases/*.json")):
        c = json.load(open(f))["case"]
        m = {k: v.get("value") for k, v in c["metrics"].items()}
        n = len(c["detail"]["ipi_per_gib"]["cpus"])
        per_gib = m.get(base + "_per_gib", m.get("ipis_per_gib"))
        print(f"# {arch}: {n:5d}  {c['params']['op']:7s} {m['mm_cpus']:7.0f}  "
              f"{m[base]:{len(base)}.0f}  {m[base + '_idle']:4.0f}  {m[base + '_walking']:7.0f}"
              f"  {per_gib}")
PY
}

# check_run ARCH N DIR: every case ok, idle threads on N distinct CPUs asleep through the op.
check_run() {
	check "$1 $2 vCPUs: every case ok, idle threads on $2 distinct CPUs, asleep through the operation, mm on $2 CPUs" \
		python3 - "$3" "$2" <<'PY'
import json, glob, sys
d, n = sys.argv[1], int(sys.argv[2])
files = sorted(glob.glob(d + "/cases/*.json"))
assert len(files) == 2, files
for f in files:
    c = json.load(open(f))["case"]
    assert c["status"] == "ok", (f, c["status"], c.get("reason"))
    i = c["detail"]["idle"]
    assert i["threads"] == n and i["distinct_cpus"] == n, i
    assert i["asleep_before_op"] == n and i["ran_during_op"] == 0, i
    assert c["metrics"]["mm_cpus"]["value"] == n, c["metrics"]["mm_cpus"]
    assert c["detail"]["ipi_receivers"]["roles"]["walking"], c["detail"]["ipi_receivers"]["roles"]
PY
}

# grows CLASS OP DIR...: the op's IPIs to idle CPUs grow strictly from one run to the next.
grows() {
	python3 - "$@" <<'PY'
import json, glob, sys
cls, op, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
base = {"function_call": "function_call_ipis", "other": "other_ipis"}[cls]
v = []
for d in dirs:
    for f in glob.glob(d + "/cases/*.json"):
        c = json.load(open(f))["case"]
        if c["params"]["op"] == op:
            v.append(c["metrics"][base + "_idle"]["value"])
assert len(v) == len(dirs) and all(a < b for a, b in zip(v, v[1:])), v
PY
}

sweep() {	# sweep ARCH CLASS
	local a=$1 cls=$2 dirs=() n
	for n in $VCPUS; do
		expect_exit 0 "$a: the sweep suite runs with $n vCPUs" "$F" run --target qemu \
			--accel tcg --arch "$a" --kernel debian --cpus "$n" --out "$TMP/$a-$n" "$S"
		check_run "$a" "$n" "$TMP/$a-$n"
		dirs+=("$TMP/$a-$n")
	done
	check "$a: split: $cls IPIs to idle CPUs grow with the CPUs the mm ran on" \
		grows "$cls" split "${dirs[@]}"
	check "$a: munmap: $cls IPIs counted and split by receiver (table)" table "$a" "$cls" "${dirs[@]}"
}

if command -v qemu-system-x86_64 > /dev/null; then
	sweep x86_64 function_call
else
	skip "x86_64: qemu-system-x86_64 is not installed"
fi
# Debian's ppc64le kernel is 6.1: no csd tracepoint, so the function calls are in the muxed
# IPI row, class other (workloads/probes/README.md).
for a in ppc64le ppc64le-hash; do
	if [ ! -x "$FL_ROOT/$("$FL_ROOT/scripts/machine-field" "$a" agent)" ] ||
	   ! command -v qemu-system-ppc64 > /dev/null; then
		skip "$a: the ppc64le agent or qemu-system-ppc64 is missing (make deps-cross agents)"
		continue
	fi
	sweep "$a" other
done
done_testing
