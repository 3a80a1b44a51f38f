#!/usr/bin/env bash
# Writes var/run.env: random development secrets (each made once, kept in var/, never in git),
# then the user's own .env on top. `make run` / `make run-scaled` load this file (shell syntax).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
umask 077
touch var/dev-secrets.env
add_secret() {  # name, bytes: appended only when the file has no such line yet
  grep -q "^$1=" var/dev-secrets.env || echo "$1=$(python3 -c "import secrets; print(secrets.token_hex($2))")" >> var/dev-secrets.env
}
add_secret RASA_TOKEN 16
add_secret BACKEND_API_KEY 16
add_secret OTP_SECRET 32
add_secret GATEWAY_CLIENT_REF_SECRET 32
add_secret ACTION_SERVER_TOKEN 24
add_secret PDF_LINK_SECRET 32
# a demo agent for the console at /agent (password generated once, written to var/dev-secrets.env)
.venv/bin/python -m bot.agent_console dev-agent --env-file var/dev-secrets.env
add_secret GATEWAY_SESSION_SECRET 32
# a development Twilio token, so that `python -m devtools.sms` can sign SMS to /sms/inbound (a real
# deployment sets Twilio's own in .env; without TWILIO_ACCOUNT_SID replies go to the SMS outbox)
add_secret TWILIO_AUTH_TOKEN 16
# `make run` is the local demo: the one-time codes go to the dev outbox, readable over the API.
# An empty secret in .env (as copied from .env.example) means "use the generated one".
{
  echo "DEV_OUTBOX_ENABLED=1"
  cat var/dev-secrets.env
  if [ -f .env ]; then grep -Ev '^(RASA_TOKEN|BACKEND_API_KEY|OTP_SECRET|ACTION_SERVER_TOKEN|PDF_LINK_SECRET|GATEWAY_CLIENT_REF_SECRET|GATEWAY_SESSION_SECRET|TWILIO_AUTH_TOKEN)=[[:space:]]*$' .env || true; fi
  true
} > var/run.env
