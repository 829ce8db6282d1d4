#!/usr/bin/env bash
# Run-to-run spread on this machine: each workload's main metric (its first metric) over the
# measured iterations of configs/suites/bench-cov.json (5 each, after a warm-up).
#   bench/workload-cov.sh [SUITE]      (about 5 minutes here)
. "$(dirname "$0")/usage.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:-configs/suites/bench-cov.json}
out=$(mktemp -d /tmp/faultline-cov.XXXXXX)
bin/faultline run --out "$out/run" "$suite" > "$out/log" || { tail -20 "$out/log"; exit 1; }
bin/faultline-agent --describe > "$out/describe.json"
python3 - "$out/run" "$out/describe.json" <<'PY'
import json, statistics as st, sys, os
run, desc = sys.argv[1], json.load(open(sys.argv[2]))
main = {w["name"]: w["metrics"][0] for w in desc}
rows = {}
for c in json.load(open(os.path.join(run, "run.json")))["cases"]:
    if c["warmup"] or c["status"] != "ok":
        continue
    case = json.load(open(os.path.join(run, c["file"])))["case"]
    m = main[c["workload"]]
    v = case["metrics"].get(m["name"], {}).get("value")
    if v is not None:
        rows.setdefault(c["workload"], (m, []))[1].append(v)
print(f"run-to-run spread, {os.uname().nodename}, kernel {os.uname().release}, {os.cpu_count()} CPUs")
print(f"{'workload':16} {'main metric':22} {'n':>2} {'mean':>12} {'stddev':>10} {'CoV':>7}  unit")
for wl, (m, v) in rows.items():
    mean, sd = st.mean(v), (st.stdev(v) if len(v) > 1 else float("nan"))
    print(f"{wl:16} {m['name']:22} {len(v):2d} {mean:12.4g} {sd:10.3g} {100*sd/abs(mean):6.2f}%  {m['unit']}")
print(f"(results: {run})")
PY
