#!/usr/bin/env bash
# Assemble the QEMU target's initramfs: a static busybox, the agent, the shared libraries the
# agent needs (resolved with ldd for a host-arch agent; for a cross agent, its DT_NEEDED
# closure found in SYSROOT, the arch's unpacked Debian packages), the kernel modules named in
# MODULES that MODDIR (the image's /lib/modules/RELEASE) has as modules, with their
# dependencies, and runner/guest-init.sh as /init.
#   runner/mkinitramfs.sh AGENT BUSYBOX INIT OUT.cpio.gz [SYSROOT [MODDIR ["MODULE..."]]]
set -euo pipefail
agent=$1 busybox=$2 init=$3 out=$4 sysroot=${5:-} moddir=${6:-} modules=${7:-}
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

# Shared libraries: every path ldd resolves (vdso has none), the dynamic loader included;
# for a cross agent the same closure from the sysroot, walked with readelf.
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
find_lib() {	# NAME: its path inside the guest (sysroot-relative)
	local d
	for d in /lib/*-linux-gnu /usr/lib/*-linux-gnu /lib64 /lib /usr/lib; do
		[ -e "$sysroot$d/$1" ] && { echo "$d/$1"; return; }
	done
	say "the agent needs $1, which is not in $sysroot (scripts/sysroot.sh fetches it)"
	exit 3
}
if [ -z "$sysroot" ]; then
	libs=$(ldd "$agent" | awk '/=> \//{print $3} /^\s*\//{print $1}')
else
	libs= todo=$(needed "$agent")
	while [ -n "$todo" ]; do
		set -- $todo
		todo=
		for n in "$@"; do
			case " $libs " in *"/$n "*) continue ;; esac
			lib=$(find_lib "$n")
			libs="$libs $lib"
			todo="$todo $(needed "$sysroot$lib")"
		done
	done
fi
interp=$(readelf -l "$agent" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
for lib in $libs $interp; do
	[ -e "$sysroot$lib" ] || { say "the agent needs $lib, which is missing"; exit 3; }
	[ -e "$root$lib" ] && continue
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$sysroot$lib" "$root$lib"
done

# Modules the image has as modules (built-in ones have no .ko): dependencies first, each
# uncompressed (busybox insmod reads plain .ko), their order in /etc/faultline-modules.
modfile() { find "$moddir" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" | head -1; }
add_module() {	# NAME [LIST]: LIST is the file in /etc the guest loads it from
	local f dep list=${2:-faultline-modules}
	f=$(modfile "$1")
	[ -n "$f" ] || f=$(modfile "$(echo "$1" | tr _ -)")
	[ -n "$f" ] || return 0
	grep -qx "$1" "$root"/etc/faultline-*modules 2>/dev/null && return 0
	for dep in $(modinfo -F depends "$f" | tr , ' '); do add_module "$dep" "$list"; done
	mkdir -p "$root/lib/modules"
	case "$f" in
	*.xz) xz -dc "$f" > "$root/lib/modules/$1.ko" ;;
	*.zst) zstd -qdc "$f" > "$root/lib/modules/$1.ko" ;;
	*) cp "$f" "$root/lib/modules/$1.ko" ;;
	esac
	echo "$1" >> "$root/etc/$list"
}
if [ -n "$moddir" ]; then
	for m in $modules; do add_module "$m"; done
	# LAVA mode only (faultline.lava on the command line, lava render's jobs): the disk
	# lava-dispatcher attaches with its test overlay is virtio and ext2 (mounted by ext4, which
	# asks the crypto API for crc32c at mount time: not a module dependency, so listed here)
	for m in virtio_blk crc32c_generic ext4; do add_module "$m" faultline-lava-modules; done
fi
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --reproducible 2>/dev/null | gzip -n -1) > "$out.tmp"
mv "$out.tmp" "$out"
