#!/usr/bin/env bash
# One reader of case and run documents (analysis/casedoc.c, issue 17): report, export kcidb,
# hunt and the runner's progress refuse another schema major as compare does (DESIGN.md), and
# none of them follows a symbolic link for run.json (SECURITY.md). Before the one reader only
# compare and nightly checked the major, and run.json was read through links.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites
tar -xJf "$FL_ROOT/tests/fixtures/compare-golden/runs.tar.xz" -C "$TMP" run-madvise

# major FILE N: FILE's "schema" becomes faultline/N
major() { sed -i "s|\"faultline/1\"|\"faultline/$2\"|" "$1"; }

# a measured case document of another major
cp -r "$TMP/run-madvise" "$TMP/c2"
case2=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1] + "/run.json"))
print(next(c["file"] for c in d["cases"] if c["status"] == "ok" and not c["warmup"]))' "$TMP/c2")
major "$TMP/c2/$case2" 2
expect_exit 0 "report: a case document of another major is not a reason to stop" "$F" report "$TMP/c2"
check "report says the case document has another major and does not use it" \
	grep -qF "$TMP/c2/$case2 has schema faultline/2; this faultline reads faultline/1" "$TMP/stdout"
expect_exit 2 "export kcidb refuses a case document of another major" "$F" export kcidb "$TMP/c2"
stderr_has "$case2 has schema faultline/2; this faultline reads faultline/1" "naming the case file"
expect_exit 2 "compare refuses it too (as before)" "$F" compare "$TMP/c2" "$TMP/run-madvise"
stderr_has "has schema faultline/2" "with the same sentence"

# run.json of another major
cp -r "$TMP/run-madvise" "$TMP/r2"
major "$TMP/r2/run.json" 2
expect_exit 2 "report refuses run.json of another major" "$F" report "$TMP/r2"
stderr_has "$TMP/r2/run.json has schema faultline/2; this faultline reads faultline/1" "naming it"
expect_exit 2 "export kcidb refuses run.json of another major" "$F" export kcidb "$TMP/r2"
stderr_has "$TMP/r2/run.json has schema faultline/2" "naming it"

# run.json as a symbolic link
cp -r "$TMP/run-madvise" "$TMP/ln"
mv "$TMP/ln/run.json" "$TMP/elsewhere.json" && ln -s "$TMP/elsewhere.json" "$TMP/ln/run.json"
expect_exit 2 "report does not follow run.json as a link" "$F" report "$TMP/ln"
stderr_has "$TMP/ln/run.json: it is a symbolic link" "it says so"
expect_exit 2 "export kcidb does not follow it" "$F" export kcidb "$TMP/ln"
stderr_has "$TMP/ln/run.json: it is a symbolic link" "it says so"
expect_exit 2 "compare does not follow it" "$F" compare "$TMP/ln" "$TMP/run-madvise"
stderr_has "$TMP/ln/run.json: it is a symbolic link" "it says so"

# hunt: a case document of another major is a case not run, with the reason
cp -r "$FL_ROOT/tests/fixtures/hunt/stress-hunt" "$TMP/hunt"
major "$TMP/hunt/src-6.12-debug/cases/0000-pt-retract-i0.json" 2
"$F" hunt --report "$TMP/hunt" --format json > "$TMP/hunt.json" 2> "$TMP/stderr"
check "hunt lists it as not run because of its schema" python3 - "$TMP/hunt.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))["kernels"][0]
nr = [n for n in k["not_run"] if n["case"] == "cases/0000-pt-retract-i0.json"]
sys.exit(0 if nr and "has schema faultline/2" in nr[0]["reason"] else 1)
PY

# run: an agent's document of another major is a failed case with the reason, not "ok"
cat > "$TMP/agent-v2" <<SH
#!/bin/sh
case "\$*" in *--check*|*--run-info*|*--describe*) exec "$FL_BIN/faultline-agent" "\$@";; esac
"$FL_BIN/faultline-agent" "\$@"; rc=\$?
for a in "\$@"; do case "\$a" in --json=*) sed -i 's|"faultline/1"|"faultline/2"|' "\${a#--json=}";; esac; done
exit \$rc
SH
chmod +x "$TMP/agent-v2"
FAULTLINE_AGENT="$TMP/agent-v2" "$F" run --out "$TMP/run" "$S/tiny.json" > "$TMP/stdout" 2> "$TMP/stderr"
check "run: the case is failed, saying its document cannot be used" grep -q \
	"failed: the agent exited with status 0 and its case document cannot be used: .*has schema faultline/2" \
	"$TMP/stdout"
done_testing
