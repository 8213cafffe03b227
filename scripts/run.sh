#!/usr/bin/env bash
# Runs the service on the embedded default: SQLite under DATA_DIR, the worker inside the API
# process (WORKER_IN_PROCESS=false: the worker as a second process beside it, so projections and
# deadlines stay off the API's event loop), Redis found at REDIS_URL or started here. Honours PORT (default 3000) and HOST (default
# 127.0.0.1: this machine only). Without JWT_SECRET the service makes a random key in
# DATA_DIR/jwt-secret (mode 0600) on first start; `npm run -s token` reads the same file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# Build unless the last complete build (its stamp, touched last) is newer than every source: a
# second start (or a test of this script while other tests use dist) must not rebuild under a
# running service. Files the build itself writes (the console's API types) are older than the stamp.
if [[ ! -f dist/.build-stamp ]] ||
  [[ -n "$(find apps libs package.json tsconfig.json -newer dist/.build-stamp \( -name '*.ts' -o -name '*.json' -o -name '*.vue' -o -name '*.mts' -o -name '*.css' \) -not -name '*.spec.ts' -not -path '*/node_modules/*' -print -quit)" ]]; then
  npm run -s build
fi
export DATA_DIR="${DATA_DIR:-$PWD/data}"
# Redis: REDIS_URL when given; otherwise one started for this DATA_DIR alone (never whatever
# happens to listen on 6379: another deployment's jobs live there), stopped when the service stops.
own_redis=false
if [[ -z "${REDIS_URL:-}" ]]; then
  REDIS_URL="$(bash scripts/ensure-redis.sh --own)"
  own_redis=true
fi
export REDIS_URL
stop_redis() {
  $own_redis || return 0
  local pid_file="$DATA_DIR/redis/redis.pid"
  if [[ -f "$pid_file" ]]; then
    local pid; pid="$(cat "$pid_file")"
    # SHUTDOWN writes the AOF out; then wait for the process to be gone
    redis-cli -u "$REDIS_URL" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
}
# A heap cap for the service, not the build: uncapped on a large machine V8 lets garbage pile up
# to ~360 MB RSS under intake load though live data is ~40 MB after a collection; capped, RSS
# stays ~230 MB at the same throughput (bench/README.md). A young space of 64 MB, not 16: a cold
# read's events and states then die before a scavenge copies them twice (cold 200-event read p99
# 2.6 → 0.7 ms, with apps/api/src/gc-settings.ts). The benchmarks read this line.
export NODE_OPTIONS="${NODE_OPTIONS:---max-old-space-size=512 --max-semi-space-size=64}"
worker=""
if [[ "${WORKER_IN_PROCESS:-true}" =~ ^(false|0|no|FALSE|No|NO)$ ]]; then
  node dist/apps/worker/src/main.js &
  worker=$!
fi
node dist/apps/api/src/main.js &
service=$!
# Ctrl-C or a SIGTERM stops the service (and its worker) first, then its Redis; the service's exit status is ours.
trap 'kill -TERM "$service" $worker 2>/dev/null || true' INT TERM
status=0
wait "$service" || status=$?
# wait returns early when a trapped signal arrives: wait again for the service to finish stopping
while kill -0 "$service" 2>/dev/null; do wait "$service" || status=$?; done
if [[ -n "$worker" ]]; then
  kill -TERM "$worker" 2>/dev/null || true
  while kill -0 "$worker" 2>/dev/null; do wait "$worker" || true; done
fi
stop_redis
exit "$status"
