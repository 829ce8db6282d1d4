#!/usr/bin/env bash
# Fetch a prebuilt Debian kernel package without installing it: the newest package whose name
# matches REGEX is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into DEST.
#   kernels/fetch-debian.sh REGEX DEST [DEBARCH]
# DEBARCH other than this host's (arm64, ppc64el, s390x) uses that arch's own package lists in
# build/apt/DEBARCH (scripts/apt-arch.sh: retried, and what resolves is used).
# On success DEST holds pkg/ (the unpacked package) and prebuilt.env (PACKAGE, VERSION,
# RELEASE, IMAGE, CONFIG, MODULES, paths relative to DEST); an existing prebuilt.env is a
# cache hit.
set -euo pipefail
regex=$1 dest=$2 debarch=${3:-}
say() { echo "faultline: $*" >&2; }
root=$(cd "$(dirname "$0")/.." && pwd)
aptx() { "$@"; }
if [ -n "$debarch" ] && [ "$debarch" != "$(dpkg --print-architecture 2>/dev/null)" ]; then
	. "$root/scripts/apt-arch.sh"
	apt_arch_init "$debarch" "$root/build/apt/$debarch"
fi

if [ -s "$dest/prebuilt.env" ]; then
	exit 0
fi
command -v apt-get > /dev/null || { say "apt-get is not available: cannot fetch $regex"; exit 3; }
newest() { aptx apt-cache search --names-only "$regex" 2>/dev/null | awk '{print $1}' | sort -V | tail -1; }
[ -z "${APT_DIR:-}" ] || apt_arch_update
pkg=$(newest)
if [ -z "$pkg" ]; then
	say "no Debian package matches $regex${debarch:+ for $debarch} (try apt-get update)"
	exit 3
fi
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
say "fetching $pkg with apt-get download (not installed on this host)"
if ! (cd "$tmp" && aptx apt-get download -q "$pkg" > download.log 2>&1); then
	say "apt-get download $pkg failed: $(tail -1 "$tmp/download.log")"
	exit 3
fi
deb=$(ls "$tmp"/*.deb)
dpkg-deb -x "$deb" "$tmp/pkg"
first() { for f in "$@"; do [ -e "$f" ] && { echo "$f"; break; }; done; }
image=$(cd "$tmp" && first pkg/boot/vmlinuz-* pkg/boot/vmlinux-*)
modules=$(cd "$tmp" && first pkg/lib/modules/*)
config=$(cd "$tmp" && first pkg/boot/config-*)
if [ -z "$image" ] || [ -z "$config" ]; then
	say "$pkg has no boot/vmlinu[xz]-* and boot/config-*: not a kernel image package"
	exit 3
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
