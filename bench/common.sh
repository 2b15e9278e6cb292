# Shared by bench/run.sh and bench/profile.sh (sourced): wrk installed, the cores the server
# and the load generator are pinned to, and waiting for a started server's address.

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
