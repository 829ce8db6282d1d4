#!/usr/bin/env bash
# Install the Debian packages in scripts/packages.txt that are missing.
# Usage: scripts/deps.sh [--check]   (--check: only report, exit 3 if any is missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list="$here/packages.txt"
mode=${1:-install}

missing=()
while read -r pkg _; do
	case "$pkg" in ''|'#'*) continue ;; esac
	st=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$pkg")
done < "$list"

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$mode" = "--check" ]; then
	echo "faultline: missing Debian packages: ${missing[*]} (run ./run.sh or 'make deps' as root to install them)" >&2
	exit 3
fi
if [ "$(id -u)" != 0 ]; then
	echo "faultline: missing Debian packages: ${missing[*]}; installing needs root (sudo $0)" >&2
	exit 3
fi
echo "faultline: installing ${#missing[@]} Debian package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || echo "faultline: apt-get update failed; trying the cached package lists" >&2
apt-get install -y -q --no-install-recommends "${missing[@]}"
