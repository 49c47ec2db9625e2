#!/bin/sh
# The image's entrypoint (deploy/Containerfile):
#   web      gunicorn on 0.0.0.0:$PORT (MIGRATE_ON_START=1 migrates first)
#   worker   the task worker (manage.py run_huey): notification mail, digests, recomputation
#   setup    migrate, then collectstatic into STATIC_ROOT (compose.yaml's one-shot service)
#   <other>  any management command: migrate, createsuperuser, check --deploy, rerender, ...
set -eu
command=${1:-web}
[ $# -gt 0 ] && shift
case "$command" in
  web)
    if [ "${MIGRATE_ON_START:-0}" = 1 ]; then
      python -m shortscience.manage migrate --noinput
    fi
    # Every worker's metrics in one fresh directory, added up by /metrics (docs/deploy.md).
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/shortscience-metrics}"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR" && rm -f "$PROMETHEUS_MULTIPROC_DIR"/*.db
    # No --access-logfile: the app logs one line per request, with route, user and request id.
    exec gunicorn shortscience.wsgi:application \
      --bind "0.0.0.0:${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-2}" --threads "${WEB_THREADS:-4}" \
      --timeout "${WEB_TIMEOUT:-60}" --limit-request-line 8190 --reuse-port "$@"
    ;;
  setup)
    python -m shortscience.manage migrate --noinput
    exec python -m shortscience.manage collectstatic --noinput -v 0
    ;;
  worker)
    exec python -m shortscience.manage run_huey "$@"
    ;;
  *)
    exec python -m shortscience.manage "$command" "$@"
    ;;
esac
