# A throw-away LAVA instance on 127.0.0.1 for tests/slow/lava_server.sh (sourced; bash).
# shellcheck shell=bash
#
# Debian 12's lava-server and lava-dispatcher packages, run by hand (this machine has no
# systemd, and a test must not touch the system's services): a private PostgreSQL cluster
# (initdb in a temporary directory, 127.0.0.1 and a socket there, password auth), lava-server's
# Django with gunicorn and the scheduler, and one lava-worker, on free loopback ports. The
# caller runs in a private mount namespace (lava_ns_enter), where /etc/lava-server,
# /var/lib/lava-server, /var/log/lava-server and /var/lib/lava/dispatcher are bind mounts of
# copies in the temporary directory: what the instance writes (settings, the device
# dictionary, the worker's env, job logs, Django's log, lava-run's job files) never reaches the
# host's files, and the mounts go with the last process of the namespace. lava_down stops
# every process lava_up started, by its id (each lava-run of the worker by its group).
#
# After lava_up: LAVA_URL (http://127.0.0.1:PORT/), LAVA_TOKEN_FILE (the API token of the
# superuser "faultline", mode 0600), LAVA_WORKER (the worker's name), LAVA_DEVICE,
# LV (the instance's directory), LAVA_SETUP_S (seconds lava_up took).

LAVA_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAVA_WORKER=faultline-worker
LAVA_DEVICE=qemu-01
LAVA_PIDS=()

# Re-run the calling script in a private mount namespace (once).
lava_ns_enter() {
	[ -n "${FL_LAVA_NS:-}" ] && return 0
	FL_LAVA_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
}

lava_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# lava_bg NAME CMD...: start CMD as its own process group (setsid), output to $LV/log/NAME.out
lava_bg() {
	local name=$1; shift
	setsid "$@" > "$LV/log/$name.out" 2>&1 < /dev/null &
	LAVA_PIDS+=("$!")
	echo "$!" > "$LV/$name.pid"
}

lava_manage() { lava-server manage "$@"; }

# Wait up to $1 seconds for CMD to succeed.
lava_until() {
	local n=$1; shift
	for _ in $(seq "$((n * 2))"); do "$@" > /dev/null 2>&1 && return 0; sleep 0.5; done
	return 1
}

lava_mounts() {
	local d
	for d in /etc/lava-server /var/lib/lava-server /var/log/lava-server \
		 /var/lib/lava/dispatcher; do
		[ -d "$d" ] || continue	# the packages make them all; none is made here
		mkdir -p "$LV/root$d"
		cp -a "$d/." "$LV/root$d/"
		mount --bind "$LV/root$d" "$d" || return 1
	done
}

