"""A fake WhatsApp Cloud API (Graph API): a real HTTP server that tests and developers use instead of Meta.

It speaks the documented wire protocol for sending, `POST /{version}/{phone_number_id}/messages`
(messages, and read receipts with `"status": "read"`), records every request, and can be told to fail
or to be slow through control endpoints:

- `GET /_fake/messages`: every request received, in order (`{"messages": [...]}`), each with the Unix
  times it was received and answered (`received_at`, `answered_at`; null while held).
- `DELETE /_fake/messages`: forget them.
- `POST /_fake/fail` with `{"status": 429, "code": 130429, "times": 2, "delay": 0.0, "message": "..."}`:
  the next `times` message sends answer with that HTTP status and a Graph error envelope, after
  `delay` seconds. A 2xx status with a delay gives a slow success. Read receipts are never failed,
  so marking an inbound message read does not use up a failure meant for the reply. With
  `"hold": true` the send is recorded at once but answered only after `POST /_fake/release`, which
  lets a test act deterministically while a send is in flight.
- `POST /_fake/release`: answer every held send.
- `GET /{version}/{phone_number_id}?fields=...` (the phone number node, used by "test connection"): the
  number's `display_phone_number`, `verified_name` and `quality_rating`; it takes the next queued
  failure like a send does (so `fail_graph` makes a connection test fail), and a non-numeric id gets
  Graph's error 100 for an object that does not exist. These lookups are not recorded.
- `DELETE /_fake/fail`: drop the queued failures.
- `PUT /_fake/media/{media_id}` (the file as the body, its `Content-Type`; `?phone_number_id=` the number
  that received it): a received file the fake then serves as Graph does: `GET /{version}/{media_id}`
  answers the media node (`url`, `mime_type`, `sha256`, `file_size`, `id`; it takes the next queued
  failure like the phone number node; an id it does not have and that is not a number asked for with
  `fields`, or one asked for with another number's `phone_number_id`, gets Graph's error 100), and the
  node's `url` (`/_fake/lookaside/{media_id}`, on the fake's own address unless `?download_base=` gives
  another, as Graph's real files are on another host) answers the bytes to a request that carries a
  token (401 without, as Meta's download URL does).
  `GET /_fake/media/{media_id}` says how many times the file was downloaded.

State lives on the app (`app.state.fake_graph`); a lock guards it, so concurrent requests and a test
thread reading it directly are both safe.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import secrets
import threading
import time
import uuid
from collections import deque
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

# Types the Cloud API can send; for all but `contacts` (a list) the body holds an object under the type.
_MESSAGE_TYPES = frozenset(
    {"text", "interactive", "template", "image", "audio", "video", "document", "sticker", "reaction"}
    | {"location", "contacts"}
)


class FailRule(BaseModel):
    """How the next `times` message sends fail: HTTP `status`, Graph `code`, after `delay` seconds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: int = Field(default=500, ge=200, le=599)
    code: int = 131000
    times: int = Field(default=1, ge=1, le=10_000)
    delay: float = Field(default=0.0, ge=0.0, le=600.0)
    hold: bool = False
    message: str = "Something went wrong"
    details: str | None = None
    type: str = "OAuthException"


class FakeMedia(BaseModel):
    """A received file the fake serves: its bytes, type, the number that received it and its downloads."""

    model_config = ConfigDict(extra="forbid")

    data: bytes
    mime_type: str
    phone_number_id: str | None = None
    download_base: str | None = None
    """Where the node's `url` points (scheme and host), when not at the fake's own address."""
    downloads: int = 0


class FakeGraphState:
    """What the fake received, the files it serves and the failures queued for it."""

    def __init__(self) -> None:
        # A thread lock (held only without awaiting): safe for the server's event loop and test threads.
        self._lock = threading.Lock()
        self._received: list[dict[str, Any]] = []
        self._failures: deque[FailRule] = deque()
        self._seq = itertools.count(1)
        self._held: set[asyncio.Event] = set()
        self._media: dict[str, FakeMedia] = {}

    def add_media(self, media_id: str, media: FakeMedia) -> None:
        """Serve `media` under `media_id` from now on (replacing a file of that id)."""
        with self._lock:
            self._media[media_id] = media

    def media(self, media_id: str, *, download: bool = False) -> FakeMedia | None:
        """The file of `media_id`, if the fake has it; `download` counts one download of it."""
        with self._lock:
            media = self._media.get(media_id)
            if media is not None and download:
                media.downloads += 1
            return media.model_copy() if media is not None else None

    def record(self, entry: dict[str, Any]) -> int:
        """Remember one request, numbered in arrival order; its number."""
        with self._lock:
            seq = next(self._seq)
            self._received.append({"seq": seq, **entry, "received_at": time.time(), "answered_at": None})
            return seq

    def answered(self, seq: int) -> None:
        """Stamp when the answer to request `seq` left (after any delay or hold): where a sender's crash
        window starts, which `bench/crash_sends.py` measures against the sender's own records."""
        with self._lock:
            for entry in reversed(self._received):
                if entry["seq"] == seq:
                    entry["answered_at"] = time.time()
                    return

    def received(self) -> list[dict[str, Any]]:
        """Every request received since the last reset, oldest first."""
        with self._lock:
            return list(self._received)

    def clear_received(self) -> int:
        """Forget the received requests; how many there were."""
        with self._lock:
            count = len(self._received)
            self._received.clear()
            return count

    def queue_failure(self, rule: FailRule) -> int:
        """Fail the next `rule.times` sends; how many failures are now pending."""
        with self._lock:
            self._failures.extend([rule] * rule.times)
            return len(self._failures)

    def take_failure(self) -> FailRule | None:
        """The failure the current send must produce, if any is queued."""
        with self._lock:
            return self._failures.popleft() if self._failures else None

    async def hold(self) -> None:
        """Wait until `release` is called (from the server's event loop)."""
        gate = asyncio.Event()
        with self._lock:
            self._held.add(gate)
        await gate.wait()

    def release(self) -> int:
        """Let every held send answer; how many were held."""
        with self._lock:
            gates, self._held = self._held, set()
        for gate in gates:
            gate.set()
        return len(gates)

    def clear_failures(self) -> int:
        """Drop the queued failures; how many there were."""
        with self._lock:
            count = len(self._failures)
            self._failures.clear()
            return count


