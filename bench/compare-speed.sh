#!/usr/bin/env bash
# faultline compare over 10,000 case files (two runs of 5,000 real case documents, copies of
# one real case each with its own iteration number and values): prints the wall time.
#   bench/compare-speed.sh [CASES_PER_RUN]   (goal: 2 x 5000 in under 2 s)
. "$(dirname "$0")/usage.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}
tmp=$(mktemp -d /tmp/faultline-speed.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bin/faultline-agent ebizzy --threads=1 --seconds=0.2 --mmap --touch_only --quiet \
	--json="$tmp/seed.json" > /dev/null
python3 - "$tmp" "$n" <<'PY'
import json, os, random, sys
tmp, n = sys.argv[1], int(sys.argv[2])
seed = json.load(open(tmp + "/seed.json"))
for r, scale in (("a", 1.0), ("b", 0.98)):
    os.makedirs(f"{tmp}/{r}/cases")
    for i in range(n):
        d = json.loads(json.dumps(seed))
        c = d["case"]
        c["iteration"] = i
        c["params"]["threads"] = 1 + i % 4          # four groups, a sweep
        for m in c["metrics"].values():
            if "value" in m:
                m["value"] *= scale * random.gauss(1, 0.02)
        with open(f"{tmp}/{r}/cases/{i:05d}-ebizzy-i{i}.json", "w") as f:
            json.dump(d, f, indent=2)
PY
echo "compare: 2 runs x $n case files ($(du -sh "$tmp/a" | cut -f1) each)"
sync
start=$(date +%s.%N)
bin/faultline compare "$tmp/a" "$tmp/b" > "$tmp/out.txt"
end=$(date +%s.%N)
echo "text:  $(echo "$end - $start" | bc) s"
start=$(date +%s.%N)
bin/faultline compare "$tmp/a" "$tmp/b" --format json > "$tmp/out.json"
end=$(date +%s.%N)
echo "json:  $(echo "$end - $start" | bc) s"
