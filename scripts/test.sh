#!/usr/bin/env bash
# Sets up everything the test suite needs (venv, Python packages, Debian's Chromium and PostgreSQL),
# checks the code with ruff, then runs all of the tests. Extra arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
# Debian packages: Chromium for the browser tests (Playwright drives it), PostgreSQL for the tests of
# studies shared between workers (tests/test_tune_postgres.py starts a throw-away cluster)
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cd "$root"
"$root/.venv/bin/ruff" check --quiet src tests bench
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec "$root/.venv/bin/python" -m pytest "$@"
