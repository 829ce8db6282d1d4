#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Cross-check schema/faultline-1.schema.json with python3-jsonschema, a complete JSON Schema
implementation: every fixture in tests/fixtures/schema/valid/ must validate and every one in
invalid/ must not. tests/unit/test_schema.c checks the same directories with faultline's own
validator (common/fl_schema.c), so the two implementations agree on every fixture.

Files named run-*.json are run documents (#/$defs/run_document); all others are case documents
(the schema's root). Prints TAP; exits 1 if any check fails, 2 if it cannot run."""

import glob
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("1..0 # SKIP python3-jsonschema is not installed (apt-get install python3-jsonschema)")
    sys.exit(0)

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCHEMA = os.path.join(TOP, "schema", "faultline-1.schema.json")
FIXTURES = os.path.join(TOP, "tests", "fixtures", "schema")


def validators(schema):
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    run_schema = dict(schema)
    run_schema["$ref"] = "#/$defs/run_document"
    return cls(schema), cls(run_schema)


def first_error(validator, doc):
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    best = jsonschema.exceptions.best_match(errors)
    where = ".".join(str(p) for p in best.absolute_path) or "document"
    return f"{where}: {best.message}"


def main():
    try:
        with open(SCHEMA) as f:
            schema = json.load(f)
        case_v, run_v = validators(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print(f"Bail out! {SCHEMA}: {e}")
        return 2

    files = []
    for verdict in ("valid", "invalid"):
        for path in sorted(glob.glob(os.path.join(FIXTURES, verdict, "*.json"))):
            files.append((verdict, path))
    if not files:
        print(f"Bail out! no fixtures under {FIXTURES}")
        return 2

    print(f"1..{len(files)}")
    failed = 0
    for n, (verdict, path) in enumerate(files, 1):
        name = f"{verdict}/{os.path.basename(path)}"
        kind = "run" if os.path.basename(path).startswith("run") else "case"
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"not ok {n} - {name}: cannot load: {e}")
            failed += 1
            continue
        err = first_error(run_v if kind == "run" else case_v, doc)
        if verdict == "valid" and err is None:
            print(f"ok {n} - {name} is a valid {kind} document")
        elif verdict == "invalid" and err is not None:
            print(f"ok {n} - {name} is rejected ({err})")
        else:
            failed += 1
            what = err if err else "accepted"
            print(f"not ok {n} - {name}: python-jsonschema disagrees with the directory: {what}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
