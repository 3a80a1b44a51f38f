"""The action server as the Procfile runs it: rasa-sdk's own Sanic app, on loopback, answering
only Rasa.

`rasa run actions` binds 0.0.0.0 and executes any POST to /webhook, and the actions call the
backend with the service key: one forged request could send a one-time code or store a rating.
This runner serves the same app on ACTIONS_HOST (default 127.0.0.1) and refuses every request
except GET /health that does not carry the shared secret ACTION_SERVER_TOKEN in the header
X-Action-Server-Token (Rasa sends it: `headers` of `action_endpoint` in endpoints.yml). It also
replaces rasa-sdk's 500 handler, which echoes the request body (slots, typed codes) to the caller.

    ACTION_SERVER_TOKEN=... python -m actions.server --actions actions --port 5055
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Any, Optional

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app as create_sdk_app
from rasa_sdk.endpoint import create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Action-Server-Token"
TOKEN_ENV = "ACTION_SERVER_TOKEN"
HOST_ENV = "ACTIONS_HOST"
MIN_TOKEN_LENGTH = 16
OPEN_PATHS = frozenset({"/health"})


def check_token(supplied: Optional[str], expected: str) -> Optional[HTTPResponse]:
    """None when the caller is Rasa; else the refusal (401 no token, 403 wrong token)."""
    if not supplied:
        return response.json({"error": "missing action server token"}, status=401)
    if not hmac.compare_digest(supplied.encode(), expected.encode()):
        return response.json({"error": "invalid action server token"}, status=403)
    return None


def create_app(token: str, actions_package: str = "actions", auto_reload: bool = False) -> Sanic:
    """rasa-sdk's app (no CORS: only Rasa calls it, never a browser) behind the token check."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(f"{TOKEN_ENV} must be at least {MIN_TOKEN_LENGTH} characters")
    app = create_sdk_app(actions_package, cors_origins="", auto_reload=auto_reload)

    @app.on_request
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        refused = check_token(request.headers.get(TOKEN_HEADER), token)
        if refused is not None:
            logger.warning("action server: refused %s %s (%s)", request.method, request.path, refused.status)
        return refused

    async def server_error(request: Request, exception: Exception) -> HTTPResponse:
        # the type only: the request carries the conversation (slots, what the user typed)
        if isinstance(exception, SanicException):  # e.g. a body that is not JSON: 400, not 500
            return response.json({"error": type(exception).__name__}, status=exception.status_code)
        logger.error("action server: %s in %s %s", type(exception).__name__, request.method, request.path)
        return response.json({"error": "internal error"}, status=500)

    app.error_handler.add(Exception, server_error)
    return app


def _parser() -> argparse.ArgumentParser:
    parser = create_argument_parser()
    parser.add_argument(
        "--host",
        default=os.environ.get(HOST_ENV, "127.0.0.1"),
        help=f"interface to listen on (default: ${HOST_ENV} or 127.0.0.1)",
    )
    return parser


def main(argv: Optional[list[str]] = None) -> None:
    """Parse rasa-sdk's usual arguments (+ --host), read the token from the environment, serve."""
    args = _parser().parse_args(argv)
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    token = os.environ.get(TOKEN_ENV, "")
    try:
        app = create_app(token, args.actions or "actions", auto_reload=args.auto_reload)
    except ValueError as exc:
        print(f"action server not started: {exc} (make run generates one into var/dev-secrets.env)", file=sys.stderr)
        raise SystemExit(2) from exc
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl: Any = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("Action endpoint is up and running on %s://%s:%s", "https" if ssl else "http", args.host, args.port)
    app.run(args.host, args.port, ssl=ssl, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
