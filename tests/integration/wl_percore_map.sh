#!/usr/bin/env bash
# faultline-agent percore-map (seed 004): both modes end ok and schema-valid with the seed
# table's metrics; shared-mm with 2 threads sends TLB-shootdown IPIs per op, percore-mm fewer;
# an injected corruption (also inside a percore-mm child) fails the case with the page named.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline

for m in shared-mm percore-mm; do
	expect_exit 0 "percore-map $m, 2 workers" "$A" percore-map -m "$m" -t 2 -S 2 --json "$TMP/$m.json"
	check "$m validates" "$F" validate "$TMP/$m.json"
	check "$m: the seed table's metrics with their units" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']; m=c['metrics']
for k, u in [('ops_per_s','ops/s'), ('lat_mean_us','us'), ('lat_p50_us','us'), ('lat_p99_us','us')]:
    assert m[k]['unit'] == u and m[k]['value'] > 0, k
assert m['lat_p50_us']['value'] <= m['lat_p99_us']['value']
assert c['verify']['corrupt'] == 0 and c['verify']['pages_checked'] > 0
assert len(c['detail']['worker_cpus']) == 2" "$TMP/$m.json"
done
if grep -qE '^ *TLB:' /proc/interrupts; then
	check "shared-mm: TLB-shootdown IPIs per op > 0; percore-mm: fewer" python3 -c "
import json,sys
s=json.load(open(sys.argv[1]))['case']['metrics']['tlb_shootdown_ipis_per_op']['value']
p=json.load(open(sys.argv[2]))['case']['metrics']['tlb_shootdown_ipis_per_op']['value']
print('# TLB-shootdown IPIs/op: shared-mm %.4f, percore-mm %.4f' % (s, p))
assert s > 0 and p < s, (s, p)" "$TMP/shared-mm.json" "$TMP/percore-mm.json"
	check "function-call IPIs per op reported" python3 -c "import json,sys; assert 'function_call_ipis_per_op' in json.load(open(sys.argv[1]))['case']['metrics']" "$TMP/shared-mm.json"
else
	check "no TLB row here: the metric is left out with a reason" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']
assert 'tlb_shootdown_ipis_per_op' not in c['metrics'] and c['detail']['metrics_absent']['tlb_shootdown_ipis_per_op']" "$TMP/shared-mm.json"
fi
if grep -q '^nr_tlb_' /proc/vmstat; then
	check "tlb flushes by reason in detail" python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['case']['detail']['tlb_flush_by_reason']" "$TMP/shared-mm.json"
else
	check "no nr_tlb_*: the detail says DEBUG_TLBFLUSH is off" python3 -c "import json,sys; assert 'CONFIG_DEBUG_TLBFLUSH' in json.load(open(sys.argv[1]))['case']['detail']['metrics_absent']['tlb_flush_by_reason']" "$TMP/shared-mm.json"
fi
expect_exit 0 "percore-map shared-mm, 1 worker" "$A" percore-map -t 1 -S 0.5 --probes none --json "$TMP/one.json"
check "1 worker validates" "$F" validate "$TMP/one.json"

expect_exit 1 "an injected corruption in a percore-mm child fails the case" "$A" percore-map -m percore-mm -t 2 -S 0.3 --probes none --test-corrupt-page 21 --json "$TMP/bad.json"
check "the reason locates it (worker 1 page 5 = case page 21)" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='failed' and 'worker 1 ' in c['reason'] and 'page 5 (case page 21)' in c['reason'], c['reason']" "$TMP/bad.json"
check "the failed case validates" "$F" validate "$TMP/bad.json"
expect_exit 1 "an injected corruption in shared-mm fails the case" "$A" percore-map -t 2 -S 0.3 --probes none --test-corrupt-page 2 --json "$TMP/bad2.json"
check "the reason locates page 2 of worker 0" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert 'worker 0 ' in c['reason'] and '(case page 2)' in c['reason'], c['reason']" "$TMP/bad2.json"

expect_exit 2 "unknown mode" "$A" percore-map -m bogus
stderr_has "mode" "it names the parameter"
expect_exit 2 "window below one page" "$A" percore-map -w 100
stderr_has "parameter 'window'" "it names the window"
expect_exit 2 "threads 0" "$A" percore-map -t 0
stderr_has "parameter 'threads': 0 is out of range" "it names the range"
done_testing
