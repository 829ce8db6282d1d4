# Sourced by the LAVA tests (not a test itself: not executable). Needs lib.sh and $PY.

# lava_local_steps JOB OUT: the job's test steps as a local script OUT, the agent path mapped to
# ours, and a stand-in lava-test-case printing LAVA's marker in $TMP/bin (put it first in PATH).
lava_local_steps() {
	$PY - "$1" "$FL_BIN/faultline-agent" > "$2" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
test = [a["test"] for a in job["actions"] if "test" in a][0]
for s in test["definitions"][0]["repository"]["run"]["steps"]:
    print(s.replace("/bin/faultline-agent", sys.argv[2]))
PY
	mkdir -p "$TMP/bin" &&
		printf '#!/bin/sh\necho "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=$1 RESULT=$3>"\n' > "$TMP/bin/lava-test-case" &&
		chmod +x "$TMP/bin/lava-test-case"
}
