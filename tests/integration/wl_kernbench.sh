#!/usr/bin/env bash
# faultline-agent kernbench, the fast part: bad input and the skip without a source tarball.
# The timed build itself is tests/slow/wl_kernbench_build.sh (make check-slow).
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline

expect_exit 3 "no source tarball: skipped, exit 3" "$A" kernbench --tarball /nonexistent/linux.tar.xz --cache_dir "$TMP/cache" --probes none --json "$TMP/skip.json"
check "the skip names the package and validates" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='skipped' and 'linux-source-6.12' in c['reason'], c['reason']" "$TMP/skip.json"
check "the skipped case validates" "$F" validate "$TMP/skip.json"
check "a skipped case has no metrics" python3 -c "import json,sys; assert not json.load(open(sys.argv[1]))['case']['metrics']" "$TMP/skip.json"
n=$(nproc)
for j in "half $(( n / 2 > 0 ? n / 2 : 1 ))" "optimal $n" "3 3"; do
	set -- $j
	"$A" kernbench --jobs "$1" --tarball /nonexistent --cache_dir "$TMP/cache" --probes none \
		--json "$TMP/j$1.json" > /dev/null 2>&1
	check "jobs=$1 resolves to -j$2 on $n CPUs (seed 001: half = cpus/2, optimal = cpus)" \
		python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['resolved']=={'jobs': '-j$2'}, c.get('resolved')" "$TMP/j$1.json"
done
check "the case with resolved validates" "$F" validate "$TMP/jhalf.json"
expect_exit 1 "jobs that is not half, optimal or a number fails" "$A" kernbench --jobs lots --tarball /nonexistent --probes none --json "$TMP/jobs.json"
check "the reason names parameter jobs" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert \"parameter 'jobs'\" in c['reason'], c['reason']" "$TMP/jobs.json"
expect_exit 2 "unknown target" "$A" kernbench -T everything
stderr_has "target" "it names the parameter"
expect_exit 2 "unknown config" "$A" kernbench --config allyesconfig
stderr_has "config" "it names the parameter"
expect_exit 0 "kernbench --help" "$A" kernbench --help
check "help lists jobs, target and cache_dir" sh -c 'grep -q -- "--jobs" "$1" && grep -q -- "--target" "$1" && grep -q -- "--cache_dir" "$1"' _ "$TMP/stdout"
done_testing
