#!/usr/bin/env bash
# Install the Debian packages in scripts/packages.txt that are missing.
# Usage: scripts/deps.sh [--check]                  host packages (lines without a marker)
#        scripts/deps.sh --cross [--check] [ARCH...] the "cross ARCH" lines (every arch if none)
#        scripts/deps.sh --slow [--check]          host lines and the "slow" lines (large tools
#                                                  only make check-slow's tests use: lava-run)
# --check only reports and exits 3 if any is missing. "sysroot" lines are not installed here:
# scripts/sysroot.sh fetches them per guest arch.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list="$here/packages.txt"
cross=0 slow=0 mode=install arches=()
for a in "$@"; do
	case "$a" in
	--cross) cross=1 ;;
	--check) mode=--check ;;
	--slow) slow=1 ;;
	*) n=$("$here/machine-field" "$a" name) || exit 2; arches+=("$n") ;;
	esac
done

wanted() {	# MARKER ARCH: is this line asked for?
	if [ "$cross" = 0 ]; then
		[ -z "$1" ] || { [ "$slow" = 1 ] && [ "$1" = slow ]; }
		return
	fi
	[ "$1" = cross ] || return 1
	[ ${#arches[@]} = 0 ] && return 0
	for a in "${arches[@]}"; do [ "$a" = "$2" ] && return 0; done
	return 1
}

want=() missing=()
while read -r pkg marker arch _; do
	case "$pkg" in ''|'#'*) continue ;; esac
	wanted "${marker:-}" "${arch:-}" || continue
	want+=("$pkg")
done < "$list"
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
for pkg in "${want[@]}"; do installed "$pkg" || missing+=("$pkg"); done

# An installed package whose programs are gone (deleted by hand, a half-removed upgrade) is
# as missing as one never installed: every file it put in a bin directory must be there.
lost_commands() {
	local pkg f out=()
	for pkg in "${want[@]}"; do
		installed "$pkg" || continue
		while read -r f; do
			case "$f" in /bin/*|/sbin/*|/usr/bin/*|/usr/sbin/*) ;; *) continue ;; esac
			[ -e "$f" ] || [ -L "$f" ] || out+=("$f ($pkg)")
		done < <(dpkg-query -L "$pkg" 2>/dev/null)
	done
	[ ${#out[@]} = 0 ] || printf '%s\n' "${out[@]}"
}

how="./run.sh or 'make deps' as root"
[ "$slow" = 1 ] && how="'scripts/deps.sh --slow' as root"
[ "$cross" = 1 ] && how="'make deps-cross' as root"
lost=$(lost_commands)
if [ -n "$lost" ]; then
	echo "faultline: installed packages lack their commands: $(echo "$lost" | paste -sd' ')" \
	     "(reinstall them: apt-get install --reinstall PACKAGE)" >&2
	exit 3
fi
[ ${#missing[@]} -eq 0 ] && exit 0
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
if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
	echo "faultline: apt-get install failed (its message is above); still missing:" \
	     "$(for p in "${missing[@]}"; do installed "$p" || printf '%s ' "$p"; done)" >&2
	exit 3
fi
still=()
for pkg in "${missing[@]}"; do installed "$pkg" || still+=("$pkg"); done
if [ ${#still[@]} != 0 ]; then
	echo "faultline: apt-get install succeeded but these are not installed: ${still[*]}" >&2
	exit 3
fi
lost=$(lost_commands)
if [ -n "$lost" ]; then
	echo "faultline: installed, yet commands are missing: $(echo "$lost" | paste -sd' ')" >&2
	exit 3
fi
