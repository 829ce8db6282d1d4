#!/bin/busybox sh
# faultline guest init (PID 1 of the QEMU target's initramfs). Mounts the kernel file systems,
# finds the virtio-serial port named "faultline", says READY on it and then serves commands
# from the host, one per line:
#   RUN N          the next N lines are one argv; runs it, then sends its output (LOG frame),
#                  the document it wrote to /tmp/case.json (CASE frame) and "DONE <exit status>"
#   INFO           sends `faultline-agent --run-info` as an INFO frame
#   INJECT panic   test hook: echo c > /proc/sysrq-trigger (a real kernel panic)
#   INJECT hang    test hook: stop answering (the host's case timeout must catch it)
#   INJECT warn    test hook: a WARNING report on the console that the guest survives (the
#                  host must boot a fresh guest for the next case)
#   POWEROFF       powers the guest off
# A frame is "FRAME KIND LENGTH SHA256" on one line followed by exactly LENGTH bytes, so the
# host detects a truncated or corrupted document instead of parsing it.
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev 2>/dev/null
$B mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
	$B mount -t debugfs debugfs /sys/kernel/debug
$B mount -t tmpfs tmp /tmp
$B mkdir -p /dev/shm /var/tmp && $B mount -t tmpfs shm /dev/shm
echo 1 > /proc/sys/kernel/sysrq
# Modules this image needs (the result channel, zram): mkinitramfs.sh lists them in load
# order, dependencies first. One that does not load is said on the console; unless it is marked
# "soft" (only a soft dependency: optional, as for modprobe) the guest then answers FAIL instead
# of READY on the result port and powers off, so the run stops naming it rather than going on
# without it (a zram without its compressors: every swapin-collapse case skipped).
modfail= modok=
load_modules() {	# LIST
	[ -f "$1" ] || return 0
	while read -r m kind; do
		if out=$($B insmod "/lib/modules/$m.ko" 2>&1); then
			modok="${modok:+$modok }$m"
			continue
		fi
		if [ "$kind" = soft ]; then
			echo "faultline-init: note: optional module $m did not load: $out"
		else
			echo "faultline-init: FATAL: module $m did not load: $out"
			modfail="${modfail:+$modfail; }$m"
		fi
	done < "$1"
}
load_modules /etc/faultline-modules
[ -n "$modok" ] && echo "faultline-init: modules loaded: $modok"
[ -e /sys/block/zram0/comp_algorithm ] &&
	echo "faultline-init: zram0 comp_algorithm: $($B cat /sys/block/zram0/comp_algorithm)"

# LAVA mode (faultline.lava on the kernel command line: jobs from faultline lava render): no
# result channel; a shell on the console for lava-dispatcher, which attaches its test overlay
# as an ext2 virtio disk and mounts it by /dev/disk/by-uuid (made here: no udev), and whose
# test scripts need the usual commands (busybox's applets as links).
if $B grep -qw faultline.lava /proc/cmdline; then
	load_modules /etc/faultline-lava-modules	# a failure is on the console; LAVA's job fails
	$B mkdir -p /usr/bin /usr/sbin /sbin /dev/disk/by-uuid
	$B --install -s 2>/dev/null
	for try in 1 2 3 4 5 6 7 8 9 10; do
		[ -e /dev/vda ] && break
		$B sleep 0.5
	done
	for d in /dev/vd? /dev/sd?; do	# Debian's busybox has no blkid: the ext2 superblock's
		[ -b "$d" ] || continue	# s_uuid (16 bytes at 1024 + 104) as 8-4-4-4-12
		u=$($B od -An -tx1 -j1128 -N16 "$d" | $B tr -d ' \n' |
		    $B sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)/\1-\2-\3-\4-/')
		[ "${#u}" = 36 ] && $B ln -sf "$d" "/dev/disk/by-uuid/$u"
	done
	echo "faultline-init: LAVA mode, shell on the console"
	cd /
	exec $B setsid $B cttyhack $B sh
fi

port=
for try in 1 2 3 4 5 6 7 8 9 10; do
	for d in /sys/class/virtio-ports/*; do
		[ "$($B cat "$d/name" 2>/dev/null)" = faultline ] && port=/dev/${d##*/}
	done
	[ -n "$port" ] && [ -e "$port" ] && break
	$B sleep 0.5
done
if [ -z "$port" ] || [ ! -e "$port" ]; then
	echo "faultline-init: no virtio-serial port named faultline${modfail:+ (modules that did not load: $modfail)}; powering off"
	$B poweroff -f
fi
exec 3<> "$port"
if [ -n "$modfail" ]; then
	echo "faultline-init: modules did not load: $modfail; powering off"
	echo "FAIL modules did not load: $modfail (see the console)" >&3
	$B sleep 1	# the line reaches the host before the guest goes
	$B poweroff -f
fi

frame() {	# KIND FILE
	set -- "$1" "$2" "$($B wc -c < "$2")" "$($B sha256sum "$2")"
	echo "FRAME $1 $3 ${4%% *}" >&3
	$B cat "$2" >&3
}

echo "faultline-init: ready on $port"
echo "READY $($B uname -r)" >&3
while read -r cmd arg <&3; do
	case "$cmd" in
	RUN)
		set --
		i=0
		while [ "$i" -lt "$arg" ] && read -r a <&3; do
			set -- "$@" "$a"
			i=$((i + 1))
		done
		$B rm -f /tmp/case.json
		"$@" --json=/tmp/case.json > /tmp/case.log 2>&1
		rc=$?
		frame LOG /tmp/case.log
		[ -f /tmp/case.json ] && frame CASE /tmp/case.json
		echo "DONE $rc" >&3
		;;
	INFO)
		/bin/faultline-agent --run-info > /tmp/info.json 2> /tmp/info.log
		frame INFO /tmp/info.json
		;;
	INJECT)
		echo "faultline-init: test hook: $arg"
		case "$arg" in
		panic) echo c > /proc/sysrq-trigger ;;
		hang) while :; do $B sleep 1000; done ;;
		warn) echo '<2>WARNING: CPU: 0 PID: 1 at faultline/inject.c:1 faultline_injected_warning+0x0/0x10' > /dev/kmsg ;;
		esac
		;;
	POWEROFF)
		break
		;;
	esac
done
$B poweroff -f
