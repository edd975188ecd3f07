"""The server under test: `frontdesk serve --no-workers`, plus a bare endpoint for comparison.

Run by `bench/webhooks.py` as a separate process (so its CPU is its own). It builds the app exactly
as `frontdesk serve` does (settings from the FRONTDESK_* environment, `create_app`, the CLI's logging,
one uvicorn process with uvloop and httptools, no access log), with the turn workers OFF so only
the ack path is measured, and mounts one extra route that exists only here:

    POST /bench/bare   reads the body and answers 200, storing nothing

so the bare and the stored rates come from the same process, framework and connection handling; and
one answered in front of the app, where the webhook's fast path answers (`api.webhook_fast_path`):

    POST /bench/raw    the same, before FastAPI and its middleware
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from frontdesk.http import create_app
from frontdesk.logs import configure_logging
from frontdesk.settings import load_settings


async def bare(request: Request) -> Response:
    """The floor: the same HTTP stack, the body read, no signature check, no parsing, no database."""
    await request.body()
    return Response(status_code=200)


class RawBare:
    """`POST /bench/raw` answered before the app (its body read, 200, nothing stored); the rest passed on."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/bench/raw":
            await self.app(scope, receive, send)
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    settings = load_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    app = create_app(settings, workers=False)
    app.add_api_route("/bench/bare", bare, methods=["POST"], include_in_schema=False)
    uvicorn.run(
        RawBare(app),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        workers=None,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
