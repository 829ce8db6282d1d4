#!/usr/bin/env bash
# Issue 17 acceptance 4: a workload added by following workloads/README.md ("Adding a
# workload") touches only its own file and one line of workloads/workloads.def. A copy of the
# sources the agent is built from gets tests/fixtures/example_workload/hello.c and its list
# line; only the agent is built there, reusing this tree's libperf and its objects (FL_BUILD,
# default build/release: when they are fresh, make compiles the new file and the registry alone),
# and the new workload is listed, described, runs, validates and fails on a flipped byte.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
LIBPERF=${FL_LIBPERF:-$FL_ROOT/build/libperf}
BUILD=${FL_BUILD:-build/release}	# relative to FL_ROOT, as its objects' dependency files say
SRC=$TMP/orig DST=$TMP/tree
A=$DST/bin/faultline-agent
MK=(make -C "$DST" LIBPERF="$LIBPERF" BUILD="$BUILD" BINDIR=bin)

if [ ! -e "$LIBPERF/.built" ]; then
	skip "no libperf in $LIBPERF (make builds it)"
	done_testing; exit
fi
# The sources of the agent, mtimes kept: tracked files (a clean clone's), or the folders.
mkdir -p "$SRC"
if git -C "$FL_ROOT" rev-parse --git-dir > /dev/null 2>&1; then
	(cd "$FL_ROOT" && git ls-files -- Makefile common workloads schema scripts |
		while read -r f; do [ -e "$f" ] && echo "$f"; done | cpio -pdm --quiet "$SRC")
else
	(cd "$FL_ROOT" && cp -a Makefile common workloads schema scripts "$SRC/")
fi
cp -a "$SRC" "$DST"
# The tree's objects, when built: a fresh set leaves make nothing to compile before the change.
if [ -d "$FL_ROOT/$BUILD/obj/workloads" ]; then
	mkdir -p "$DST/$BUILD" && cp -a "$FL_ROOT/$BUILD/obj" "$DST/$BUILD/"
fi
# The objects' dependency files name libperf's headers relative to the tree (build/libperf/...):
# without them there, make would count every probe that includes one as out of date.
mkdir -p "$DST/build" && { [ -e "$DST/build/libperf" ] || ln -s "$LIBPERF" "$DST/build/libperf"; }
fresh=$("${MK[@]}" -n bin/faultline-agent 2>/dev/null | grep -c '  CC  ')

# The README's steps: the workload's file, and its one line in the list.
cp "$FL_ROOT/tests/fixtures/example_workload/hello.c" "$DST/workloads/hello.c"
echo 'FL_WORKLOAD(hello)' >> "$DST/workloads/workloads.def"

diff -rq "$SRC" "$DST" -x build > "$TMP/changed"
check "only the new file and the list changed" test "$(sed "s|$TMP/||g" "$TMP/changed")" = \
"Only in tree/workloads: hello.c
Files orig/workloads/workloads.def and tree/workloads/workloads.def differ"
diff "$SRC/workloads/workloads.def" "$DST/workloads/workloads.def" > "$TMP/def.diff"
check "the list changed by one added line" test "$(grep -c '^[<>]' "$TMP/def.diff")/$(grep -c '^>' "$TMP/def.diff")" = 1/1

expect_exit 0 "the agent builds with the new workload (-Werror)" nice -n 10 "${MK[@]}" -j2 bin/faultline-agent
if [ ! -x "$A" ]; then
	done_testing; exit
fi
if [ "$fresh" = 0 ]; then
	check "make compiled the new file and the registry, nothing else" test \
		"$(grep -o '  CC  .*' "$TMP/stdout" | awk '{print $2}' | sort | tr '\n' ' ')" = \
		"workloads/hello.c workloads/registry.c "
else
	skip "$BUILD is not up to date with the sources ($fresh files to compile): what the change recompiles is not checked"
fi
check "--list shows it" grep -q "^  hello .*the README's example" <("$A" --list)
check "--describe gives its parameter and metric" python3 -c "
import json, sys
w = [w for w in json.load(sys.stdin) if w['name'] == 'hello'][0]
assert [p['name'] for p in w['params']] == ['pages'] and w['metrics'][0]['name'] == 'pages_per_s', w" \
	< <("$A" --describe)
expect_exit 0 "hello runs a case" "$A" hello --pages 512 --json "$TMP/hello.json"
[ -x "$F" ] && check "the case validates against the schema" "$F" validate "$TMP/hello.json"
check "pages_per_s, user_s and sys_s measured; 512 pages checked, none corrupt" python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))['case']
m = c['metrics']
assert c['status'] == 'ok' and m['pages_per_s']['value'] > 0, c
assert m['user_s']['unit'] == m['sys_s']['unit'] == 's', m
assert c['verify'] == {'pages_checked': 512, 'corrupt': 0} and c['ops']['count'] == 512, c" "$TMP/hello.json"
expect_exit 1 "a flipped byte fails its verify" "$A" hello --pages 512 --test-corrupt-page=7 --json "$TMP/bad.json"
check "the reason names the page" grep -q "first: page 7" "$TMP/bad.json"
expect_exit 2 "its parameter is checked" "$A" hello --pages 0
stderr_has "pages" "the error names the parameter"
done_testing
