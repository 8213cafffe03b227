#!/usr/bin/env bash
# Finds or starts the Redis the deadline worker needs, and prints its URL on stdout (logs go to stderr).
#   REDIS_URL=$(scripts/ensure-redis.sh)
# 1. REDIS_URL set, answering PING and accepting writes: use it (warn if its maxmemory-policy is
#    not noeviction).
# 2. Otherwise a usable Redis on 127.0.0.1:${REDIS_PORT:-6379}. A port held by something else, or
#    by a Redis that refuses writes (MISCONF: it can no longer persist, e.g. its data directory was
#    deleted, and then it refuses even PING; READONLY: a replica), is stepped past to the next one.
# 3. Otherwise install redis-server with apt if missing, and start one on the first free port so
#    found, with --maxmemory-policy noeviction and AOF (appendonly yes, fsync every second), data
#    under ${DATA_DIR:-./data}/redis, daemonized, log in that directory. RDB snapshots are off: AOF
#    is the persistence, and a failed snapshot (say, that directory deleted while Redis outlives
#    it) would make Redis refuse every write. Deadlines lost with Redis come back from the event
#    store by the reconciler.
# With --own (what scripts/run.sh uses): never adopt a Redis found running (it may serve another
# deployment); reuse only the one whose pid file is under this DATA_DIR, else start one.
set -euo pipefail

log() { echo "ensure-redis: $*" >&2; }
own=false
[ "${1:-}" = "--own" ] && own=true

ping_url() { # url -> 0 when it answers PONG
  local url=$1
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(timeout 3 redis-cli -u "$url" PING 2>/dev/null)" = "PONG" ]
  else # without redis-cli: host and port only, no auth
    local hostport=${url#redis://}; hostport=${hostport##*@}; hostport=${hostport%%/*}
    local host=${hostport%%:*} port=${hostport##*:}
    [ "$port" = "$hostport" ] && port=6379
    timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'PING\r\n' >&3 && head -c 5 <&3" 2>/dev/null | grep -q PONG
  fi
}

writable() { # url -> 0 when a write succeeds; without redis-cli we cannot tell, so assume it does
  command -v redis-cli >/dev/null 2>&1 || return 0
  local reply
  reply=$(timeout 3 redis-cli -u "$1" SET civicloop:ensure-redis:probe 1 PX 5000 2>&1 || true)
  [ "$reply" = "OK" ] && return 0
  log "WARNING: $1 answers but refuses writes (${reply:0:160}); not using it"
  return 1
}

port_taken() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

check_policy() {
  command -v redis-cli >/dev/null 2>&1 || return 0
  local policy
  policy=$(timeout 3 redis-cli -u "$1" CONFIG GET maxmemory-policy 2>/dev/null | tail -n 1 || true)
  if [ -n "$policy" ] && [ "$policy" != "noeviction" ]; then
    log "WARNING: $1 has maxmemory-policy=$policy; deadlines need noeviction (Redis may drop queued jobs)"
  fi
}

if $own; then
  dir="${DATA_DIR:-./data}/redis"
  if [ -f "$dir/redis.pid" ] && [ -f "$dir/redis.port" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then
    url="redis://127.0.0.1:$(cat "$dir/redis.port")"
    if ping_url "$url"; then log "using this data directory's Redis on $url"; echo "$url"; exit 0; fi
  fi
elif [ -n "${REDIS_URL:-}" ]; then
  if ping_url "$REDIS_URL"; then
    if writable "$REDIS_URL"; then check_policy "$REDIS_URL"; echo "$REDIS_URL"; exit 0; fi
  else
    log "REDIS_URL=$REDIS_URL does not answer"
  fi
  log "starting a local Redis instead"
fi

port=${REDIS_PORT:-6379}
url="redis://127.0.0.1:$port"
# Walk up from the port past anything that is not a usable Redis (a broken one may even refuse
# PING), so a second run finds the Redis the first one started beside it.
while port_taken "$port"; do
  if ! $own && ping_url "$url" && writable "$url"; then check_policy "$url"; log "using the Redis already on $url"; echo "$url"; exit 0; fi
  log "127.0.0.1:$port is taken by something we cannot use; trying the next port"
  port=$((port + 1)); url="redis://127.0.0.1:$port"
done

if ! command -v redis-server >/dev/null 2>&1; then
  log "installing redis-server with apt"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq redis-server >&2
fi

dir="$(mkdir -p "${DATA_DIR:-./data}/redis" && cd "${DATA_DIR:-./data}/redis" && pwd)"
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" \
  --maxmemory-policy noeviction --appendonly yes --appendfsync everysec --save '' \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
echo "$port" > "$dir/redis.port"
for _ in $(seq 1 100); do
  if ping_url "$url"; then log "started Redis on $url (noeviction, AOF in $dir)"; echo "$url"; exit 0; fi
  sleep 0.1
done
log "Redis did not come up on $url; see $dir/redis.log"
exit 1
