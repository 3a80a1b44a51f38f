#!/usr/bin/env bash
# Trains models/current.tar.gz only when the training data, config, domain or the
# custom NLU components changed since the last training (fingerprint in models/).
set -euo pipefail
cd "$(dirname "$0")/.."
inputs=$(find config.yml domain.yml data components requirements/rasa.lock -type f \( -name '*.yml' -o -name '*.py' -o -name '*.lock' \) | sort)
want=$(cat $inputs | sha256sum | cut -d' ' -f1)
if [ -f models/current.tar.gz ] && [ "$(cat models/.fingerprint 2>/dev/null)" = "$want" ]; then
  echo ">> model is up to date (models/current.tar.gz)"
  exit 0
fi
echo ">> training the model (data or config changed)"
start=$(date +%s)
PYTHONPATH=. .venv-rasa/bin/rasa train --fixed-model-name current --out models --num-threads 2
echo "$want" > models/.fingerprint
echo ">> trained in $(( $(date +%s) - start )) s"
