#!/usr/bin/env bash
# Installs the pinned Python tools the test suite uses (cfn-lint, and moto for the local CloudFormation endpoint) into
# .tools/venv. Idempotent and safe to call from concurrent test processes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
venv="$tools/venv"
# One line per pinned requirement; the stamp records what the venv holds.
requirements="cfn-lint==1.58.0 moto[server]==5.2.5"

mkdir -p "$tools"
exec 9>"$tools/.lock"
flock 9

stamp="$venv/.rcdk-requirements"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$requirements" ]; then
  exit 0
fi

echo "install-tools: installing $requirements into $venv" >&2
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check $requirements
printf '%s' "$requirements" >"$stamp"
