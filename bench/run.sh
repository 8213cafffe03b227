#!/usr/bin/env bash
# npm run bench: compiles the service and the benchmarks (same sources and compiler settings as
# npm run build, into node_modules/.cache/civicloop-bench so that a concurrent `npm run build`,
# which empties dist/, cannot pull the built app from under a running benchmark), runs every
# entry under bench/ (ours, then deadlines/, projections/ and any other folder), then rewrites
# the table in bench/README.md. BENCH_ONLY=event-store,read runs a subset; --build-only stops
# after compiling (for bench/http/profile.js).
set -euo pipefail
cd "$(dirname "$0")/.."
out=node_modules/.cache/civicloop-bench
rm -rf "$out"
# tsc emits even when it finds type errors; those are npm test's business, the figures are ours.
npx tsc -p bench/tsconfig.json || echo "bench: type errors above; benchmarking the emitted code anyway" >&2
npx tsc-alias -p bench/tsconfig.json
# Data files that libraries read next to their compiled code (the demo directory, SLA policies, ...).
for data in libs/*/data; do lib="$(dirname "$data")"; mkdir -p "$out/$lib" && cp -r "$data" "$out/$lib/"; done
if [[ "${1:-}" == "--build-only" ]]; then exit 0; fi
exec node "$out/bench/harness/main.js"
