#!/usr/bin/env bash
# The README's demo command: install what is missing, then serve the demo
# (SQLite through ODBC, reference ERP data, demo users) on http://127.0.0.1:5000/scm/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --no-test-deps
exec "${PYTHON:-python3}" -m scm_plugin.cli demo "$@"
