#!/usr/bin/env bash
# Makes sure the services Herald needs for `make run` and `make test` answer locally:
#   NATS with JetStream on 127.0.0.1:4222, PostgreSQL on 127.0.0.1:5432 (user postgres, trust).
# For each: reachable -> say so; installed -> start it; missing and we are root on Debian
# -> apt-get install it; otherwise say what is missing and exit 1.
set -euo pipefail

NATS_HOST=127.0.0.1
NATS_PORT=4222
PG_HOST=127.0.0.1
PG_PORT=5432
WAIT_SECS=20

NATS_BIN=/usr/sbin/nats-server
NATS_STORE=/var/lib/nats-server
NATS_LOG=/var/log/nats-server.log

say() { printf 'dev-services: %s\n' "$*"; }
die() { printf 'dev-services: error: %s\n' "$*" >&2; exit 1; }

# True when something accepts TCP connections on host:port (bash /dev/tcp, no nc needed).
reachable() {
    local host=$1 port=$2
    (exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null
}

# Waits up to WAIT_SECS for host:port to accept connections.
wait_for() {
    local name=$1 host=$2 port=$3 i
    for ((i = 0; i < WAIT_SECS * 2; i++)); do
        if reachable "$host" "$port"; then
            say "$name is up on $host:$port."
            return 0
        fi
        sleep 0.5
    done
    die "$name did not answer on $host:$port within ${WAIT_SECS}s."
}

# The INFO line that nats-server sends on connect; it says whether JetStream is enabled.
nats_info() {
    (
        exec 3<>"/dev/tcp/${NATS_HOST}/${NATS_PORT}"
        line=""
        IFS= read -r -t 3 line <&3 || true
        printf '%s' "$line"
    ) 2>/dev/null || true
}

can_apt_install() {
    [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -r /etc/debian_version ]]
}

APT_UPDATED=0
apt_install() {
    if [[ $APT_UPDATED -eq 0 ]]; then
        say "running apt-get update."
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    say "installing $* with apt-get."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_nats() {
    if ! reachable "$NATS_HOST" "$NATS_PORT"; then
        if [[ ! -x $NATS_BIN ]]; then
            if can_apt_install; then
                apt_install nats-server
            else
                die "NATS is not running on $NATS_HOST:$NATS_PORT and nats-server is not installed. Install it (Debian: apt-get install nats-server) or start a NATS server with JetStream (-js) there."
            fi
        fi
        # A packaged service may have started on install; otherwise start our own.
        if ! reachable "$NATS_HOST" "$NATS_PORT"; then
            say "starting nats-server with JetStream on $NATS_HOST:$NATS_PORT (store $NATS_STORE, log $NATS_LOG)."
            mkdir -p "$NATS_STORE"
            start-stop-daemon --start --oknodo --background --exec "$NATS_BIN" -- \
                -a "$NATS_HOST" -p "$NATS_PORT" -js -sd "$NATS_STORE" -l "$NATS_LOG"
        fi
        wait_for NATS "$NATS_HOST" "$NATS_PORT"
    fi

    local info
    info=$(nats_info)
    if [[ $info == *'"jetstream":true'* ]]; then
        say "NATS with JetStream is reachable on $NATS_HOST:$NATS_PORT."
    elif [[ -z $info ]]; then
        die "something listens on $NATS_HOST:$NATS_PORT but did not greet like a NATS server."
    else
        die "NATS on $NATS_HOST:$NATS_PORT runs without JetStream; restart it with -js."
    fi
}

pg_version() {
    ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true
}

# On a fresh install, let local TCP connections in as any user without a password.
pg_trust_localhost() {
    local version=$1 hba
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    [[ -w $hba ]] || return 0
    if ! grep -q '^host[[:space:]]\+all[[:space:]]\+all[[:space:]]\+127.0.0.1/32[[:space:]]\+trust' "$hba"; then
        say "allowing trust authentication from 127.0.0.1 in $hba (development only)."
        sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    fi
}

ensure_postgres() {
    if reachable "$PG_HOST" "$PG_PORT"; then
        say "PostgreSQL is reachable on $PG_HOST:$PG_PORT."
        return 0
    fi

    local installed_now=0
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z $(pg_version) ]]; then
        if can_apt_install; then
            apt_install postgresql
            installed_now=1
        else
            die "PostgreSQL is not running on $PG_HOST:$PG_PORT and is not installed. Install it (Debian: apt-get install postgresql) or start one there that lets user postgres in without a password."
        fi
    fi

    local version
    version=$(pg_version)
    [[ -n $version ]] || die "PostgreSQL is installed but no cluster was found in /etc/postgresql."
    if [[ $installed_now -eq 1 ]]; then
        pg_trust_localhost "$version"
    fi
    if ! reachable "$PG_HOST" "$PG_PORT"; then
        say "starting PostgreSQL $version (cluster main) on $PG_HOST:$PG_PORT."
        pg_ctlcluster --skip-systemctl-redirect "$version" main start
    fi
    wait_for PostgreSQL "$PG_HOST" "$PG_PORT"
}

command -v cargo >/dev/null 2>&1 || die "cargo is not installed (https://rustup.rs); Herald needs Rust 1.94 or newer."
# protoc is not needed: protobuf code is compiled in pure Rust (protox).

ensure_nats
ensure_postgres
