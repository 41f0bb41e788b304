#!/usr/bin/env bash
# Sets up everything the test suite needs (venv, Python packages, Debian's Chromium), then runs all of it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
if ! command -v chromium >/dev/null 2>&1; then
    # the report test opens the HTML page in a real browser; Playwright drives Debian's Chromium
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
cd "$root"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec "$root/.venv/bin/python" -m pytest "$@"
