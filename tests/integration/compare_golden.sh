#!/usr/bin/env bash
# Behaviour kept across refactors (issue 17): what compare, report and export print for two
# real runs is byte-identical to what it printed when the fixture was made. The runs are
# tests/fixtures/compare-golden/runs.tar.xz (seeds-short.json run locally twice on 6.18.44,
# THP enabled=madvise and =always, 2026-11-30; logs left out); expected.tar.xz holds the
# outputs. After an intended change of output, remake them and say why in the commit:
#   FL_GOLDEN_UPDATE=1 tests/integration/compare_golden.sh
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline
FIX=$FL_ROOT/tests/fixtures/compare-golden
mkdir -p "$TMP/w" "$TMP/want"
tar -xJf "$FIX/runs.tar.xz" -C "$TMP/w"
tar -xJf "$FIX/expected.tar.xz" -C "$TMP/want"
cd "$TMP/w" || exit 1

# out NAME ARGS...: the command's stdout and stderr, then its exit status, in out.NAME
out() { local n=$1; shift; "$F" "$@" > "out.$n" 2>&1; echo "rc $?" >> "out.$n"; }
for f in text md csv json matrix; do
	out "$f" compare run-madvise run-always --format "$f"
done
out counters compare run-madvise run-always --counters
out three compare run-madvise run-always run-madvise --format text
out metrics.md compare run-madvise run-always --metrics 'records_per_s,elapsed_s' --format md
for t in ebizzy kernbench percore munmap collapse; do
	for f in text md csv; do
		out "$t.$f" compare run-madvise run-always --table "$t" --format "$f"
	done
done
out report report run-madvise
out kcidb export kcidb run-always

if [ -n "${FL_GOLDEN_UPDATE:-}" ]; then
	tar -cJf "$FIX/expected.tar.xz" out.*
	echo "# remade $FIX/expected.tar.xz"
fi
for f in out.*; do
	if [ ! -f "$TMP/want/$f" ]; then
		notok "$f: not in expected.tar.xz (FL_GOLDEN_UPDATE=1 to remake it)"
	elif cmp -s "$f" "$TMP/want/$f"; then
		ok "$f is byte-identical to the fixture"
	else
		notok "$f differs from the fixture"
		diff -u "$TMP/want/$f" "$f" | head -20 | sed 's/^/# /'
	fi
done
for f in "$TMP"/want/out.*; do
	[ -f "$(basename "$f")" ] || notok "$(basename "$f"): expected but not made"
done
done_testing
