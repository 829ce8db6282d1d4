#!/usr/bin/env bash
# Exact counts as their own family (issue #15): hand-made thp-munmap runs whose timing is noisy
# (+/-30% between iterations) while the IPIs of the one munmap are a count. One more IPI per
# munmap is "worse" in compare and a regression in a nightly, in the counts family; 3 more
# faults on 262,144 and the noisy timing are not; a clean run after the same history is not.
# The rule is analysis/counts.h; the bootstrap, the outlier flags and the options are checked too.
. "$(dirname "$0")/lib.sh"
FL=$FL_BIN/faultline
SUITE=$FL_ROOT/tests/fixtures/suites/tiny.json

# mkrun DIR ID IPIS FAULTS MS...: one case per MS value; IPIS is one count or a comma list
mkrun() {
	python3 - "$@" <<'PY'
import json, os, sys
d, rid, ipis, faults = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
ms = [float(v) for v in sys.argv[5:]]
ipis = [float(v) for v in ipis.split(",")]
os.makedirs(d + "/cases", exist_ok=True)
run = {"id": rid, "suite": "counts", "started": "2026-11-30T15:00:00Z",
       "tool": {"version": "0.1.0", "commit": "test"},
       "target": {"kind": "qemu", "arch": "x86_64", "cpus": 2, "mem_mib": 1024, "accel": "tcg"},
       "kernel": {"release": "6.12.57", "candidate": "src-6.12-debug",
                  "base": "linux-source-6.12", "patchset": None},
       "host": {"hostname": "test", "cpus": 2}}
cases = []
for i, v in enumerate(ms):
    def m(val, unit, better):
        return {"value": val, "unit": unit, "better": better}
    ipi = ipis[i % len(ipis)]
    doc = {"schema": "faultline/1", "run": run, "case": {
        "workload": "thp-munmap", "params": {"size": "4M", "op": "munmap"}, "iteration": i,
        "warmup": False, "status": "ok", "measured_s": v / 1000,
        "ops": {"count": 2, "unit": "pmd"},
        "metrics": {"op_ms": m(v, "ms", "lower"), "ms_per_gib": m(v * 256, "ms/GiB", "lower"),
                    "function_call_ipis": m(ipi, "IPIs", "lower"),
                    "tlb_ipis": m(ipis[0] - 2, "IPIs", "lower"),
                    "function_call_ipis_per_gib": m(ipi * 256, "IPIs/GiB", "lower"),
                    "faults": m(faults + i % 2, "faults", "none")}}}
    f = "cases/%04d-thp-munmap-i%d.json" % (i + 1, i)
    json.dump(doc, open(d + "/" + f, "w"), indent=1)
    cases.append({"file": f, "workload": "thp-munmap", "params": doc["case"]["params"],
                  "iteration": i, "warmup": False, "status": "ok"})
json.dump({"schema": "faultline/1", "run": run, "state": "complete", "planned": len(cases),
           "cases": cases}, open(d + "/run.json", "w"), indent=1)
PY
}
# verdict FILE METRIC: the verdict of METRIC's first comparison in a compare document
verdict() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print([m for g in d["groups"] for m in g["metrics"] if m["name"]==sys.argv[2]][0]["comparisons"][0]["verdict"])' "$@"
}

mkrun "$TMP/a" a-1 2 262144 10 14 7 12 8 11
# one stray IPI in one iteration of the base, none of the candidate's 3 per munmap missing
mkrun "$TMP/b" b-1 3 262147 11 7 15 9 13 10
mkrun "$TMP/c" c-1 2,2,2,3,2,2 262147 13 8 10 15 7 9

expect_exit 0 "compare: one more IPI per munmap beside a noisy timing" \
	"$FL" compare "$TMP/a" "$TMP/b" --format json
cp "$TMP/stdout" "$TMP/ab.json"
check "the compare document validates against schema/compare-1.schema.json" python3 -c '
import json,sys,jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
	"$TMP/ab.json" "$FL_ROOT/schema/compare-1.schema.json"
check "function_call_ipis is worse" test "$(verdict "$TMP/ab.json" function_call_ipis)" = worse
check "its family is counts, its floor the count floor, its delta one IPI" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); m=[m for m in d["groups"][0]["metrics"] if m["name"]=="function_call_ipis"][0]
c=m["comparisons"][0]
assert m["family"]=="counts" and c["floor"]["source"]=="count" and c["floor"]["abs"]==0.5 and c["delta"]==1, (m["family"], c)' "$TMP/ab.json"
check "the noisy timing is not (op_ms, ms_per_gib: no change, family metrics)" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); ms={m["name"]: m for m in d["groups"][0]["metrics"]}
assert all(ms[n]["family"]=="metrics" and ms[n]["comparisons"][0]["verdict"]=="no change" for n in ("op_ms","ms_per_gib")), ms["op_ms"]' "$TMP/ab.json"
check "3 more faults of 262,144 in every iteration: significant but within the count floor" \
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); c=[m for m in d["groups"][0]["metrics"] if m["name"]=="faults"][0]["comparisons"][0]
assert c["significant"] and not c["beyond_floor"] and c["verdict"]=="no change", c' "$TMP/ab.json"
check "the families are counted apart: 2 metrics, 4 counts" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert (d["family_metrics"], d["family_counts"]) == (2, 4), d["family_counts"]' "$TMP/ab.json"

expect_exit 0 "compare text" "$FL" compare "$TMP/a" "$TMP/b"
check "text marks the count row (#) worse, the timing ~" sh -c \
	'grep -qE "^function_call_ipis +# +2\.000 .* lo worse$" "$0" && grep -qE "^op_ms .* lo ~$" "$0"' \
	"$TMP/stdout"
