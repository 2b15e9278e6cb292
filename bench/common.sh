# Shared by bench/run.sh, bench/profile.sh and bench/ab-binaries.sh (sourced): the build's
# packages and wrk installed, the cores the server and the load generator are pinned to, and
# waiting for a started server's address.

# The Debian packages the release build needs (scripts/build-deps.sh), and wrk.
scripts/build-deps.sh >/dev/null
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0); load_cpu=(taskset -c 1); else server_cpu=(); load_cpu=(); fi

# wait_for_address LOG: sets addr to the host:port a server logged it listens on, or prints
# the log and exits after 5 s.
wait_for_address() {
  local log=$1
  addr=""
  for _ in $(seq 100); do
    addr=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's|listening on http://||' || true)
    [ -n "$addr" ] && return 0
    sleep 0.05
  done
  echo "the server did not start:" >&2; cat "$log" >&2; exit 1
}

# start_postgres: starts a throwaway PostgreSQL cluster (initdb in a temporary folder, trust
# authentication for the user soapstone, an ephemeral port on 127.0.0.1, fsync as default) on
# the server core, as the postgres user when root; sets pg_dir, pg_url and pg_postmaster.
# stop_postgres stops it and removes its folder (call it from the EXIT trap).
pg_dir=""
pg_bin=""
# The prefix that runs a PostgreSQL program as the postgres user when root (from /, which that
# user can read).
as_postgres=()
[ "$(id -u)" = 0 ] && as_postgres=(runuser -u postgres --)
start_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }
  pg_bin=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1)
  pg_dir=$(mktemp -d)
  [ "$(id -u)" = 0 ] && chown postgres: "$pg_dir"
  local port; port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd / && "${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U soapstone) >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; exit 1; }
  (cd / && "${server_cpu[@]}" "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/pg.log" -w -t 60 \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1" start) >/dev/null \
    || { cat "$pg_dir/pg.log" >&2; exit 1; }
  pg_url="postgres://soapstone@127.0.0.1:$port/postgres"
  pg_postmaster=$(head -1 "$pg_dir/data/postmaster.pid")
}
stop_postgres() {
  [ -n "$pg_dir" ] || return 0
  [ -f "$pg_dir/data/postmaster.pid" ] && (cd / && "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop) >/dev/null
  rm -rf "$pg_dir"
  pg_dir=""
}

# postgres_ticks: the CPU clock ticks (user + system) of the cluster so far: the postmaster's
# own and those of the children it reaped, plus every live child (the backends, the WAL writer,
# the checkpointer...). The command name in /proc/PID/stat is cut off first, as it may hold spaces.
postgres_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | sed 's/^\([0-9]*\) (.*) /\1 /' | awk -v pm="$pg_postmaster" '
    $1 == pm { total += $13 + $14 + $15 + $16 }
    $3 == pm { total += $13 + $14 }
    END { print total + 0 }'
}
