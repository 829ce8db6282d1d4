#!/usr/bin/env bash
# thp-munmap (seed 000): each op's quick case is ok, schema-valid, with a THP share >= 90%
# and IPIs per GiB; where remote TLB flushes go through a hypervisor (no IPI), the TLB IPI
# metrics are missing with the reason, never a number, and the remote flushes sent are counted
# (tlb:tlb_flush); idle threads ran on distinct CPUs and slept through the munmap, whose IPIs
# are split by receiver; corruption is found and located; bad params exit 2; THP sysfs unchanged.
# align=pud (600M rounded up to a PUD, 1 GiB on x86_64) lays the range on PUD boundaries and its
# munmap frees the PMD table, measured (VmPTE) and as the layout predicts; the default align=pmd
# (one PMD past a PUD boundary, one-page guards on both sides) frees none.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline
export FAULTLINE_JOURNAL=$TMP/journal

if [ "$(id -u)" != 0 ] || [ ! -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
	skip "thp-munmap needs root and a kernel with THP"; done_testing; exit
fi
m() { jget "$1" "['case']['metrics']['$2']['value']"; }
# run_case NAME ARGS...: one case, exit 0, schema-valid, THP sysfs identical before/after
run_case() {
	local name=$1; shift
	kernel_state_locked > "$TMP/thp.before"
	expect_exit 0 "thp-munmap $*" "$A" thp-munmap "$@" --json "$TMP/$name.json"
	kernel_state_locked > "$TMP/thp.after"
	check "$name: THP sysfs identical before and after" cmp -s "$TMP/thp.before" "$TMP/thp.after"
	check "$name: schema-valid" "$F" validate "$TMP/$name.json"
	check "$name: THP share >= 90% before the op" python3 -c \
		"import sys; assert float(sys.argv[1]) >= 90, sys.argv[1]" "$(m "$TMP/$name.json" thp_share)"
	check "$name: op_ms and ms_per_gib present" python3 -c \
		"import sys; assert float(sys.argv[1]) > 0 and float(sys.argv[2]) > 0" \
		"$(m "$TMP/$name.json" op_ms)" "$(m "$TMP/$name.json" ms_per_gib)"
}
# x86 prints CAL and TLB rows: the function-call metric must be there (elsewhere: absent +
# reason). The TLB row undercounts where remote flushes go through a hypervisor's flush (KVM's
# paravirtual flush, tlb_lib.sh): tlb_ipis_per_gib is then left out and named in
# detail.metrics_missing with the reason, never a number; the sender's count of remote flushes
# (tlb:tlb_flush "remote IPI send") is its own metric.
. "$(dirname "$0")/tlb_lib.sh"
TLB_IPI_LESS=$(tlb_ipi_less)
TLB_TP=$(ls /sys/kernel/tracing/events/tlb/tlb_flush/id /sys/kernel/debug/tracing/events/tlb/tlb_flush/id 2>/dev/null | head -1)
ipis() {
	if [ "$(uname -m)" = x86_64 ]; then
		check "$1: function-call IPIs per GiB present" python3 - "$TMP/$1.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
assert c["metrics"]["function_call_ipis_per_gib"]["value"] >= 0
assert len(c["detail"]["ipi_per_gib"]["function_call"]["per_cpu"]) >= 1
PY
	else
		check "$1: IPI classes present or explained" python3 - "$TMP/$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["case"]["detail"]["ipi_per_gib"]
for k in ("function_call", "tlb_shootdown"):
    assert "total" in d[k] or d[k].get("reason"), k
PY
	fi
	if [ "$TLB_IPI_LESS" -gt 0 ]; then
		check "$1: hypervisor flush: no TLB IPI metric, each named in metrics_missing with the reason" \
			python3 - "$TMP/$1.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
m, miss = c["metrics"], c["detail"]["metrics_missing"]
for k in ("tlb_ipis_per_gib", "tlb_ipis", "tlb_ipis_idle", "tlb_ipis_walking"):
    assert k not in m, (k, m.get(k))
    assert miss[k]["status"] == "unsupported" and "without an IPI" in miss[k]["reason"], (k, miss.get(k))
t = c["detail"]["ipi_per_gib"]["tlb_shootdown"]
assert "total" not in t and "without an IPI" in t["reason"], t
assert "TLB" in c["detail"]["ipi_op"]["raw"], "the TLB row stays in raw"
PY
	elif [ "$(uname -m)" = x86_64 ]; then
		check "$1: TLB IPIs per GiB present" python3 -c \
			"import json,sys; assert json.load(open(sys.argv[1]))['case']['metrics']['tlb_ipis_per_gib']['value'] >= 0" "$TMP/$1.json"
	fi
	if [ -n "$TLB_TP" ]; then
		check "$1: remote TLB flushes sent (tlb:tlb_flush) per GiB and in all, every reason in detail" \
			python3 - "$TMP/$1.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
m, d = c["metrics"], c["detail"]
gib = d["size_bytes"] / 2**30
n = m["remote_tlb_flushes"]["value"]
assert n >= 0 and abs(m["remote_tlb_flushes_per_gib"]["value"] - n / gib) < 1e-6 * max(1, n / gib), m
assert d["tlb_flush_op"]["tlb:tlb_flush/remote_ipi_send"]["value"] == n, d["tlb_flush_op"]
PY
	fi
}

for op in munmap dontneed mprotect split; do
	run_case "$op" --size 256M --op "$op"
	ipis "$op"
done
run_case munmap-w1 --size 256M --op munmap --walkers 1
ipis munmap-w1
if [ -n "$TLB_TP" ]; then
	check "munmap with a walker on another CPU: remote TLB flushes sent > 0" python3 -c \
		"import json,sys; v=json.load(open(sys.argv[1]))['case']['metrics']['remote_tlb_flushes']['value']; print('# remote TLB flushes sent:', v); assert v > 0, v" "$TMP/munmap-w1.json"
fi
check "munmap with a walker: walkers read pages (GUP-fast) during the case" python3 -c \
	"import json,sys; v=json.load(open(sys.argv[1]))['case']['verify']['walker_reads']; assert v['calls'] > 0 and v['corrupt'] == 0, v" "$TMP/munmap-w1.json"
# Seed 000's setup: an idle thread ran once on every CPU and sleeps through the munmap, a walker
# walks; the IPIs of the munmap are split by receiver (walking / idle / sender).
run_case munmap-idle --size 64M --op munmap --walkers 1
check "munmap-idle: one idle thread per CPU, each ran on its own CPU and slept through the munmap" \
	python3 - "$TMP/munmap-idle.json" "$(nproc)" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
n = int(sys.argv[2])
i = c["detail"]["idle"]
assert i["threads"] == n and i["distinct_cpus"] == n, i
assert sorted(i["cpus"]) == sorted(c["detail"]["ipi_per_gib"]["cpus"]), i
assert i["asleep_before_op"] == n and i["asleep_after_op"] == n, i
assert i["ran_during_op"] == 0 and i["switches_unknown"] == 0, i
assert c["metrics"]["mm_cpus"]["value"] == n, c["metrics"]["mm_cpus"]
PY
check "munmap-idle: the walker's CPU and the munmap's CPU are told apart; IPIs split by receiver" \
	python3 - "$TMP/munmap-idle.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
r, m = c["detail"]["ipi_receivers"], c["metrics"]
assert r["roles"]["walking"] and r["roles"]["sender"], r["roles"]
assert not set(r["roles"]["walking"]) & set(r["roles"]["sender"]), r["roles"]
for cls, base in (("function_call", "function_call_ipis"), ("tlb_shootdown", "tlb_ipis")):
    s = r[cls]
    if "total" not in s:	# a class this kernel does not count: missing with its reason, never 0
        for k in (base, base + "_idle", base + "_walking"):
            assert k not in m and c["detail"]["metrics_missing"][k]["reason"], k
        continue
    assert s["idle"] + s["walking"] + s["sender"] + s["not_in_mm"] == s["total"], s
    assert m[base]["value"] == s["total"] and m[base + "_idle"]["value"] == s["idle"], cls
PY
check "munmap-idle (align=pmd): guards around the range, no PMD table freed (measured and predicted)" \
	python3 - "$TMP/munmap-idle.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
l, pt, m = c["detail"]["layout"], c["detail"]["page_tables"], c["metrics"]
assert l["align"] == "pmd" and l["guards"] is True, l
assert (l["start"] - c["detail"]["pmd_bytes"]) % c["detail"]["pud_bytes"] == 0, l
assert pt["floor"] == l["start"] and pt["ceiling"] == l["end"], (pt, l)
assert pt["predicted_pmd_tables"] == 0 and m["pmd_tables_freed"]["value"] == 0, pt
assert pt["freed_pmd_tables"] is False and pt["freed_kb"] == pt["pte_tables_kb"], pt
PY
run_case munmap-pud --size 600M --op munmap --align pud --idle 0
check "align=pud: the range is rounded up to the PUD size and starts on a PUD boundary" \
	python3 - "$TMP/munmap-pud.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["case"]["detail"]
l, pud = d["layout"], d["pud_bytes"]
assert l["align"] == "pud" and l["guards"] is False, l
assert d["size_bytes"] == pud and l["start"] % pud == 0 and l["end"] - l["start"] == pud, (d["size_bytes"], l)
PY
check "align=pud: munmap freed the PMD table (VmPTE drop less the PTE tables), as the layout predicted" \
	python3 - "$TMP/munmap-pud.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
pt, m = c["detail"]["page_tables"], c["metrics"]
print("# page tables:", pt)
assert pt["predicted_pmd_tables"] == 1 and m["pmd_tables_freed"]["value"] == 1, pt
assert pt["freed_pmd_tables"] is True, pt
assert pt["freed_kb"] * 1024 == pt["pte_tables_kb"] * 1024 + pt["pmd_table_bytes"], pt
PY
run_case munmap-idle0 --size 64M --op munmap --idle 0
check "--idle 0: no idle threads" python3 -c \
	"import json,sys; d=json.load(open(sys.argv[1]))['case']['detail']; assert 'idle' not in d, d['idle']" "$TMP/munmap-idle0.json"
run_case split-w1 --size 128M --op split --walkers 1
check "split: the range is huge again after MADV_COLLAPSE" python3 -c \
	"import sys; assert float(sys.argv[1]) >= 90, sys.argv[1]" "$(m "$TMP/split-w1.json" thp_share_after)"

# Verification can fail: the page is located.
for op in mprotect munmap dontneed; do
	expect_exit 1 "$op with --test-corrupt-page 77 fails" "$A" thp-munmap --size 64M --op "$op" \
		--probes none --test-corrupt-page 77 --json "$TMP/bad-$op.json"
	check "$op: the failed case names page 77 and is schema-valid" python3 -c \
		"import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='failed' and 'page 77' in c['reason'], c['reason']" "$TMP/bad-$op.json"
	check "$op: failed case validates" "$F" validate "$TMP/bad-$op.json"
done

# Bad parameters: exit 2, one sentence.
expect_exit 2 "unknown op" "$A" thp-munmap --op shred
stderr_has "shred" "it names the value"
check "one line" test "$(wc -l < "$TMP/stderr")" -le 1
expect_exit 2 "size too small" "$A" thp-munmap --size 4K
stderr_has "parameter 'size'" "it names the parameter"
expect_exit 2 "negative walkers" "$A" thp-munmap --walkers -1
stderr_has "walkers" "it names the parameter"
expect_exit 2 "negative idle threads" "$A" thp-munmap --idle -1
stderr_has "idle" "it names the parameter"
expect_exit 2 "unknown align" "$A" thp-munmap --align pgd
stderr_has "align" "it names the parameter"
done_testing
