#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests of shared studies.
#
#   scripts/postgres.sh start   installs Debian's PostgreSQL when missing, starts a cluster owned by the
#                               'postgres' user (initdb refuses root) in a temporary directory, listening
#                               on 127.0.0.1 on a free port, and prints two lines:
#                                 postgresql://postgres@127.0.0.1:PORT/postgres
#                                 DIR            (the cluster's directory: pass it to 'stop')
#   scripts/postgres.sh stop DIR  stops that cluster and removes DIR.
set -euo pipefail

as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"
    elif command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"
    else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
}

bindir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

install() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local bin dir port
    bin="$(bindir || true)"
    if [ -z "$bin" ]; then install >&2; bin="$(bindir)"; fi
    id postgres >/dev/null 2>&1 || { echo "postgres.sh: no 'postgres' user after installing PostgreSQL" >&2; exit 1; }
    dir="$(mktemp -d /tmp/reglab-pg.XXXXXX)"
    chown postgres "$dir"
    chmod 700 "$dir"
    port="$(free_port)"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    echo "$dir"
}

stop() {
    local dir="$1" bin
    bin="$(bindir)"
    [ -d "$dir/data" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:?usage: postgres.sh stop DIR}" ;;
    *) echo "usage: scripts/postgres.sh start | stop DIR" >&2; exit 2 ;;
esac
