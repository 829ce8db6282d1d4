# Sourced by the compare_*/nightly_* tests: assemble a real run directory by calling the agent
# directly (cases/ + run.json), so a run can carry agent-only options such as --test-delay-us.
# shellcheck shell=bash
# mkrun DIR ITERATIONS [AGENT OPTIONS...]: ebizzy -mT, 1 thread, 0.3 s, one warm-up
mkrun() {
	local dir=$1 iters=$2 i id; shift 2
	id="test-$(basename "$dir")-$$"
	mkdir -p "$dir/cases" || return 1
	for ((i = -1; i < iters; i++)); do
		local f w=() it=$i
		if [ "$i" -lt 0 ]; then f=$dir/cases/$(printf '%04d' $((i + 1)))-ebizzy-w0.json; w=(--warmup); it=0
		else f=$dir/cases/$(printf '%04d' $((i + 1)))-ebizzy-i$i.json; fi
		"$FL_BIN/faultline-agent" ebizzy --threads=1 --seconds=0.3 --mmap --touch_only \
			--chunks=4 --probes=sw,hw,interrupts --quiet --iteration="$it" "${w[@]}" \
			--run-id="$id" --suite=test --json="$f" "$@" > /dev/null 2>&1 || return 1
	done
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
