#!/usr/bin/env bash
# Install the Debian packages in scripts/packages.txt that are missing.
# Usage: scripts/deps.sh [--check]                  host packages (lines without a marker)
#        scripts/deps.sh --cross [--check] [ARCH...] the "cross ARCH" lines (every arch if none)
# --check only reports and exits 3 if any is missing. "sysroot" lines are not installed here:
# scripts/sysroot.sh fetches them per guest arch.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list="$here/packages.txt"
cross=0 mode=install arches=()
for a in "$@"; do
	case "$a" in
	--cross) cross=1 ;;
	--check) mode=--check ;;
	*) n=$("$here/machine-field" "$a" name) || exit 2; arches+=("$n") ;;
	esac
done

wanted() {	# MARKER ARCH: is this line asked for?
	if [ "$cross" = 0 ]; then
		[ -z "$1" ]
		return
	fi
	[ "$1" = cross ] || return 1
	[ ${#arches[@]} = 0 ] && return 0
	for a in "${arches[@]}"; do [ "$a" = "$2" ] && return 0; done
	return 1
}

missing=()
while read -r pkg marker arch _; do
	case "$pkg" in ''|'#'*) continue ;; esac
	wanted "${marker:-}" "${arch:-}" || continue
	st=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$pkg")
done < "$list"

[ ${#missing[@]} -eq 0 ] && exit 0
how="./run.sh or 'make deps' as root"
[ "$cross" = 1 ] && how="'make deps-cross' as root"
if [ "$mode" = "--check" ]; then
	echo "faultline: missing Debian packages: ${missing[*]} (run $how to install them)" >&2
	exit 3
fi
if [ "$(id -u)" != 0 ]; then
	echo "faultline: missing Debian packages: ${missing[*]}; installing needs root (sudo $0 $*)" >&2
	exit 3
fi
echo "faultline: installing ${#missing[@]} Debian package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || echo "faultline: apt-get update failed; trying the cached package lists" >&2
apt-get install -y -q --no-install-recommends "${missing[@]}"