def graph_error(
    code: int, message: str, *, error_type: str = "OAuthException", details: str | None = None
) -> dict[str, Any]:
    """Graph's error envelope, shaped like the Cloud API's (`message` is prefixed with `(#code)`)."""
    text = message if message.startswith("(#") else f"(#{code}) {message}"
    return {
        "error": {
            "message": text,
            "type": error_type,
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or message},
            "fbtrace_id": f"FAKE{secrets.token_hex(8)}",
        }
    }


def fake_graph_state(app: FastAPI) -> FakeGraphState:
    """The state of a fake created by `create_fake_graph`, for in-process inspection."""
    state: FakeGraphState = app.state.fake_graph
    return state


router = APIRouter()


@router.post("/{version}/{phone_number_id}/messages")
async def post_messages(version: str, phone_number_id: str, request: Request) -> JSONResponse:
    """Send a message or mark one read, as the Cloud API does, unless told to fail."""
    state = fake_graph_state(request.app)
    token = _bearer_token(request)
    body = await _json_body(request)
    rule = state.take_failure() if token is not None and not _is_read_receipt(body) else None
    status, answer = _answer(token=token, body=body, rule=rule)
    wamid = answer["messages"][0]["id"] if "messages" in answer else None
    error_code = answer["error"]["code"] if "error" in answer else None
    seq = state.record(
        {
            "version": version,
            "phone_number_id": phone_number_id,
            "token": token,
            "body": body,
            "http_status": status,
            "wamid": wamid,
            "error_code": error_code,
        }
    )
    if rule is not None and rule.delay:
        await asyncio.sleep(rule.delay)
    if rule is not None and rule.hold:
        await state.hold()
    state.answered(seq)
    return JSONResponse(answer, status_code=status)


@router.get("/_fake/messages")
async def list_received(request: Request) -> dict[str, Any]:
    """Every request received, in order, with its token, body, answer status and wamid."""
    return {"messages": fake_graph_state(request.app).received()}


@router.delete("/_fake/messages")
async def clear_received(request: Request) -> dict[str, int]:
    """Forget every request received so far."""
    return {"cleared": fake_graph_state(request.app).clear_received()}


@router.post("/_fake/fail")
async def queue_failure(rule: FailRule, request: Request) -> dict[str, int]:
    """Make the next `times` message sends fail (or be slow) as described."""
    return {"pending": fake_graph_state(request.app).queue_failure(rule)}


@router.post("/_fake/release")
async def release_held(request: Request) -> dict[str, int]:
    """Answer every send held by a `hold` rule."""
    return {"released": fake_graph_state(request.app).release()}


@router.delete("/_fake/fail")
async def clear_failures(request: Request) -> dict[str, int]:
    """Drop the queued failures."""
    return {"cleared": fake_graph_state(request.app).clear_failures()}


@router.put("/_fake/media/{media_id}")
async def put_media(media_id: str, request: Request) -> dict[str, Any]:
    """Serve the request's body (with its `Content-Type`) as the received file `media_id`."""
    mime_type = request.headers.get("content-type") or "application/octet-stream"
    number = request.query_params.get("phone_number_id")
    base = request.query_params.get("download_base")
    media = FakeMedia(
        data=await request.body(), mime_type=mime_type, phone_number_id=number, download_base=base
    )
    fake_graph_state(request.app).add_media(media_id, media)
    return {"id": media_id, "file_size": len(media.data)}


@router.get("/_fake/media/{media_id}")
async def get_media_downloads(media_id: str, request: Request) -> JSONResponse:
    """How many times the file `media_id` was downloaded (404 when the fake does not have it)."""
    media = fake_graph_state(request.app).media(media_id)
    if media is None:
        return JSONResponse({"detail": "no such media"}, status_code=404)
    return JSONResponse({"id": media_id, "downloads": media.downloads})


