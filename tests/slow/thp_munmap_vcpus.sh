#!/usr/bin/env bash
# Seed 000 in guests (make check-slow, ~1 min for x86_64, ~3 min more for ppc64le radix and
# hash): thp-munmap with an idle thread on every vCPU (it ran there once, then sleeps) and one
# GUP-fast walker, in TCG guests with 4, 8 and 16 vCPUs (tests/fixtures/suites/
# thp-munmap-vcpus.json: munmap and split of 64M). In every guest the idle threads ran on
# distinct CPUs, slept through the operation and the mm ran on every vCPU; the IPIs of one
# operation received by idle CPUs grow with the CPUs the mm ran on (split: the collapse's
# page-table sync IPIs every CPU); the munmap figures are printed as a table (vCPUs x IPIs per
# munmap, per GiB, to idle and walking CPUs). ppc64le runs when its agent is built.
# x86_64 also runs tests/fixtures/suites/thp-munmap-vcpus-pgt.json (~30 s more per guest): a
# munmap of 1 GiB that frees its PMD table (align=pud, as the seed's 496 GB munmap did) and one
# that frees none (align=pmd); the page tables freed are measured (VmPTE) and as the layout
# predicts; with tables freed, x86 flushes every CPU of the mm, lazy (idle) ones included:
# the function-call IPIs to idle CPUs grow with the vCPUs and every idle CPU gets a TLB
# flush; without, they stay at a few whatever the vCPUs (arch/x86/mm/tlb.c, freed_tables).
. "$(dirname "$0")/../integration/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites/thp-munmap-vcpus.json
SPGT=$FL_ROOT/tests/fixtures/suites/thp-munmap-vcpus-pgt.json
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

# pgt_table DIR...: vCPUs x IPIs per munmap of 1 GiB, with and without PMD tables freed.
pgt_table() {
	python3 - "$@" <<'PY'
import json, glob, sys
print("# x86_64 munmap 1 GiB: vCPUs  align  pmd_tables_freed  function_call_ipis  idle  "
      "walking  per GiB  tlb_ipis  idle")
for d in sys.argv[1:]:
    for f in sorted(glob.glob(d + "/cases/*.json")):
        c = json.load(open(f))["case"]
        m = {k: v.get("value") for k, v in c["metrics"].items()}
        n = len(c["detail"]["ipi_per_gib"]["cpus"])
        print(f"# x86_64 munmap 1 GiB: {n:5d}  {c['params']['align']:5s}  "
              f"{m['pmd_tables_freed']:16.0f}  {m['function_call_ipis']:18.0f}  "
              f"{m['function_call_ipis_idle']:4.0f}  {m['function_call_ipis_walking']:7.0f}  "
              f"{m['function_call_ipis_per_gib']:7.0f}  {m.get('tlb_ipis', float('nan')):8.0f}  "
              f"{m.get('tlb_ipis_idle', float('nan')):4.0f}")
PY
}

# pgt_freed DIR: align=pud freed its PMD table, align=pmd none, each as its layout predicted.
pgt_freed() {
	python3 - "$1" <<'PY'
import json, glob, sys
seen = set()
for f in glob.glob(sys.argv[1] + "/cases/*.json"):
    c = json.load(open(f))["case"]
    assert c["status"] == "ok", (f, c["status"], c.get("reason"))
    a, pt = c["params"]["align"], c["detail"]["page_tables"]
    want = 1 if a == "pud" else 0
    assert pt["predicted_pmd_tables"] == want, (a, pt)
    assert c["metrics"]["pmd_tables_freed"]["value"] == want, (a, pt)
    assert pt["freed_pmd_tables"] == (want > 0), (a, pt)
    seen.add(a)
assert seen == {"pmd", "pud"}, seen
PY
}

# pgt_grows DIR...: with PMD tables freed (align=pud) the function-call IPIs to idle CPUs grow
# strictly with the vCPUs and reach every idle CPU, each of which also gets a TLB flush where
# the TLB row counts (one CPU may have left the mm's CPU mask by running another process of
# the guest: idle - 1 at least); without (align=pmd) no idle (lazy) CPU gets a TLB flush (at most one
# stray) and the function-call IPIs to idle CPUs of the largest guest stay under half of what
# the munmap that freed tables sent there (seen: 0 to 4, from other sources, at any vCPUs).
pgt_grows() {
	python3 - "$@" <<'PY'
import json, glob, sys
pud, pmd = [], []
for d in sys.argv[1:]:
    for f in glob.glob(d + "/cases/*.json"):
        c = json.load(open(f))["case"]
        m = {k: v.get("value") for k, v in c["metrics"].items()}
        idle = len(c["detail"]["ipi_receivers"]["roles"]["idle"])
        if c["params"]["align"] == "pud":
            pud.append(m["function_call_ipis_idle"])
            assert m["function_call_ipis_idle"] >= idle - 1, (d, m["function_call_ipis_idle"], idle)
            if "tlb_ipis_idle" in m:
                assert m["tlb_ipis_idle"] >= idle - 1, (d, m["tlb_ipis_idle"], idle)
        else:
            pmd.append(m["function_call_ipis_idle"])
            if "tlb_ipis_idle" in m:
                assert m["tlb_ipis_idle"] <= 1, (d, m["tlb_ipis_idle"])
assert len(pud) == len(sys.argv) - 1 and all(a < b for a, b in zip(pud, pud[1:])), pud
assert len(pmd) == len(pud) and pmd[-1] < pud[-1] / 2, (pmd, pud)
print("# function-call IPIs to idle CPUs per munmap: tables freed", pud, "not freed", pmd)
PY
}

pgt_sweep() {
	local dirs=() n
	for n in $VCPUS; do
		expect_exit 0 "x86_64: the page-table suite runs with $n vCPUs" "$F" run --target qemu \
			--accel tcg --arch x86_64 --kernel debian --cpus "$n" --out "$TMP/pgt-$n" "$SPGT"
		check "x86_64 $n vCPUs: munmap align=pud freed its PMD table, align=pmd none (measured as predicted)" \
			pgt_freed "$TMP/pgt-$n"
		dirs+=("$TMP/pgt-$n")
	done
	check "x86_64: munmap freeing page tables: function-call IPIs to idle CPUs grow with the CPUs the mm ran on, not without" \
		pgt_grows "${dirs[@]}"
	check "x86_64: munmap of 1 GiB with and without page tables freed (table)" pgt_table "${dirs[@]}"
}

if command -v qemu-system-x86_64 > /dev/null; then
	sweep x86_64 function_call
	pgt_sweep
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
