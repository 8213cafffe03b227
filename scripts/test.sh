#!/usr/bin/env bash
# Runs every test: installs what is missing, builds (some tests drive the built service in a child
# process), type-checks, then runs jest once. Tests start their own Redis/PostgreSQL on free ports.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --with-postgres --with-browser || exit 1
npm run -s build || exit 1
npm run -s typecheck || exit 1
npm run -s lint || exit 1
npm run -s depcruise || exit 1
mkdir -p .test-results
# --forceExit: a child a failing test left behind must not hold jest open until CI times out.
npx jest --ci --forceExit --json --outputFile=.test-results/jest.json "$@"
status=$?
node -e '
  const r = require("./.test-results/jest.json");
  const failedSuites = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed`);
' 2>/dev/null || echo "0 passed, 1 failed"
exit $status