@router.get("/_fake/lookaside/{media_id}")
async def download_media(media_id: str, request: Request) -> Response:
    """A file's bytes at its media URL, for a request with a token (as Meta's download URL requires)."""
    if _bearer_token(request) is None:
        return JSONResponse(graph_error(190, "Invalid OAuth access token - Cannot parse access token"), 401)
    media = fake_graph_state(request.app).media(media_id, download=True)
    if media is None:
        return Response(status_code=404)
    return Response(media.data, media_type=media.mime_type)


# Declared after the `/_fake/...` routes, which its path pattern would otherwise catch.
@router.get("/{version}/{node_id}")
async def get_node(version: str, node_id: str, request: Request) -> JSONResponse:
    """A phone number node (`GET /{phone_number_id}?fields=...`) or a media node (`GET /{media_id}`), as
    Graph answers them, unless told to fail."""
    state = fake_graph_state(request.app)
    if _bearer_token(request) is None:
        return JSONResponse(graph_error(190, "Invalid OAuth access token - Cannot parse access token"), 401)
    rule = state.take_failure()
    if rule is not None and rule.delay:
        await asyncio.sleep(rule.delay)
    if rule is not None and rule.status >= 300:
        error = graph_error(rule.code, rule.message, error_type=rule.type, details=rule.details)
        return JSONResponse(error, status_code=rule.status)
    media = state.media(node_id)
    asked_by = request.query_params.get("phone_number_id")
    if media is not None and (asked_by is None or media.phone_number_id in (None, asked_by)):
        return JSONResponse(_media_node(str(request.base_url), node_id, media))
    # Without `fields` the caller wants a media node (GraphClient.media asks for none): one the fake does
    # not serve does not exist, like any other id that is not a number's.
    wanted = request.query_params.get("fields")
    if asked_by is not None or media is not None or not node_id.isdigit() or not wanted:
        message = (
            f"Unsupported get request. Object with ID '{node_id}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation."
        )
        return JSONResponse(graph_error(100, message, error_type="GraphMethodException"), 400)
    return _phone_number_node(node_id, request)


def _media_node(base_url: str, media_id: str, media: FakeMedia) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "url": f"{(media.download_base or base_url).rstrip('/')}/_fake/lookaside/{media_id}",
        "mime_type": media.mime_type,
        "sha256": hashlib.sha256(media.data).hexdigest(),
        "file_size": len(media.data),
        "id": media_id,
    }


def _phone_number_node(phone_number_id: str, request: Request) -> JSONResponse:
    node = {
        "display_phone_number": f"+1 555 {phone_number_id[-7:-4] or '010'} {phone_number_id[-4:]}",
        "verified_name": "Fake Business",
        "quality_rating": "GREEN",
        "id": phone_number_id,
    }
    fields = request.query_params.get("fields")
    if fields:
        wanted = {f.strip() for f in fields.split(",")} | {"id"}
        node = {k: v for k, v in node.items() if k in wanted}
    return JSONResponse(node)


def create_fake_graph() -> FastAPI:
    """A new fake Graph API app with empty state."""
    app = FastAPI(title="Fake WhatsApp Cloud API", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.fake_graph = FakeGraphState()
    app.include_router(router)
    return app


def run_fake_graph(host: str = "127.0.0.1", port: int = 8766) -> None:
    """Serve a fake Graph API until interrupted (`frontdesk dev fake-graph`)."""
    uvicorn.run(create_fake_graph(), host=host, port=port)


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    # Graph also takes the token as a query parameter.
    return request.query_params.get("access_token") or None


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def _is_read_receipt(body: Any) -> bool:
    return isinstance(body, dict) and "status" in body


def _answer(*, token: str | None, body: Any, rule: FailRule | None) -> tuple[int, dict[str, Any]]:
    if token is None:
        return 401, graph_error(190, "Invalid OAuth access token - Cannot parse access token")
    if rule is not None and rule.status >= 300:
        return rule.status, graph_error(rule.code, rule.message, error_type=rule.type, details=rule.details)
    problem = _problem(body)
    if problem is not None:
        return 400, graph_error(100, "Invalid parameter", details=problem)
    if _is_read_receipt(body):
        return 200, {"success": True}
    to: str = body["to"]
    wa_id = "".join(ch for ch in to if ch.isdigit()) or to
    wamid = f"wamid.FAKE{uuid.uuid4().hex.upper()}"
    return 200, {
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": wa_id}],
        "messages": [{"id": wamid}],
    }


def _problem(body: Any) -> str | None:
    """What is wrong with a request body, loosely checked, or None."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    if body.get("messaging_product") != "whatsapp":
        return "The parameter messaging_product is required."
    if "status" in body:
        if body["status"] != "read":
            return "Param status must be one of {read}."
        return None if isinstance(body.get("message_id"), str) else "The parameter message_id is required."
    for field in ("to", "type"):
        if not isinstance(body.get(field), str) or not body[field]:
            return f"The parameter {field} is required."
    kind = body["type"]
    if kind not in _MESSAGE_TYPES:
        return f"Param type must be one of {{{', '.join(sorted(_MESSAGE_TYPES))}}}."
    if not isinstance(body.get(kind), dict | list):
        return f"The parameter {kind} is required."
    return None
