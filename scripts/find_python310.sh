#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.10; the machine default is 3.11).
# Order: $PYTHON310, python3.10 on PATH, pyenv's versions. Fails with what to install.
set -euo pipefail
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null || true)
  for d in "$root"/versions/3.10*; do [ -x "$d/bin/python" ] && candidates+=("$d/bin/python"); done
fi
for d in "$HOME"/.pyenv/versions/3.10* /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -x "$d/bin/python" ] && candidates+=("$d/bin/python"); [ -x "$d" ] && [ -f "$d" ] && candidates+=("$d")
done
for c in "${candidates[@]}"; do
  if is310 "$c"; then
    # resolve pyenv shims to the real interpreter so the venv does not depend on PYENV_VERSION
    "$c" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
cat >&2 <<'MSG'
ERROR: Rasa 3.6 needs Python 3.10, and none was found.
Install one of:
  - pyenv:   pyenv install 3.10.13
  - Debian/Ubuntu: apt-get install python3.10 python3.10-venv   (deadsnakes PPA on Ubuntu)
or point PYTHON310 at an existing interpreter:  make run PYTHON310=/path/to/python3.10
MSG
exit 1
