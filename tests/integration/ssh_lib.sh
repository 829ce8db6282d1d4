# Shared by the ssh target's tests (ssh_target.sh, ssh_untrusted.sh): a real sshd on the
# loopback interface (high port, throwaway host and user keys in $TMP, nothing in /etc or
# ~/.ssh). Port $PORT is a plain root login; port $FPORT answers `uname -m` with riscv64
# (a host we have no agent for). Sets PORT, FPORT, T (the --target) and FAULTLINE_SSH_CONFIG.
# shellcheck shell=bash
SSHD=/usr/sbin/sshd

# 0 when sshd, ssh and scp are installed
ssh_available() { [ -x "$SSHD" ] && command -v ssh > /dev/null && command -v scp > /dev/null; }

made_run_sshd=
ssh_cleanup() {
	[ -f "$TMP/sshd.pid" ] && kill "$(cat "$TMP/sshd.pid")" 2> /dev/null
	[ -n "$made_run_sshd" ] && rmdir /run/sshd 2> /dev/null
	[ -f "$TMP/agentdir" ] && rm -rf "$(cat "$TMP/agentdir")"
	rm -rf "$TMP"
}

ssh_setup() {
	trap ssh_cleanup EXIT
	# sshd insists on its privilege-separation directory; make it only for this test.
	if [ ! -d /run/sshd ]; then mkdir -m 755 /run/sshd && made_run_sshd=1; fi
	PORT=$((20000 + RANDOM % 20000)) FPORT=$((PORT + 1))
	ssh-keygen -q -t ed25519 -N '' -f "$TMP/host_key" && ssh-keygen -q -t ed25519 -N '' -f "$TMP/user_key"
	cp "$TMP/user_key.pub" "$TMP/authorized_keys"
	mkdir "$TMP/fakebin" && printf '#!/bin/sh\necho riscv64\n' > "$TMP/fakebin/uname"
	printf '#!/bin/sh\nPATH=%s:$PATH; export PATH; eval "$SSH_ORIGINAL_COMMAND"\n' "$TMP/fakebin" > "$TMP/force.sh"
	chmod +x "$TMP/fakebin/uname" "$TMP/force.sh"
	cat > "$TMP/sshd_config" <<EOC
Port $PORT
Port $FPORT
ListenAddress 127.0.0.1
HostKey $TMP/host_key
PidFile $TMP/sshd.pid
AuthorizedKeysFile $TMP/authorized_keys
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
Subsystem sftp /usr/lib/openssh/sftp-server
Match LocalPort $FPORT
	ForceCommand $TMP/force.sh
EOC
	{ echo "[127.0.0.1]:$PORT $(cat "$TMP/host_key.pub")"; echo "[127.0.0.1]:$FPORT $(cat "$TMP/host_key.pub")"; } > "$TMP/known_hosts"
	cat > "$TMP/ssh_config" <<EOC
Host *
	IdentityFile $TMP/user_key
	IdentitiesOnly yes
	UserKnownHostsFile $TMP/known_hosts
	StrictHostKeyChecking yes
	LogLevel ERROR
EOC
	export FAULTLINE_SSH_CONFIG=$TMP/ssh_config
	T=ssh:root@127.0.0.1:$PORT
}

start_sshd() {
	"$SSHD" -f "$TMP/sshd_config" -E "$TMP/sshd.log" || return 1
	for _ in $(seq 50); do
		ssh -F "$TMP/ssh_config" -p "$PORT" root@127.0.0.1 true 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}
# Skip the whole test (TAP) where the OpenSSH binaries are missing, else start the sshd.
ssh_require() {
	if ! ssh_available; then
		skip "openssh-server or openssh-client is not installed (scripts/packages.txt)"
		done_testing
		exit
	fi
	ssh_setup
}
