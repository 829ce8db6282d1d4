# shellcheck shell=bash
# Sourced by kernels/fetch-debian.sh and scripts/sysroot.sh: apt for one Debian architecture with
# its own package lists under build/apt/DEBARCH/, so a foreign arch needs no
# `dpkg --add-architecture` and never touches this host's apt state. An index that fails to
# update (a mirror sync in progress, often the security suite of one arch) does not block the
# others: each arch updates alone, is retried, and what resolves is used.
#   apt_arch_init DEBARCH DIR      set up DIR (lists, cache, an empty dpkg status)
#   apt_arch_update                apt-get update, up to 3 tries; warns and goes on if one fails
#   aptx apt-get|apt-cache ARGS    run with this arch's state
apt_arch_init() {
	APT_ARCH=$1 APT_DIR=$2
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	[ -e "$APT_DIR/status" ] || : > "$APT_DIR/status"
	APT_OPTS=(-o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache"
		-o "Dir::State::status=$APT_DIR/status" -o "APT::Architecture=$APT_ARCH"
		-o "APT::Architectures::=$APT_ARCH" -o Debug::NoLocking=1
		-o Acquire::Languages=none -o APT::Sandbox::User=root)
}

aptx() {
	local tool=$1
	shift
	"$tool" "${APT_OPTS[@]}" "$@"
}

# Lists younger than a day are reused; an update that fails is retried twice, then the lists
# that did arrive are used (apt keeps the indexes that updated).
apt_arch_update() {
	local stamp=$APT_DIR/updated try
	if [ -e "$stamp" ] && [ -n "$(find "$stamp" -mmin -1440)" ]; then
		return 0
	fi
	for try in 1 2 3; do
		if aptx apt-get update -q > "$APT_DIR/update.log" 2>&1; then
			touch "$stamp"
			return 0
		fi
		[ "$try" = 3 ] || sleep $((try * 5))
	done
	echo "faultline: apt-get update for $APT_ARCH failed 3 times ($(grep -m1 '^E:' \
"$APT_DIR/update.log" | cut -c4-120)); using the package lists that did arrive" >&2
}
