#!/usr/bin/env bash
# npm run bench: builds the service, compiles the benchmarks, runs every entry under bench/
# (ours, then deadlines/, projections/ and any other folder), then rewrites the table in bench/README.md.
# BENCH_ONLY=event-store,read runs a subset.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run -s build
npx tsc -p bench/tsconfig.json
npx tsc-alias -p bench/tsconfig.json
# Data files that libraries read next to their compiled code (the demo directory, SLA policies, ...).
for data in libs/*/data; do lib="$(dirname "$data")"; mkdir -p "dist/.bench/$lib" && cp -r "$data" "dist/.bench/$lib/"; done
exec node dist/.bench/bench/harness/main.js
