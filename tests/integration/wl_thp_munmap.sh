#!/usr/bin/env bash
# thp-munmap (seed 000): each op's quick case is ok, schema-valid, with a THP share >= 90%
# and IPIs per GiB; idle threads ran on distinct CPUs and slept through the munmap, whose IPIs
# are split by receiver; corruption is found and located; bad params exit 2; THP sysfs unchanged.
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
# x86 prints CAL and TLB rows: both per-GiB metrics must be there (elsewhere: absent + reason).
ipis() {
	if [ "$(uname -m)" = x86_64 ]; then
		check "$1: function-call and TLB IPIs per GiB present" python3 - "$TMP/$1.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]
for k in ("function_call_ipis_per_gib", "tlb_ipis_per_gib"):
    assert c["metrics"][k]["value"] >= 0, k
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
}

for op in munmap dontneed mprotect split; do
	run_case "$op" --size 256M --op "$op"
	ipis "$op"
done
run_case munmap-w1 --size 256M --op munmap --walkers 1
ipis munmap-w1
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
done_testing
