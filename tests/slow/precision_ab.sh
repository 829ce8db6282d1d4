#!/usr/bin/env bash
# Adaptive precision over two kernels (make check-slow): `faultline run --kernel A --kernel B
# --precision` keeps the kernels' rounds together (precision.h, fl_prec_keep). A and B are
# Debian's 6.12 image, once as the candidate and once as the image file, so which reaches its
# precision first is chance; whichever it is goes on while the other wants more: every round
# has both kernels, and both end with the same n. ±10%: ebizzy -t 1 in a TCG guest here has a
# CoV of about 20% (44 iterations were ±6%), so this takes 10-20 rounds, some 5 minutes.
. "$(dirname "$0")/../integration/lib.sh"
F=$FL_BIN/faultline

need_debian_x86_image
check "debian-6.12 has an image" test -r "$img"
cat > "$TMP/suite.json" <<'S'
{"name": "precision-ab", "iterations": 2, "warmup": 0, "timeout_s": 60,
 "precision": 10, "max_time_s": 1200,
 "cases": [{"workload": "ebizzy", "params": {"mmap": true, "touch_only": true, "threads": 1,
            "seconds": 1}}]}
S
t0=$SECONDS
expect_exit 0 "two kernels with --precision" "$F" run --target qemu --accel tcg --kernel debian-6.12 \
	--kernel "$img" --out "$TMP/ab" "$TMP/suite.json"
echo "# $((SECONDS - t0)) s"
A=$TMP/ab/debian-6.12 B=$TMP/ab/$(basename "$img")
check "both runs validate" "$F" validate "$A/run.json" "$B/run.json"
check "every round has both kernels" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["rounds"]
print("# rounds:", len(r))
sys.exit(not (len(r) >= 10 and all(len(x) == 2 for x in r)))' "$TMP/ab/runs.json"
check "both stopped at their precision, with the same n" python3 -c '
import json, sys
g = [json.load(open(p))["precision"]["groups"][0] for p in sys.argv[1:]]
print("# A: n=%d ±%.2f%% %s; B: n=%d ±%.2f%% %s" % (g[0]["n"], g[0]["halfwidth_pct"], g[0]["stopped"],
      g[1]["n"], g[1]["halfwidth_pct"], g[1]["stopped"]))
sys.exit(not (g[0]["n"] == g[1]["n"] and all(x["stopped"] == "precision" for x in g)))' \
	"$A/run.json" "$B/run.json"
done_testing
