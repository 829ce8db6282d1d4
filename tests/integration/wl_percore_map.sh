#!/usr/bin/env bash
# faultline-agent percore-map (seed 004): op=zap (the thread's op: populate and MADV_DONTNEED a
# long-lived window) and op=mmap end ok and schema-valid with the seed table's metrics;
# op=zap takes mmap_lock for write only in set-up (op=mmap twice per op); shared-mm sends
# remote TLB flushes per op (tlb:tlb_flush "remote IPI send"), percore-mm fewer; on a machine
# whose kernel flushes other vCPUs through a hypervisor, the TLB IPI class is unsupported with
# the reason, never a number; an injected corruption fails the case with the page named.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline
. "$(dirname "$0")/tlb_lib.sh"
TLB_IPI_LESS=$(tlb_ipi_less)

for m in shared-mm percore-mm; do
	expect_exit 0 "percore-map op=zap $m, 2 workers" "$A" percore-map -m "$m" -t 2 -S 1.5 --json "$TMP/$m.json"
	check "$m validates" "$F" validate "$TMP/$m.json"
	check "$m: the seed table's metrics with their units; the zap zeroed the window" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']; m=c['metrics']
for k, u in [('ops_per_s','ops/s'), ('lat_mean_us','us'), ('lat_p50_us','us'), ('lat_p99_us','us')]:
    assert m[k]['unit'] == u and m[k]['value'] > 0, k
assert c['params']['op'] == 'zap', c['params']
assert m['lat_p50_us']['value'] <= m['lat_p99_us']['value']
assert c['verify']['corrupt'] == 0 and c['verify']['pages_checked'] > 0
assert len(c['detail']['worker_cpus']) == 2" "$TMP/$m.json"
done
check "remote TLB flushes sent per op: shared-mm > 0.3, percore-mm below it" python3 -c "
import json,sys
s=json.load(open(sys.argv[1]))['case']['metrics']['remote_tlb_flushes_per_op']['value']
p=json.load(open(sys.argv[2]))['case']['metrics']['remote_tlb_flushes_per_op']['value']
print('# remote TLB flushes sent/op: shared-mm %.3f, percore-mm %.3f' % (s, p))
assert s > 0.3 and p < s, (s, p)" "$TMP/shared-mm.json" "$TMP/percore-mm.json"
check "tlb:tlb_flush by reason in detail, as the format file names them" python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))['case']['detail']['tlb_flush_tracepoint']
assert d['tlb:tlb_flush/remote_ipi_send']['value'] > 0 and 'tlb:tlb_flush/local_mm_shootdown' in d, d" "$TMP/shared-mm.json"
if [ "$TLB_IPI_LESS" -gt 0 ]; then
	# The hypervisor flushes preempted vCPUs' TLBs itself: the TLB row undercounts.
	check "hypervisor flush: ipi.tlb_shootdown is unsupported with the reason, the row kept in raw" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']; t=c['ipi']['tlb_shootdown']
assert t['status'] == 'unsupported' and 'without an IPI' in t['reason'], t
assert 'total' not in t and 'TLB' in c['ipi']['raw']" "$TMP/shared-mm.json"
	check "hypervisor flush: no tlb_shootdown_ipis_per_op metric, its reason in detail" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']
assert 'tlb_shootdown_ipis_per_op' not in c['metrics'], c['metrics'].get('tlb_shootdown_ipis_per_op')
assert 'without an IPI' in c['detail']['metrics_absent']['tlb_shootdown_ipis_per_op']" "$TMP/shared-mm.json"
elif grep -qE '^ *TLB:' /proc/interrupts; then
	check "shared-mm: TLB-shootdown IPIs per op > 0; percore-mm: fewer" python3 -c "
import json,sys
s=json.load(open(sys.argv[1]))['case']['metrics']['tlb_shootdown_ipis_per_op']['value']
p=json.load(open(sys.argv[2]))['case']['metrics']['tlb_shootdown_ipis_per_op']['value']
print('# TLB-shootdown IPIs/op: shared-mm %.4f, percore-mm %.4f' % (s, p))
assert s > 0 and p < s, (s, p)" "$TMP/shared-mm.json" "$TMP/percore-mm.json"
else
	check "no TLB row here: the metric is left out with a reason" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']
