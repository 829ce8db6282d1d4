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

# lava_candidate_modules: fetch debian-6.12 (faultline itself, on first use) and set K (its
# unpacked package), V (its release) and $TMP/mods, a depmod'ed copy of its module tree:
# libguestfs (LAVA's overlay disk) needs a kernel and modules, and a machine whose /boot is empty (the development VM) has none to give it.
# Non-zero, after a not-ok line, when either step fails.
lava_candidate_modules() {
	"$FL_BIN/faultline" kernel build debian-6.12 > "$TMP/kernel.txt" || { notok "fetch debian-6.12"; return 1; }
	K=$FL_ROOT/build/kernels/debian-6.12/pkg
	V=$(sed -n 's/^release  //p' "$TMP/kernel.txt")
	mkdir -p "$TMP/mods/lib/modules/$V"
	ln -s "$K/lib/modules/$V/kernel" "$TMP/mods/lib/modules/$V/kernel"
	cp "$K/lib/modules/$V"/modules.* "$TMP/mods/lib/modules/$V/" 2> /dev/null
	depmod -b "$TMP/mods" "$V" || { notok "depmod of the candidate's modules"; return 1; }
}
