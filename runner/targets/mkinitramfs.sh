#!/usr/bin/env bash
# Assemble the QEMU target's initramfs: a static busybox, the agent, the shared libraries the
# agent needs (resolved with ldd for a host-arch agent; for a cross agent, its DT_NEEDED
# closure found in SYSROOT, the arch's unpacked Debian packages), the kernel modules named in
# MODULES that MODDIR (the image's /lib/modules/RELEASE) has as modules, with their
# dependencies (a listed module neither there nor built in fails the build, naming it), and
# runner/targets/guest-init.sh as /init. Every step that fails stops the build with a sentence, exit 3.
#   runner/targets/mkinitramfs.sh AGENT BUSYBOX INIT OUT.cpio.gz [SYSROOT [MODDIR ["MODULE..."]]]
set -euo pipefail
agent=$1 busybox=$2 init=$3 out=$4 sysroot=${5:-} moddir=${6:-} modules=${7:-}
say() { echo "faultline: $*" >&2; }
PATH=$PATH:/usr/sbin:/sbin	# depmod, modinfo for a user without sbin in PATH

for c in readelf:binutils cpio:cpio gzip:gzip ldd:libc-bin; do
	command -v "${c%%:*}" > /dev/null || {
		say "${c%%:*} is not installed, needed for the initramfs (package ${c#*:}," \
		    "in scripts/packages.txt: scripts/deps.sh installs it)"
		exit 3
	}
done
for f in "$agent" "$busybox" "$init"; do
	[ -r "$f" ] || { say "cannot read $f for the initramfs"; exit 3; }
done
if ! bbhdr=$(readelf -l "$busybox" 2>&1); then
	say "readelf cannot read $busybox: ${bbhdr##*: }"
	exit 3
fi
if grep -q 'program interpreter' <<< "$bbhdr"; then
	say "$busybox is not a static busybox (install busybox-static)"
	exit 3
fi
root=$(mktemp -d "${out%/*}/.initramfs.XXXXXX")
trap 'rm -rf "$root" "$root.idx" "$root.cpio.log"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc,lib,lib64,usr/lib}
cp "$busybox" "$root/bin/busybox"
for app in sh mount cat echo sleep; do ln -s busybox "$root/bin/$app"; done
cp "$agent" "$root/bin/faultline-agent"
cp "$init" "$root/init"
chmod 755 "$root/init" "$root/bin/faultline-agent"

