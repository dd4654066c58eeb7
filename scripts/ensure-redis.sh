#!/usr/bin/env bash
# Starts a throw-away redis-server for tests, the demo and the throughput script: loopback only,
# a free port, no persistence. Installs it with the system package manager when it is missing,
# so a fresh machine (and `.ci/run` on a clean clone) still needs only the README's two commands.
#
#   scripts/ensure-redis.sh            prints REDIS_URL=… and REDIS_PIDFILE=… (and exports them
#                                      when sourced); stop it with `kill "$(cat "$REDIS_PIDFILE")"`
set -euo pipefail

install_redis() {
  echo "ensure-redis: redis-server not found, installing it (apt-get install redis-server)" >&2
  sudo=''
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo='sudo -n'; else
      echo "ensure-redis: install redis-server (e.g. apt-get install redis-server) and retry" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait for dpkg's lock rather than fail when another package manager run holds it.
  local apt=(apt-get -o DPkg::Lock::Timeout=120 -y -qq)
  $sudo "${apt[@]}" install redis-server >/dev/null 2>&1 ||
    { $sudo "${apt[@]}" update >/dev/null && $sudo "${apt[@]}" install redis-server >/dev/null; }
}

if ! command -v redis-server >/dev/null 2>&1; then
  # The redis tests and the demo start servers at the same time under `turbo run test`: one
  # installs, the others wait for it on this lock and then find redis-server present.
  exec 9>"${TMPDIR:-/tmp}/keyward-ensure-redis.lock"
  flock -w 300 9
  command -v redis-server >/dev/null 2>&1 || install_redis
  flock -u 9
  exec 9>&-
fi

# A port the kernel just handed out on loopback: free, and nothing else's.
port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
dir=$(mktemp -d "${TMPDIR:-/tmp}/keyward-redis.XXXXXX")
redis-server --save '' --appendonly no --port "$port" --bind 127.0.0.1 --daemonize yes \
  --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null

for _ in $(seq 1 100); do
  if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ] && [ -s "$dir/redis.pid" ]; then
    export REDIS_URL="redis://127.0.0.1:$port" REDIS_PIDFILE="$dir/redis.pid"
    echo "REDIS_URL=$REDIS_URL"
    echo "REDIS_PIDFILE=$REDIS_PIDFILE"
    # shellcheck disable=SC2317 # `return` when sourced, `exit` when run
    return 0 2>/dev/null || exit 0
  fi
  sleep 0.05
done
echo "ensure-redis: redis-server did not answer on 127.0.0.1:$port (log: $dir/redis.log)" >&2
exit 1
