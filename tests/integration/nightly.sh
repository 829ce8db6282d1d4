#!/usr/bin/env bash
# faultline nightly over a history of 5 real runs: a clean run exits 0, a run with an injected
# slowdown (--test-delay-us) exits 1 and the verdict and summary name the metric; the index
# stays consistent and the HTML page and plots are written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_mkrun.sh"
FL=$FL_BIN/faultline
H=$TMP/history
SUITE=$FL_ROOT/tests/fixtures/suites/tiny.json

# The runs' cases alternate (iteration i of every run, then i + 1), so the drift of a loaded
# machine falls on the history and on the clean run alike, as in compare_runs.sh.
for i in -1 0 1 2; do
	for r in 1 2 3 4 5 6; do mkcase "$TMP/r$r" $i || notok "assemble run $r"; done
	mkcase "$TMP/slow" $i --test-delay-us=100 || notok "assemble the slowed run"
done
for r in r1 r2 r3 r4 r5 r6 slow; do mkrunjson "$TMP/$r"; done

expect_exit 0 "the first run starts the history (no baseline yet)" \
	"$FL" nightly "$SUITE" --history "$H" --run "$TMP/r1"
check "it says there is no baseline yet" grep -q "no baseline to compare with yet" "$TMP/stdout"
for i in 2 3 4 5; do
	"$FL" nightly "$SUITE" --history "$H" --run "$TMP/r$i" --threshold 5 > "$TMP/n$i.out" 2>&1
done
check "index.json lists 5 runs" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert d["schema"]=="faultline-history/1" and len(d["runs"])==5' "$H/index.json"

expect_exit 0 "a clean run against the last 5 good runs exits 0" \
	"$FL" nightly "$SUITE" --history "$H" --run "$TMP/r6" --threshold 5
check "the verdict says no significant regression" grep -q "no significant regression beyond 5%" "$TMP/stdout"
expect_exit 1 "the slowed run exits 1" "$FL" nightly "$SUITE" --history "$H" --run "$TMP/slow" --threshold 5
check "the verdict names records_per_s with its delta" grep -qE "REGRESSION in [0-9]+ metric.*records_per_s -[0-9.]+% \(95% CI" "$TMP/stdout"
check "summary.md names the metric" grep -q "records_per_s" "$H/summary.md"
check "summary.md has the verdict" grep -q "REGRESSION" "$H/summary.md"
check "index.html with the trend and comparison plots" sh -c 'grep -q "trend.png" "$0/index.html" && grep -q "compare.png" "$0/index.html"' "$H"
check "trend.png and compare.png are PNG images" sh -c 'for f in trend compare; do head -c 8 "$0/$f.png" | od -c | grep -q "P   N   G" || exit 1; done' "$H"
check "the regressed run is marked and not used as a baseline" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert [r["status"] for r in d["runs"]][-1]=="regressed"
assert d["runs"][-1]["regressions"][0]["metric"]' "$H/index.json"
expect_exit 2 "the same run twice is refused" "$FL" nightly "$SUITE" --history "$H" --run "$TMP/r6"
stderr_has "is already in the history" "says so"
check "the index is still consistent (7 runs, every dir present)" python3 -c 'import json,os,sys
d=json.load(open(sys.argv[1]+"/index.json")); assert len(d["runs"])==7
assert all(os.path.isfile(sys.argv[1]+"/"+r["dir"]+"/run.json") for r in d["runs"])' "$H"
echo '{' > "$TMP/badidx.json"; mkdir -p "$TMP/h2"; cp "$TMP/badidx.json" "$TMP/h2/index.json"
expect_exit 2 "a corrupt index is an input error" "$FL" nightly "$SUITE" --history "$TMP/h2" --run "$TMP/r1"
stderr_has "$TMP/h2/index.json" "naming the index file"
done_testing
