#!/usr/bin/env bash
# Runs the service on the embedded default: SQLite under DATA_DIR, the worker inside the API
# process, Redis found at REDIS_URL or started here. Honours PORT (default 3000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run -s build
export DATA_DIR="${DATA_DIR:-$PWD/data}"
if [[ -f scripts/ensure-redis.sh ]]; then
  REDIS_URL="$(bash scripts/ensure-redis.sh)"
  export REDIS_URL
fi
exec node dist/apps/api/src/main.js
