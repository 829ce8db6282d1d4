#!/usr/bin/env bash
# Remove kernel build trees that no candidate uses any more: a build directory
# (build/kernels/<hash>/, ~0.8-2.5 GB with its object tree) that no candidate link
# (build/kernels/NAME -> <hash>) points to, i.e. a failed build or one a newer build of the
# same candidate replaced. Builds in progress (their <hash>.lock held) are left alone, and so
# are the linked builds, the unpacked bases (src-*), the prebuilt packages and ccache.
#   kernels/prune.sh [--dry-run] [--out ROOT/build/kernels]
set -uo pipefail
out=$(cd "$(dirname "$0")/.." && pwd)/build/kernels dry=0
while [ $# -gt 0 ]; do
	case $1 in
	--dry-run) dry=1 ;;
	--out) out=$2; shift ;;
	-h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "faultline: kernel prune: unknown option '$1' (--dry-run, --out DIR)" >&2; exit 2 ;;
	esac
	shift
done
[ -d "$out" ] || { echo "nothing to prune: $out does not exist"; exit 0; }
declare -A linked=()
for l in "$out"/*; do
	[ -L "$l" ] && linked[$(readlink "$l")]=1
done
n=0 kb=0
for d in "$out"/*/; do
	h=$(basename "$d")
	[[ $h =~ ^[0-9a-f]{16}$ ]] || continue
	# A link named like a hash (not a build) is never followed: rm -rf "$d" would empty its target.
	[ -L "${d%/}" ] && continue
	[ -n "${linked[$h]:-}" ] && continue
	# build.sh creates <hash>.lock before it takes the lock: no file, no build in progress.
	if [ -e "$out/$h.lock" ]; then
		exec 9< "$out/$h.lock"
		if ! flock -n 9; then
			echo "kept $h: it is being built"
			exec 9<&-
			continue
		fi
	fi
	size=$(du -sk "$d" | cut -f1)
	what=$( [ -s "$d/build.json" ] && echo "superseded build" || echo "unfinished or failed build")
	if [ $dry = 1 ]; then
		echo "would remove $h ($what, $((size / 1024)) MiB)"
	else
		rm -rf "$d" "$out/$h.lock" && echo "removed $h ($what, $((size / 1024)) MiB)"
	fi
	exec 9<&-
	n=$((n + 1)) kb=$((kb + size))
done
echo "$([ $dry = 1 ] && echo would free || echo freed) $((kb / 1024)) MiB in $n build tree(s); kept ${#linked[@]} linked build(s)"
