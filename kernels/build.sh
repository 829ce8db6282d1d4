#!/usr/bin/env bash
# Build a source candidate kernel: base tree + patch series + config fragments, out of tree,
# with ccache, cached by a content hash. Called by `faultline kernel build` (and by `run`), which
# has already checked the candidate file; usable by hand as well:
#
#   kernels/build.sh --name NAME --arch ARCH --kbuild-arch x86 --defconfig x86_64_defconfig \
#       --target bzImage --image arch/x86/boot/bzImage \
#       (--source TARBALL | --git URL --ref REF) [--patches DIR|MBOX] [--fragment FILE]... \
#       [--cross PREFIX] [--out ROOT/build/kernels] [--jobs N] [--reason-file FILE]
#
# Result: OUT/<hash>/{bzImage (the image, named as the arch's target), .config, build.json,
# build.log}; its last stdout line is "dir OUT/<hash>". Exit 0 built or cache hit, 1 the build
# failed (a patch, the config check or make: the message names it), 2 bad input, 3 environment;
# on failure, --reason-file gets that message as one line.
set -uo pipefail
export LC_ALL=C

# The whole script is one { ... } block: bash reads it all before running any of it, so a
# build that takes half an hour is not derailed when the checkout changes under it (git pull
# in a nightly, an edit).
{

KBUILD_VERSION=fl-kbuild-1	# bump when the steps below change what a build produces
name= arch= karch= defconfig= target= image= source= git= ref= patches= out= jobs= cross= reason_file=
fragments=()
orig_args=("$@")
say() { echo "faultline: $*" >&2; }
note() { [ -z "$reason_file" ] || printf '%s\n' "$*" > "$reason_file"; }
die() { local code=$1; shift; say "$*"; note "$*"; exit "$code"; }

while [ $# -gt 0 ]; do
	case $1 in
	--name) name=$2 ;;
	--arch) arch=$2 ;;
	--kbuild-arch) karch=$2 ;;
	--defconfig) defconfig=$2 ;;
	--target) target=$2 ;;
	--image) image=$2 ;;
	--source) source=$2 ;;
	--git) git=$2 ;;
	--ref) ref=$2 ;;
	--patches) patches=$2 ;;
	--fragment) fragments+=("$2") ;;
	--out) out=$2 ;;
	--jobs) jobs=$2 ;;
	--cross) cross=$2 ;;
	--reason-file) reason_file=$2 ;;
	*) die 2 "build.sh: unknown option $1" ;;
	esac
	shift 2 || die 2 "build.sh: option $1 needs a value"
done
here=$(cd "$(dirname "$0")/.." && pwd)
out=${out:-$here/build/kernels}
jobs=${jobs:-$(nproc)}
[ -n "$name" ] && [ -n "$arch" ] && [ -n "$karch" ] && [ -n "$defconfig" ] && [ -n "$target" ] &&
	[ -n "$image" ] || die 2 "build.sh: --name, --arch, --kbuild-arch, --defconfig, --target and --image are required"
if [ -n "$source" ]; then
	[ -f "$source" ] || die 2 "candidate $name: base source $source does not exist (install the Debian package linux-source-6.12, or name another tarball)"
elif [ -n "$git" ]; then
	[ -n "$ref" ] || die 2 "candidate $name: base git $git needs a ref"
else
	die 2 "candidate $name: no base (source tarball or git tree)"
fi
# The same rules as the candidate loader (runner/kernels/candidate.c), for calls by hand: the name
# becomes build/kernels/NAME; no value may turn into an option of git, tar, patch or sed.
[[ $name =~ ^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,63}$ ]] ||
	die 2 "build.sh: --name '$name' is not a safe name: expected 1-64 letters, digits, '.', '_', '+' or '-', not starting with '-' or '.'"
for v in "$ref" "$git" "$source" "$patches" "${fragments[@]}"; do
	[[ $v != -* ]] || die 2 "candidate $name: '$v' starts with '-' (a ref, URL or path, never an option)"
done
for v in "$ref" "$git"; do
	[[ ! $v =~ [[:space:][:cntrl:]] ]] || die 2 "candidate $name: git URL or ref '$v' holds a blank or control character"
done
for f in "${fragments[@]}"; do
	[ -f "$f" ] || die 2 "candidate $name: fragment $f does not exist"
