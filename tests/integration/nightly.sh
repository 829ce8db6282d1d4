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
# machine falls on the history and on the clean run alike, as in compare_runs.sh. The slowdown
# must stand outside the history's run-to-run noise: for 3 iterations of 0.3 s the 5 runs'
# means spread by 12% beside two busy loops and a compiler (measured), a 99% prediction
# interval of +/-63%, and 1 ms per record was then -61%; 10 ms per record is -90% or more
# under any load. How small a change a nightly can see is a benchmark's figure, not this test's.
for i in -1 0 1 2; do
	for r in 1 2 3 4 5 6; do mkcase "$TMP/r$r" $i || notok "assemble run $r"; done
	mkcase "$TMP/slow" $i --test-delay-us=10000 || notok "assemble the slowed run"
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
# The page as a person sees it (issue #14): titles that fit, runs by date and kernel, legends
# that differ although one kernel ran every run.
check "trend titles: the workload and the parameters that vary, not the whole list" python3 -c 'import re,sys
t=re.findall(r"^set title (.*)$", open(sys.argv[1]).read(), re.M)
assert t and all(len(x) < 110 and "chunk_size" not in x and x.startswith("\x27ebizzy: records_per_s") for x in t), t' "$H/trend.gp"
check "trend x tics: each of the 7 runs by start date and kernel" python3 -c 'import json,re,sys
rel=json.load(open(sys.argv[2]))["run"]["kernel"]["release"]
x=re.search(r"^set xtics \((.*)\)", open(sys.argv[1]).read(), re.M).group(1)
lab=re.findall(r"\x27(\d\d-\d\d \d\d:\d\d)\x27\.\"\\n\"\.\x27([^\x27]*)\x27 (\d+)", x)
assert len(lab) == 7 and all(k == (rel if len(rel) <= 18 else rel[:8] + ".." + rel[-8:]) for _, k, _ in lab), (lab, x)' \
	"$H/trend.gp" "$(ls "$TMP"/r1/cases/*.json | head -1)"
check "trend: the regressed run is marked" grep -q "run flagged as a regression" "$H/trend.gp"
check "compare legends differ: the pooled baseline vs this run" python3 -c 'import re,sys
t=set(re.findall(r"linespoints title (\x27[AB]: [^\x27]*\x27)", open(sys.argv[1]).read()))
assert len(t) == 2 and any("A: baseline, last 5 good runs" in x for x in t) and any("B: this run" in x for x in t), t' "$H/compare.gp"
check "index.html: each plot with its script, the runs' kernels" sh -c \
	'grep -q "<a href=\"trend.gp\">" "$0/index.html" && grep -q "<th>kernel</th>" "$0/index.html" &&
	 grep -q "<td>$(uname -r)</td>" "$0/index.html"' "$H"
check "the regressed run is marked and not used as a baseline" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert [r["status"] for r in d["runs"]][-1]=="regressed"
assert d["runs"][-1]["regressions"][0]["metric"]' "$H/index.json"
expect_exit 2 "the same run twice is refused" "$FL" nightly "$SUITE" --history "$H" --run "$TMP/r6"
stderr_has "is already in the history" "says so"
check "the index is still consistent (7 runs, every dir present)" python3 -c 'import json,os,sys
d=json.load(open(sys.argv[1]+"/index.json")); assert len(d["runs"])==7
assert all(os.path.isfile(sys.argv[1]+"/"+r["dir"]+"/run.json") for r in d["runs"])' "$H"
check "verdict.json gives the regression's noise floor" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); r=[r for r in d["regressions"] if r["metric"]=="records_per_s"]
assert r and r[0]["noise_floor_pct"] > 0 and -r[0]["delta_pct"] > r[0]["noise_floor_pct"], d' \
	"$H/verdict.json"
check "verdict.json validates against schema/verdict-1.schema.json" python3 -c '
import json,sys,jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
	"$FL_ROOT/schema/verdict-1.schema.json" "$H/verdict.json"

