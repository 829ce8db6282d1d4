#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the libFuzzer targets built by `make fuzz-build` (build/fuzz/fuzz_*), one after another.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (default 60 s; every target; run from the repo root)
# Each target's corpus is build/fuzz/corpus/TARGET: kept between runs, seeded from tests/fixtures
# (copied, never written back). A crash input is kept in build/fuzz/crashes/TARGET/; the log of
# each run is build/fuzz/logs/TARGET.log. Prints one line per target (execs, corpus size,
# crashes); exits 1 if any target crashed (or timed out, or ran out of memory), 2 on bad usage.
# FUZZ_ARGS: more libFuzzer options for every target (e.g. FUZZ_ARGS=-detect_leaks=0).
set -u
cd "$(dirname "$0")/../.." || exit 2
F=build/fuzz
SECS=${1:-60}
shift 2>/dev/null
case $SECS in ''|*[!0-9]*) echo "run.sh: SECONDS must be a whole number, got '$SECS'" >&2; exit 2;; esac
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
	for b in $F/fuzz_*; do [ -x "$b" ] && TARGETS+=("${b#$F/fuzz_}"); done
fi
if [ ${#TARGETS[@]} -eq 0 ]; then
	echo "run.sh: no fuzz targets in $F (run make fuzz-build first)" >&2
	exit 2
fi

# Seeds generated from fixtures for the channel and LAVA formats (fixtures hold only the bodies).
# SHA256 64 zeros: the harness puts the real digest there (see fuzz_lava_log.c/fuzz_qemu_chan.c).
ZEROS=0000000000000000000000000000000000000000000000000000000000000000
gen_lava_log() {
	local out=$1 i=0 doc
	for doc in tests/fixtures/schema/valid/case-*.json; do
		lava_markers 0 "$doc" "$(sha256sum <"$doc" | cut -d' ' -f1)" >"$out/plain-$i.log"
		lava_markers 0 "$doc" $ZEROS | sed 's/.*/- {"dt": "2026-01-01T00:00:00", "lvl": "target", "msg": "&"}/' >"$out/yaml-$i.log"
		lava_markers $i "$doc" $ZEROS >>"$out/all.log"
		i=$((i + 1))
	done
}
lava_markers() {	# IDX DOC SHA
	printf '{"file": "cases/%04d-fuzz-i0.json", "workload": "fuzz", "params": {}, "iteration": 0, "warmup": false, "status": "pending"}' "$1" |
		base64 -w0 | sed "s/^/FAULTLINE-PLAN $1 /"
	echo
	echo "FAULTLINE-CASE $1 $3 $(base64 -w0 <"$2")"
}
gen_qemu_chan() {
	local out=$1 i=0 doc con
	for doc in tests/fixtures/schema/valid/case-*.json; do
		{
			printf 'FRAME CASE %d %s\n' "$(stat -c %s "$doc")" "$(sha256sum <"$doc" | cut -d' ' -f1)"
			cat "$doc"
			echo "DONE 0"
		} >"$out/case-$i.bin"
		i=$((i + 1))
	done
	for con in tests/fixtures/console/*.txt; do
		{
			printf 'FRAME LOG %d %s\n' "$(head -c 2000 "$con" | wc -c)" $ZEROS
			head -c 2000 "$con"
			echo "DONE 1"
		} >"$out/log-$i.bin"
		i=$((i + 1))
	done
}

seed() {
	local t=$1 c=$F/corpus/$1 g=$F/seeds/$1
	mkdir -p "$c" "$g"
	case $t in
	suite)      cp tests/fixtures/suites/*.json configs/suites/*.json "$g"/ ;;
	case_doc)   cp tests/fixtures/schema/*/case-*.json "$g"/ ;;
	run_doc)    cp tests/fixtures/schema/*/run-*.json "$g"/ ;;
	schema)     cp tests/fixtures/schema/*/*.json "$g"/ ;;
	console)    cp tests/fixtures/console/*.txt "$g"/ ;;
	interrupts) for f in tests/fixtures/*-6.*/interrupts-*.txt; do
			cp "$f" "$g/$(basename "$(dirname "$f")")-$(basename "$f")"; done ;;
	vmstat)     for f in tests/fixtures/*-6.*/vmstat-*.txt; do
			cp "$f" "$g/$(basename "$(dirname "$f")")-$(basename "$f")"; done ;;
	lava_log)   gen_lava_log "$g" ;;
	qemu_chan)  gen_qemu_chan "$g" ;;
	*)          echo "run.sh: no seeds known for target $t" >&2 ;;
	esac
	# hand-made seeds for what the fixtures do not reach (tests/fuzz/seeds/TARGET-*), and
	# inputs that once crashed or hung this target (tests/fuzz/regress/TARGET-*): run first
	for r in tests/fuzz/seeds/"$t"-* tests/fuzz/regress/"$t"-*; do [ -e "$r" ] && cp "$r" "$g"/; done
	cp -n "$g"/* "$c"/ 2>/dev/null
	return 0
}

# libFuzzer's slow-unit-* files (over 10 s) are reported, not counted as crashes.
count_crashes() {
	ls $F/crashes/$1 | grep -cE '^(crash|leak|timeout|oom)-'
}

# Past a known leak: libFuzzer's -detect_leaks=0 and LeakSanitizer's check at exit both off.
case " ${FUZZ_ARGS:-} " in
*" -detect_leaks=0 "*) export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 ;;
esac

failed=0
mkdir -p $F/logs
for t in "${TARGETS[@]}"; do
	bin=$F/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "run.sh: no $bin (run make fuzz-build first)" >&2
		exit 2
	fi
	seed "$t"
	mkdir -p $F/crashes/$t
	before=$(count_crashes "$t")
	log=$F/logs/$t.log
	# -timeout: one input taking 30 s is a hang to report; -rss_limit_mb: libFuzzer's default;
	# -close_fd_mask=3: the parsers' own messages are not logged (sanitizer reports are).
	"$bin" -max_total_time="$SECS" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
		-close_fd_mask=3 \
		${FUZZ_ARGS:-} -artifact_prefix=$F/crashes/$t/ $F/corpus/$t >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	crashes=$(( $(count_crashes "$t") - before ))
	[ $rc -ne 0 ] && [ $crashes -eq 0 ] && crashes=1	# died without an artifact
	printf 'fuzz %-11s execs %-10s corpus %-6s crashes %s\n' "$t" "${execs:-?}" \
		"$(ls $F/corpus/$t | wc -l)" "$crashes"
	if [ $crashes -ne 0 ]; then
		failed=1
		echo "  log: $log; inputs: $F/crashes/$t/ ($(ls -t $F/crashes/$t | grep -vm1 '^slow-unit'))"
		grep -m1 -E '^SUMMARY|ERROR: libFuzzer|^==[0-9]+==ERROR' "$log" | sed 's/^/  /'
	fi
done
exit $failed
