#!/usr/bin/env bash
# One suite on every guest arch in QEMU with Debian's prebuilt kernel of that arch, then one
# report: a table per workload with one column per arch (faultline compare --format matrix).
#   scripts/arch-matrix.sh [--arches "x86_64 arm64 ppc64le s390x"] [--out DIR] [SUITE]
# SUITE defaults to configs/suites/arch-matrix.json. Each arch's run is DIR/<arch>/ (a normal
# run dir); the report is DIR/report.txt. Missing cross agents are built first (make agents).
# Exit: 0 all runs complete, 1 a run had failed cases, 2/3 as faultline run.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arches="x86_64 arm64 ppc64le s390x" out= suite=$root/configs/suites/arch-matrix.json
while [ $# -gt 0 ]; do
	case "$1" in
	--arches) arches=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-*) echo "faultline: arch-matrix.sh: unknown option $1" >&2; exit 2 ;;
	*) suite=$1; shift ;;
	esac
done
out=${out:-$root/results/arch-matrix-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
F=$root/bin/faultline
cross=
for a in $arches; do
	u=$("$root/scripts/machine-field" "$a" uname) || exit 2
	[ "$u" = "$(uname -m)" ] || [ -x "$root/$("$root/scripts/machine-field" "$a" agent)" ] ||
		cross="$cross $u"
done
[ -z "$cross" ] || make -s -C "$root" agents ARCHES="$cross" || exit 3
rc=0 dirs=()
for a in $arches; do
	t0=$(date +%s)
	"$F" run --target qemu --accel "${FL_ACCEL:-auto}" --arch "$a" --kernel debian \
		--out "$out/$a" "$suite" > "$out/$a.log" 2>&1
	r=$?
	echo "$a: exit $r in $(( $(date +%s) - t0 )) s ($out/$a.log)"
	[ "$r" -le 1 ] || { rc=$r; continue; }
	[ "$r" = 0 ] || rc=1
	dirs+=("$out/$a")
done
[ ${#dirs[@]} -gt 0 ] || exit "$rc"
"$F" compare --format matrix "${dirs[@]}" > "$out/report.txt" || exit 2
cat "$out/report.txt"
echo "report: $out/report.txt"
exit "$rc"
