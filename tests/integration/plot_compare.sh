#!/usr/bin/env bash
# faultline compare --plot checked as images (issue #14): a thread sweep of two kernels gives a
# scaling plot with one line per kernel and error bars, and the cases' latency histograms
# (percore-map's detail.latency "cdf"; its fault latency histogram is turned off here, so each
# case has one) an IMG-cdf image beside it with one CDF line per kernel
# in each case group's panel; PNG (signature, 900 px wide, 300 px per panel) and SVG (parses
# as XML; gnuplot's plot groups and legends counted per panel); runs of one kernel get legends
# that differ; no histograms, no CDF image. Two real agent runs (~2 s), copied into 3
# iterations per kernel.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_mkrun.sh"
FL=$FL_BIN/faultline
command -v gnuplot > /dev/null || { skip "gnuplot is not installed"; done_testing; exit; }

for t in 1 2; do
	"$FL_BIN/faultline-agent" percore-map --threads=$t --seconds=0.2 --probes=sw --quiet \
		--fault-latency=false \
		--run-id=test-plot-$$ --suite=test --json="$TMP/seed-t$t.json" > /dev/null 2>&1 ||
		{ notok "percore-map threads=$t"; done_testing; exit; }
done
ok "two real percore-map cases (threads 1 and 2)"
check "the latency histogram carries a cdf: ascending, at most 64 points, ending at count" \
	python3 -c 'import json,sys
for f in sys.argv[1:]:
    h=json.load(open(f))["case"]["detail"]["latency"]; c=h["cdf"]
    assert 1 <= len(c) <= 64 and c[-1] == [h["max"], h["count"]], (len(c), c[-1])
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(c, c[1:])), c
    assert [k for k in ("p50","p90","p99","p99.9","min","mean") if k not in h] == []' \
	"$TMP/seed-t1.json" "$TMP/seed-t2.json"

# RUN CANDIDATE SCALE ID STARTED: 3 iterations per thread count; ops/s and latencies scaled
mkplotrun() {
	python3 - "$TMP" "$@" <<'PY'
import json, os, sys
tmp, run, cand, scale, rid, started = sys.argv[1:7]
scale = float(scale)
os.makedirs(f"{tmp}/{run}/cases", exist_ok=True)
for t in (1, 2):
    for i in range(3):
        d = json.load(open(f"{tmp}/seed-t{t}.json"))
        d["run"]["kernel"]["candidate"] = cand or None
        d["run"]["id"], d["run"]["started"] = rid, started
        c = d["case"]
        c["iteration"] = i
        jitter = 1 + 0.03 * (i - 1)
        c["metrics"]["ops_per_s"]["value"] *= jitter / scale
        h = c["detail"]["latency"]
        h["cdf"] = [[int(x * scale * jitter), n] for x, n in h["cdf"]]
        json.dump(d, open(f"{tmp}/{run}/cases/t{t}-i{i}.json", "w"), indent=1)
PY
	mkrunjson "$TMP/$1"
}
mkplotrun base base 1.0 test-base 2026-11-01T03:00:00Z &&
	mkplotrun cand spf-v2 1.25 test-cand 2026-11-02T03:00:00Z &&
	mkplotrun again base 1.0 test-again 2026-11-03T03:00:00Z ||
	{ notok "assemble the runs"; done_testing; exit; }

# PNG: signature, IHDR width 900 and height 300 px per "plot" of the script
png_panels() {
	python3 -c 'import struct,sys
b=open(sys.argv[1],"rb").read(); assert b[:8]==b"\x89PNG\r\n\x1a\n" and b[12:16]==b"IHDR"
w,h=struct.unpack(">II",b[16:24]); n=open(sys.argv[2]).read().count("\nplot ")
assert n == int(sys.argv[3]) and (w,h)==(900,300*n), (w,h,n)' "$@"
}
# SVG: parses; per panel (gnuplot_plot_<n><panel>): the legends and the path moves of each series
svg_series() {
	python3 - "$@" <<'PY'
import json, re, sys, xml.etree.ElementTree as E
ns = "{http://www.w3.org/2000/svg}"
root = E.parse(sys.argv[1]).getroot()
assert root.tag == ns + "svg"
panels = {}
for g in root.iter(ns + "g"):
    m = re.fullmatch(r"gnuplot_plot_(\d+)([a-z]+)", g.get("id", ""))
    if m:
        legend = " ".join(t.text or "" for t in g.iter(ns + "text"))
        moves = sum(p.get("d", "").count("M") for p in g.iter(ns + "path"))
        panels.setdefault(m.group(2), []).append([legend, moves])
print(json.dumps([panels[k] for k in sorted(panels)]))
PY
}

