#!/usr/bin/env bash
# Creates or updates one of the two virtual environments, only when its requirements changed.
#   scripts/setup_env.sh rasa   -> .venv-rasa (Python 3.10: Rasa 3.6, rasa-sdk, spaCy, lemmagen3)
#   scripts/setup_env.sh app    -> .venv      (Python 3.11: backend, channel gateway, tooling)
set -euo pipefail
cd "$(dirname "$0")/.."
which_env=${1:?usage: setup_env.sh rasa|app}
case "$which_env" in
  rasa)
    venv=.venv-rasa
    files=(requirements/rasa.txt requirements/rasa.lock)
    install=(-r requirements/rasa.txt -c requirements/rasa.lock)
    ;;
  app)
    venv=.venv
    files=(requirements/app.txt requirements/backend.txt requirements/gateway.txt)
    install=(-r requirements/app.txt -r requirements/backend.txt -r requirements/gateway.txt)
    ;;
  *) echo "usage: setup_env.sh rasa|app" >&2; exit 2 ;;
esac
stamp="$venv/.requirements.sha256"
want=$(cat "${files[@]}" | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
  if [ "$which_env" = rasa ]; then
    py=$(scripts/find_python310.sh)
  else
    py=$(command -v python3.11 || command -v python3)
    "$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' || {
      echo "ERROR: the backend needs Python 3.11 or newer ($py is older). Install python3.11." >&2; exit 1; }
  fi
  echo ">> creating $venv with $py"
  "$py" -m venv "$venv"
fi
echo ">> installing ${files[*]} into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${install[@]}"
echo "$want" > "$stamp"