assert 'tlb_shootdown_ipis_per_op' not in c['metrics'] and c['detail']['metrics_absent']['tlb_shootdown_ipis_per_op']" "$TMP/shared-mm.json"
fi
check "function-call IPIs per op reported" python3 -c "import json,sys; assert 'function_call_ipis_per_op' in json.load(open(sys.argv[1]))['case']['metrics']" "$TMP/shared-mm.json"
if grep -q '^nr_tlb_' /proc/vmstat; then
	check "tlb flushes by reason in detail" python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['case']['detail']['tlb_flush_by_reason']" "$TMP/shared-mm.json"
else
	check "no nr_tlb_*: the detail says DEBUG_TLBFLUSH is off" python3 -c "import json,sys; assert 'CONFIG_DEBUG_TLBFLUSH' in json.load(open(sys.argv[1]))['case']['detail']['metrics_absent']['tlb_flush_by_reason']" "$TMP/shared-mm.json"
fi

# mmap_lock taken for write (mmap_lock:mmap_lock_start_locking write == 1), by the agent and
# its children: op=zap only in set-up (a fixed ~140 here), op=mmap twice per op. 1 s, not 0.5:
# on the PVM guest 0.5 s made 2700-3200 zap ops, and the fixed set-up came to 4.3-5.1% of them.
wlocks() {
	perf stat -x, -e mmap_lock:mmap_lock_start_locking --filter 'write == 1' -o "$TMP/$1.perf" -- \
		"$A" percore-map -t 2 -S 1 --probes none --op "$1" "${@:2}" --json "$TMP/$1.json" > /dev/null 2>&1
}
if command -v perf > /dev/null && [ -d /sys/kernel/tracing/events/mmap_lock ] && wlocks zap && wlocks mmap; then
	check "op=zap: mmap_lock write acquisitions (set-up only) < 5% of ops; op=mmap: >= 1 per op" python3 -c "
import json,sys
def w(f): return int([l for l in open(f) if 'mmap_lock' in l][0].split(',')[0])
def ops(f): return json.load(open(f))['case']['ops']['count']
z, zo, m, mo = w(sys.argv[1]), ops(sys.argv[2]), w(sys.argv[3]), ops(sys.argv[4])
print('# mmap_lock write: op=zap %d for %d ops, op=mmap %d for %d ops' % (z, zo, m, mo))
assert zo > 1000 and z < zo / 20 and m >= mo, (z, zo, m, mo)" "$TMP/zap.perf" "$TMP/zap.json" "$TMP/mmap.perf" "$TMP/mmap.json"
else
	skip "perf or the mmap_lock tracepoints are missing: mmap_lock write count not checked"
fi
expect_exit 0 "op=zap vma=shared populate=madvise, percore-mm" "$A" percore-map -m percore-mm -t 2 -S 0.5 --probes none --vma shared --populate madvise --json "$TMP/mad.json"
check "it validates and checked pages" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='ok' and c['verify']['pages_checked'] > 0" "$TMP/mad.json"
expect_exit 0 "percore-map shared-mm, 1 worker, op=mmap" "$A" percore-map -t 1 -S 0.5 --op mmap --probes none --json "$TMP/one.json"
check "1 worker validates" "$F" validate "$TMP/one.json"

expect_exit 1 "an injected corruption in a percore-mm child fails the case" "$A" percore-map -m percore-mm -t 2 -S 0.3 --probes none --test-corrupt-page 21 --json "$TMP/bad.json"
check "the reason locates it (worker 1 page 5 = case page 21)" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='failed' and 'worker 1 ' in c['reason'] and 'page 5 (case page 21)' in c['reason'], c['reason']" "$TMP/bad.json"
check "the failed case validates" "$F" validate "$TMP/bad.json"
expect_exit 1 "an injected corruption in shared-mm op=mmap fails the case" "$A" percore-map -t 2 -S 0.3 --op mmap --probes none --test-corrupt-page 2 --json "$TMP/bad2.json"
check "the reason locates page 2 of worker 0" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert 'worker 0 ' in c['reason'] and '(case page 2)' in c['reason'], c['reason']" "$TMP/bad2.json"

expect_exit 2 "unknown mode" "$A" percore-map -m bogus
stderr_has "mode" "it names the parameter"
expect_exit 2 "unknown op" "$A" percore-map --op munmap
stderr_has "op" "it names the op"
expect_exit 2 "window below one page" "$A" percore-map -w 100
stderr_has "parameter 'window'" "it names the window"
expect_exit 2 "threads 0" "$A" percore-map -t 0
stderr_has "parameter 'threads': 0 is out of range" "it names the range"
done_testing
