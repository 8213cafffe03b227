#!/usr/bin/env bash
# npm run demo: a month of a district in a fresh data directory, then the service on top of it.
# DEMO_CASES (default 3000), DEMO_DAYS (30), DEMO_SEED (2026); DATA_DIR defaults to ./data/demo.
# The simulated month ends now, so deadlines, boards and rates look like a live district.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DATA_DIR="${DATA_DIR:-$PWD/data/demo}"
marker="$DATA_DIR/.civicloop-demo"
if [[ -d "$DATA_DIR" && -n "$(ls -A "$DATA_DIR" 2>/dev/null)" && ! -f "$marker" ]]; then
  echo "refusing to overwrite $DATA_DIR: it holds data that npm run demo did not create (pick another DATA_DIR)" >&2
  exit 1
fi
if [[ -f scripts/install.sh ]]; then bash scripts/install.sh; fi
npm run -s build
rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR"
node dist/apps/simulator/src/main.js --data-dir "$DATA_DIR" --end-now \
  --cases "${DEMO_CASES:-3000}" --days "${DEMO_DAYS:-30}" --seed "${DEMO_SEED:-2026}"
touch "$marker"
# the service's key is made in DATA_DIR on first start: tokens must be signed for the same one
echo "tokens: DATA_DIR=$DATA_DIR npm run -s token -- --role operator   (or supervisor, auditor, handler --org <unit>)"
if [[ -f scripts/run.sh ]]; then exec bash scripts/run.sh; fi
exec node dist/apps/api/src/main.js
