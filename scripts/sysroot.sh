#!/usr/bin/env bash
# The Debian packages of a guest arch that cross builds and its initramfs need, unpacked (never
# installed) into build/sysroot/DEBARCH/: the "sysroot" lines of scripts/packages.txt and what
# they depend on, fetched with apt-get for that arch alone (scripts/apt-arch.sh).
#   scripts/sysroot.sh ARCH        ARCH: arm64, aarch64, ppc64le, s390x (kernels/machines.json)
# The sysroot holds bin/busybox (busybox-static), the -dev headers and libraries the agent
# links against and the shared libraries its initramfs carries. Done once per list of sysroot
# lines: .done holds the list it was made from, so a line added to packages.txt fetches anew.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
arch=$1
debarch=$("$here/machine-field" "$arch" debian_arch)
dest=$root/build/sysroot/$debarch
want=$(awk '$2 == "sysroot" {print $1}' "$here/packages.txt" | sort | paste -sd' ')
[ -e "$dest/.done" ] && [ "$(cat "$dest/.done")" = "$want" ] && exit 0
. "$here/apt-arch.sh"
apt_arch_init "$debarch" "$root/build/apt/$debarch"
apt_arch_update
mapfile -t pkgs < <(awk '$2 == "sysroot" {print $1}' "$here/packages.txt")
echo "faultline: fetching ${pkgs[*]} for $debarch into $dest (unpacked, not installed)"
rm -rf "$APT_DIR/cache/archives/"*.deb
if ! aptx apt-get install --download-only -y -q --no-install-recommends "${pkgs[@]}" \
	> "$APT_DIR/download.log" 2>&1; then
	echo "faultline: could not fetch ${pkgs[*]} for $debarch: $(grep -m1 '^E:' \
"$APT_DIR/download.log" | cut -c4-200)" >&2
	exit 3
fi
rm -rf "$dest" && mkdir -p "$dest"
for deb in "$APT_DIR/cache/archives/"*.deb; do
	dpkg-deb -x "$deb" "$dest"
	dpkg-deb -f "$deb" Package Version | paste -sd' ' >> "$dest/packages.txt"
done
# Absolute symlinks (libfoo.so -> /lib/...) must point into the sysroot for the linker.
find "$dest" -type l -lname '/*' | while read -r l; do
	ln -sfn "$dest$(readlink "$l")" "$l"
done
echo "$want" > "$dest/.done"
echo "faultline: sysroot for $debarch ready ($(wc -l < "$dest/packages.txt") packages)"
