#!/usr/bin/env bash
# make check-slow: the stress suite on the clean debug kernel and every seeded-bug candidate
# (configs/candidates/bug-*.json, kernels/patches/bugs/), interleaved, then the detection
# matrix (issue 16's acceptance): no finding on the clean kernel (false-alarm rate 0), every
# title once per kernel, and at least 3 seeded bugs detected within 10 minutes of case time.
# Long: about 15 min of TCG time per kernel, plus the builds of candidates not in the cache.
#   HUNT_BUGS="bug-a bug-b"  only these candidates;  HUNT_ROUNDS=N  rounds (default 1)
# Also --max-time on Debian's 6.12 (one boot): a budget spent before the first case.
. "$(dirname "$0")/../integration/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites

if ! command -v qemu-system-x86_64 > /dev/null || [ "$(uname -m)" != x86_64 ]; then
	skip "qemu-system-x86_64 is not installed or this host is not x86_64"
	done_testing
	exit
fi

# --max-time: the alarm stops the hunt once the case running then has ended; here the
# budget is spent during the boot, so no case runs and the clean kernel is no baseline.
expect_exit 3 "--max-time spent before the first case: exit 3" \
	"$F" hunt "$S/qemu-tiny.json" --kernel debian-6.12 --rounds 1 --accel tcg --max-time 1 --out "$TMP/b"
check "it says the budget was spent" grep -q "max-time spent" "$TMP/stdout"
check "the case not run is listed" grep -q "1 case not run" "$TMP/stdout"

bugs=${HUNT_BUGS:-$(cd "$FL_ROOT/configs/candidates" && ls bug-*.json 2> /dev/null | sed 's/\.json$//')}
if [ -z "$bugs" ]; then
	skip "no seeded-bug candidates (configs/candidates/bug-*.json)"
	done_testing
	exit
fi
args=(--kernel src-6.12-debug)
for b in $bugs; do args+=(--kernel "$b"); done
t0=$SECONDS
"$F" hunt "$FL_ROOT/configs/suites/stress.json" "${args[@]}" --rounds "${HUNT_ROUNDS:-1}" \
	--accel tcg --out "$TMP/h" > "$TMP/hunt.out" 2> "$TMP/hunt.err"
rc=$?
echo "# hunt took $((SECONDS - t0)) s, exit $rc"
sed -n '/^hunt stress:/,$p' "$TMP/hunt.out" | sed 's/^/# /'
check "the clean kernel had no finding (exit 0, not 1: a false alarm)" test "$rc" = 0
J=$TMP/h/hunt.json
check "hunt.json was written" test -s "$J"
check "it follows schema/hunt-1.schema.json" python3 - "$FL_ROOT/schema/hunt-1.schema.json" "$J" <<'EOF'
import json, sys
import jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])),
                    cls=jsonschema.Draft202012Validator)
EOF
check "every title once per kernel" python3 - "$J" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k in d["kernels"]:
    t = [f["title"] for f in k["findings"]]
    assert len(t) == len(set(t)), (k["name"], t)
EOF
detected() {	# how many seeded-bug kernels have a finding within 600 s of case time
	python3 - "$J" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
n = sum(1 for k in d["kernels"][1:]
        if any(f["time_to_first_s"] is not None and f["time_to_first_s"] <= 600
               for f in k["findings"]))
print(n)
EOF
}
n=$(detected)
nbugs=$(echo $bugs | wc -w)
if [ "$nbugs" -ge 3 ]; then
	check "at least 3 seeded bugs detected within 10 min of case time ($n of $nbugs)" test "$n" -ge 3
else
	skip "only $nbugs seeded-bug candidate(s): $n detected within 10 min"
fi
expect_exit 0 "--report prints the same matrix again" "$F" hunt --report "$TMP/h"
check "the same false-alarm line" bash -c "grep -q '^false-alarm check' '$TMP/stdout'"
done_testing
