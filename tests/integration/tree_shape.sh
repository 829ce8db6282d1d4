#!/usr/bin/env bash
# The tree's shape (issue 17): no C source or header over 600 lines in the product (common/,
# workloads/, runner/, analysis/); nothing in analysis/, workloads/ or common/ includes a
# runner/ header (the host's commands sit on top of analysis, not the other way round); a
# README in every top folder (runner/README.md has a row per runner/ subfolder).
. "$(dirname "$0")/lib.sh"
cd "$FL_ROOT" || exit 1
MAX=600

long=$(find common workloads runner analysis -name '*.[ch]' -exec wc -l {} + |
	awk -v m=$MAX '$2 != "total" && $1 > m { print $2 " (" $1 ")" }')
check "no source file over $MAX lines${long:+: $long}" test -z "$long"

# Headers that live only under runner/ (and nowhere else on the include path).
runner_h=$(find runner -name '*.h' -printf '%f\n' | sort -u)
other_h=$(find common workloads analysis -name '*.h' -printf '%f\n' | sort -u)
only_runner=$(comm -23 <(echo "$runner_h") <(echo "$other_h"))
bad=""
for h in $only_runner; do
	hit=$(grep -rlF "#include \"$h\"" common workloads analysis 2>/dev/null | tr '\n' ' ')
	[ -n "$hit" ] && bad="$bad $h<-$hit"
done
check "no include of a runner/ header from analysis/, workloads/ or common/${bad:+:$bad}" test -z "$bad"

missing=""
for d in common workloads runner analysis kernels configs schema scripts tests bench; do
	[ -f "$d/README.md" ] || missing="$missing $d"
done
check "a README.md in each top folder${missing:+ (missing:$missing)}" test -z "$missing"
norow=""
for d in $(find runner -mindepth 1 -maxdepth 1 -type d -printf '%f\n'); do
	grep -qF "\`$d/\`" runner/README.md || norow="$norow $d"
done
check "runner/README.md has a row for each runner/ folder${norow:+ (missing:$norow)}" test -z "$norow"
done_testing
