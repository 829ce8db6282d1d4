#!/usr/bin/env bash
# faultline compare on real runs (the agent called directly, ~15 s): A/A flags (almost)
# nothing, a run slowed by --test-delay-us is flagged worse with the right sign; text fits 80
# columns, md and csv parse, json validates against schema/compare-1.schema.json; a thread
# sweep of two candidates plots to a valid PNG and SVG with one series per candidate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_mkrun.sh"
FL=$FL_BIN/faultline

# The three runs' cases alternate (iteration i of each, then i + 1): a slowed run assembled
# after the pair met another load than they did, and was missed once beside other work. Beside
# two busy loops an iteration's records/s varied by a factor of 5 within one run and 100 us
# per record (-45% when quiet) was not significant at n=5: 10 ms per record is -90% or more.
for ((i = -1; i < 5; i++)); do
	mkcase "$TMP/a" $i && mkcase "$TMP/b" $i && mkcase "$TMP/slow" $i --test-delay-us=10000 ||
		{ notok "assemble real runs with the agent"; done_testing; exit; }
done
mkrunjson "$TMP/a" && mkrunjson "$TMP/b" && mkrunjson "$TMP/slow" ||
	{ notok "write the runs' run.json"; done_testing; exit; }
ok "assembled three real runs with the agent (one with --test-delay-us=10000)"

expect_exit 0 "compare A A' (same kernel)" "$FL" compare "$TMP/a" "$TMP/b" --format json
cp "$TMP/stdout" "$TMP/aa.json"
flagged=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(sum(1 for g in d["groups"] for m in g["metrics"] if m["kind"] == "metric"
          for c in m["comparisons"] if c.get("significant")))' "$TMP/aa.json")
check "A/A: at most one workload metric flagged (got $flagged)" [ "$flagged" -le 1 ]
check "A/A: every metric has n, mean, sd and a delta" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); ms=[m for g in d["groups"] for m in g["metrics"] if m["kind"]=="metric"]
assert ms and all(r["n"] == 5 and r["mean"] is not None and r["sd"] is not None for m in ms for r in m["runs"])
assert all(m["comparisons"][0]["delta_pct"] is not None for m in ms if m["runs"][0]["mean"])' "$TMP/aa.json"

expect_exit 0 "compare A slowed" "$FL" compare "$TMP/a" "$TMP/slow" --format json
cp "$TMP/stdout" "$TMP/slow.json"
check "slowed run: records_per_s flagged worse with a negative delta" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); m=[m for m in d["groups"][0]["metrics"] if m["name"]=="records_per_s"][0]
c=m["comparisons"][0]; assert c["verdict"]=="worse" and c["significant"] and c["delta_pct"] < -10, c
assert c["ci_high_pct"] < 0 and c["p_adjusted"] < 0.05' "$TMP/slow.json"
check "mann-whitney also flags it (exact, n=5, so alpha 0.05 uncorrected)" \
	sh -c '"$0" compare "$1" "$2" --test mwu --correction none --format json | python3 -c "import json,sys
