#!/usr/bin/env bash
# Every page with junk input (.ci/page_sweep.py), on a fresh scratch database holding the demo: as admin with every
# form and hx-post button posted, every API list endpoint's query parameters, every route with ids that do not
# exist, every form and API write it found tried as a viewer, and every page, form and API object it found
# requested by another workspace's admin; as marketing with its forms posted (the content editors); as sales with
# its forms posted (key-account plans, tasks, deals); then as a viewer with every route too. `make page-sweep` runs
# it locally. Tasks run in-process (no REDIS_URL), as in the demo a fresh clone serves.
# Environment: SWEEP_DB (default abe_sweep; dropped and re-created), PGHOST/PGUSER (default 127.0.0.1 /
# postgres). Exit status: non-zero on any server error.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_HOST=${PGHOST:-127.0.0.1}
DB_USER=${PGUSER:-postgres}
SWEEP_DB=${SWEEP_DB:-abe_sweep}
export DJANGO_SETTINGS_MODULE=abe.settings.local
export DATABASE_URL="postgres://${DB_USER}@${DB_HOST}:5432/${SWEEP_DB}"
unset REDIS_URL

dropdb -h "$DB_HOST" -U "$DB_USER" --if-exists "$SWEEP_DB"
createdb -h "$DB_HOST" -U "$DB_USER" "$SWEEP_DB"
trap 'dropdb -h "$DB_HOST" -U "$DB_USER" --if-exists "$SWEEP_DB" || true' EXIT
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_demo > /dev/null
status=0
.venv/bin/python .ci/page_sweep.py --user admin --post --api --routes --reader viewer --outsider || status=1
.venv/bin/python .ci/page_sweep.py --user marketing --post || status=1
.venv/bin/python .ci/page_sweep.py --user sales --post || status=1
.venv/bin/python .ci/page_sweep.py --user viewer --routes || status=1
exit $status
