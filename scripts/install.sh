#!/usr/bin/env bash
# Installs what the service and the tests need on a fresh Debian machine with Node 20 and npm,
# as root: npm packages (native better-sqlite3, and sqlite3 for the Emmett peer bench, built against Node's headers), Redis, PostgreSQL
# (--with-postgres), Chromium and CJK fonts for the browser tests (console, audit dossier).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

with_postgres=false
for flag in "$@"; do
  case "$flag" in
    --with-postgres) with_postgres=true ;;
    # Chromium and the CJK fonts are installed always (below); the flag is accepted for callers that name it.
    --with-browser) ;;
  esac
done

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# Headless Chromium and CJK fonts: tests render pages (the audit dossier) in a real browser, in Chinese.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
ls /usr/share/fonts/opentype/noto/NotoSansCJK-* >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
if $with_postgres && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
if ((${#need_apt[@]})); then
  echo "installing ${need_apt[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # Debian starts the packaged services; ours are started per run with their own ports and data.
  (service redis-server stop || true) >/dev/null 2>&1
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "installing npm packages (npm ci; better-sqlite3 and the peer bench's sqlite3 build from source, a few minutes)"
  npm_config_nodedir="${npm_config_nodedir:-/usr}" npm ci --no-audit --no-fund --loglevel=error
fi