d=json.load(sys.stdin); m=[m for m in d[\"groups\"][0][\"metrics\"] if m[\"name\"]==\"records_per_s\"][0]
c=m[\"comparisons\"][0]; assert c[\"verdict\"]==\"worse\" and c[\"method\"]==\"exact\", c
assert d[\"ci\"]==\"Hodges-Lehmann\" and c[\"ci_low\"] <= c[\"shift\"] <= c[\"ci_high\"] < 0, c"' "$FL" "$TMP/a" "$TMP/slow"

expect_exit 0 "text format" "$FL" compare "$TMP/a" "$TMP/slow"
check "text fits 80 columns" awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$TMP/stdout"
check "text names the test and the correction" sh -c \
	'tr "\n" " " < "$0" | grep -q "Welch'"'"'s t-test, Holm-Bonferroni"' "$TMP/stdout"
check "text marks records_per_s worse, higher is better" \
	grep -qE '^records_per_s .* -[0-9.]+% hi worse$' "$TMP/stdout"
check "text folds the counter, IPI and vmstat rows into one line" sh -c \
	'tr "\n" " " < "$0" | grep -qE "== ebizzy .*\(n: +A +5, +B +5\)" &&
	 grep -qE "^--counters: \+[0-9]+ counters, [0-9]+ IPI, [0-9]+ vmstat" "$0" &&
	 ! grep -qE "^(cycles|page-faults|vmstat\.) " "$0"' "$TMP/stdout"
check "text heads the columns with the kernels' names, not A/B" \
	grep -qE "^metric: mean \(sd\) +[^ ]+ A +[^ ]+ B +delta +b verdict$" "$TMP/stdout"
expect_exit 0 "text with --counters" "$FL" compare "$TMP/a" "$TMP/slow" --counters
check "--counters: unsupported counters print n/a, never 0" grep -qE '^cycles +n/a +n/a' "$TMP/stdout"
check "--counters: a per-op row has its direction and word" \
	grep -qE '^page-faults/record +.* ([+-][0-9.]+%|-) +- +(~|same|changed)$' "$TMP/stdout"

expect_exit 0 "md format" "$FL" compare "$TMP/a" "$TMP/b" "$TMP/slow" --format md
check "md: every table has one column count" python3 -c 'import sys
blocks=open(sys.argv[1]).read().split("\n\n"); n=0
for b in blocks:
    t=[l for l in b.splitlines() if l.startswith("|")]
    if t: n+=1; assert len({l.count("|") for l in t}) == 1 and set(t[1]) <= set("|-: "), t[:3]
assert n >= 2' "$TMP/stdout"
expect_exit 0 "csv format" "$FL" compare "$TMP/a" "$TMP/slow" --format csv
check "csv parses, same field count on every row" python3 -c 'import csv,sys
r=list(csv.reader(open(sys.argv[1], newline=""))); assert len(r) > 10 and len({len(x) for x in r}) == 1
h=r[0]; row=[x for x in r if x[2]=="records_per_s" and x[6]=="B"][0]
assert row[h.index("verdict")]=="worse"' "$TMP/stdout"
check "json validates against schema/compare-1.schema.json" python3 -c 'import json,sys,jsonschema
s=json.load(open(sys.argv[1]))
for f in sys.argv[2:]: jsonschema.validate(json.load(open(f)), s)' \
	"$FL_ROOT/schema/compare-1.schema.json" "$TMP/aa.json" "$TMP/slow.json"
check "one primary metric per group, its first with a direction; every p_adjusted is weighted Holm (primaries half of their family), recomputed here" python3 -c 'import json,sys
for f in sys.argv[1:]:
    d=json.load(open(f)); fam={}
    for g in d["groups"]:
        ms=g["metrics"]; prim=[m for m in ms if m.get("primary")]
        first=[m for m in ms if m["kind"]=="metric" and m["better"]!="none"][0]
        assert prim==[first], (f, g["label"], [m["name"] for m in prim])
        for m in ms:
            for c in m["comparisons"]:
                if "p_value" in c: fam.setdefault(m["family"], []).append((c, bool(m.get("primary"))))
    assert d["primary_share"]==0.5
    for rows in fam.values():
        np_=sum(p for _, p in rows); no=len(rows)-np_
        w=[1/len(rows) if not np_ or not no else (.5/np_ if p else .5/no) for _, p in rows]
        order=sorted(range(len(rows)), key=lambda i: rows[i][0]["p_value"]/w[i])
        left, run = 1.0, 0.0
        for i in order:
            run=max(run, min(1, rows[i][0]["p_value"]*max(left, w[i])/w[i])); left-=w[i]
            assert abs(run-rows[i][0]["p_adjusted"]) < 1e-9, (f, run, rows[i][0])' "$TMP/aa.json" "$TMP/slow.json"

# a thread sweep for two candidates
for r in sa sb; do
	mkrun "$TMP/$r.1" 3 && mkrun "$TMP/$r.2" 3 --threads=2 || notok "sweep run $r"
	mkdir -p "$TMP/$r/cases"
	cp "$TMP/$r.1/cases/"* "$TMP/$r/cases/"
	for f in "$TMP/$r.2/cases/"*; do cp "$f" "$TMP/$r/cases/t2-$(basename "$f")"; done
done
for r in sc sd se; do cp -r "$TMP/sa" "$TMP/$r"; done
expect_exit 0 "compare five sweep runs as text" "$FL" compare "$TMP/sa" "$TMP/sb" "$TMP/sc" "$TMP/sd" "$TMP/se" --metrics records_per_s
check "five runs still fit 80 columns" awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$TMP/stdout"
check "the fifth run goes on to a second sweep table with the base column again" \
	grep -qE '^ +threads +[^ ]+ A +[^ ]+ E +delta$' "$TMP/stdout"
expect_exit 0 "plot a thread sweep of two candidates (png)" "$FL" compare "$TMP/sa" "$TMP/sb" --plot "$TMP/sweep.png"
check "--metrics: the text shows the sweep in seed-004 shape" sh -c '"$0" compare "$1" "$2" --metrics records_per_s | grep -A3 "over threads" | grep -qE "^ +2 "' "$FL" "$TMP/sa" "$TMP/sb"
check "PNG signature and 900 px wide IHDR" python3 -c 'import struct,sys
b=open(sys.argv[1],"rb").read(); assert b[:8]==b"\x89PNG\r\n\x1a\n" and b[12:16]==b"IHDR"
w,h=struct.unpack(">II",b[16:24]); assert w==900 and h>=600, (w,h)' "$TMP/sweep.png"
check "script beside the image: one series per candidate in the scaling plot" python3 -c 'import re,sys
t=open(sys.argv[1]).read(); p=[l for l in t.split("plot ")[1:] if "yerrorlines" in l][0]
assert len(re.findall(r"title .A: ", p))==1 and len(re.findall(r"title .B: ", p))==1, p' "$TMP/sweep.gp"
expect_exit 0 "plot as SVG" "$FL" compare "$TMP/sa" "$TMP/sb" --plot "$TMP/sweep.svg"
check "SVG parses as XML" python3 -c 'import sys,xml.etree.ElementTree as E
assert E.parse(sys.argv[1]).getroot().tag.endswith("svg")' "$TMP/sweep.svg"
check "the plot re-runs from its script" sh -c 'cd "$0" && rm sweep.svg && gnuplot sweep.gp && test -s sweep.svg' "$TMP"
expect_exit 2 "--plot with another extension is refused" "$FL" compare "$TMP/sa" "$TMP/sb" --plot "$TMP/x.jpg"
stderr_has "--plot wants an image name ending in .png or .svg, not" "says which extensions"
done_testing
