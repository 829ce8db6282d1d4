#!/usr/bin/env bash
# faultline-agent fault-scale (seed 001): each kind ends ok and schema-valid with its metrics,
# the writer thread counts, the mechanism metrics are present or explained, verification fails
# on an injected corruption and says where, bad input exits 2.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline
num() { python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; v=eval('c'+sys.argv[2]); assert float(v) $3, v" "${@:1:2}"; }

expect_exit 0 "fault-scale anon, 2 threads, 4M regions" "$A" fault-scale -t 2 -s 4M -S 1 --json "$TMP/anon.json"
check "the case validates" "$F" validate "$TMP/anon.json"
check "faults_per_s > 0" python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['case']['metrics']; assert m['faults_per_s']['value'] > 0 and m['faults_per_s']['unit'] == 'faults/s'" "$TMP/anon.json"
check "per-thread min <= max, both > 0" python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['case']['metrics']; assert 0 < m['thread_min_faults_per_s']['value'] <= m['thread_max_faults_per_s']['value']" "$TMP/anon.json"
check "about one fault per page (MADV_NOHUGEPAGE)" python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['case']['metrics']; assert 0.9 < m['faults_per_page']['value'] < 1.2, m['faults_per_page']" "$TMP/anon.json"
check "per-second samples" python3 -c "import json,sys; assert len(json.load(open(sys.argv[1]))['case']['metrics']['samples']['per_second']) >= 1" "$TMP/anon.json"
check "every faulted page checked, none corrupt" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; v=c['verify']; assert v['corrupt'] == 0 and v['pages_checked'] >= c['ops']['count'], v" "$TMP/anon.json"
check "no writer metric without writer" python3 -c "import json,sys; assert 'writer_ops_per_s' not in json.load(open(sys.argv[1]))['case']['metrics']" "$TMP/anon.json"
if grep -q '^vma_lock_success ' /proc/vmstat; then
	check "vma_lock_fallback_pct reported (PER_VMA_LOCK_STATS kernel)" python3 -c "import json,sys; assert 'vma_lock_fallback_pct' in json.load(open(sys.argv[1]))['case']['metrics']" "$TMP/anon.json"
else
	check "no vma_lock metric, and the detail says why" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']
assert 'vma_lock_fallback_pct' not in c['metrics'] and 'vma_lock_abort_pct' not in c['metrics']
assert 'CONFIG_PER_VMA_LOCK_STATS' in c['detail']['mechanism_metrics_absent']['vma_lock']" "$TMP/anon.json"
fi
check "no spf metric on a kernel without speculative_pgfault, with a reason" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']
has = any(l.startswith('speculative_pgfault ') for l in open('/proc/vmstat'))
assert has == ('spf_pct' in c['metrics']), c['metrics'].keys()
assert has or 'speculative_pgfault' in c['detail']['mechanism_metrics_absent']['spf']" "$TMP/anon.json"

for k in file-private file-shared file-read; do
	expect_exit 0 "fault-scale $k with the writer thread" "$A" fault-scale -k "$k" -w -t 2 -s 2M -S 0.5 --probes none --json "$TMP/$k.json"
	check "$k validates" "$F" validate "$TMP/$k.json"
	check "$k: faults and writer ops counted, nothing corrupt" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']; m=c['metrics']
assert m['faults_per_s']['value'] > 0 and m['writer_ops_per_s']['value'] > 0 and c['verify']['corrupt'] == 0" "$TMP/$k.json"
done

# Verification can fail, and the failure names the page.
expect_exit 1 "an injected corruption fails anon" "$A" fault-scale -t 2 -s 1M -S 0.3 --probes none --test-corrupt-page 260 --json "$TMP/bad.json"
check "the reason locates it (thread 1, page 4 = case page 260)" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='failed' and 'thread 1 page 4 (case page 260)' in c['reason'], c['reason']" "$TMP/bad.json"
check "the failed case validates" "$F" validate "$TMP/bad.json"
expect_exit 1 "an injected corruption fails file-read (written through the file)" "$A" fault-scale -k file-read -t 1 -s 1M -S 0.3 --probes none --test-corrupt-page 7 --json "$TMP/bad2.json"
check "file-read reason locates page 7" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert 'thread 0 page 7 ' in c['reason'], c['reason']" "$TMP/bad2.json"
expect_exit 1 "an injected corruption fails file-shared (pread sees it)" "$A" fault-scale -k file-shared -t 1 -s 1M -S 0.3 --probes none --test-corrupt-page 3 --json "$TMP/bad3.json"
check "file-shared reason locates page 3" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert 'thread 0 page 3 ' in c['reason'], c['reason']" "$TMP/bad3.json"

# Bad input.
expect_exit 2 "unknown kind" "$A" fault-scale -k bogus
stderr_has "kind" "it names the parameter"
expect_exit 2 "threads 0" "$A" fault-scale -t 0
stderr_has "parameter 'threads': 0 is out of range" "it names the range"
expect_exit 2 "size below one page" "$A" fault-scale -s 100
stderr_has "parameter 'size'" "it names the size"
expect_exit 1 "a dir that does not exist fails the case" "$A" fault-scale -k file-shared -d /nonexistent/dir -S 0.2 --probes none --json "$TMP/nodir.json"
check "the reason names the directory" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert '/nonexistent/dir' in c['reason'], c['reason']" "$TMP/nodir.json"
expect_exit 1 "a size beyond MemAvailable is refused" "$A" fault-scale -t 1 -s 1T -S 0.2 --probes none --json "$TMP/big.json"
check "the reason names MemAvailable" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert 'MemAvailable' in c['reason'], c['reason']" "$TMP/big.json"
expect_exit 0 "fault-scale --help" "$A" fault-scale --help
check "help lists kind and writer" grep -q -- "--writer" "$TMP/stdout"
done_testing
