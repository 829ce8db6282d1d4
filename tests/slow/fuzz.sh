#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz/): `make fuzz` builds each with clang and runs it FUZZ_S
# seconds (default 60 here, about 10 minutes in all), one ok per target with its execs. A crash
# input stays in build/fuzz/crashes/TARGET/ (tests/fuzz/README.md says how to reproduce it).
. "$(dirname "$0")/../integration/lib.sh"
cd "$FL_ROOT" || exit 2
S=${FUZZ_S:-60}
if ! command -v clang > /dev/null; then
	notok "clang is installed (make deps installs scripts/packages.txt)"
	done_testing
	exit
fi
if ! make -s fuzz-build > "$TMP/build.txt" 2>&1; then
	notok "make fuzz-build ($(tail -3 "$TMP/build.txt" | tr '\n' ' '))"
	done_testing
	exit
fi
make -s fuzz FUZZ_S="$S" > "$TMP/fuzz.txt" 2>&1
sed 's/^/# /' "$TMP/fuzz.txt"
ran=0
while read -r _ t _ execs _ corpus _ crashes; do
	ran=$((ran + 1))
	if [ "$crashes" = 0 ]; then
		ok "fuzz_$t ${S} s: $execs execs, corpus $corpus, no crash"
	else
		notok "fuzz_$t ${S} s: $execs execs, $crashes crash(es) in build/fuzz/crashes/$t/"
	fi
done < <(grep '^fuzz ' "$TMP/fuzz.txt")
want=$(ls tests/fuzz/fuzz_*.c | wc -l)
check "every fuzz target ran ($ran of $want)" test "$ran" = "$want"
done_testing