# The noise floor, on the same real case documents with records_per_s set by hand: five runs
# whose own iterations agree to 1% but whose means spread by +/-6% (as on a loaded machine),
# and a new run 7% below them. The pooled t-test alone calls that a regression; it is inside
# the runs' run-to-run noise. Against five runs that agree, the same run is one.
setrps() {	# setrps DIR V0 V1 V2: records_per_s of the measured iterations; the other
		# metrics with a direction the same in every run, so only this one differs
	python3 - "$@" <<'PY'
import json, os, sys
d, vals = sys.argv[1], [float(v) for v in sys.argv[2:]]
files = sorted(f for f in os.listdir(d + "/cases") if "-w" not in f)
for f, v in zip(files, vals):
    p = d + "/cases/" + f
    doc = json.load(open(p))
    m = doc["case"]["metrics"]
    for k in ("records_per_s", "thread_min_records_per_s", "thread_max_records_per_s"):
        m[k]["value"] = v
    m["user_s"]["value"], m["sys_s"]["value"] = 0.03, 0.27
    json.dump(doc, open(p, "w"))
PY
}
noisy_history() {	# noisy_history DIR SPREAD...: five runs, run r's iterations around 100+SPREAD_r
	local h=$1 r=1 s; shift
	for s in "$@"; do
		rm -rf "$TMP/n$r"; cp -r "$TMP/r$r" "$TMP/n$r"
		setrps "$TMP/n$r" $((100 + s)) $((101 + s)) $((99 + s))
		"$FL" nightly "$SUITE" --history "$h" --run "$TMP/n$r" --threshold 5 > /dev/null 2>&1
		rm -rf "$TMP/n$r"; r=$((r + 1))
	done
	rm -rf "$TMP/n6"; cp -r "$TMP/r6" "$TMP/n6"; setrps "$TMP/n6" 93 93.5 92.5
}
noisy_history "$TMP/h3" 0 8 4 -4 -8
expect_exit 0 "a run 7% below five runs spread by +/-6% is within their noise" \
	"$FL" nightly "$SUITE" --history "$TMP/h3" --run "$TMP/n6" --threshold 5
check "all five were good runs, the baseline" grep -q "against the last 5 good run" "$TMP/stdout"
check "the verdict says the worse change stays within the run-to-run noise" \
	grep -q "stay within the history's run-to-run noise" "$TMP/stdout"
noisy_history "$TMP/h4" 0 0 0 0 0
expect_exit 1 "the same run against five runs that agree is a regression" \
	"$FL" nightly "$SUITE" --history "$TMP/h4" --run "$TMP/n6" --threshold 5
check "its noise floor is small and named" grep -qE "records_per_s -7.*run-to-run noise \+/-[0-3]\.[0-9]%" \
	"$TMP/stdout"

# Change points over the whole history (E-divisive): twelve runs, the last six 10% slower, name
# run 7 as the first of the change, worse; twelve runs that do not move have none. A change
# point is named only beyond --threshold, as a regression is.
cphistory() {	# cphistory DIR MEAN...: one run per mean (iterations mean-1, mean, mean+1)
	local h=$1 k=0 v; shift
	for v in "$@"; do
		k=$((k + 1)); rm -rf "$TMP/cp"; cp -r "$TMP/r1" "$TMP/cp"
		setrps "$TMP/cp" $((v - 1)) "$v" $((v + 1))
		python3 - "$TMP/cp" "cp-$(basename "$h")-$k" <<'PY'
import json, os, sys
d, rid = sys.argv[1], sys.argv[2]
for f in ["run.json"] + ["cases/" + n for n in os.listdir(d + "/cases")]:
    doc = json.load(open(d + "/" + f))
    doc["run"]["id"] = rid
    json.dump(doc, open(d + "/" + f, "w"))
PY
		"$FL" nightly "$SUITE" --history "$h" --run "$TMP/cp" --threshold 5 > "$TMP/cp.out" 2>&1
	done
}
cphistory "$TMP/h5" 100 101 99 100 102 100 90 91 89 90 92 90
check "a step at run 7 of 12 is named as a change point, worse, -10%" python3 -c 'import json,sys
v=json.load(open(sys.argv[1])); c=v["change_points"]
assert len(c)==1 and c[0]["run_index"]==7 and c[0]["runs"]==12 and c[0]["direction"]=="worse", c
assert c[0]["run"]=="cp-h5-7" and -11 < c[0]["change_pct"] < -9 and c[0]["metric"]=="records_per_s", c' \
	"$TMP/h5/verdict.json"
check "the verdict text names it with the kernels" grep -qE "change points over the history.*records_per_s from run cp-h5-7 \(#7 of 12, kernel [^ ]+ -> [^ ]+\): -9\.97% \(100\.3 -> 90\.33, worse\)" "$TMP/cp.out"
cphistory "$TMP/h6" 100 101 99 100 102 100 100 101 99 100 102 100
check "twelve runs that do not move: no change point" grep -q "no change point over the history's 12 runs" "$TMP/cp.out"
check "verdict.json with change points validates" python3 -c '
import json,sys,jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
	"$FL_ROOT/schema/verdict-1.schema.json" "$TMP/h5/verdict.json"

echo '{' > "$TMP/badidx.json"; mkdir -p "$TMP/h2"; cp "$TMP/badidx.json" "$TMP/h2/index.json"
expect_exit 2 "a corrupt index is an input error" "$FL" nightly "$SUITE" --history "$TMP/h2" --run "$TMP/r1"
stderr_has "$TMP/h2/index.json" "naming the index file"
done_testing
