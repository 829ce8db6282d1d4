#!/usr/bin/env bash
# thp-munmap (seed 000): each op's quick case is ok, schema-valid, with a THP share >= 90%
# and IPIs per GiB; corruption is found and located; bad params exit 2; THP sysfs unchanged.
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
done_testing
