#!/usr/bin/env bash
# Environment problems: a full results directory, and running without root.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
A=$FL_BIN/faultline-agent
S=$FL_ROOT/tests/fixtures/suites

# A results directory that fills up: a clear error, exit 3, earlier cases intact and valid.
if [ "$(id -u)" = 0 ] && mkdir -p "$TMP/full" && mount -t tmpfs -o size=48k tmpfs "$TMP/full"; then
	expect_exit 3 "a full results directory stops the run with exit 3" \
		"$F" run --out "$TMP/full/run" "$S/tiny.json"
	stderr_has "No space left on device" "it says the disk is full and names the file"
	check "the cases written before are intact and valid" \
		"$F" validate "$TMP/full/run/run.json" "$TMP/full/run/cases/0000-ebizzy-w0.json"
	umount "$TMP/full"
else
	skip "needs root to mount a small tmpfs"
fi

# Not root: tracepoints unsupported with the reason; the workload still runs.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null && \
   setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$A"; then
	chmod 1777 "$TMP"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$A" ebizzy -t 1 -S 0.5 --json "$TMP/nobody.json" > "$TMP/stdout" 2> "$TMP/stderr"
	check "the workload runs without root" test $? = 0
	check "tracepoints are unsupported with a reason naming root / paranoid" python3 - "$TMP/nobody.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["case"]["counters"]
tp = [v for k, v in c.items() if ":" in k]
assert tp, "no tracepoint entries"
for v in tp:
    assert v.get("status") in ("unsupported", "absent"), v
    assert "value" not in v
assert any("root" in v["reason"] or "paranoid" in v["reason"] for v in tp), tp
PY
	check "the unprivileged case validates" "$F" validate "$TMP/nobody.json"
else
	skip "needs root and setpriv to run the agent as nobody"
fi
done_testing
