#!/usr/bin/env bash
# faultline export kcidb: a real run (with a failed case injected into its run.json) exported as
# KCIDB I/O v4.5 JSON has the documented structure and required fields
# (tests/fixtures/kcidb/kcidb-v4.5-structure.schema.json), links that resolve, unique ids, no
# null anywhere, a PASS/FAIL test per measured case and a DONE test with a number per metric.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
SCHEMA=$FL_ROOT/tests/fixtures/kcidb/kcidb-v4.5-structure.schema.json

expect_exit 0 "a tiny run" "$F" run --out "$TMP/r" "$FL_ROOT/tests/fixtures/suites/tiny.json"
expect_exit 0 "export kcidb writes a file" "$F" export kcidb "$TMP/r" --origin lab_one --out "$TMP/k.json"
check "it has the documented KCIDB v4.5 structure and required fields" python3 - "$SCHEMA" "$TMP/k.json" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
check "links resolve, ids are unique, the origin is ours, nothing is null" python3 - "$TMP/k.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
co = {c["id"] for c in d["checkouts"]}; bu = {b["id"] for b in d["builds"]}
assert len(co) == 1 and len(bu) == 1
assert all(b["checkout_id"] in co for b in d["builds"])
assert all(t["build_id"] in bu for t in d["tests"])
ids = [t["id"] for t in d["tests"]]
assert len(ids) == len(set(ids))
assert all(o["origin"] == "lab_one" and o["id"].startswith("lab_one:") for k in ("checkouts", "builds", "tests") for o in d[k])
def nonull(v):
    if v is None: raise AssertionError("null")
    for x in (v.values() if isinstance(v, dict) else v if isinstance(v, list) else []): nonull(x)
nonull(d)
PY
check "one PASS test per measured case (warm-ups left out) and DONE tests with numbers" python3 - "$TMP/k.json" "$TMP/r/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
measured = [c for c in r["cases"] if not c["warmup"]]
cases = [t for t in d["tests"] if t["path"] == "faultline.ebizzy"]
assert len(cases) == len(measured) and all(t["status"] == "PASS" and t["duration"] > 0 for t in cases)
rec = [t for t in d["tests"] if t["path"] == "faultline.ebizzy.records_per_s"]
assert len(rec) == len(measured)
assert all(t["status"] == "DONE" and t["number"]["value"] > 0 and t["number"]["unit"] == "records/s" for t in rec)
assert d["builds"][0]["architecture"] and d["builds"][0]["misc"]["config_sha256"]
PY
# a failed case: the runner's own document for it
python3 - "$TMP/r" <<'PY'
import json, sys
d = sys.argv[1]; r = json.load(open(d + "/run.json"))
c = [c for c in r["cases"] if not c["warmup"]][0]; c["status"] = "failed"; c["reason"] = "injected"
doc = json.load(open(d + "/" + c["file"])); doc["case"]["status"] = "failed"; doc["case"]["reason"] = "injected"
json.dump(doc, open(d + "/" + c["file"], "w")); json.dump(r, open(d + "/run.json", "w"))
PY
"$F" export kcidb "$TMP/r" > "$TMP/k2.json"
check "a failed case is a FAIL test with its reason and no metric tests" python3 - "$TMP/k2.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["tests"]
f = [x for x in t if x["status"] == "FAIL"]
assert len(f) == 1 and f[0]["comment"] == "injected" and f[0]["origin"] == "faultline"
assert not [x for x in t if x["id"].startswith(f[0]["id"] + ".")]
PY
expect_exit 2 "a bad origin is refused" "$F" export kcidb "$TMP/r" --origin "Lab One"
stderr_has "export: --origin wants a KCIDB origin (lower-case letters, digits, _), not 'Lab One'" "saying why"
expect_exit 2 "a directory without run.json is refused" "$F" export kcidb "$TMP"
stderr_has "$TMP/run.json" "naming the file"
expect_exit 2 "another format is refused" "$F" export junit "$TMP/r"
done_testing
