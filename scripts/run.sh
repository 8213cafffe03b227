#!/usr/bin/env bash
# Runs the service on the embedded default: SQLite under DATA_DIR, the worker inside the API
# process, Redis found at REDIS_URL or started here. Honours PORT (default 3000) and HOST (default
# 127.0.0.1: this machine only). Without JWT_SECRET the service makes a random key in
# DATA_DIR/jwt-secret (mode 0600) on first start; `npm run -s token` reads the same file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# Build unless dist is newer than every source: a second start (or a test of this script while
# other tests use dist) must not rebuild under a running service.
if [[ ! -f dist/apps/api/src/main.js ]] ||
  [[ -n "$(find apps libs package.json tsconfig.json -newer dist/apps/api/src/main.js \( -name '*.ts' -o -name '*.json' \) -not -name '*.spec.ts' -not -path '*/node_modules/*' -print -quit)" ]]; then
  npm run -s build
fi
export DATA_DIR="${DATA_DIR:-$PWD/data}"
if [[ -f scripts/ensure-redis.sh ]]; then
  REDIS_URL="$(bash scripts/ensure-redis.sh)"
  export REDIS_URL
fi
# A heap cap for the service, not the build: uncapped on a large machine V8 lets garbage pile up
# to ~360 MB RSS under intake load though live data is ~40 MB after a collection; capped, RSS
# stays ~230 MB at the same throughput (bench/README.md). The benchmarks read this line.
export NODE_OPTIONS="${NODE_OPTIONS:---max-old-space-size=512}"
exec node dist/apps/api/src/main.js