done
for tool in ccache "${cross}gcc" make patch sha256sum; do
	command -v $tool > /dev/null && continue
	if [ "$tool" = "${cross}gcc" ] && [ -n "$cross" ]; then
		pkgs=$(awk -v a="$arch" '$2 == "cross" && $3 == a {printf "%s%s", s, $1; s = " "}' \
			"$(dirname "$0")/../scripts/packages.txt")
		die 3 "${cross}gcc is not installed: 'make deps-cross' (scripts/deps.sh --cross $arch) installs ${pkgs:-the $arch cross compiler}"
	fi
	die 3 "$tool is not installed (make deps installs it)"
done

# The patch list, in order: a directory of git format-patch files (*.patch, sorted by name) or
# one mbox file split into its messages.
plist=()
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
if [ -n "$patches" ]; then
	if [ -d "$patches" ]; then
		while IFS= read -r p; do plist+=("$p"); done < <(ls -1 "$patches"/*.patch "$patches"/*.diff 2>/dev/null | sort)
		[ ${#plist[@]} -gt 0 ] || die 2 "candidate $name: patch directory $patches holds no *.patch or *.diff"
		# A patch in the directory that is a link to a file elsewhere is not read.
		pdir=$(realpath "$patches")
		for p in "${plist[@]}"; do
			[ "$(realpath "$p")" = "$pdir/$(basename "$p")" ] ||
				die 2 "candidate $name: patch $p resolves outside $patches"
		done
	elif [ -f "$patches" ]; then
		if grep -q '^From [0-9a-f]\{40\} ' "$patches"; then
			git mailsplit -o"$tmpd/mbox" "$patches" > /dev/null 2>&1 ||
				die 2 "candidate $name: cannot split the mbox $patches"
			while IFS= read -r p; do plist+=("$p"); done < <(ls -1 "$tmpd"/mbox/* | sort)
		else
			plist=("$patches")
		fi
	else
		die 2 "candidate $name: patches $patches does not exist"
	fi
fi

# Content hash: base, patches, fragments, arch recipe, toolchain, this driver's version.
step() { say "[$1] $2"; }
step hash "hashing base, patches, fragments and toolchain"
if [ -n "$source" ]; then
	base_sha=$(sha256sum "$source" | cut -d' ' -f1)
	base_desc="$(basename "$source") sha256 $base_sha"
	base_id="source:$(basename "$source" .tar.xz)"
else
	gitdir=$out/git/$(echo "$git" | sha256sum | cut -c1-16)
	if [ ! -d "$gitdir" ]; then
		git -c protocol.ext.allow=never clone --bare -q -- "$git" "$gitdir" 2>"$tmpd/git.err" ||
			die 3 "candidate $name: cannot clone $git: $(tail -1 "$tmpd/git.err")"
	fi
	# --end-of-options: a ref is never an option (--upload-pack=... would run a command).
	base_sha=$(git -C "$gitdir" rev-parse --verify -q --end-of-options "$ref^{commit}" ||
		   { git -C "$gitdir" -c protocol.ext.allow=never fetch -q --end-of-options origin "$ref" 2>/dev/null &&
		     git -C "$gitdir" rev-parse --verify -q FETCH_HEAD; }) ||
		die 2 "candidate $name: ref $ref is not in $git"
	base_desc="$git $ref commit $base_sha"
	base_id="git:$git@$ref"
fi
cc_ver=$("${cross}gcc" --version | head -1)
ld_ver=$("${cross}ld" --version | head -1)
make_ver=$(make --version | head -1)
{
	echo "$KBUILD_VERSION"
	echo "arch $arch $karch $defconfig $target $image"
	echo "base $base_sha"
	for p in "${plist[@]}"; do echo "patch $(sha256sum < "$p" | cut -d' ' -f1)"; done
	for f in "${fragments[@]}"; do echo "fragment $(sha256sum < "$f" | cut -d' ' -f1)"; done
	echo "toolchain $cc_ver / $ld_ver / $make_ver"
	[ -z "$cross" ] || echo "cross $cross"
} > "$tmpd/key"
hash=$(sha256sum < "$tmpd/key" | cut -c1-16)
patches_sha=$(for p in "${plist[@]}"; do sha256sum < "$p"; done | sha256sum | cut -d' ' -f1)
dir=$out/$hash
imgname=$(basename "$image")
say "build $hash: $dir"

# One build of a hash at a time: a second faultline (another run, a nightly) waits for the
# first and then finds the cache hit.
mkdir -p "$out"
exec 9> "$out/$hash.lock"
if ! flock -n 9; then
	say "another build of this kernel ($hash) is running; waiting for it"
	flock 9
fi
if [ -s "$dir/build.json" ] && [ -s "$dir/$imgname" ]; then
	step cache "hit: $name is already built in $dir"
	ln -sfn "$hash" "$out/$name"
	echo "dir $dir"
	exit 0
fi

mkdir -p "$dir"
log=$dir/build.log
: > "$log"
start=$(date +%s)
fail() {	# STEP SENTENCE
	say "$2"
	say "last lines of $log:"
	tail -n 25 "$log" | sed 's/^/    /' >&2
	say "build of $name failed at step '$1'; the whole log is $log"
	note "$2 (step $1; log $log)"
	exit 1
}

# Pristine base tree, unpacked once per base and shared (hard links) by every candidate.
src=$dir/src
rm -rf "$src"
pristine=$out/src-$(echo "$base_sha" | cut -c1-16)
if [ ! -f "$pristine/.fl-complete" ]; then
	step unpack "unpacking the base into $pristine (once per base)"
	rm -rf "$pristine" && mkdir -p "$pristine"
	if [ -n "$source" ]; then
		tar -xJf "$source" -C "$pristine" --strip-components=1 >> "$log" 2>&1 ||
			fail unpack "cannot unpack $source"
	else
		git -C "$gitdir" archive "$base_sha" | tar -x -C "$pristine" >> "$log" 2>&1 ||
			fail unpack "cannot export $base_sha from $git"
	fi
	touch "$pristine/.fl-complete"
fi
cp -al "$pristine" "$src" || fail unpack "cannot link the base tree into $src"
rm -f "$src/.fl-complete"

# Patches in order. patch(1) writes each changed file anew, so the shared tree stays pristine.
n=0
for p in "${plist[@]}"; do
	n=$((n + 1))
	pname=$(basename "$p")
	step patch "applying $n/${#plist[@]} $pname"
	if ! patch -d "$src" -p1 --batch --forward --no-backup-if-mismatch -r - < "$p" > "$tmpd/patch.out" 2>&1; then
		cat "$tmpd/patch.out" >> "$log"
		hunks=$(grep -E 'Hunk #[0-9]+ FAILED|can.t find file|No file to patch|Reversed|malformed' "$tmpd/patch.out" |
			sed 's/^/    /' | head -5)
		file=$(grep -E '^patching file' "$tmpd/patch.out" | tail -1 | sed 's/patching file //')
		say "patch $p does not apply to $base_id${file:+ (file $file)}:"
		echo "$hunks" >&2
		say "build of $name failed at step 'patch' ($pname); the whole log is $log"
		note "patch $pname does not apply${file:+ to $file}: $(echo "$hunks" | head -1 | sed 's/^ *//') (log $log)"
		exit 1
	fi
	cat "$tmpd/patch.out" >> "$log"
done

# Config: the arch's defconfig, the fragments merged by the tree's own merge_config.sh, then
# olddefconfig; then every requested symbol is checked in the final .config. The object dir is
# src/out, a direct subdirectory, so kbuild uses relative paths (srctree = ..) and ccache hits
# across candidates whose trees differ only in a few files.
obj=$src/out
# Seed: an earlier build of the same base, fragments, arch and toolchain (only the patches
# differ) lends its object dir, so make recompiles just what the patches touch (timestamps),
# and ccache covers the rest.
seed=$(python3 - "$out" "$hash" "$base_sha" "$arch" "$cc_ver" "${fragments[@]}" 2>/dev/null <<'PY'
import glob, hashlib, json, os, sys
out, me, base, arch, cc, frags = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
want = [hashlib.sha256(open(f, 'rb').read()).hexdigest() for f in frags]
best = None
for bj in glob.glob(os.path.join(out, '*', 'build.json')):
    d = os.path.dirname(bj)
    if os.path.islink(d) or os.path.basename(d) == me or not os.path.isdir(os.path.join(d, 'src', 'out')):
        continue
    try:
        b = json.load(open(bj))
    except ValueError:
        continue
    if (b.get('base', {}).get('sha256') == base and b.get('arch') == arch and
        b.get('toolchain', {}).get('cc') == cc and [f['sha256'] for f in b.get('fragments', [])] == want):
        if best is None or b.get('patches', {}).get('count', 0) < best[1]:
            best = (d, b.get('patches', {}).get('count', 0))
print(best[0] if best else '')
PY
)
if [ -n "$seed" ]; then
	step seed "copying the object dir of $(basename "$seed") (same base, fragments, toolchain)"
	cp -a "$seed/src/out" "$obj" || fail seed "cannot copy $seed/src/out"
	# Built files the patches may have made stale are judged by make from timestamps.
fi
mkdir -p "$obj" "$tmpd/frag"
mk() { make -C "$src" O="$obj" ARCH="$karch" ${cross:+CROSS_COMPILE="$cross"} "$@"; }
step config "make $defconfig + ${#fragments[@]} fragment(s) + olddefconfig"
mk "$defconfig" >> "$log" 2>&1 || fail config "make $defconfig failed"
merged=()
i=0
for f in "${fragments[@]}"; do
	i=$((i + 1))
	# Strip the "# optional" marks: a .config value is the whole rest of the line.
	sed -E 's/[[:space:]]+#[[:space:]]*optional.*$//' "$f" > "$tmpd/frag/$i-$(basename "$f")"
	merged+=("$tmpd/frag/$i-$(basename "$f")")
done
if [ ${#merged[@]} -gt 0 ]; then
	(cd "$src" && ARCH="$karch" scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "${merged[@]}") >> "$log" 2>&1 ||
		fail config "scripts/kconfig/merge_config.sh failed"
fi
mk olddefconfig >> "$log" 2>&1 || fail config "make olddefconfig failed"

# Check: SYMBOL wanted VALUE, from each fragment; optional ones are reported only.
bad=() soft=()
kconfig_defs() { grep -rn --include='Kconfig*' -E "^[[:space:]]*(menu)?config[[:space:]]+$1\$" "$src" 2>/dev/null | head -1; }
reason() {	# SYMBOL
	local def file line deps
	def=$(kconfig_defs "$1")
	if [ -z "$def" ]; then
		echo "unknown to this tree"
		return
	fi
	file=${def%%:*} line=$(echo "$def" | cut -d: -f2)
	deps=$(awk -v l="$line" 'NR > l && /^[[:space:]]*(config|menuconfig|endmenu|endif|menu|choice|if)[[:space:]]/ && NR > l + 0 {exit}
		NR > l && /^[[:space:]]*depends on/ {sub(/^[[:space:]]*depends on[[:space:]]*/, ""); printf "%s%s", sep, $0; sep=" && "}' "$file")
	if [ -n "$deps" ]; then
		echo "missing dependency (${file#"$src"/}: depends on $deps)"
	else
		echo "not selectable here (${file#"$src"/}: no prompt, or selected only by other symbols)"
	fi
}
for f in "${fragments[@]}"; do
	while IFS= read -r l; do
		opt=0
		[[ $l =~ \#[[:space:]]*optional ]] && opt=1
		l=$(echo "$l" | sed -E 's/[[:space:]]+#[[:space:]]*optional.*$//')
		if [[ $l =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			sym=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
		elif [[ $l =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set ]]; then
			sym=${BASH_REMATCH[1]} want=n
		else
			continue
		fi
		got=$(grep -E "^$sym=" "$obj/.config" | head -1 | cut -d= -f2-)
		[ -z "$got" ] && got=n
		[ "$got" = "$want" ] && continue
		msg="$sym=$want (got $got; $(basename "$f")): $(reason "${sym#CONFIG_}")"
		if [ $opt = 1 ]; then soft+=("$msg"); else bad+=("$msg"); fi
	done < "$f"
done
for m in "${soft[@]}"; do say "optional symbol not set: $m"; done
if [ ${#bad[@]} -gt 0 ]; then
	say "candidate $name: ${#bad[@]} requested config symbol(s) did not stick:"
	for m in "${bad[@]}"; do echo "    $m" >&2; done
	echo "config check failed: ${bad[*]}" >> "$log"
	say "build of $name failed at step 'config check'; the merged .config is $obj/.config"
	note "${#bad[@]} config symbol(s) did not stick: $(printf '%s; ' "${bad[@]}" | sed 's/; $//')"
	exit 1
fi

# Compile: ccache, fixed build identity, make's output summarized every 30 s.
export CCACHE_DIR=${CCACHE_DIR:-$out/ccache} CCACHE_NOHASHDIR=1 CCACHE_COMPILERCHECK=content
ccache -M 8G > /dev/null 2>&1
export KBUILD_BUILD_USER=faultline KBUILD_BUILD_HOST=faultline KBUILD_BUILD_TIMESTAMP="1970-01-01 00:00:00 UTC"
step make "make -j$jobs $target (CC=ccache ${cross}gcc); a summary every 30 s"
mk -j"$jobs" CC="ccache ${cross}gcc" "$target" >> "$log" 2>&1 &
mpid=$!
trap 'kill $mpid 2>/dev/null; rm -rf "$tmpd"' EXIT
t0=$(date +%s)
while kill -0 $mpid 2>/dev/null; do
	for _ in $(seq 30); do kill -0 $mpid 2>/dev/null || break; sleep 1; done
	kill -0 $mpid 2>/dev/null || break
	cc=$(grep -c '^  CC ' "$log") ld=$(grep -c '^  LD ' "$log") ar=$(grep -c '^  AR ' "$log")
	say "[make] $((($(date +%s) - t0) / 60))m$((($(date +%s) - t0) % 60))s: $cc CC, $ld LD, $ar AR lines"
done
wait $mpid
rc=$?
trap 'rm -rf "$tmpd"' EXIT
[ $rc = 0 ] || fail make "make $target failed (exit $rc)"
[ -s "$obj/$image" ] || fail make "make finished but $image is missing"

# Results.
release=$(mk -s kernelrelease 2>/dev/null | tail -1)
cp "$obj/$image" "$dir/$imgname"
cp "$obj/.config" "$dir/.config"
end=$(date +%s)
cstats=$(ccache -s 2>/dev/null | grep -E 'Hits|Misses' | head -2 | tr -s ' ' | paste -sd';' -)
q() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
repro="kernels/build.sh"
for a in "${orig_args[@]}"; do repro+=" '$a'"; done
{
	echo "{"
	echo "  \"name\": \"$(q "$name")\", \"hash\": \"$hash\", \"arch\": \"$arch\","
	echo "  \"release\": \"$(q "$release")\","
	echo "  \"base\": {\"id\": \"$(q "$base_id")\", \"sha256\": \"$base_sha\", \"describe\": \"$(q "$base_desc")\"},"
	echo "  \"patches\": {\"path\": \"$(q "$patches")\", \"count\": ${#plist[@]}, \"sha256\": \"$patches_sha\", \"files\": ["
	sep=
	for p in "${plist[@]}"; do
		printf '%s    {"file": "%s", "sha256": "%s"}' "$sep" "$(q "$(basename "$p")")" "$(sha256sum < "$p" | cut -d' ' -f1)"
		sep=$',\n'
	done
	echo "]},"
	echo "  \"fragments\": ["
	sep=
	for f in "${fragments[@]}"; do
		printf '%s    {"file": "%s", "sha256": "%s"}' "$sep" "$(q "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"
		sep=$',\n'
	done
	echo "],"
	echo "  \"optional_missing\": ["
	sep=
	for m in "${soft[@]}"; do printf '%s    "%s"' "$sep" "$(q "$m")"; sep=$',\n'; done
	echo "],"
	echo "  \"config_sha256\": \"$(sha256sum < "$dir/.config" | cut -d' ' -f1)\","
	echo "  \"toolchain\": {\"cc\": \"$(q "$cc_ver")\", \"ld\": \"$(q "$ld_ver")\", \"make\": \"$(q "$make_ver")\", \"ccache\": \"$(q "$(ccache --version | head -1)")\"},"
	echo "  \"ccache\": \"$(q "$cstats")\","
	echo "  \"duration_s\": $((end - start)), \"image\": \"$imgname\", \"image_bytes\": $(stat -c %s "$dir/$imgname"),"
	echo "  \"built\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
	echo "  \"command\": \"$(q "$repro")\""
	echo "}"
} > "$dir/build.json.tmp"
mv "$dir/build.json.tmp" "$dir/build.json"
ln -sfn "$hash" "$out/$name"
step done "$name built in $((end - start)) s: $dir/$imgname ($release)"
echo "dir $dir"
exit 0
}
