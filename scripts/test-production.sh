#!/usr/bin/env bash
# `make test-production`: start the production topology of docs/deploy.md on this machine (its own
# PostgreSQL cluster, Redis, two gunicorn processes, the huey worker, nginx), use it through nginx
# and break it on purpose (tests/production/). Everything it starts is stopped on exit, even on
# failure, and the PostgreSQL cluster is dropped.
set -euo pipefail
BIN=${1:-.venv/bin}
shift || true
cd "$(dirname "$0")/.."

# Packages: installed when missing and we may (CI runs as root).
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v pg_createcluster >/dev/null 2>&1 || missing+=(postgresql)
command -v envsubst >/dev/null 2>&1 || missing+=(gettext-base)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "FAIL: missing ${missing[*]} (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
fi
export PATH="$PATH:/usr/sbin"

SCRATCH=$(mktemp -d /tmp/sstopo-XXXXXX)
chmod 755 "$SCRATCH"  # nginx's workers and the postgres user read below it
export PRODUCTION_SCRATCH=$SCRATCH
export PRODUCTION_PG_CLUSTER=${PRODUCTION_PG_CLUSTER:-sstest}

cleanup() {
  # The Python side stops everything it started; this is for a driver that died mid-way.
  for pidfile in "$SCRATCH"/pids/*; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -CONT -- "-$pid" 2>/dev/null || true
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ "$(id -u)" = 0 ] && command -v pg_dropcluster >/dev/null 2>&1; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_dropcluster --stop "$version" "$PRODUCTION_PG_CLUSTER" 2>/dev/null || true
  fi
  if mountpoint -q "$SCRATCH/media" 2>/dev/null; then umount -l "$SCRATCH/media" || true; fi
  if [ "${PRODUCTION_KEEP_SCRATCH:-0}" = 1 ]; then
    echo "Logs kept in $SCRATCH"
  else
    rm -rf "$SCRATCH"
  fi
}
trap cleanup EXIT INT TERM

# Arguments go to pytest; without a path among them, the whole of tests/production runs.
paths=(tests/production)
for arg in "$@"; do [[ $arg == tests/production* ]] && paths=(); done

# The driver itself needs no database or cache of the site: its own scratch files.
# Warnings stay errors (pyproject.toml) except resource warnings: these tests kill servers and
# drop connections under the clients' threads on purpose, and a socket such a fault leaves for
# the garbage collector is the fault working, not a leak in the site.
DJANGO_SETTINGS_MODULE=shortscience.settings ALLOW_DEV_SECRET_KEY=1 \
DATA_DIR="$SCRATCH/driver" DATABASE_URL="sqlite:///$SCRATCH/driver.sqlite3" \
  "$BIN/pytest" -p no:cacheprovider -s -q \
    -W "default::ResourceWarning" -W "default::pytest.PytestUnraisableExceptionWarning" \
    "${paths[@]}" "$@"
