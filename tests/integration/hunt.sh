#!/usr/bin/env bash
# faultline hunt: the detection matrix of a hand-made hunt (tests/fixtures/hunt/stress-hunt,
# real kernel reports in made-up places) with --report in every format, the JSON against
# schema/hunt-1.schema.json, the exit status (0 clean, 1 false alarm, 3 no clean baseline),
# bad input refused in one sentence (exit 2); then one real hunt of one tiny case on Debian's
# 6.12 in QEMU (one boot, about 10 s). --max-time is tested in tests/slow/hunt_seeded.sh.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
H=$FL_ROOT/tests/fixtures/hunt/stress-hunt
S=$FL_ROOT/tests/fixtures/suites
width_ok() { awk 'length > 80 { bad = 1 } END { exit bad }' "$1"; }

expect_exit 0 "hunt --help" "$F" hunt --help
check "the help says what the time to first finding measures" grep -q "Time to first finding" "$TMP/stdout"
check "the help fits 80 columns" width_ok "$TMP/stdout"
expect_exit 0 "faultline --help lists hunt" "$F" --help
check "hunt is a command" grep -q "^  hunt " "$TMP/stdout"

expect_exit 0 "the matrix of a hunt whose clean kernel found nothing" "$F" hunt --report "$H"
check "text fits 80 columns" width_ok "$TMP/stdout"
check "the clean kernel's row is marked and empty" grep -qE '^src-6.12-debug \* +- +- +- +-$' "$TMP/stdout"
check "a title found in two workloads, with each cell's time" grep -qE '^bug-pt-free-now +A 1m40s +- +A 7m00s +B$' "$TMP/stdout"
check "lockdep and a failed data check in one cell" grep -qE '^bug-swapin-noreval +- +C,E 3m00s +D 3m30s' "$TMP/stdout"
check "a kernel that did not boot: n/a, its console's report under boot" grep -qE '^bug-no-boot +n/a +n/a +n/a +F,G$' "$TMP/stdout"
check "the KASAN title, deduplicated: 3 reports in 3 cases" grep -q "bug-pt-free-now: 3 reports in 3 cases, first after 1m40s" "$TMP/stdout"
check "no kernel panic title (it follows the KASAN report)" bash -c "! grep -q 'kernel panic' '$TMP/stdout'"
check "the verification title" grep -q "verification failed in swapin-collapse: N corrupt page(s)" "$TMP/stdout"
check "the skipped case is listed with its reason" grep -q "skipped pt-retract size=16M" "$TMP/stdout"
check "the false-alarm line" grep -q "false-alarm check: src-6.12-debug (clean) had no finding in 6 cases" "$TMP/stdout"

expect_exit 0 "--format md" "$F" hunt --report "$H" --format md
check "a markdown table with the full titles" grep -qF "| bug-pt-free-now | **A** KASAN: use-after-free in l2cap\\_sock\\_ready\\_cb (1m40s) |" "$TMP/stdout"
expect_exit 0 "--format json" "$F" hunt --report "$H" --format json
cp "$TMP/stdout" "$TMP/hunt.json"
schema_ok() {
	python3 - "$FL_ROOT/schema/hunt-1.schema.json" "$1" <<'EOF'
import json, sys
import jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(s)
jsonschema.validate(json.load(open(sys.argv[2])), s, cls=jsonschema.Draft202012Validator)
EOF
}
if python3 -c 'import jsonschema' 2> /dev/null; then
	check "the JSON follows schema/hunt-1.schema.json" schema_ok "$TMP/hunt.json"
else
	skip "python3-jsonschema is not installed"
fi
check "time to first finding in seconds" test "$(jget "$TMP/hunt.json" "['kernels'][2]['findings'][0]['time_to_first_s']")" = 180.0

expect_exit 1 "a finding on the first (clean) kernel is a false alarm: exit 1" \
	"$F" hunt --report "$H/bug-pt-free-now" "$H/src-6.12-debug"
check "it says so" grep -q "false-alarm check: bug-pt-free-now (clean) had 2 findings" "$TMP/stdout"
mkdir -p "$TMP/nb/bug-no-boot" &&
	printf '{"schema": "faultline-multi/1", "kernels": [{"kernel": "bug-no-boot", "dir": "bug-no-boot", "status": "failed", "reason": "no boot"}]}\n' > "$TMP/nb/runs.json"
expect_exit 3 "a clean kernel that ran nothing is no baseline: exit 3" "$F" hunt --report "$TMP/nb"
check "it says so" grep -q "the clean kernel bug-no-boot ran no case" "$TMP/stdout"

