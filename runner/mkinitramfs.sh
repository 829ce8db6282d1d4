#!/usr/bin/env bash
# Assemble the QEMU target's initramfs: a static busybox, the agent, the shared libraries the
# agent needs (resolved with ldd for a host-arch agent; a cross agent must be static or come
# with its sysroot) and runner/guest-init.sh as /init.
#   runner/mkinitramfs.sh AGENT BUSYBOX INIT OUT.cpio.gz
set -euo pipefail
agent=$1 busybox=$2 init=$3 out=$4
say() { echo "faultline: $*" >&2; }

for f in "$agent" "$busybox" "$init"; do
	[ -r "$f" ] || { say "cannot read $f for the initramfs"; exit 3; }
done
if readelf -l "$busybox" 2>/dev/null | grep -q 'program interpreter'; then
	say "$busybox is not a static busybox (install busybox-static)"
	exit 3
fi
root=$(mktemp -d "${out%/*}/.initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc,lib,lib64,usr/lib}
cp "$busybox" "$root/bin/busybox"
for app in sh mount cat echo sleep; do ln -s busybox "$root/bin/$app"; done
cp "$agent" "$root/bin/faultline-agent"
cp "$init" "$root/init"
chmod 755 "$root/init" "$root/bin/faultline-agent"

# Shared libraries: every path ldd resolves (vdso has none), the dynamic loader included.
libs=$(ldd "$agent" | awk '/=> \//{print $3} /^\s*\//{print $1}')
for lib in $libs; do
	[ -e "$lib" ] || { say "the agent needs $lib, which is missing"; exit 3; }
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
interp=$(readelf -l "$agent" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
	mkdir -p "$root$(dirname "$interp")"
	cp -L "$interp" "$root$interp"
fi
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --reproducible 2>/dev/null | gzip -n -1) > "$out.tmp"
mv "$out.tmp" "$out"
