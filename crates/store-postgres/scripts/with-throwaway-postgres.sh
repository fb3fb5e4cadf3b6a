#!/usr/bin/env bash
# with-throwaway-postgres.sh COMMAND [ARG...]
#
# Starts a throwaway PostgreSQL server in a fresh temporary directory, listening on
# 127.0.0.1 only (and on a unix socket inside that directory), creates a database,
# exports REGULA_PG_URL (a libpq connection string for it), runs COMMAND, then stops
# the server and removes the directory, whatever happens. Exits with COMMAND's status.
#
# Needs PostgreSQL's server binaries (initdb, pg_ctl; found with `pg_config --bindir`,
# else the newest /usr/lib/postgresql/*/bin, or PG_BINDIR). Run as root, the server
# runs as the `postgres` system user; run as anyone else, as that user.
#
# Example: crates/store-postgres/scripts/with-throwaway-postgres.sh cargo test -p regula-store-postgres
# The server runs with trust authentication on loopback only; nothing it holds outlives
# the command.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

find_bindir() {
    local dir
    if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then
        echo "$PG_BINDIR"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
            echo "$dir"
            return 0
        fi
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

if ! bindir="$(find_bindir)"; then
    echo "error: PostgreSQL's initdb was not found (set PG_BINDIR, or install the server, e.g. apt-get install postgresql-15)" >&2
    exit 1
fi

# Who runs the server: initdb refuses to run as root.
if [ "$(id -u)" -eq 0 ]; then
    pg_user=postgres
    if ! id -u "$pg_user" >/dev/null 2>&1; then
        echo "error: running as root, but there is no '$pg_user' system user to run the server" >&2
        exit 1
    fi
    as_pg() {
        if command -v runuser >/dev/null 2>&1; then
            runuser -u "$pg_user" -- "$@"
        else
            su "$pg_user" -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    }
else
    pg_user="$(id -un)"
    as_pg() { "$@"; }
fi

# Under /tmp (or REGULA_PG_TMPDIR): the server's user must be able to reach it.
tmp="$(mktemp -d "${REGULA_PG_TMPDIR:-/tmp}/regula-pg.XXXXXX")"
chmod 755 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
    chown "$pg_user" "$tmp"
fi
data="$tmp/data"
log="$tmp/server.log"
started=0

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ "$started" -eq 1 ]; then
        as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || \
            as_pg "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$tmp/initdb.log" 2>&1 || {
    echo "error: initdb failed:" >&2
    cat "$tmp/initdb.log" >&2
    exit 1
}

# A free port: try random ones until the server starts on one.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for attempt in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if port_in_use "$port"; then
        continue
    fi
    if as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -k $tmp -c max_connections=200" start >/dev/null 2>&1; then
        started=1
        break
    fi
done
if [ "$started" -ne 1 ]; then
    echo "error: the throwaway PostgreSQL server did not start; its log:" >&2
    cat "$log" >&2 || true
    exit 1
fi

dbname=regula_test
as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$dbname"

export REGULA_PG_URL="host=127.0.0.1 port=$port user=postgres dbname=$dbname"
echo "with-throwaway-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port; REGULA_PG_URL=\"$REGULA_PG_URL\"" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
