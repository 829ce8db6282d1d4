#!/usr/bin/env bash
# A target's case document is untrusted (SECURITY.md): an agent (a guest, an ssh host) that
# writes escape sequences into a unit or a reason must not reach the terminal through
# `faultline run`'s progress lines or summary.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites

# The real agent, then its document rewritten: ESC/CSI and C1 in the first metric's unit, and
# a failed status with such a reason for the second case.
cat > "$TMP/hostile-agent" <<SH
#!/bin/sh
case "\$*" in *--check*|*--run-info*|*--describe*) exec "$FL_BIN/faultline-agent" "\$@";; esac
"$FL_BIN/faultline-agent" "\$@"; rc=\$?
for a in "\$@"; do case "\$a" in --json=*) out=\${a#--json=};; esac; done
python3 - "\$out" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p)); c = d["case"]
for m in c["metrics"].values():
    if "value" in m: m["unit"] = "rec\u001b[2J\u001b]0;owned\u0007/s\u009b31m"
if c.get("iteration") == 1:
    c["status"] = "failed"; c["reason"] = "bad\u001b[1;1H\u001b[Kpage\r\nforged line"
json.dump(d, open(p, "w"))
PY
exit \$rc
SH
chmod +x "$TMP/hostile-agent"
FAULTLINE_AGENT="$TMP/hostile-agent" "$F" run --out "$TMP/run" "$S/tiny.json" > "$TMP/stdout" 2> "$TMP/stderr"
check "the run went through the hostile documents" test -s "$TMP/run/run.json"
check "progress shows the metric" grep -q 'ok, records_per_s' "$TMP/stdout"
check "progress shows the failed case's reason" grep -q 'failed: bad' "$TMP/stdout"
check "no ESC, BEL or C1 byte reached stdout" python3 -c '
import sys; b = open(sys.argv[1], "rb").read()
sys.exit(1 if any(x in b for x in (b"\x1b", b"\x07", b"\xc2\x9b", b"\r")) else 0)' "$TMP/stdout"
check "no ESC, BEL or C1 byte reached stderr" python3 -c '
import sys; b = open(sys.argv[1], "rb").read()
sys.exit(1 if any(x in b for x in (b"\x1b", b"\x07", b"\xc2\x9b")) else 0)' "$TMP/stderr"
"$F" report "$TMP/run" > "$TMP/report" 2>&1
check "no ESC, BEL or C1 byte in report" python3 -c '
import sys; b = open(sys.argv[1], "rb").read()
sys.exit(1 if any(x in b for x in (b"\x1b", b"\x07", b"\xc2\x9b")) else 0)' "$TMP/report"
done_testing