# Bad input: one sentence, exit 2, nothing run.
expect_exit 2 "--report of a missing directory" "$F" hunt --report "$TMP/nosuch"
stderr_has "is not a directory" "it says so"
mkdir "$TMP/empty"
expect_exit 2 "--report of a directory that is not a run" "$F" hunt --report "$TMP/empty"
stderr_has "is not a run: it has neither runs.json (a hunt) nor run.json" "it says what a run has"
mkdir "$TMP/broken" && echo '{"schema": "faultline/1"}' > "$TMP/broken/run.json"
expect_exit 2 "--report of a broken run.json" "$F" hunt --report "$TMP/broken"
stderr_has "is not a faultline run" "it names the file"
expect_exit 2 "no suite" "$F" hunt --kernel debian-6.12
stderr_has "no suite given" "it says a suite is needed"
expect_exit 2 "no --kernel" "$F" hunt "$S/qemu-tiny.json"
stderr_has "give the kernels with --kernel" "it says the kernels are needed"
expect_exit 2 "an unknown kernel" "$F" hunt "$S/qemu-tiny.json" --kernel debian-6.12 --kernel no-such-bug --out "$TMP/u"
stderr_has "--kernel no-such-bug is neither a kernel image file nor a candidate" "it names the kernel"
check "nothing was written for it" test ! -e "$TMP/u"
printf '{"name": "empty", "cases": []}\n' > "$TMP/empty.json"
expect_exit 2 "an empty suite" "$F" hunt "$TMP/empty.json" --kernel debian-6.12 --out "$TMP/e"
stderr_has '"cases" must be a non-empty array' "it says the suite has no cases"
expect_exit 2 "--format csv" "$F" hunt --report "$H" --format csv
stderr_has "--format wants text, md or json" "it lists the formats"
expect_exit 2 "--rounds 0" "$F" hunt "$S/qemu-tiny.json" --kernel debian-6.12 --rounds 0
stderr_has "hunt: --rounds wants a whole number from 1 to 1000, not '0'" "it says what a round count is"
expect_exit 2 "--rounds 2.5" "$F" hunt "$S/qemu-tiny.json" --kernel debian-6.12 --rounds 2.5
expect_exit 2 "--cpus 2.5 (it was taken as 2)" "$F" hunt "$S/qemu-tiny.json" --kernel debian-6.12 --cpus 2.5
stderr_has "hunt: --cpus wants a whole number from 1 to 64, not '2.5'" "it names the command, the option and the value"
expect_exit 2 "--mem 1e9" "$F" hunt "$S/qemu-tiny.json" --kernel debian-6.12 --mem 1e9
stderr_has "hunt: --mem wants a whole number of MiB from 128 to 1048576, not '1e9'" "it says the unit"
expect_exit 2 "--max-time soon" "$F" hunt "$S/qemu-tiny.json" --kernel debian-6.12 --max-time soon
stderr_has "--max-time wants a duration" "it says what a duration is"
expect_exit 2 "--report with --kernel" "$F" hunt --report "$H" --kernel debian-6.12
expect_exit 2 "an unknown option" "$F" hunt --bogus
stderr_has "unknown option --bogus" "it names the option"
expect_exit 2 "an out dir that holds a hunt already" "$F" hunt "$S/qemu-tiny.json" --kernel debian-6.12 --out "$H"
stderr_has "already holds a hunt" "it says so"

# One real hunt: one round of one case on Debian 6.12 (the clean kernel alone), one boot.
if ! command -v qemu-system-x86_64 > /dev/null || [ "$(uname -m)" != x86_64 ]; then
	skip "qemu-system-x86_64 is not installed or this host is not x86_64"
	done_testing
	exit
fi
expect_exit 0 "a real hunt of one case on Debian 6.12 in QEMU" \
	"$F" hunt "$S/qemu-tiny.json" --kernel debian-6.12 --rounds 1 --accel tcg --out "$TMP/h"
check "it printed progress and the matrix" grep -q "^debian-6.12 \* *-$" "$TMP/stdout"
check "hunt.json was written" test -s "$TMP/h/hunt.json"
check "the suite as run has one round" test "$(jget "$TMP/h/hunt-suite.json" "['iterations']")" = 1
check "the kernel's run dir is an ordinary run" test -s "$TMP/h/debian-6.12/run.json"
check "the guest booted with panic_on_warn=1" grep -q "panic_on_warn=1" "$TMP/h/debian-6.12/run.json"
expect_exit 0 "--report reads it again" "$F" hunt --report "$TMP/h"
check "the same matrix" grep -q "had no finding in 1 case" "$TMP/stdout"
done_testing
