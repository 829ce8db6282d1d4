# Sourced by the compare_*/nightly_* tests: assemble a real run directory by calling the agent
# directly (cases/ + run.json), so a run can carry agent-only options such as --test-delay-us.
# shellcheck shell=bash
# mkcase DIR I [AGENT OPTIONS...]: case I of a run (I = -1: its warm-up); ebizzy -mT, 1 thread,
# 0.3 s
mkcase() {
	local dir=$1 i=$2 f w=() it=$2; shift 2
	mkdir -p "$dir/cases" || return 1
	if [ "$i" -lt 0 ]; then f=$dir/cases/$(printf '%04d' $((i + 1)))-ebizzy-w0.json; w=(--warmup); it=0
	else f=$dir/cases/$(printf '%04d' $((i + 1)))-ebizzy-i$i.json; fi
	"$FL_BIN/faultline-agent" ebizzy --threads=1 --seconds=0.3 --mmap --touch_only \
		--chunks=4 --probes=sw,hw,interrupts --quiet --iteration="$it" "${w[@]}" \
		--run-id="test-$(basename "$dir")-$$" --suite=test --json="$f" "$@" > /dev/null 2>&1
}
# mkrun DIR ITERATIONS [AGENT OPTIONS...]: a run of one warm-up and ITERATIONS cases
mkrun() {
	local dir=$1 iters=$2 i; shift 2
	for ((i = -1; i < iters; i++)); do mkcase "$dir" "$i" "$@" || return 1; done
	mkrunjson "$dir"
}
# mkrunjson DIR: run.json for the case files in DIR/cases
mkrunjson() {
	local dir=$1
	python3 - "$dir" <<'PY'
import json, os, sys
d = sys.argv[1]
cases, run = [], None
for n in sorted(os.listdir(d + "/cases")):
    doc = json.load(open(d + "/cases/" + n))
    run = doc["run"]
    c = doc["case"]
    cases.append({"file": "cases/" + n, "workload": c["workload"], "params": c["params"],
                  "iteration": c["iteration"], "warmup": c["warmup"], "status": c["status"],
                  **({"reason": c["reason"]} if "reason" in c else {})})
json.dump({"schema": "faultline/1", "run": run, "state": "complete", "planned": len(cases),
           "cases": cases}, open(d + "/run.json", "w"), indent=1)
PY
}
