#!/usr/bin/env bash
# faultline-agent kernbench, the timed build (make check-slow): target quick (lib/) at half
# load, in the default cache (unpacked once, ~15 s; each build ~30-60 s on 2 vCPUs).
. "$(dirname "$0")/../integration/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline

if [ ! -r /usr/src/linux-source-6.12.tar.xz ]; then
	skip "linux-source-6.12 is not installed"
	done_testing
	exit
fi
expect_exit 0 "kernbench quick, jobs half" "$A" kernbench --jobs half --probes sw --json "$TMP/kb.json"
check "the case validates" "$F" validate "$TMP/kb.json"
check "the rows of seed 001's table, with units" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['case']; m=c['metrics']
for k, u in [('elapsed_s','s'), ('user_s','s'), ('sys_s','s'), ('cpu_percent','%'), ('context_switches','count'), ('sleeps','count')]:
    assert m[k]['unit'] == u and m[k]['value'] > 0, k
assert 0 < m['cpu_percent']['value'] <= 100.0 * 1.05 * max(1, c['detail']['make_jobs'])
assert c['verify']['make_exit'] == 0 and c['verify']['objects'] > 0
print('# elapsed %.1f s, user %.1f s, sys %.1f s, %.0f%% CPU' % tuple(m[k]['value'] for k in ('elapsed_s','user_s','sys_s','cpu_percent')))" "$TMP/kb.json"
done_testing
