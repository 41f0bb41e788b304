#!/usr/bin/env bash
# Sets up the environment, then runs the lecture's lambda sweep on moons.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
exec "$root/.venv/bin/reglab" sweep --dataset moons --no-standardize --penalty l2 --lam 0,0.001,0.01,0.1,1 --seeds 5 "$@"
