#!/usr/bin/env bash
# Suites and candidates from outside (SECURITY.md), fast: names that would become paths, ids or
# options, git refs and URLs that would become git options, patch and fragment paths outside the
# tree, an empty sweep, a sweep too large to expand, an endless timeout, a failed Debian package
# fetch. Each is refused with exit 2 (3 for the fetch) and one sentence naming the file and the
# field, and nothing is created outside the expected directories. No kernel is built or booted.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
S=$FL_ROOT/tests/fixtures/suites
C=$FL_ROOT/tests/fixtures/candidates
mkdir -p "$TMP/w"
# nothing_new DIR DESC: DIR (empty before) is still empty
nothing_new() {
	local n
	n=$(find "$1" -mindepth 1 | head -3 | tr '\n' ' ')
	if [ -z "$n" ]; then ok "$2"; else notok "$2 (found: $n)"; fi
}
# in_w CMD...: run in the empty directory $TMP/w (a run without --out writes results/ there)
in_w() { (cd "$TMP/w" && "$@"); }
canary_p=absent
[ -e /tmp/p ] && canary_p=present

# Suite names: each becomes the run id, results/<id>, a socket path, remote commands, LAVA files.
for f in dotdot:'../../tmp/x' dash:'-rf' comma:'a,b=c' quote:"x'y" subst:'$(touch /tmp/p)'; do
	k=${f%%:*} name=${f#*:}
	expect_exit 2 "suite name $name is refused by run --dry-run" "$F" run --dry-run "$S/bad-name-$k.json"
	stderr_has "bad-name-$k.json: the suite's \"name\" \"$name\" is not a safe name" "it names the file and the field"
	check "it is one line" test "$(wc -l < "$TMP/stderr")" = 1
	expect_exit 2 "suite name $name is refused by run (no --out)" in_w "$F" run "$S/bad-name-$k.json"
	nothing_new "$TMP/w" "nothing is created for suite name $name"
done
check "no command in a suite name ran (/tmp/p $canary_p before)" \
	test "$canary_p" = present -o ! -e /tmp/p

# Workload names: the agent's first argument and part of each case file name.
expect_exit 2 "workload --help is refused (it is not a workload, and was taken as the agent's option)" \
	"$F" run --dry-run "$S/bad-workload-option.json"
stderr_has 'bad-workload-option.json: cases[0].workload "--help" is not a safe name' "it names the file and the field"
expect_exit 2 "workload ../../bin/sh is refused" "$F" run --dry-run "$S/bad-workload-path.json"
stderr_has 'bad-workload-path.json: cases[0].workload "../../bin/sh" is not a safe name' "it names the file and the field"
expect_exit 2 "an event list with blanks and ';' is refused" "$F" run --dry-run "$S/bad-events.json"
stderr_has 'bad-events.json: cases[0].events "ipi:*; reboot" must be' "it names the file and the field"

# Values: an empty sweep plans no case (it ran as "complete" with 0 cases); a huge sweep is
# refused before it is expanded; an endless timeout (it printed a negative duration).
expect_exit 2 "an empty sweep is refused by run --dry-run" "$F" run --dry-run "$S/bad-sweep-empty.json"
stderr_has "bad-sweep-empty.json: cases[0].params.threads is an empty sweep: give at least one value" "it names the file and the field"
expect_exit 2 "an empty sweep is refused by run" "$F" run --out "$TMP/empty" "$S/bad-sweep-empty.json"
check "no run directory is made for it" test ! -e "$TMP/empty"
expect_exit 2 "lava render of an empty sweep is refused (it crashed: SIGSEGV)" "$F" lava render \
	--kernel debian-6.12 --arch x86_64 --out "$TMP/lava" "$S/bad-sweep-empty.json"
stderr_has "bad-sweep-empty.json: cases[0].params.threads is an empty sweep" "it names the file and the field"
check "no job file is written" test ! -e "$TMP/lava"
t0=$SECONDS
expect_exit 2 "a sweep of 8000000 points is refused" timeout 60 "$F" run --dry-run "$S/bad-sweep-huge.json"
stderr_has "bad-sweep-huge.json: cases[0].params sweeps to more than 20000 points" "it says the limit"
check "before expanding it ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -le 5
expect_exit 2 "timeout_s 1e308 is refused" "$F" run --dry-run "$S/bad-timeout-huge.json"
stderr_has "bad-timeout-huge.json: cases[0].timeout_s must be a number of seconds above 0 and at most 86400" "it names the file, the field and the range"
check "no negative duration is printed" sh -c "! grep -q -- 'at most -' '$TMP/stdout'"

# A long suite name is cut in the run id (at most 64 characters), and results/<id> is made
# under results/.
long=n123456789012345678901234567890123456789012345678901234567890abc
sed "s/\"tiny\"/\"$long\"/" "$S/tiny.json" | sed 's/"iterations": 2/"iterations": 1/; s/"warmup": 1/"warmup": 0/; s/\[1, 2\]/1/' > "$TMP/long.json"
mkdir -p "$TMP/w2"
expect_exit 0 "a suite with a 64-character name runs" sh -c "cd '$TMP/w2' && '$F' run '$TMP/long.json'"
id=$(ls "$TMP/w2/results" 2>/dev/null | head -1)
check "its run id has at most 64 characters (${#id})" test -n "$id" -a "${#id}" -le 64
check "its run.json keeps the whole suite name" test "$(jget "$TMP/w2/results/$id/run.json" "['run']['suite']")" = "$long"
# A results directory whose run.json carries an id that is not a name is not resumed.
if [ -n "$id" ]; then
	cp -r "$TMP/w2/results/$id" "$TMP/bad-id"
	python3 - "$TMP/bad-id/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d['run']['id'] = '../../x'; d['state'] = 'interrupted'
d['cases'][0]['status'] = 'pending'; json.dump(d, open(sys.argv[1], 'w'))
PY
	expect_exit 2 "--resume of a run.json whose id is ../../x" "$F" run --resume "$TMP/bad-id"
	stderr_has "bad-id/run.json: the run's \"id\" \"../../x\" is not a safe name" "it names the file and the field"
fi

# Candidates: `kernel show` loads and checks them without building anything.
cshow() {	# FIXTURE TEXT DESC
	expect_exit 2 "$3" "$F" kernel show "$C/$1"
	stderr_has "$1: $2" "it names the file and the field"
	check "it is one line" test "$(wc -l < "$TMP/stderr")" = 1
}
cshow bad-name-dotdot.json "the candidate's \"name\" \"../x\" is not a safe name" "candidate name ../x"
cshow bad-name-reserved.json "the candidate's \"name\" \"0123456789abcdef\" is reserved" "a candidate named like a build hash"
cshow bad-gitref.json "base.ref \"--upload-pack=touch /tmp/p\" must be" "git ref --upload-pack=..."
cshow bad-giturl.json "base.git \"--upload-pack=touch /tmp/p\" must be" "git URL --upload-pack=..."
cshow bad-debian-option.json "base.debian_package \"-c/etc/shadow\" must be" "a Debian package pattern that is an apt option"
cshow bad-patch-path.json "\"patches\" \"../../etc/passwd\" is outside the faultline tree and the candidate's directory" "patches ../../etc/passwd"
cshow bad-patch-option.json "patches.path \"-p0\" must be a path not starting with '-'" "patches -p0"
cshow bad-fragment-path.json "fragments[1] \"/etc/shadow\" is outside the faultline tree" "fragment /etc/shadow"
check "no command in a git ref ran (/tmp/p $canary_p before)" test "$canary_p" = present -o ! -e /tmp/p

# The same candidates through `kernel build`, in a throwaway tree (FAULTLINE_ROOT) with a fake
# apt: nothing appears outside its build/kernels.
R=$TMP/root
mkdir -p "$R/build" "$TMP/fakebin"
for d in kernels configs scripts; do ln -s "$FL_ROOT/$d" "$R/$d"; done
cat > "$TMP/fakebin/apt-cache" <<'SH'
#!/bin/sh
echo "linux-image-faultline-test - a package that is listed but cannot be downloaded"
SH
cat > "$TMP/fakebin/apt-get" <<'SH'
#!/bin/sh
echo "Get:1 http://deb.debian.org/debian bookworm/main amd64 linux-image-faultline-test 1.0"
echo "E: Failed to fetch http://deb.debian.org/debian/pool/main/l/linux-image-faultline-test_1.0_amd64.deb  404  Not Found [IP: 192.0.2.1 80]" >&2
exit 100
SH
chmod +x "$TMP/fakebin/apt-cache" "$TMP/fakebin/apt-get"
# (a timeout: a candidate let through would start a real kernel build)
fk() { FAULTLINE_ROOT=$R PATH=$TMP/fakebin:$PATH timeout 60 "$F" kernel "$@"; }
for c in bad-name-dotdot bad-name-reserved bad-gitref bad-patch-path; do
	expect_exit 2 "kernel build $c.json is refused" fk build "$C/$c.json"
done
nothing_new "$R/build" "nothing is created in the tree's build/ for the refused candidates"

# A Debian package fetch that fails says why (it said "see the message above", with none).
printf '{"name": "fetchfail", "arch": "x86_64", "base": {"debian_package": "^linux-image-faultline-test$"}}\n' > "$TMP/fetchfail.json"
expect_exit 3 "a failed package fetch exits 3" fk show "$TMP/fetchfail.json"
stderr_has "could not fetch the kernel of candidate fetchfail: apt-get download linux-image-faultline-test failed: E: Failed to fetch http://deb.debian.org/debian/pool/main/l/linux-image-faultline-test_1.0_amd64.deb  404  Not Found" \
	"the sentence carries apt-get's own error"
check "it does not point at a message that is not there" sh -c "! grep -q 'see the message above' '$TMP/stderr'"
check "only build/kernels/fetchfail is made" test "$(cd "$R/build" && find . -mindepth 1 | sort | tr '\n' ' ')" = "./kernels ./kernels/fetchfail "

# kernels/build.sh by hand: a ref that is an option is refused before git sees it (it ran the
# --upload-pack command), and --end-of-options keeps git from taking it as one.
git init -q "$TMP/repo" && git -C "$TMP/repo" -c user.name=t -c user.email=t@t commit -q --allow-empty -m base
bs() { "$FL_ROOT/kernels/build.sh" --name "$1" --arch x86_64 --kbuild-arch x86 --defconfig x86_64_defconfig \
	--target bzImage --image arch/x86/boot/bzImage --git "$TMP/repo" --ref "$2" --out "$TMP/kb"; }
expect_exit 2 "build.sh --ref '--upload-pack=touch CANARY'" bs t "--upload-pack=touch $TMP/canary"
stderr_has "starts with '-' (a ref, URL or path, never an option)" "it says why"
check "the --upload-pack command did not run" test ! -e "$TMP/canary"
expect_exit 2 "build.sh --name ../x" bs ../x master
stderr_has "build.sh: --name '../x' is not a safe name" "it names the option"
check "nothing is created beside the build directory" test ! -e "$TMP/x" -a ! -e "$TMP/kb"
expect_exit 2 "build.sh: a ref that is not in the tree" bs t "nosuch-ref"
stderr_has "ref nosuch-ref is not in $TMP/repo" "it names the ref"

# kernels/prune.sh never follows a link named like a build hash into the build it points to.
mkdir -p "$TMP/kp/aaaaaaaaaaaaaaaa" && echo keep > "$TMP/kp/aaaaaaaaaaaaaaaa/keep"
ln -s aaaaaaaaaaaaaaaa "$TMP/kp/0123456789abcdef"
ln -s aaaaaaaaaaaaaaaa "$TMP/kp/cand"
expect_exit 0 "kernel prune beside a link named like a hash" "$FL_ROOT/kernels/prune.sh" --out "$TMP/kp"
check "the linked build's files are kept" test -e "$TMP/kp/aaaaaaaaaaaaaaaa/keep"
# A case without "params" leaked its empty parameter object (found by tests/fuzz/fuzz_suite):
# under ASan's leak check the refused suite must exit 2 with no leak report.
if [ -x "${FL_SAN_BIN:-}/faultline" ]; then
	printf '{"name": "leak", "cases": [{"workload": "nosuch"}]}\n' > "$TMP/noparams.json"
	expect_exit 2 "a case without params, unknown workload (ASan build)" \
		env ASAN_OPTIONS=detect_leaks=1 "$FL_SAN_BIN/faultline" run --dry-run "$TMP/noparams.json"
	check "no leak report" sh -c "! grep -q LeakSanitizer '$TMP/stderr'"
else
	skip "no ASan build in FL_SAN_BIN"
fi
done_testing
