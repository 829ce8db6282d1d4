#!/usr/bin/env bash
# Case documents, run documents and nightly histories written by machines faultline does not
# control (issue #12): gnuplot gets strings only as escaped literals (no system() from a unit or
# a workload name), no escape sequence reaches the terminal or summary.txt/md, index.html is
# escaped, an index entry or run id cannot lead outside the history, an empty object where the
# scanner blanks a value does not overflow the heap (ASan build), links in a run directory are
# not followed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_mkrun.sh"
F=$FL_BIN/faultline
SAN=${FL_SAN_BIN:-$FL_ROOT/build/san/bin}
PWN=$TMP/PWNED
command -v gnuplot > /dev/null || { skip "gnuplot is not installed"; done_testing; exit; }

mkcase "$TMP/seed" 0 || { notok "one real case document from the agent"; done_testing; exit; }
SEED=$(ls "$TMP"/seed/cases/*.json)

# craft RUN_DIR KIND: a run of 9 cases cloned from the real one: 3 groups of 3 iterations
# (threads 1 and 2 form a sweep; "mode" varies), every string a document may carry poisoned.
craft() {
	python3 - "$SEED" "$1" "$2" "$PWN" <<'PY'
import json, os, random, sys
seed, out, kind, pwn = sys.argv[1:]
payloads = ["'; system \"touch %s-sq\"; '" % pwn, "\"; system \"touch %s-dq\"; \"" % pwn,
            "\\'; system \"touch %s-bs\" #\\" % pwn, "x\nsystem \"touch %s-nl\"\n#" % pwn,
            "`touch %s-bq`" % pwn, "@x \\\n '' # | <b>"]
ctl = "\u001b[2J\u009b31m"
evil = " ".join(payloads)
os.makedirs(out + "/cases", exist_ok=True)
random.seed(kind)
doc = json.load(open(seed))
doc["run"]["id"] = "run-" + kind
doc["run"]["suite"] = "tiny" + ctl + "\nBcc: victim@example.org"
doc["run"]["kernel"]["release"] = "6.1" + payloads[0] + ctl
doc["run"]["kernel"]["candidate"] = payloads[1] + ctl
n = 0
for g, (threads, mode) in enumerate([(1, evil), (2, evil), (1, "plain" + ctl)]):
    for it in range(3):
        d = json.loads(json.dumps(doc))
        c = d["case"]
        c["workload"] = "ebizzy<script>alert(1)</script>" + payloads[0]
        c["params"] = {"threads": threads, "mode": mode, "unit" + ctl: ctl}
        c["iteration"] = it
        m = c["metrics"]
        first = next(iter(m))
        m = {("rate" + payloads[0] + ctl if k == first else k): v for k, v in m.items()}
        v = m["rate" + payloads[0] + ctl]
        v["value"] = 1000.0 * (1 + 0.01 * random.random()) * (0.5 if kind == "slow" else 1)
        v["unit"] = "rec/s|" + ctl + payloads[3] + evil
        c["metrics"] = m
        if g == 2 and it == 2 and kind == "base":
            c["status"] = "crashed"
            c["reason"] = "BUG " + ctl + payloads[0]
        json.dump(d, open("%s/cases/%04d-ebizzy-i%d.json" % (out, n, it), "w"))
        n += 1
PY
}
for r in a:base b:new c:slow d:new2 e:new3; do
	craft "$TMP/${r%%:*}" "${r#*:}" && mkrunjson "$TMP/${r%%:*}" ||
		{ notok "craft the poisoned run ${r#*:}"; done_testing; exit; }
done

no_ctl() {	# no ESC, no other C0 but tab/newline/CR, no DEL, no C1 (as UTF-8 or a raw byte)
	python3 - "$@" <<'PY'
import sys
bad = []
for f in sys.argv[1:]:
    t = open(f, "rb").read().decode("utf-8", "surrogateescape")
    if any((ord(c) < 32 and c not in "\t\n\r") or 0x7f <= ord(c) <= 0x9f or
           0xdc80 <= ord(c) <= 0xdc9f for c in t):
        bad.append(f)
if bad: print("# control characters in", bad); sys.exit(1)
PY
}
png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s "$1")" -gt 2000 ]; }

expect_exit 0 "compare --plot of poisoned case documents" "$F" compare "$TMP/a" "$TMP/b" --plot "$TMP/x.png"
check "no file was created by gnuplot (system, backquotes)" sh -c '! ls "$0"* 2>/dev/null | grep -q .' "$PWN"
check "the PNG is a valid image" png_ok "$TMP/x.png"
# gnuplot's own messages name the script's line ('"./x.gp" line 5: ...'); an error is one that is
# not a warning. Other lines come from the libraries under the png terminal (fontconfig, pango)
# and are shown, not judged: one appeared once on a clean clone at load 3 and not in 3 reruns.
check "gnuplot reported no error (long titles may warn)" sh -c \
	'! grep -E "line [0-9]+:" "$0" | grep -qv "warning:"' "$TMP/x.log"
grep -Ev "line [0-9]+: warning:|^$" "$TMP/x.log" | head -5 | sed 's/^/# gnuplot log: /'
check "the script has the sweep, the run chart and the IPI panels" sh -c \
	'[ "$(grep -c "^plot " "$0")" = 3 ]' "$TMP/x.gp"
check "no line break from a document in the script" sh -c '! grep -q "^system" "$0"' "$TMP/x.gp"
check "the data files hold numbers only (a comment line first)" sh -c \
	'for f in "$0"-*.dat; do sed 1d "$f" | grep -qvE "^(cpu)?[0-9.e+-]+( ([0-9.e+-]+|\?))*$" && exit 1; done; exit 0' "$TMP/x"
check "text output has no control characters" no_ctl "$TMP/stdout" "$TMP/stderr"
for fmt in md csv json matrix; do
	"$F" compare "$TMP/a" "$TMP/b" --format $fmt > "$TMP/out.$fmt" 2> "$TMP/err.$fmt"
	check "--format $fmt has no control characters" no_ctl "$TMP/out.$fmt" "$TMP/err.$fmt"
done
check "Markdown tables: a '|' from a document is escaped" sh -c \
	'grep "^| rate" "$0" | grep -qF "\\|" && ! grep -q "<b>" "$0"' "$TMP/out.md"
check "--format json is still the same document" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert "\u001b" in d["groups"][0]["metrics"][0]["unit"]' "$TMP/out.json"
expect_exit 0 "report of a poisoned run" "$F" report "$TMP/a"
check "report has no control characters" no_ctl "$TMP/stdout" "$TMP/stderr"
check "report shows the crashed case" grep -q "crashed: BUG ?" "$TMP/stdout"

H=$TMP/h
for r in a b c; do
	"$F" nightly tiny --history "$H" --run "$TMP/$r" --threshold 5 > "$TMP/n$r.out" 2> "$TMP/n$r.err"
	echo $? > "$TMP/n$r.rc"
done
check "nightly on poisoned runs: crashed case, first good, regression (exit $(cat "$TMP"/n?.rc | tr '\n' ' '))" \
	sh -c '[ "$(cat "$0"/na.rc "$0"/nb.rc "$0"/nc.rc | tr -d "\n")" = 101 ]' "$TMP"
check "the regression's verdict names the poisoned metric" grep -q "REGRESSION in 3 metric(s) beyond 5%: ebizzy<script>" "$TMP/nc.out"
check "nightly: no file was created by gnuplot" sh -c '! ls "$0"* 2>/dev/null | grep -q .' "$PWN"
check "nightly: compare.png and trend.png are valid images" sh -c \
	'. "$1"; png_ok "$0/compare.png" && png_ok "$0/trend.png"' "$H" <(declare -f png_ok)
check "nightly: no control characters in stdout, summary.txt, summary.md, index.html" \
	no_ctl "$TMP/nc.out" "$TMP/nc.err" "$H/summary.txt" "$H/summary.md" "$H/index.html"
check "summary.txt: the suite name cannot add a mail header" sh -c \
	'! grep -q "^Bcc:" "$0" && head -1 "$0" | grep -q "^Subject: .*Bcc: victim"' "$H/summary.txt"
check "index.html: <script> from a workload name is escaped" sh -c \
	'! grep -q "<script>" "$0" && grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" "$0"' "$H/index.html"
check "index.html: a quote from a document is an entity" sh -c \
	'grep -q "&#39;; system &quot;touch" "$0"' "$H/index.html"

# an index.json from elsewhere: a run's "dir" leading out of the history, a status with markup
mkdir -p "$TMP/outside/cases" && touch "$TMP/outside/cases/keep.json"
cp -r "$H" "$TMP/h2"
python3 - "$TMP/h2/index.json" "$TMP/outside" <<'PY'
import json, sys, os
p, out = sys.argv[1:]
d = json.load(open(p))
d["runs"][0]["dir"] = os.path.relpath(out, os.path.dirname(p))
d["runs"][1]["status"] = "<img src=x onerror=alert(1)>"
json.dump(d, open(p, "w"))
PY
expect_exit 3 "--keep 1 with an index entry outside the history: rotation refused" \
	"$F" nightly tiny --history "$TMP/h2" --run "$TMP/d" --keep 1
stderr_has "expected runs/NAME" "the message names the entry and what is expected"
check "nothing outside the history was removed" test -f "$TMP/outside/cases/keep.json"
check "index.html: a status from the index is escaped" sh -c '! grep -q "<img" "$0"' "$TMP/h2/index.html"
python3 - "$TMP/h2/index.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["runs"][-1]["status"] = "good"; d["runs"][-1]["dir"] = "runs/../../x"
json.dump(d, open(sys.argv[1], "w"))
PY
expect_exit 2 "a baseline entry with runs/../ in its dir is refused" \
	"$F" nightly tiny --history "$TMP/h2" --run "$TMP/e"
stderr_has 'a run'"'"'s "dir" is "runs/../../x"; expected runs/NAME' "naming the entry"

# run ids from run.json name the history directory
cp -r "$TMP/a" "$TMP/evil-id"
python3 - "$TMP/evil-id" <<'PY'
import json, sys
p = sys.argv[1] + "/run.json"; d = json.load(open(p)); d["run"]["id"] = "../../escaped"
json.dump(d, open(p, "w"))
PY
expect_exit 2 "a run id with ../ is refused" "$F" nightly tiny --history "$TMP/h3" --run "$TMP/evil-id"
stderr_has 'the run id (run.id) of '"$TMP"'/evil-id "../../escaped" is not a safe name' "naming the id"
check "nothing was written outside the history" sh -c '! test -e "$0/escaped" && ! test -e "$0/../escaped"' "$TMP"

# links and FIFOs in a run directory from elsewhere
cp -r "$TMP/a" "$TMP/links" && cp -r "$TMP/d" "$TMP/link1"
ln -s /etc/passwd "$TMP/links/cases/0100-ebizzy-i9.json"
ln -s /etc/passwd "$TMP/link1/cases/0100-ebizzy-i9.json"
mkfifo "$TMP/links/cases/0101-ebizzy-i9.json"
expect_exit 0 "compare with a symlinked and a FIFO case file (does not hang)" \
	timeout 20 "$F" compare "$TMP/a" "$TMP/links"
check "the link is skipped, not read" grep -q "0100-ebizzy-i9.json: skipped: it is a symbolic link" "$TMP/stderr"
check "the FIFO is skipped" grep -q "0101-ebizzy-i9.json: skipped: it is not a regular file" "$TMP/stderr"
expect_exit 2 "nightly does not import a run with a symlinked case file" \
	timeout 20 "$F" nightly tiny --history "$TMP/h4" --run "$TMP/link1"
stderr_has "is a symbolic link; a run directory's files are copied only when they are regular files" \
	"the message names the link"
check "/etc/passwd was not copied into the history" sh -c '! grep -rqs "^root:" "$0"' "$TMP/h4"
ln -s "$TMP/elsewhere" "$TMP/link.png"
expect_exit 2 "--plot onto a symbolic link is refused" "$F" compare "$TMP/a" "$TMP/b" --plot "$TMP/link.png"
check "nothing was written through the link" test ! -e "$TMP/elsewhere"
mkdir -p "$TMP/h5" && ln -s "$TMP/victim" "$TMP/h5/.nightly.lock" && echo keep > "$TMP/victim"
expect_exit 3 "a symbolic link as the nightly lock is refused" "$F" nightly tiny --history "$TMP/h5" --run "$TMP/a"
check "the link's target was not truncated" grep -q keep "$TMP/victim"

# run.json from elsewhere: a case "file" outside cases/, an entry without a workload
mkdir -p "$TMP/rj" && cp -r "$TMP/d/cases" "$TMP/rj/" && cp "$TMP/d/run.json" "$TMP/rj/"
cp "$TMP/d/cases/0000-ebizzy-i0.json" "$TMP/secret.json"
python3 - "$TMP/rj/run.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["cases"][0]["file"] = "../secret.json"
d["cases"].insert(1, {"file": "cases/none.json", "status": "failed", "iteration": 0, "params": {}})
json.dump(d, open(p, "w"))
PY
expect_exit 0 "report: a run.json entry without a workload does not crash it" "$F" report "$TMP/rj"
check "report does not read a case file outside cases/" grep -q 'case file "../secret.json" in run.json is not cases/NAME: not read' "$TMP/stdout"
expect_exit 0 "export kcidb of the same run" "$F" export kcidb "$TMP/rj"
check "export kcidb does not read a case file outside cases/" python3 -c 'import json,sys
t=[t for t in json.load(open(sys.argv[1]))["tests"] if t["misc"].get("file")=="../secret.json"]
assert t and "duration" not in t[0], t' "$TMP/stdout"

# a long non-ASCII candidate name (cut mid-character, Jansson refused the whole document) and a
# case without an iteration (its test was dropped)
mkdir -p "$TMP/kc/cases"
python3 - "$TMP/kc" <<'PY'
import json, sys
d = sys.argv[1]
json.dump({"schema": "faultline/1", "state": "complete", "run": {"id": "x", "kernel":
           {"candidate": "\u00e9" * 300, "release": "6.1"}, "target": {"arch": "x86_64"}},
           "cases": [{"file": "cases/a.json", "workload": "w", "params": {}, "status": "ok"}]},
          open(d + "/run.json", "w"))
json.dump({"schema": "faultline/1", "case": {"workload": "w", "params": {}, "status": "ok",
           "metrics": {"m": {"value": 1, "unit": "x"}}}}, open(d + "/cases/a.json", "w"))
PY
expect_exit 0 "export kcidb: a 600-byte UTF-8 candidate name" "$F" export kcidb "$TMP/kc"
check "export kcidb: the case and its metric are tests" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert len(d["tests"]) == 2, d["tests"]' "$TMP/stdout"

# heap overflow: an empty object where the scanner blanks vmstat, raw or run (ASan build)
if [ -x "$SAN/faultline" ]; then
	for shape in vmstat raw run vmstat_ws; do
		d=$TMP/empty-$shape
		cp -r "$TMP/a" "$d"
		python3 - "$d" "$shape" <<'PY'
import glob, json, sys
d, shape = sys.argv[1:]
for f in sorted(glob.glob(d + "/cases/*.json")):
    doc = json.load(open(f))
    if shape.startswith("vmstat"):
        doc["case"]["vmstat"] = "@EMPTY@"
    elif shape == "raw":
        doc["case"]["ipi"]["raw"] = "@EMPTY@"
    else:	# nothing blanked before it: no slack left in the buffer
        doc["run"] = "@EMPTY@"
        doc["case"]["ipi"].pop("raw", None)
    t = json.dumps(doc).replace('"@EMPTY@"', "{ }" if shape.endswith("ws") else "{}")
    open(f, "w").write(t)
PY
		"$SAN/faultline" compare "$TMP/a" "$d" > "$TMP/san.out" 2>&1
		rc=$?
		check "ASan: compare with \"$shape\": {} exits 0 (exit $rc)" test $rc = 0
		check "ASan: no sanitizer report for \"$shape\": {}" sh -c \
			"! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' '$TMP/san.out'"
		check "no case skipped (the text was not corrupted) for \"$shape\": {}" sh -c \
			"! grep -q 'skipped' '$TMP/san.out' && grep -q '(n: A 3, B 3)' '$TMP/san.out'"
	done
	"$SAN/faultline" report "$TMP/empty-vmstat" > "$TMP/san.out" 2>&1
	check "ASan: report on the same run, no sanitizer report" sh -c \
		"! grep -qE 'AddressSanitizer|runtime error' '$TMP/san.out'"
	"$SAN/faultline" nightly tiny --history "$TMP/hsan" --run "$TMP/empty-run" > "$TMP/san.out" 2>&1
	check "ASan: nightly on the same shape, no sanitizer report" sh -c \
		"! grep -qE 'AddressSanitizer|runtime error' '$TMP/san.out'"
else
	skip "no sanitizer build in $SAN (make SAN=1)"
fi
done_testing
