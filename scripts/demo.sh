#!/usr/bin/env bash
# Sets up the environment, then reproduces every experiment of the lecture into reglab-demo/report.html.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
exec "$root/.venv/bin/reglab" demo --out "$root/reglab-demo" "$@"
