#!/usr/bin/env bash
# A fresh Debian 12: debootstrap a minimal root (minbase), copy the project in (the work tree
# as git sees it: tracked and untracked files, nothing ignored, so no build/ or bin/), and in a
# chroot run the dependency step (scripts/deps.sh) and the build (make all). Asserts both pass
# and that the commands the project needs are there afterwards. The mirror and suites are the
# host's own (/etc/apt/sources.list.d/debian.sources or sources.list). Cached in
# build/fresh-debian/: the debootstrap tarball (--make-tarball, then --unpack-tarball) and
# apt's downloaded .debs (bind-mounted as the root's /var/cache/apt/archives), so a rerun
# downloads nothing it has. /proc, /sys, /dev and the cache are mounted in the root and
# unmounted on every exit path; the root is deleted.
#   FRESH_KEEP=1  keep the root (build/fresh-debian/root) for a look afterwards
. "$(dirname "$0")/../integration/lib.sh"
cd "$FL_ROOT" || exit 1
cache=$FL_ROOT/build/fresh-debian
root=$cache/root
tarball=$cache/bookworm-minbase.tgz
mounted=()

if [ "$(id -u)" != 0 ]; then
	skip "building a Debian root needs root"
	done_testing
	exit
fi
if ! command -v debootstrap > /dev/null; then
	notok "debootstrap is not installed (scripts/packages.txt lists it: make deps)"
	done_testing
	exit
fi

unmount_all() {	# every mount made here, newest first; then nothing under the root may remain
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}"
	done
	mounted=()
	if [ -d "$root" ] && findmnt -rn -o TARGET | grep -q "^$root"; then
		echo "# still mounted under $root:"; findmnt -rn -o TARGET | grep "^$root" | sed 's/^/# /'
		return 1
	fi
}
cleanup() {
	unmount_all
	[ "${FRESH_KEEP:-0}" = 1 ] || rm -rf --one-file-system "$root"
}
trap 'cleanup; keep_consoles; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
bind() {	# SRC DEST [mount options...]
	local src=$1 dst=$2
	shift 2
	mkdir -p "$dst"
	mount "$@" "$src" "$dst" && mounted+=("$dst")
}

# The host's Debian mirror for bookworm: deb822 sources first, then the one-line format.
mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ && u ~ /debian\/?$/ { print u; exit }
		     /^$/ { u = "" }' "$f"
	done | head -1
	[ -f /etc/apt/sources.list ] &&
		awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list
}
M=$(mirror | head -1)
if [ -z "$M" ]; then
	notok "no Debian bookworm mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
	done_testing
	exit
fi
echo "# mirror: $M"
mkdir -p "$cache/archives/partial"
rm -rf --one-file-system "$root"

t0=$SECONDS
if [ ! -s "$tarball" ]; then
	debootstrap --variant=minbase --make-tarball="$tarball.tmp" bookworm "$cache/tarball-work" "$M" \
		> "$cache/debootstrap.log" 2>&1 && mv "$tarball.tmp" "$tarball"
	rm -rf "$cache/tarball-work"
fi
if debootstrap --variant=minbase --unpack-tarball="$tarball" bookworm "$root" "$M" \
	>> "$cache/debootstrap.log" 2>&1; then
	ok "debootstrap bookworm minbase from $M ($((SECONDS - t0)) s)"
else
	notok "debootstrap failed: $(tail -3 "$cache/debootstrap.log" | tr '\n' ' ')"
	done_testing
	exit
fi
t_boot=$((SECONDS - t0))

# The root as a fresh install has it, with the host's package sources; no service starts
# (openssh-server's postinst would start an sshd on the host's port 22 otherwise).
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && grep -q 'debian' "$f" || continue
	case "$(grep -v '^#' "$f")" in *debian.org*|*debian/*|*debian-security*) ;; *) continue ;; esac
	mkdir -p "$root$(dirname "$f")" && cp "$f" "$root$f"
done
[ -f "$root/etc/apt/sources.list.d/debian.sources" ] && : > "$root/etc/apt/sources.list"
cp /usr/share/keyrings/debian-archive-keyring.gpg "$root/usr/share/keyrings/" 2>/dev/null
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
check "the root has no modinfo, zstd or clang before the dependency step" \
	chroot "$root" sh -c '! command -v modinfo && ! command -v zstd && ! command -v clang'

mkdir -p "$root/src/faultline"
git ls-files -z -co --exclude-standard | tar -c --null -T - 2>/dev/null | tar -x -C "$root/src/faultline"
check "the project is copied in (no build/)" test -f "$root/src/faultline/Makefile" -a ! -e "$root/src/faultline/build"

bind proc "$root/proc" -t proc
bind sysfs "$root/sys" -t sysfs
bind /dev "$root/dev" --bind
bind "$cache/archives" "$root/var/cache/apt/archives" --bind
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 bash -c "cd /src/faultline && $1"; }

# step VAR DESC LOG CMD: run CMD in the root, ok/not ok with its seconds (in VAR), log tail on failure
step() {
	local var=$1 desc=$2 log=$3 t0=$SECONDS
	if in_root "$4" > "$log" 2>&1; then
		ok "$desc ($((SECONDS - t0)) s)"
	else
		notok "$desc: failed ($((SECONDS - t0)) s)"
		tail -20 "$log" | sed 's/^/# /'
	fi
	printf -v "$var" '%s' $((SECONDS - t0))
}
step t_deps "scripts/deps.sh installs the package list" "$TMP/deps.log" "scripts/deps.sh"
expect_exit 0 "scripts/deps.sh --check then finds nothing missing" in_root "scripts/deps.sh --check"
step t_make "make all builds" "$TMP/make.log" "make -j2 all"
check "bin/faultline and bin/faultline-agent exist" \
	test -x "$root/src/faultline/bin/faultline" -a -x "$root/src/faultline/bin/faultline-agent"
expect_exit 0 "faultline list runs in the root" in_root "bin/faultline list"
for c in modinfo depmod zstd xz clang readelf cpio gzip qemu-system-x86_64 busybox gnuplot \
	ssh sshd git curl python3 debootstrap; do
	check "$c is installed by the package list" in_root "command -v $c > /dev/null"
done
check "python3 has jsonschema" in_root "python3 -c 'import jsonschema'"
check "commands_packaged passes in the fresh root" \
	in_root "FL_ROOT=/src/faultline tests/integration/commands_packaged.sh > /tmp/cp.log 2>&1 || { tail -5 /tmp/cp.log; false; }"

check "every mount is undone" unmount_all
echo "# figures: debootstrap ${t_boot} s, deps ${t_deps} s, make all ${t_make} s"
done_testing
