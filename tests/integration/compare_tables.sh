#!/usr/bin/env bash
# faultline compare --table on real runs (the agent called directly, ~20 s): the ebizzy,
# percore, munmap and collapse tables in text (80 columns, one screen), md and csv, headed by
# the kernels' names; a slowed run is "worse" with a negative delta; a table whose workload is
# not in the runs is one sentence and exit 2; --metrics limits every format. (kernbench's
# table: tests/unit/test_tables.c, a real build takes minutes.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_mkrun.sh"
FL=$FL_BIN/faultline
before=$(kernel_state_locked)

# wlcase DIR N WORKLOAD [OPTIONS...]: case N of WORKLOAD in run DIR
wlcase() {
	local dir=$1 i=$2 wl=$3; shift 3
	mkdir -p "$dir/cases" || return 1
	"$FL_BIN/faultline-agent" "$wl" "$@" --quiet --iteration=0 \
		--run-id="test-$(basename "$dir")-$$" --suite=test \
		--json="$dir/cases/$(printf '%04d' "$i")-$wl.json" > /dev/null 2>&1
}
for r in a b; do
	n=100
	for t in 1 2; do for m in shared-mm percore-mm; do
		wlcase "$TMP/$r" $((n++)) percore-map --op=zap --threads=$t --mode=$m --seconds=0.2 || break 3
	done; done
	for w in 0 1; do wlcase "$TMP/$r" $((n++)) thp-munmap --size=32M --walkers=$w || break 2; done
	wlcase "$TMP/$r" $((n++)) swapin-collapse --size=8M --mode=khugepaged --timeout_s=20 || break
done
for ((i = -1; i < 5; i++)); do
	mkcase "$TMP/a" $i && mkcase "$TMP/b" $i --test-delay-us=10000 || break
done
if mkrunjson "$TMP/a" && mkrunjson "$TMP/b"; then
	ok "assembled two real runs with the agent (ebizzy, percore-map, thp-munmap, swapin-collapse)"
else
	notok "assemble real runs with the agent"; done_testing; exit
fi

# A metric the workload named as not counted (thp-munmap's detail.metrics_missing, e.g. TLB
# IPIs where a hypervisor flushes without one) is n/a with the workload's own status and reason.
check "munmap: a metric named in metrics_missing shows its status and reason" python3 - \
	"$FL" "$TMP/a" "$TMP/b" <<'PY'
import glob, json, subprocess, sys
fl, a, b = sys.argv[1:4]
miss = {}
for f in glob.glob(a + "/cases/*thp-munmap*.json") + glob.glob(b + "/cases/*thp-munmap*.json"):
    miss.update(json.load(open(f))["case"]["detail"].get("metrics_missing", {}))
out = subprocess.run([fl, "compare", a, b, "--table", "munmap", "--format", "csv"],
                     capture_output=True, text=True).stdout
shown = [m for m in miss if "," + m + "," in out]
for m in shown:
    rows = [l for l in out.splitlines() if "," + m + "," in l]
    assert any(miss[m]["status"] in l and "not reported" not in l for l in rows), (m, rows)
print("# shown with their reason:", shown)
PY

for t in ebizzy percore munmap collapse; do
	expect_exit 0 "--table $t" "$FL" compare "$TMP/a" "$TMP/b" --table $t
	cp "$TMP/stdout" "$TMP/$t.txt"
	check "$t: text fits 80 columns and one screen (50 lines)" awk \
		'length($0) > 80 { bad = 1 } END { exit bad || NR > 50 || NR < 5 }' "$TMP/$t.txt"
	check "$t: columns named by the kernel (release + label), not A/B" \
		grep -qE "^BASE [^ ]+ A: run test-a-" "$TMP/$t.txt"
	check "$t: never a 0 for a value not counted" sh -c '! grep -qE " n/a" "$0" ||
		grep -q "^n/a: " "$0"' "$TMP/$t.txt"
	check "$t: a reason several runs share is said once, naming them" sh -c \
		'test "$(grep "^n/a: " "$0" | cut -d, -f1 | sort | uniq -d | wc -l)" = 0' "$TMP/$t.txt"
	expect_exit 0 "--table $t --format md" "$FL" compare "$TMP/a" "$TMP/b" --table $t --format md
	check "$t: md table has one column count" python3 -c 'import sys
t=[l for l in open(sys.argv[1]) if l.startswith("|")]
assert len(t) >= 3 and len({l.count("|") for l in t}) == 1 and set(t[1].strip()) <= set("|-:"), t[:3]' "$TMP/stdout"
	expect_exit 0 "--table $t --format csv" "$FL" compare "$TMP/a" "$TMP/b" --table $t --format csv
	check "$t: csv parses, one field count, a row per value" python3 -c 'import csv,sys
r=list(csv.reader(open(sys.argv[1], newline=""))); assert len(r) > 2 and len({len(x) for x in r}) == 1
h=r[0]; assert {"kernel","metric","mean","sd","delta_better_pct","direction"} <= set(h)
assert all(x[h.index("run")] in "AB" for x in r[1:])' "$TMP/stdout"
done
check "ebizzy: the slowed run is worse, delta negative (positive = better)" \
	grep -qE '^threads=1 \(n 5/5\) +hi +[0-9.]+ \([0-9.]+\) +[0-9.]+ \([0-9.]+\) +-[0-9.]+% +worse$' \
	"$TMP/ebizzy.txt"
