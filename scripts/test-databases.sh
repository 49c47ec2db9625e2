#!/usr/bin/env bash
# Runs the whole test suite on SQLite, then again on PostgreSQL.
# PostgreSQL is skipped with a message when none is reachable, except under CI=true where that fails.
set -euo pipefail
BIN=${1:-.venv/bin}
shift || true
export ALLOW_DEV_SECRET_KEY=1  # tests run with DEBUG off on the development key
PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

echo "== Test suite on SQLite"
DATABASE_URL="sqlite:///$(pwd)/var/test.sqlite3" "$BIN/pytest" "$@"

if "$BIN/python" - "$PG_URL" <<'PY'
import sys
import psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, dbname=u.path.lstrip("/"), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL is not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  echo "== Test suite on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" "$BIN/pytest" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "FAIL: CI=true requires PostgreSQL (set TEST_POSTGRES_URL or start the server)." >&2
  exit 1
else
  echo "SKIPPED: the PostgreSQL run (no server reachable; CI=true makes this an error)."
fi
