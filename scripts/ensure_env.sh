#!/usr/bin/env bash
# Writes var/run.env: random development secrets (made once, kept in var/, never in git),
# then the user's own .env on top. The Procfile's processes read this file.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
if [ ! -f var/dev-secrets.env ]; then
  umask 077
  {
    echo "RASA_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    echo "BACKEND_API_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    echo "OTP_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  } > var/dev-secrets.env
fi
# secrets added after a checkout's first run are appended once
grep -q '^PDF_LINK_SECRET=' var/dev-secrets.env || \
  echo "PDF_LINK_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')" >> var/dev-secrets.env
# a demo agent for the console at /agent (password generated once, written to var/dev-secrets.env)
.venv/bin/python -m bot.agent_console dev-agent --env-file var/dev-secrets.env
# `make run` is the local demo: the one-time codes go to the dev outbox, readable over the API.
{ echo "DEV_OUTBOX_ENABLED=1"; cat var/dev-secrets.env; [ -f .env ] && cat .env; true; } > var/run.env