check "text fits 80 columns" awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$TMP/stdout"
check "text legend names the families and the floors" sh -c \
	'tr "\n" " " < "$0" | grep -q "4 counts (#).*counts 0.5 event and 1%"' "$TMP/stdout"
expect_exit 0 "compare md" "$FL" compare "$TMP/a" "$TMP/b" --format md
check "md marks the count row" grep -qE "^\| function_call_ipis # \| IPIs \|" "$TMP/stdout"
expect_exit 0 "compare csv" "$FL" compare "$TMP/a" "$TMP/b" --format csv
check "csv: family, test, floor columns on every row" python3 -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1], newline="")))
x=[x for x in r if x["metric"]=="function_call_ipis" and x["run"]=="B"][0]
assert x["family"]=="counts" and x["test"]=="welch" and x["floor"]=="0.5" and x["floor_source"]=="count" and x["verdict"]=="worse", x' "$TMP/stdout"

expect_exit 0 "a clean run with one stray IPI: compare" "$FL" compare "$TMP/a" "$TMP/c" --format json
check "one stray IPI in 6 munmaps is no change" test "$(verdict "$TMP/stdout" function_call_ipis)" = "no change"

# outliers are flagged, not dropped: one iteration far out of the others
mkrun "$TMP/o" o-1 2 262144 10 10.2 9.9 10.1 10 30 10.3 9.8
expect_exit 0 "compare --test bootstrap" "$FL" compare "$TMP/a" "$TMP/o" --test bootstrap --format json
check "bootstrap: the CI is the bootstrap's, 10,000 resamples" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); c=d["groups"][0]["metrics"][0]["comparisons"][0]
assert d["ci"]=="bootstrap percentile" and c["ci"]=="bootstrap percentile" and c["resamples"]==10000, c' "$TMP/stdout"
check "the far iteration is a severe high outlier, counted and kept (n 8)" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); s=d["groups"][0]["metrics"][0]["runs"][1]
assert s["n"]==8 and s["outliers"]["high_severe"]==1 and s["outliers"]["indices"]==[5], s' "$TMP/stdout"
expect_exit 0 "compare --test auto on the skewed run" "$FL" compare "$TMP/o" "$TMP/o" --format json
check "auto picks the bootstrap for a sample of 8 with a severe outlier" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); c=d["groups"][0]["metrics"][0]["comparisons"][0]
assert d["test"]=="auto" and c["test"]=="bootstrap", c' "$TMP/stdout"
expect_exit 0 "text marks the outlier" "$FL" compare "$TMP/a" "$TMP/o"
check "text: O after the run's op_ms" grep -qE "^op_ms .*O " "$TMP/stdout"
expect_exit 2 "--test foo is a usage error" "$FL" compare "$TMP/a" "$TMP/b" --test foo
stderr_has "compare: --test wants auto, welch, mwu or bootstrap, not 'foo'" "the message names the tests"
expect_exit 2 "--min-effect -1 is a usage error" "$FL" compare "$TMP/a" "$TMP/b" --min-effect -1
expect_exit 0 "--min-effect 100: the noisy timing and the counts as before" \
	"$FL" compare "$TMP/a" "$TMP/b" --min-effect 100 --format json
check "a count's floor does not follow --min-effect" test "$(verdict "$TMP/stdout" function_call_ipis)" = worse

# nightly: four good runs (one of them with a stray IPI), then the candidate
H=$TMP/h
for r in 1 2 3 4; do
	if [ $r = 3 ]; then ipi=2,2,3,2,2,2; else ipi=2; fi
	mkrun "$TMP/n$r" "n-$r" "$ipi" 262144 $((9 + r)) 14 7 12 8 11
	"$FL" nightly "$SUITE" --history "$H" --run "$TMP/n$r" > /dev/null 2>&1
done
cp -r "$H" "$TMP/h-clean"
expect_exit 1 "nightly: one more IPI per munmap is a regression" \
	"$FL" nightly "$SUITE" --history "$H" --run "$TMP/b"
check "the verdict names the count with its size in IPIs" \
	grep -qE "REGRESSION in [0-9]+ metric.*function_call_ipis \+0\.9[0-9]* IPIs \(2\.0[0-9]* -> 3\.000, \+[0-9.]+%; count, floor" "$TMP/stdout"
check "verdict.json: a regression of the counts family, not of the timing" python3 -c 'import json,sys
v=json.load(open(sys.argv[1])); r={x["metric"]: x for x in v["regressions"]}
assert "function_call_ipis" in r and r["function_call_ipis"]["family"]=="counts" and "op_ms" not in r, r' "$H/verdict.json"
check "a count from 0 (tlb_ipis 0 -> 1 per munmap) is a regression too, with no delta %" python3 -c 'import json,sys
v=json.load(open(sys.argv[1])); r={x["metric"]: x for x in v["regressions"]}
assert r["tlb_ipis"]["delta_pct"] is None and r["tlb_ipis"]["delta"] > 0.9, r.get("tlb_ipis")' "$H/verdict.json"
check "verdict.json validates against schema/verdict-1.schema.json" python3 -c '
import json,sys,jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
	"$H/verdict.json" "$FL_ROOT/schema/verdict-1.schema.json"
expect_exit 0 "nightly: a clean run (one stray IPI, noisy timing) after the same history" \
	"$FL" nightly "$SUITE" --history "$TMP/h-clean" --run "$TMP/c"
check "its verdict: no significant regression" grep -q "no significant regression" "$TMP/stdout"
done_testing
