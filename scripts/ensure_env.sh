#!/usr/bin/env bash
# Writes var/run.env: random development secrets (made once, kept in var/, never in git),
# then the user's own .env on top. The Procfile's processes read this file.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
umask 077
touch var/dev-secrets.env
# each secret once; a secret added later (e.g. ACTION_SERVER_TOKEN) is appended to an older file
for pair in RASA_TOKEN:16 BACKEND_API_KEY:16 OTP_SECRET:32 ACTION_SERVER_TOKEN:24 PDF_LINK_SECRET:32; do
  name=${pair%%:*}
  if ! grep -q "^$name=." var/dev-secrets.env; then
    echo "$name=$(python3 -c "import secrets; print(secrets.token_hex(${pair##*:}))")" >> var/dev-secrets.env
  fi
done
# a demo agent for the console at /agent (password generated once, written to var/dev-secrets.env)
.venv/bin/python -m bot.agent_console dev-agent --env-file var/dev-secrets.env
# `make run` is the local demo: the one-time codes go to the dev outbox, readable over the API.
# An empty secret in .env (as copied from .env.example) means "use the generated one".
{
  echo "DEV_OUTBOX_ENABLED=1"
  cat var/dev-secrets.env
  if [ -f .env ]; then grep -Ev '^(RASA_TOKEN|BACKEND_API_KEY|OTP_SECRET|ACTION_SERVER_TOKEN|PDF_LINK_SECRET)=[[:space:]]*$' .env || true; fi
  true
} > var/run.env
