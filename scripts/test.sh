#!/usr/bin/env bash
# The README's test command: install what is missing, make sure the database servers
# run, then the whole suite on SQLite, PostgreSQL and MariaDB.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
scripts/services.sh
PY=${PYTHON:-python3}
mkdir -p test-artifacts
set +e
$PY -m pytest "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
  echo "no tests were collected" >&2
  exit 1
fi
exit $rc