expect_exit 0 "compare two kernels' thread sweeps --plot x.png" "$FL" compare "$TMP/base" "$TMP/cand" --plot "$TMP/x.png"
check "x.png: PNG, 900 px wide, the scaling plot and the run chart (2 panels)" png_panels "$TMP/x.png" "$TMP/x.gp" 2
check "x-cdf.png beside it: PNG, one panel per thread count (2)" png_panels "$TMP/x-cdf.png" "$TMP/x-cdf.gp" 2
check "x-cdf.gp: each CDF panel has one line per kernel (A base, B spf-v2)" python3 -c 'import re,sys
ps=open(sys.argv[1]).read().split("\nplot ")[1:]
for p in ps:
    t=re.findall(r"with lines lw 2 title .([AB]): [^ ]+ ([^ ]+) \(n [0-9]+, p50", p)
    assert t == [("A","base"),("B","spf-v2")], p' "$TMP/x-cdf.gp"
check "the CDF data files hold numbers only (a comment line first)" sh -c \
	'for f in "$0"-cdf-*.dat; do sed 1d "$f" | grep -qvE "^[0-9]+( ([0-9.e+-]+|\?))*$" && exit 1; done; exit 0' "$TMP/x"
check "the CDF plot re-runs from its script" sh -c 'cd "$0" && rm x-cdf.png && gnuplot x-cdf.gp && test -s x-cdf.png' "$TMP"

expect_exit 0 "the same as SVG" "$FL" compare "$TMP/base" "$TMP/cand" --plot "$TMP/x.svg"
svg_series "$TMP/x.svg" > "$TMP/x.series" && svg_series "$TMP/x-cdf.svg" > "$TMP/cdf.series"
check "x.svg: the scaling panel has one series per kernel, each with error bars" python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))[0]
assert len(p) == 2 and p[0][0].startswith("A: ") and p[0][0].endswith(" base") and p[1][0].endswith(" spf-v2"), p
assert all(m >= 2 + 2 * 2 for _, m in p), p     # key sample, line, a bar per thread count' "$TMP/x.series"
check "x-cdf.svg: 2 panels, each one CDF line per kernel (A and B)" python3 -c 'import json,sys
ps=json.load(open(sys.argv[1])); assert len(ps) == 2, ps
for p in ps:
    assert [l[:2] for l, _ in p] == ["A:", "B:"] and all(m == 2 for _, m in p), p' "$TMP/cdf.series"

expect_exit 0 "compare two runs of one kernel --plot" "$FL" compare "$TMP/base" "$TMP/again" --plot "$TMP/same.svg"
check "one kernel: the legends differ beyond A/B (each run's start time)" python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))[0]; a, b = (l.split(": ", 1)[1] for l, _ in p)
assert a != b and "2026-11-01 03:00" in a and "2026-11-03 03:00" in b, (a, b)' <(svg_series "$TMP/same.svg")

mkdir -p "$TMP/nohist" && cp -r "$TMP/base/." "$TMP/nohist/" && python3 -c 'import json,glob,sys
for f in glob.glob(sys.argv[1] + "/cases/*.json"):
    d=json.load(open(f)); del d["case"]["detail"]["latency"]["cdf"]; json.dump(d, open(f, "w"))' "$TMP/nohist"
expect_exit 0 "compare runs without latency histograms --plot" "$FL" compare "$TMP/nohist" "$TMP/cand" --plot "$TMP/n.png"
check "a run without a cdf gets no line; the other kernel's still drawn" python3 -c 'import re,sys
ps=open(sys.argv[1]).read().split("\nplot ")[1:]
assert ps and all("(no values)" in p and "B: " in p for p in ps), ps' "$TMP/n-cdf.gp"
expect_exit 0 "compare runs neither of which has latency histograms" "$FL" compare "$TMP/nohist" "$TMP/nohist" --plot "$TMP/m.png"
check "no CDF image then" test ! -e "$TMP/m-cdf.png"

# nightly: the page shows the CDFs too, baseline and this run told apart
"$FL" nightly test --history "$TMP/h" --run "$TMP/base" > /dev/null 2>&1
expect_exit 0 "nightly: a second run of percore-map against the first" "$FL" nightly test --history "$TMP/h" --run "$TMP/cand" --threshold 50
check "nightly: compare-cdf.png on the page, a PNG" sh -c 'grep -q "<img src=\"compare-cdf.png\"" "$0/index.html" &&
	head -c 8 "$0/compare-cdf.png" | od -c | grep -q "P   N   G"' "$TMP/h"
check "nightly: the CDF legends are the baseline's and this run's" python3 -c 'import re,sys
t=set(re.findall(r"title .([AB]: [^(]*\([^)]*\))", open(sys.argv[1]).read()))
assert t == {"A: baseline, last 1 good run (base)", "B: this run test-cand (spf-v2)"}, t' "$TMP/h/compare-cdf.gp"
done_testing