lava_pg_up() {
	local bin=/usr/lib/postgresql/15/bin
	mkdir -p "$LV/pg/sock" && chown -R postgres: "$LV/pg" && chmod 700 "$LV/pg"
	LAVA_PG_PORT=$(lava_free_port)
	(umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$LV/db.pw")
	runuser -u postgres -- "$bin/initdb" -D "$LV/pg/data" -U postgres --auth-local=peer \
		--auth-host=scram-sha-256 -E UTF-8 --locale=C.UTF-8 > "$LV/log/initdb.out" 2>&1 || return 1
	lava_bg postgres runuser -u postgres -- "$bin/postgres" -D "$LV/pg/data" -k "$LV/pg/sock" \
		-h 127.0.0.1 -p "$LAVA_PG_PORT"
	lava_until 30 "$bin/pg_isready" -q -h 127.0.0.1 -p "$LAVA_PG_PORT" || return 1
	# the role's password goes on psql's stdin, never argv
	printf "CREATE ROLE lavaserver LOGIN PASSWORD '%s';\nCREATE DATABASE lavaserver OWNER lavaserver ENCODING 'UTF-8' TEMPLATE template0;\n" \
		"$(cat "$LV/db.pw")" | runuser -u postgres -- psql -q -h "$LV/pg/sock" -p "$LAVA_PG_PORT" \
		-U postgres -f - > "$LV/log/psql.out" 2>&1
}

lava_settings() {
	local s=/etc/lava-server/settings.d/01-faultline-test.yaml
	(umask 077; cat > "$s" <<EOF
# tests/slow/lava_server.sh: this instance's database and hosts (a private copy of /etc)
DATABASES:
  default:
    ENGINE: "django.db.backends.postgresql"
    NAME: "lavaserver"
    USER: "lavaserver"
    PASSWORD: "$(cat "$LV/db.pw")"
    HOST: "127.0.0.1"
    PORT: $LAVA_PG_PORT
ALLOWED_HOSTS: ["127.0.0.1", "localhost"]
EOF
	)
	# a key of its own: Debian's postinst writes one only when it has a database to set up
	[ -s /etc/lava-server/settings.d/00-secret-key.yaml ] ||
		(umask 077; printf 'SECRET_KEY: "%s"\n' "$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
			> /etc/lava-server/settings.d/00-secret-key.yaml)
}

# lava_worker_env KERNEL MODULES: this worker's env.yaml (see env.yaml)
lava_worker_env() {
	local d=/etc/lava-server/dispatcher.d/$LAVA_WORKER
	mkdir -p "$d" "$LV/cache"
	sed -e "s|@SUPERMIN_KERNEL@|$1|" -e "s|@SUPERMIN_MODULES@|$2|" -e "s|@CACHEDIR@|$LV/cache|" \
		"$LAVA_HERE/env.yaml" > "$d/env.yaml"
}

lava_objects() {
	local tok
	lava_manage users add faultline --superuser --staff > "$LV/log/users.out" 2>&1 || return 1
	(umask 077; lava_manage tokens add --user faultline --description faultline-test \
		> "$LV/api-token") || return 1
	LAVA_TOKEN_FILE=$LV/api-token
	lava_manage device-types add qemu > "$LV/log/dt.out" 2>&1 || return 1
	tok=$(lava_manage workers add "$LAVA_WORKER" --description "faultline test worker") || return 1
	(umask 077; printf '%s\n' "${tok#Token: }" > "$LV/worker-token")
	cp "$LAVA_HERE/$LAVA_DEVICE.jinja2" /etc/lava-server/dispatcher-config/devices/
	lava_manage devices add "$LAVA_DEVICE" --device-type qemu --worker "$LAVA_WORKER" \
		> "$LV/log/devices.out" 2>&1
}

lava_worker_up() {
	mkdir -p "$LV/worker"
	lava_bg worker env -u FAULTLINE_LAVA_TOKEN nice -n 10 lava-worker --name "$LAVA_WORKER" \
		--url "$LAVA_URL" --token-file "$LV/worker-token" --worker-dir "$LV/worker" \
		--log-file "$LV/log/worker.log" --level DEBUG
}

# The worker and the jobs it runs: each lava-run is a process group of its own (with its QEMU)
lava_worker_down() {
	local p c
	p=$(cat "$LV/worker.pid" 2> /dev/null) || return 0
	for c in $(pgrep -P "$p"); do kill -TERM -- "-$c" 2> /dev/null; done
	kill -TERM -- "-$p" 2> /dev/null
	lava_until 20 sh -c '! kill -0 "$0" 2> /dev/null' "$p"
	kill -KILL -- "-$p" 2> /dev/null
	mv "$LV/worker.pid" "$LV/worker.stopped"
}

# lava_up KERNEL MODULES: everything, in order; 0 or 1 with the step in $LAVA_FAILED
lava_up() {
	local t0=$SECONDS port
	LV=$TMP/lava
	chmod 711 "$TMP"
	mkdir -p "$LV/log"
	LAVA_FAILED="bind-mount private copies of /etc/lava-server, /var/lib/lava-server, /var/log/lava-server, /var/lib/lava/dispatcher"
	lava_mounts || return 1
	mkdir -p /var/lib/lava-server/default/media/job-output /var/lib/lava-server/home
	LAVA_FAILED="start PostgreSQL (initdb, postgres on 127.0.0.1; see $LV/log)"
	lava_pg_up || return 1
	lava_settings
	lava_worker_env "$1" "$2"
	LAVA_FAILED="lava-server manage migrate"
	lava_manage migrate --noinput > "$LV/log/migrate.out" 2>&1 || return 1
	LAVA_FAILED="lava-server manage users/tokens/device-types/workers/devices add"
	lava_objects || return 1
	port=$(lava_free_port)
	LAVA_URL=http://127.0.0.1:$port/
	lava_bg gunicorn nice -n 5 gunicorn3 lava_server.wsgi --bind "127.0.0.1:$port" --workers 2 \
		--worker-class eventlet --timeout 120 --log-file "$LV/log/gunicorn.log"
	LAVA_FAILED="gunicorn answering on $LAVA_URL"
	lava_until 60 curl -sf -o /dev/null "${LAVA_URL}api/v0.2/" || return 1
	lava_bg scheduler nice -n 5 lava-server manage lava-scheduler --level DEBUG \
		--log-file "$LV/log/scheduler.log"
	lava_worker_up
	LAVA_FAILED="the worker going online"
	lava_until 60 sh -c 'lava-server manage workers details "$0" | grep -q "state *: Online"' \
		"$LAVA_WORKER" || return 1
	LAVA_SETUP_S=$((SECONDS - t0))
	LAVA_FAILED=
}

lava_down() {
	local p
	lava_worker_down
	for p in "${LAVA_PIDS[@]}"; do kill -TERM -- "-$p" 2> /dev/null; done
	for p in "${LAVA_PIDS[@]}"; do
		lava_until 20 sh -c '! kill -0 "$0" 2> /dev/null' "$p" || kill -KILL -- "-$p" 2> /dev/null
	done
	LAVA_PIDS=()
}
