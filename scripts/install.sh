#!/usr/bin/env bash
# Install what scm_plugin needs on a Debian machine, skipping what is already there:
# unixODBC and the ODBC drivers, Kannel (SMS gateway for tests), Chromium and a CJK font
# (browser tests), then the package itself with its test extras.
# Usage: scripts/install.sh [--no-test-deps]
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=1
[ "${1:-}" = "--no-test-deps" ] && want_tests=0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

pkgs=(unixodbc libsqliteodbc odbc-postgresql odbc-mariadb tdsodbc)
[ $want_tests -eq 1 ] && pkgs+=(kannel chromium fonts-wqy-zenhei)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's psqlODBC entry logs every connection to /tmp (CommLog=1); only the ini can stop it.
if grep -q '^CommLog=1' /etc/odbcinst.ini 2>/dev/null; then
  $SUDO sed -i 's/^CommLog=1/CommLog=0/' /etc/odbcinst.ini
fi

PY=${PYTHON:-python3}
extras=""
[ $want_tests -eq 1 ] && extras="[test]"
$PY -m pip install -q --disable-pip-version-check -e ".${extras}"