check "percore: threads | Op/s | Lat per kernel and mode (seed 004)" sh -c \
	'grep -qE "^ +shared-mm +percore-mm +shared-mm +percore-mm$" "$0" &&
	 grep -qE "^threads( +Op/s +Lat \[us\]){4}$" "$0" && grep -qE "^2( +[0-9.]+){8}$" "$0"' \
	"$TMP/percore.txt"
check "munmap: time (ms, ms/GiB) and IPIs per GiB per walkers" sh -c \
	'grep -q "^op=munmap walkers=1 (n 1/1)" "$0" && grep -qE "^time \(ms/GiB\) +lo " "$0" &&
	 grep -qE "^all IPIs/GiB +lo " "$0"' "$TMP/munmap.txt"
check "collapse: THP share before/after, time to collapse, swap-ins" sh -c \
	'grep -qE "^THP share after \(%\) +hi +100.0" "$0" && grep -q "^time to collapse (s) " "$0" &&
	 grep -q "^swap-ins, all (pages) " "$0"' "$TMP/collapse.txt"

for t in munmap percore; do
	expect_exit 0 "--table $t of three runs" "$FL" compare "$TMP/a" "$TMP/b" "$TMP/a" --table $t
	check "$t, three runs: still 80 columns (means, further parts with the base again)" awk \
		'length($0) > 80 { bad = 1 } END { exit bad }' "$TMP/stdout"
done
check "percore, three runs: the third run's part repeats the base's columns" \
	grep -qE "^ +[^ ]+ A +[^ ]+ C$" "$TMP/stdout"
expect_exit 2 "a table whose workload is not in the runs" "$FL" compare "$TMP/a" "$TMP/b" --table kernbench
stderr_has "--table kernbench: these runs have no measured kernbench case" "says so in one sentence"
check "and prints nothing on stdout" test ! -s "$TMP/stdout"
expect_exit 2 "an unknown table" "$FL" compare "$TMP/a" "$TMP/b" --table nosuch
stderr_has "compare: --table wants one of ebizzy, kernbench, percore, munmap or collapse, not 'nosuch'" "names the tables"
expect_exit 2 "--table with --format json" "$FL" compare "$TMP/a" "$TMP/b" --table ebizzy --format json
stderr_has "a table is text, md or csv" "says which formats"

# --metrics in every format
M=records_per_s,elapsed_s,ms_per_gib
expect_exit 0 "--metrics text" "$FL" compare "$TMP/a" "$TMP/b" --metrics $M
check "text: only the rows asked for" sh -c 'rows=$(grep -E " (hi|lo|-) (better|worse|changed|~|same|n<3|n/a)$" "$0" | awk "{print \$1}" | sort -u | tr "\n" " ")
	[ "$rows" = "ms_per_gib records_per_s " ] || { echo "# rows: $rows"; exit 1; }' "$TMP/stdout"
for f in md csv json; do
	expect_exit 0 "--metrics --format $f" "$FL" compare "$TMP/a" "$TMP/b" --metrics $M --format $f
	cp "$TMP/stdout" "$TMP/m.$f"
done
check "md: only those metrics" sh -c '[ "$(grep -E "^\| [a-z]" "$0" | grep -vE "^\| (metric|run|walkers|threads) " |
	awk -F"|" "{print \$2}" | sort -u | tr -d " " | tr "\n" ,)" = "ms_per_gib,records_per_s," ]' "$TMP/m.md"
check "csv: only those metrics, each with its direction" python3 -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1], newline="")))
assert {x["metric"] for x in r} == {"records_per_s", "ms_per_gib"}, {x["metric"] for x in r}
assert all(x["better"] in ("higher", "lower") for x in r)
assert all(x["direction"] for x in r if x["run"] == "B")' "$TMP/m.csv"
check "json: only those metrics, the filter recorded, valid against the schema" python3 -c 'import json,sys,jsonschema
d=json.load(open(sys.argv[1])); jsonschema.validate(d, json.load(open(sys.argv[2])))
assert {m["name"] for g in d["groups"] for m in g["metrics"]} == {"records_per_s", "ms_per_gib"}
assert d["metrics_filter"] == ["records_per_s", "elapsed_s", "ms_per_gib"]
assert all(c["direction"] in ("better", "worse", "changed", "~", "same", "n/a") for g in d["groups"]
           for m in g["metrics"] for c in m["comparisons"])' "$TMP/m.json" "$FL_ROOT/schema/compare-1.schema.json"
expect_exit 0 "--metrics limits a table's rows" "$FL" compare "$TMP/a" "$TMP/b" --table munmap --metrics 'op_ms,*ipis_per_gib'
check "munmap --metrics: time (ms) and the IPI rows, not ms/GiB" sh -c \
	'grep -q "^time (ms) " "$0" && grep -q "^all IPIs/GiB " "$0" && ! grep -q "^time (ms/GiB)" "$0"' "$TMP/stdout"
expect_exit 2 "--metrics that match nothing" "$FL" compare "$TMP/a" "$TMP/b" --metrics 'nosuch*'
stderr_has "--metrics nosuch*: no metric or counter of these runs matches" "says so"
check "the host's kernel settings are as found" test "$before" = "$(kernel_state_locked)"
done_testing
