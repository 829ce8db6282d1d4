#!/usr/bin/env bash
# Cross-build bin/UNAME/faultline-agent for a guest arch: Debian's cross gcc (scripts/packages.txt
# "cross" lines, installed by scripts/deps.sh --cross when run as root), the arch's Debian -dev
# packages unpacked into build/sysroot/DEBARCH (scripts/sysroot.sh) and libperf cross-built from
# linux-source-6.12's tools/lib/perf. The agent links dynamically (hwloc needs libudev, which
# Debian ships only as a shared library); the initramfs carries its libraries from the sysroot.
#   scripts/cross-agent.sh ARCH        ARCH: aarch64|arm64, ppc64le, s390x
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
arch=$1
name=$("$here/machine-field" "$arch" name)
uname=$("$here/machine-field" "$arch" uname)
triplet=$("$here/machine-field" "$arch" triplet)
karch=$("$here/machine-field" "$arch" kernel_arch)
debarch=$("$here/machine-field" "$arch" debian_arch)

if ! command -v "$triplet-gcc" > /dev/null; then
	if [ "$(id -u)" = 0 ]; then
		"$here/deps.sh" --cross "$name"
	else
		"$here/deps.sh" --cross --check "$name" || true
		echo "faultline: cannot build the $uname agent: $triplet-gcc is missing" >&2
		exit 3
	fi
fi
"$here/sysroot.sh" "$name"
sysroot=$root/build/sysroot/$debarch
b=build/cross/$uname
cd "$root"
echo "  AGENT    bin/$uname/faultline-agent ($triplet, sysroot $debarch)"
exec make -s BUILD="$b" BINDIR="bin/$uname" KSRC="$b/ksrc" LIBPERF="$b/libperf" \
	CC="$triplet-gcc --sysroot=$sysroot" AR="$triplet-ar" \
	LIBPERF_MAKEFLAGS="CROSS_COMPILE=$triplet- ARCH=$karch" \
	LDFLAGS="-pthread -Wl,-rpath-link,$sysroot/lib/$triplet:$sysroot/usr/lib/$triplet" \
	"bin/$uname/faultline-agent"
