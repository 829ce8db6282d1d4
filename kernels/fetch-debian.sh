#!/usr/bin/env bash
# Fetch a prebuilt Debian kernel package without installing it: the newest package whose name
# matches REGEX is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into DEST.
#   kernels/fetch-debian.sh REGEX DEST [DEBARCH] [REASON_FILE]
# DEBARCH other than this host's (arm64, ppc64el, s390x) uses that arch's own package lists in
# build/apt/DEBARCH (scripts/apt-arch.sh: retried, and what resolves is used).
# On success DEST holds pkg/ (the unpacked package) and prebuilt.env (PACKAGE, VERSION,
# RELEASE, IMAGE, CONFIG, MODULES, paths relative to DEST); an existing prebuilt.env is a
# cache hit. On failure (exit 2 bad input, 3 environment) the reason is one line on stderr and
# in REASON_FILE, with the failing tool's own error (apt-get's "E:" line) in it.
set -Eeuo pipefail
regex=$1 dest=$2 debarch=${3:-} reason_file=${4:-}
say() { echo "faultline: $*" >&2; }
fail() {	# CODE SENTENCE
	say "$2"
	[ -z "$reason_file" ] || printf '%s\n' "$2" > "$reason_file"
	exit "$1"
}
# The last error line a tool wrote (apt's "E: ..." if there is one), for the sentence.
why() { { grep -E '^(E|W|Err):' "$1" || cat "$1"; } 2>/dev/null | grep -v '^[[:space:]]*$' | tail -1 | cut -c1-300 || true; }
trap 'rc=$?; fail 3 "kernels/fetch-debian.sh: \"$BASH_COMMAND\" failed (exit $rc, line $LINENO)"' ERR
case $regex in
-*|'') fail 2 "the package pattern '$regex' must not be empty or start with '-'" ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
aptx() { "$@"; }
if [ -n "$debarch" ] && [ "$debarch" != "$(dpkg --print-architecture 2>/dev/null)" ]; then
	. "$root/scripts/apt-arch.sh"
	apt_arch_init "$debarch" "$root/build/apt/$debarch"
fi

if [ -s "$dest/prebuilt.env" ]; then
	exit 0
fi
command -v apt-get > /dev/null || fail 3 "apt-get is not available: cannot fetch $regex"
errf=$(mktemp)
trap 'rm -f "$errf"' EXIT
newest() { aptx apt-cache search --names-only -- "$regex" 2>"$errf" | awk '{print $1}' | sort -V | tail -1; }
[ -z "${APT_DIR:-}" ] || apt_arch_update
pkg=$(newest || true)
if [ -z "$pkg" ]; then
	e=$(why "$errf")
	fail 3 "no Debian package matches $regex${debarch:+ for $debarch}${e:+ (apt-cache: $e)} (try apt-get update)"
fi
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$tmp" "$errf"' EXIT
say "fetching $pkg with apt-get download (not installed on this host)"
if ! (cd "$tmp" && aptx apt-get download -q "$pkg" > download.log 2>&1); then
	e=$(why "$tmp/download.log")
	fail 3 "apt-get download $pkg failed: ${e:-apt-get said nothing}"
fi
deb=$(ls "$tmp"/*.deb)
dpkg-deb -x "$deb" "$tmp/pkg"
first() { for f in "$@"; do [ -e "$f" ] && { echo "$f"; break; }; done; }
image=$(cd "$tmp" && first pkg/boot/vmlinuz-* pkg/boot/vmlinux-*)
modules=$(cd "$tmp" && first pkg/lib/modules/*)
config=$(cd "$tmp" && first pkg/boot/config-*)
if [ -z "$image" ] || [ -z "$config" ]; then
	fail 3 "$pkg has no boot/vmlinu[xz]-* and boot/config-*: not a kernel image package"
fi
version=$(dpkg-deb -f "$deb" Version)
rm -rf "$dest/pkg"
mv "$tmp/pkg" "$dest/pkg"
sha=$(sha256sum "$deb" | cut -d' ' -f1)
cat > "$tmp/prebuilt.env" <<ENV
PACKAGE=$pkg
VERSION=$version
DEB_SHA256=$sha
RELEASE=${image#pkg/boot/vmlinu?-}
IMAGE=$image
CONFIG=$config
MODULES=$modules
ENV
mv "$tmp/prebuilt.env" "$dest/prebuilt.env"
say "unpacked $pkg $version into $dest"