# Shared libraries: every path ldd resolves (vdso has none), the dynamic loader included;
# for a cross agent the same closure from the sysroot, walked with readelf.
needed() {	# ELF: its DT_NEEDED names (called in $(...): a failure exits the caller too)
	local d
	d=$(readelf -d "$1" 2>&1) || { say "readelf cannot read $1: ${d##*: }"; exit 3; }
	sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<< "$d"
}
find_lib() {	# NAME: its path inside the guest (sysroot-relative)
	local d
	for d in /lib/*-linux-gnu /usr/lib/*-linux-gnu /lib64 /lib /usr/lib; do
		[ -e "$sysroot$d/$1" ] && { echo "$d/$1"; return; }
	done
	say "the agent needs $1, which is not in $sysroot (scripts/sysroot.sh fetches it)"
	exit 3
}
if [ -z "$sysroot" ]; then
	ldd_out=$(ldd "$agent" 2>&1) || { say "ldd cannot list the libraries of $agent: $ldd_out"; exit 3; }
	if grep -q 'not found' <<< "$ldd_out"; then
		say "the agent $agent needs libraries this host lacks: $(grep 'not found' <<< "$ldd_out" | tr -s '\t\n' ' ')"
		exit 3
	fi
	libs=$(awk '/=> \//{print $3} /^\s*\//{print $1}' <<< "$ldd_out")
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
interp=$(readelf -l "$agent" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
if [ -n "$libs" ] && [ -z "$interp" ]; then
	say "readelf finds no program interpreter in the agent $agent, which needs libraries"
	exit 3
fi
for lib in $libs $interp; do
	[ -e "$sysroot$lib" ] || { say "the agent needs $lib, which is missing"; exit 3; }
	[ -e "$root$lib" ] && continue
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$sysroot$lib" "$root$lib"
done

# Modules, resolved with the image's own index: Debian's image packages ship no modules.dep
# (their postinst runs depmod), so depmod -b indexes MODDIR in a scratch tree (links to its
# module dirs, copies of modules.builtin*), and modprobe --show-depends gives each listed
# module's load order: its symbol dependencies (modules.dep) and soft dependencies (softdep
# pre:/post:, resolved by alias), or "builtin NAME". Each is copied uncompressed (busybox insmod
# reads plain .ko) and listed in /etc/faultline-modules (or the LAVA list) in that order; one
# reached only as a soft dependency is marked "soft" (the guest goes on without it, as modprobe
# does). A listed module that is neither a .ko in MODDIR nor built in fails the build, naming it.
# 6.12's zram calls the LZ4/LZ4HC compressors directly (CONFIG_ZRAM_BACKEND_*): lz4_compress
# and lz4hc_compress are symbol dependencies, zsmalloc and zstd are built in on Debian's image.
mod_index() {	# sets idx (the scratch tree) and rel (the release)
	local e
	rel=${moddir%/}
	rel=${rel##*/}
	[ -d "$moddir" ] || { say "module directory $moddir does not exist"; exit 3; }
	[ -f "$moddir/modules.builtin" ] || {
		say "$moddir has no modules.builtin: cannot tell built-in modules from missing ones"
		exit 3
	}
	idx="$root.idx"
	mkdir -p "$idx/lib/modules/$rel"
	for e in "$moddir"/*; do
		case "${e##*/}" in
		build|source) ;;
		modules.builtin*|modules.order) cp "$e" "$idx/lib/modules/$rel/" ;;
		modules.*) ;;
		*) [ -d "$e" ] && ln -s "$(cd "$e" && pwd)" "$idx/lib/modules/$rel/${e##*/}" ;;
		esac
	done
	if ! depmod -b "$idx" "$rel" 2> "$idx/depmod.log"; then
		say "depmod could not index the modules in $moddir: $(tail -1 "$idx/depmod.log")"
		exit 3
	fi
}
listed() { awk -v m="$1" '$1 == m { f = 1 } END { exit !f }' "$root"/etc/faultline-*modules 2>/dev/null; }
unpack_ko() {	# FILE DEST
	case "$1" in
	*.xz) xz -dc "$1" > "$2" ;;
	*.zst) zstd -qdc "$1" > "$2" ;;
	*.gz) gzip -dc "$1" > "$2" ;;
	*) cp "$1" "$2" ;;
	esac || { say "cannot unpack module $1"; exit 3; }
}
add_module() {	# NAME LIST: LIST is the file in /etc the guest loads it from
	local name=$1 list=$2 order self hard line f base mark
	if ! order=$(modprobe -d "$idx" -S "$rel" --show-depends "$name" 2>&1); then
		say "module $name (${3:-listed for the guest}) is neither a .ko in $moddir nor" \
		    "built in (its modules.builtin)"
		exit 3
	fi
	case "$order" in builtin\ *) return 0 ;; esac
	if ! self=$(modinfo -b "$idx" -k "$rel" -F filename "$name" 2>&1) || [ -z "$self" ]; then
		say "modinfo cannot read module $name in $moddir: $self"
		exit 3
	fi
	self=${self#"$idx/lib/modules/$rel/"}
	hard=" $self $(awk -v p="$self:" '$1 == p { $1 = ""; print }' \
		"$idx/lib/modules/$rel/modules.dep") "
	mkdir -p "$root/lib/modules"
	while read -r line; do
		case "$line" in insmod\ *) ;; *) continue ;; esac
		f=${line#insmod }
		f=${f%% *}
		base=${f##*/}
		base=${base%%.ko*}
		listed "$base" && continue
		mark=
		case "$hard" in *" ${f#"$idx/lib/modules/$rel/"} "*) ;; *) mark=" soft" ;; esac
		unpack_ko "$f" "$root/lib/modules/$base.ko"
		echo "$base$mark" >> "$root/etc/$list"
		check_deps "$f" "$base"
	done <<< "$order"
}
check_deps() {	# FILE NAME: each symbol dependency modinfo names is listed already or built in
	local deps d
	deps=$(modinfo -F depends "$1" 2>&1) || { say "modinfo cannot read module $2 ($1): $deps"; exit 3; }
	for d in ${deps//,/ }; do
		listed "$d" || listed "${d//_/-}" || add_module "$d" "$list" "a dependency of $2"
	done
}
if [ -n "$moddir" ]; then
	for c in depmod:kmod modprobe:kmod modinfo:kmod xz:xz-utils zstd:zstd; do
		command -v "${c%%:*}" > /dev/null || {
			say "${c%%:*} is not installed, needed to resolve the guest's modules (package" \
			    "${c#*:}, in scripts/packages.txt: scripts/deps.sh installs it)"
			exit 3
		}
	done
	mod_index
	for m in $modules; do add_module "$m" faultline-modules; done
	# LAVA mode only (faultline.lava on the command line, lava render's jobs): the disk
	# lava-dispatcher attaches with its test overlay is virtio and ext2 (mounted by ext4, which
	# asks the crypto API for crc32c at mount time: also ext4's softdep)
	for m in virtio_blk crc32c_generic ext4; do add_module "$m" faultline-lava-modules; done
fi
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --reproducible 2> "$root.cpio.log" | gzip -n -1) > "$out.tmp" || {
	say "cpio and gzip could not pack $out: $(tail -1 "$root.cpio.log")"
	rm -f "$out.tmp"
	exit 3
}
mv "$out.tmp" "$out"
