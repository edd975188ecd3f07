"""The WhatsApp webhook's fast path: well-formed deliveries acknowledged in front of the framework stack.

Meta posts every customer message and every status to one URL and waits for a 200; under load it is
the request this product answers most. FastAPI's stack (its middleware, routing and dependency
solving) cost more CPU per webhook than storing the delivery does (bench/README.md). So this plain
ASGI layer, outermost in the app, answers `POST /webhooks/whatsapp` requests that are what they should
be — a declared length within the limit, a valid signature, a WhatsApp webhook, stored without error —
through the route's own `accept`, with the headers every response carries.

Anything else is handed to the framework unchanged (the body replayed): a bad signature, a body too
large or not JSON, a failure while storing. The route then answers it like every other error — logged,
counted, in the problem format — so errors have exactly one implementation. A delivery is stored at
most once either way: storing is idempotent on the message id, and a failed attempt stored nothing.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from frontdesk.api.body import replay
from frontdesk.api.request_id import request_id_from
from frontdesk.api.routers.webhooks import accept
from frontdesk.api.security import hsts_on, security_headers
from frontdesk.api.services import services_in
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.ops import REQUEST_ID

log = logging.getLogger(__name__)

PATH = "/webhooks/whatsapp"
_SIGNATURE = b"x-hub-signature-256"


class WebhookFastPath:
    """ASGI middleware: the webhook's happy path without the stack behind it (see the module docstring)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        services = services_in(scope["app"].state)
        settings = services.settings
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"")
        if not length.isdigit() or int(length) > settings.max_body_bytes:
            await self.app(scope, receive, send)  # no length, or too long: the route refuses or streams it
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away before sending its body: nobody to answer
        request_id = request_id_from(scope["headers"])
        token = REQUEST_ID.set(request_id)
        try:
            ack = await accept(
                body,
                headers[_SIGNATURE].decode("latin-1") if _SIGNATURE in headers else None,
                app_secret=settings.whatsapp_app_secret.get_secret_value(),
                ingest=services.ingest,
            )
        except FrontdeskError:
            ack = None  # refused input: the route says why
        except Exception:
            log.warning("webhook fast path failed; the route tries again", exc_info=True)
            ack = None
        finally:
            REQUEST_ID.reset(token)
        if ack is None:
            await self.app(scope, replay(body, receive), send)
            return
        services.admin.metrics.webhook("ok")
        content = ack.model_dump_json().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode()),
                    (b"x-request-id", request_id.encode()),
                    *security_headers(PATH, hsts=hsts_on(settings)),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body (the server holds it to the declared length), or None on a disconnect."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
