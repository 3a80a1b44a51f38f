"""Send one SMS to the local gateway as Twilio would (signed), and print the reply parts.

    .venv/bin/python -m devtools.sms +38641123456 "12345"
    .venv/bin/python -m devtools.sms +38641123456 STOP

Why: the SMS webhook accepts only requests signed with TWILIO_AUTH_TOKEN (make run generates a
development one in var/dev-secrets.env), so trying the SMS channel by hand needs the signature.
"""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path
from xml.etree import ElementTree

import httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]


def dev_secret(name: str) -> str:
    """From the environment, else from var/run.env (what make run loaded)."""
    if os.environ.get(name):
        return os.environ[name]
    for line in (ROOT / "var" / "run.env").read_text().splitlines() if (ROOT / "var" / "run.env").exists() else []:
        key, _, value = line.partition("=")
        if key == name and value.strip():
            return value.strip()
    raise SystemExit(f"{name} is not set (run make run first, or export it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sender", help="the phone number the SMS comes from, e.g. +38641123456")
    parser.add_argument("text")
    parser.add_argument("--gateway", default=os.environ.get("GATEWAY_URL", "http://127.0.0.1:8080"))
    args = parser.parse_args()
    url = args.gateway.rstrip("/") + "/sms/inbound"
    params = {"From": args.sender, "Body": args.text, "MessageSid": "SM" + uuid.uuid4().hex}
    signature = RequestValidator(dev_secret("TWILIO_AUTH_TOKEN")).compute_signature(url, params)
    r = httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=60)
    if r.status_code != 200:
        raise SystemExit(f"HTTP {r.status_code}: {r.text[:200]}")
    for message in ElementTree.fromstring(r.text).iter("Message"):
        print(message.text or "")


if __name__ == "__main__":
    main()
