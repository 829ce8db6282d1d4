#!/usr/bin/env bash
# The QEMU command line the qemu target builds, seen by a stand-in qemu-system-x86_64 that
# records its argv and exits (seconds, no guest): no user string (kernel image path, results
# dir, suite name with commas, quotes and $(...)) in any option value, every path a fixed name
# in the runner's private /tmp/faultline-qemu-XXXXXX (gone after the run); TCG single-threaded
# where the host (this process's CPU affinity) has fewer CPUs than the guest, else multi.
. "$(dirname "$0")/lib.sh"
F=$FL_BIN/faultline

if [ "$(uname -m)" != x86_64 ] || ! command -v taskset > /dev/null; then
	skip "this host is not x86_64 or has no taskset"
	done_testing
	exit
fi

mkdir -p "$TMP/bin"
cat > "$TMP/bin/qemu-system-x86_64" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' "$@" > "$FAKE_QEMU_OUT/argv"
prev=
for a in "$@"; do
	case $prev in
	-kernel) readlink "$a" > "$FAKE_QEMU_OUT/kernel" ;;
	-initrd) readlink "$a" > "$FAKE_QEMU_OUT/initrd" ;;
	esac
	prev=$a
done
echo "fake qemu: not booting" >&2
exit 1
EOF
chmod +x "$TMP/bin/qemu-system-x86_64"
export PATH="$TMP/bin:$PATH"

evil="$TMP/k,dir'x\"\$(touch pwned),path=y"
mkdir -p "$evil"
head -c 65536 /dev/zero > "$evil/bz,Image"
printf 'HdrS' | dd of="$evil/bz,Image" bs=1 seek=514 conv=notrunc status=none
printf '{"name": "q,path=z", "iterations": 1, "warmup": 0, "timeout_s": 30, "cases": [
  {"workload": "ebizzy", "params": {"threads": 1, "seconds": 1}}]}\n' > "$TMP/suite.json"

# run NAME TASKSET_CPUS [faultline args...]: the fake QEMU's argv into $TMP/NAME/argv
run() {
	local name=$1 cpus=$2
	shift 2
	mkdir -p "$TMP/$name"
	FAKE_QEMU_OUT=$TMP/$name taskset -c "$cpus" "$F" run --target qemu --accel tcg \
		--kernel "$evil/bz,Image" --boot-timeout 20 --out "$TMP/$name/out,path=w" "$@" \
		"$TMP/suite.json" > "$TMP/stdout" 2> "$TMP/stderr"
	echo $? > "$TMP/$name/rc"
}
argv_after() { awk -v o="$2" 'p { print; exit } $0 == o { p = 1 }' "$TMP/$1/argv"; }

run single 0 --cpus 2
if grep -q "suite name\|\"name\"" "$TMP/stderr" && [ "$(cat "$TMP/single/rc")" = 2 ]; then
	sed -i 's/"q,path=z"/"qemuargv"/' "$TMP/suite.json"	# the loader refuses it: fine
	run single 0 --cpus 2
fi
check "QEMU was started (the stand-in recorded its argv)" test -s "$TMP/single/argv"
check "the boot failed as QEMU exited (exit 3)" test "$(cat "$TMP/single/rc")" = 3
check "no argument holds the image's directory" bash -c "! grep -qF 'k,dir' '$TMP/single/argv'"
check "no argument holds the results dir" bash -c "! grep -qF 'out,path' '$TMP/single/argv'"
check "no argument holds the suite name" bash -c "! grep -qF 'q,path=z' '$TMP/single/argv'"
check "no argument holds a quote or \$(" bash -c "! grep -qE \"['\\\"]|[$][(]\" '$TMP/single/argv'"
chan=$(argv_after single -chardev)
check "the channel is DIR/chan in a private dir ($chan)" \
	bash -c "[[ '$chan' =~ ^socket,id=fl,path=/tmp/faultline-qemu-[A-Za-z0-9]{6}/chan,server=on,wait=off$ ]]"
dir=${chan#socket,id=fl,path=}
dir=${dir%/chan,server=on,wait=off}
check "-kernel is DIR/kernel" test "$(argv_after single -kernel)" = "$dir/kernel"
check "-initrd is DIR/initrd" test "$(argv_after single -initrd)" = "$dir/initrd"
check "DIR/kernel pointed at the image" test "$(cat "$TMP/single/kernel")" = "$(readlink -f "$evil/bz,Image")"
check "DIR/initrd pointed at the agent's initramfs" grep -q "/build/initramfs/x86_64-.*\.cpio\.gz$" "$TMP/single/initrd"
check "the private dir is removed after the run" test ! -e "$dir"
check "1 host CPU, 2 vCPUs: -accel tcg,thread=single" test "$(argv_after single -accel)" = tcg,thread=single
if [ -f "$TMP/single/out,path=w/run.json" ]; then
	check "run.json records tcg_thread single" \
		test "$(jget "$TMP/single/out,path=w/run.json" "['run']['target']['tcg_thread']")" = single
fi

run multi 0 --cpus 1
check "1 host CPU, 1 vCPU: -accel tcg,thread=multi" test "$(argv_after multi -accel)" = tcg,thread=multi
check "a boot under multi-threaded TCG that is no kernel report is not retried" \
	bash -c "! grep -q 'booting once more' '$TMP/stderr'"

n=$(nproc)
run default "0-$((n - 1))"
want=multi
[ "$n" -lt 4 ] && want=single
check "$n host CPUs, the machine's 4 vCPUs: thread=$want" test "$(argv_after default -accel)" = "tcg,thread=$want"
done_testing
