#!/usr/bin/env bash
# API contract check (issue 10): schemathesis, every check, against a live gunicorn on a fresh PostgreSQL database.
#
#   .ci/schemathesis.sh            (CI calls it after `make test`; `make api-fuzz` runs it locally)
#
# Environment: FUZZ_DB (database name, default abe_fuzz; dropped and re-created), FUZZ_PORT (default: a free
# port), FUZZ_EXAMPLES (examples per operation, default 25), FUZZ_WORKERS (default 2), FUZZ_TIMEOUT (seconds
# before the run is stopped and fails, default 900), FUZZ_LOG (a path to keep the server log at), PGHOST/PGUSER
# for the database server (default 127.0.0.1 / postgres). Extra arguments go to `schemathesis run` (e.g.
# --include-path-regex while fixing one area); .ci/schemathesis.toml holds what the schema cannot say. Tasks run
# in-process (no REDIS_URL), so every request does its whole work. Exit status: schemathesis's (non-zero on any failure), or 1 if the server does not start.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
DB_HOST=${PGHOST:-127.0.0.1}
DB_USER=${PGUSER:-postgres}
FUZZ_DB=${FUZZ_DB:-abe_fuzz}
FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-25}
FUZZ_WORKERS=${FUZZ_WORKERS:-2}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-900}
FUZZ_PORT=${FUZZ_PORT:-$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
RUN_DIR=$(mktemp -d)

export DJANGO_SETTINGS_MODULE=abe.settings.local
export DEBUG=0
export DATABASE_URL="postgres://${DB_USER}@${DB_HOST}:5432/${FUZZ_DB}"
export ABE_EVENTS_RATE=100000/min   # the contract, not the rate limit (its 429 is documented and tested elsewhere)
export MEDIA_ROOT="$RUN_DIR/media"
unset REDIS_URL

dropdb --if-exists -h "$DB_HOST" -U "$DB_USER" "$FUZZ_DB"
createdb -h "$DB_HOST" -U "$DB_USER" "$FUZZ_DB"
$PY manage.py migrate --noinput >/dev/null
$PY manage.py shell -c "
from django.contrib.auth.models import User
User.objects.create_user('fuzz-admin', 'fuzz-admin@example.com', 'not-used-fuzz-admin')
" >/dev/null
$PY manage.py create_workspace fuzz --name "Fuzz" --admin fuzz-admin >/dev/null
KEY=$($PY manage.py create_api_key --workspace fuzz --scopes read,write,events,admin --name schemathesis | tail -n 1)

.venv/bin/gunicorn abe.wsgi:application --bind "127.0.0.1:${FUZZ_PORT}" --workers 2 --timeout 60 \
  --error-logfile "$RUN_DIR/gunicorn.log" --capture-output &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  if [ -s "$RUN_DIR/gunicorn.log" ] && grep -q "Traceback" "$RUN_DIR/gunicorn.log"; then
    echo "--- server errors (gunicorn.log) ---"
    grep -B2 -A60 "Traceback" "$RUN_DIR/gunicorn.log" | head -n 400
  fi
  if [ -n "${FUZZ_LOG:-}" ]; then cp "$RUN_DIR/gunicorn.log" "$FUZZ_LOG" 2>/dev/null || true; fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:${FUZZ_PORT}/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:${FUZZ_PORT}/healthz" >/dev/null || { echo "server did not start"; exit 1; }

# The schema as the live server serves it (fetched here: a loaded CI machine may take longer than schemathesis's
# 10 s schema-loading timeout to generate it).
curl -fsS --max-time 120 -H "Authorization: Bearer ${KEY}" "http://127.0.0.1:${FUZZ_PORT}/api/schema/?format=json" \
  -o "$RUN_DIR/schema.json"

START=$(date +%s)
set +e
timeout --signal=INT --kill-after=30 "$FUZZ_TIMEOUT" \
  .venv/bin/schemathesis --config-file .ci/schemathesis.toml run "$RUN_DIR/schema.json" --url "http://127.0.0.1:${FUZZ_PORT}/" \
  --header "Authorization: Bearer ${KEY}" \
  --max-examples "$FUZZ_EXAMPLES" \
  --workers "$FUZZ_WORKERS" \
  --request-timeout 30 \
  --suppress-health-check all \
  --seed "${FUZZ_SEED:-1}" \
  --generation-database none \
  --no-color \
  "$@"
STATUS=$?
set -e
echo "schemathesis: exit ${STATUS} in $(( $(date +%s) - START )) s (${FUZZ_EXAMPLES} examples per operation, ${FUZZ_WORKERS} workers)"
exit $STATUS
