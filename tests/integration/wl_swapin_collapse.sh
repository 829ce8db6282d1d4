#!/usr/bin/env bash
# swapin-collapse (seed 003): quick cases with MADV_COLLAPSE and khugepaged, verification that
# can fail, the memory-fit refusal, bad options.
. "$(dirname "$0")/lib.sh"
A=$FL_BIN/faultline-agent
F=$FL_BIN/faultline
J=${FAULTLINE_JOURNAL:-/run/faultline/knobs.journal}

if [ "$(id -u)" != 0 ] || [ ! -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
	skip "swapin-collapse needs root and THP"
	done_testing; exit
fi
m() { jget "$1" "['case']['metrics']['$2']['value']"; }
gt() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$1" "$2"; }

# Quick case, MADV_COLLAPSE: share after > before, pages came back from swap, no corruption.
expect_exit 0 "128M madvise-collapse ends ok" "$A" swapin-collapse --size 128M --mode madvise-collapse --json "$TMP/mc.json"
[ -x "$F" ] && check "the case validates against the schema" "$F" validate "$TMP/mc.json"
check "thp_share_after > thp_share_before" gt "$(m "$TMP/mc.json" thp_share_after)" "$(m "$TMP/mc.json" thp_share_before)"
check "pswpin > 0" gt "$(m "$TMP/mc.json" pswpin)" 0
check "collapse_ms_per_2m measured" gt "$(m "$TMP/mc.json" collapse_ms_per_2m)" 0
check "0 corrupt pages of 32768" test "$(jget "$TMP/mc.json" "['case']['verify']['corrupt']")/$(jget "$TMP/mc.json" "['case']['verify']['pages_checked']")" = 0/32768

# The seed's way: khugepaged with a fast scan swaps the skipped pages in and collapses.
expect_exit 0 "128M khugepaged ends ok" "$A" swapin-collapse --size 128M --timeout-s 40 --json "$TMP/kh.json"
check "khugepaged: thp_share_after > thp_share_before" gt "$(m "$TMP/kh.json" thp_share_after)" "$(m "$TMP/kh.json" thp_share_before)"
check "khugepaged: pswpin > 0" gt "$(m "$TMP/kh.json" pswpin)" 0
check "khugepaged: time_to_collapse_s measured" gt "$(m "$TMP/kh.json" time_to_collapse_s)" 0
check "khugepaged: the share series is recorded" python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['case']['detail']['thp_share_pct_every_100ms']; assert len(s) >= 1" "$TMP/kh.json"
if [ -d /sys/kernel/tracing/events/huge_memory/mm_collapse_huge_page_swapin ]; then
	check "huge_memory:mm_collapse_huge_page_swapin counted" gt "$(jget "$TMP/kh.json" "['case']['counters']['huge_memory:mm_collapse_huge_page_swapin']['value']")" 0
else
	skip "no huge_memory:mm_collapse_huge_page_swapin tracepoint here"
fi

# Verification can fail: a flipped byte is found and located.
expect_exit 1 "an injected corruption fails the case" "$A" swapin-collapse --size 16M --mode madvise-collapse --probes none --test-corrupt-page 5 --json "$TMP/bad.json"
check "the failed case names the page" python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['case']; assert c['status']=='failed' and 'first: page 5 ' in c['reason'], c['reason']" "$TMP/bad.json"

# A size that does not fit is refused with the figures.
expect_exit 1 "a size larger than memory is refused" "$A" swapin-collapse --size 1T --probes none --json "$TMP/big.json"
stderr_has "does not fit in MemAvailable" "the refusal names MemAvailable"
stderr_has "use --force" "and says how to run anyway"

# Options.
expect_exit 0 "--help" "$A" swapin-collapse --help
check "--help lists max_ptes_swap and the journal" grep -q -- "--journal" "$TMP/stdout"
expect_exit 2 "max_ptes_swap out of range" "$A" swapin-collapse --max-ptes-swap 600
expect_exit 2 "unknown pattern" "$A" swapin-collapse --pattern sometimes
done_testing
