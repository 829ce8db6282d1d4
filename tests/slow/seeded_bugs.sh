#!/usr/bin/env bash
# The seeded-bug corpus (issue 16, make check-slow): every configs/candidates/bug-*.json names a
# series in kernels/patches/bugs/<name>/ whose patches are git format-patch files with the four
# sections a seeded bug must explain (what upstream does and why, what the patch breaks, the
# race, what should catch it), a seeded-bug helper said openly where there is one; each applies
# to the pristine linux-source-6.12 and builds. Every bug candidate differs from src-6.12-debug
# only in its patches, so after that build each one takes minutes (it starts from its object
# dir). Builds go through the session's kernel build queue when FL_KBUILD_LOCK names one.
. "$(dirname "$0")/../integration/lib.sh"
F=$FL_BIN/faultline

if [ ! -r /usr/src/linux-source-6.12.tar.xz ] || [ "$(uname -m)" != x86_64 ]; then
	skip "linux-source-6.12 is missing, or this host is not x86_64"
	done_testing
	exit
fi
mapfile -t CANDS < <(cd "$FL_ROOT/configs/candidates" && ls bug-*.json 2> /dev/null | sed 's/\.json$//')
check "the corpus has at least four seeded bugs (${#CANDS[@]})" test "${#CANDS[@]}" -ge 4

# The pristine tree, unpacked once (by an earlier build, or here).
SRC=$(ls -d "$FL_ROOT"/build/kernels/src-*/Makefile 2> /dev/null | head -1)
SRC=${SRC%/Makefile}
if [ -z "$SRC" ]; then
	mkdir -p "$TMP/src" && tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$TMP/src" &&
		SRC=$(dirname "$(ls -d "$TMP"/src/*/Makefile | head -1)")
fi

build() {
	if [ -n "$FL_KBUILD_LOCK" ]; then
		flock "$FL_KBUILD_LOCK" nice -n 5 "$F" kernel build "$1"
	else
		nice -n 5 "$F" kernel build "$1"
	fi
}

for c in "${CANDS[@]}"; do
	j=$FL_ROOT/configs/candidates/$c.json
	dir=$FL_ROOT/$(jget "$j" "['patches']['path']")
	check "$c: the series directory exists" test -d "$dir"
	check "$c: builds on src-6.12-debug's fragments" test "$(jget "$j" "['fragments']")" = \
		"['kernels/fragments/mechanisms.config', 'kernels/fragments/debug.config']"
	for p in "$dir"/*.patch; do
		n=$(basename "$p")
		check "$c/$n: a git format-patch file" grep -q '^Subject: \[PATCH' "$p"
		for sec in 'What upstream does' 'What this patch breaks' 'The race' 'What should catch it'; do
			check "$c/$n: its message has \"$sec\"" grep -q "^$sec" "$p"
		done
		if grep -q 'SEEDED BUG HELPER' "$p"; then
			check "$c/$n: its helper is explained in the message" grep -q '^Seeded-bug helper' "$p"
		fi
		check "$c/$n: applies to linux-source-6.12" \
			bash -c 'cd "$1" && patch -p1 --dry-run -s < "$2" > /dev/null' _ "$SRC" "$p"
	done
done

for c in "${CANDS[@]}"; do
	t0=$SECONDS
	check "$c builds" build "$c"
	echo "# $c: $((SECONDS - t0)) s ($(jget "$FL_ROOT/build/kernels/$c/build.json" "['duration_s']" 2> /dev/null) s in build.json)"
	check "$c: build.json records its one patch" \
		test "$(jget "$FL_ROOT/build/kernels/$c/build.json" "['patches']['count']")" = 1
done
done_testing
