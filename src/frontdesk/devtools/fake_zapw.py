"""A fake zapw (the WhatsApp-Web bridge): a real HTTP server that tests and developers use instead of zapw.

It speaks zapw's documented contract (`../shared/channels/zapw.md`): the API key (`Authorization:
Bearer` or `X-API-Key`, else 401 `{"error": "Unauthorized", ...}`), sessions with a QR that expires
(a GET after expiry gives a fresh one), sends of every type, the media of received messages, `/health`,
and events POSTed to one webhook URL with `X-Webhook-Event` (3 attempts, 1 s then 2 s apart, like zapw).
Nothing links a phone: control endpoints under `/_fake/` play the phone's part and make zapw fail:

- `GET /_fake/messages`: every send request, in order, with `session_id`, `body`, `http_status`,
  `message_id`, `api_key` and `received_at` (Unix time, for pacing checks); `DELETE` forgets them.
- `POST /_fake/sessions/{id}/scan` `{"phoneNumber", "name"}`: the phone scanned the QR; status
  `connected` and a `session.connected` event. `.../disconnect` `{"reason"}`: `session.disconnected`.
- `POST /_fake/sessions/{id}/inbound` `{"from", "type", "text", ...}`: a customer's message, posted as
  `message.received` (fields as zapw sends them; `media_base64` + `media_type` give the file its
  `mediaUrl` then serves). `.../status` `{"messageId", "eventType": "message.delivered"}`: a status.
- `POST /_fake/deliver` `{"envelope": {...}}`: post any envelope as it is (redeliveries, odd input).
  Each of these answers with the envelope and the webhook's answers (`webhook_statuses`).
- `POST /_fake/fail` `{"status": 500, "times": 1, "on": "messages"}`: the next calls fail (`"after":
  true` on `sessions`: the next session is made, then the call fails, as a proxy's 504 after zapw did it);
  `DELETE` drops the rules. `POST /_fake/down` / `POST /_fake/up`: every API call answers 500 until up
  (to refuse connections, stop the server). `POST /_fake/config`: the webhook URL, attempts, QR life.
- `POST /_fake/reset`: forget sessions, messages, media, failures and `down`.

State lives on the app (`app.state.fake_zapw`) behind a thread lock, safe for a test thread too.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import itertools
import secrets
import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

_SEND_TYPES = frozenset({"text", "image", "video", "audio", "document", "location", "contact"})
_MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})


class FailRule(BaseModel):
    """How the next `times` calls of a kind (`on`) fail: HTTP `status` with zapw's error envelope."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: int = Field(default=500, ge=400, le=599)
    times: int = Field(default=1, ge=1, le=10_000)
    delay: float = Field(default=0.0, ge=0.0, le=600.0)
    on: Literal["messages", "sessions", "media", "any"] = "messages"
    after: bool = False
    """Fail after doing the work (only creating a session honours it): zapw made the session, but its
    answer is an error (a proxy's 504, a timeout), so the caller cannot know it did."""
    error: str = "Internal Server Error"
    message: str = "Failed to send message"
    code: str | None = None


class FakeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhook_url: str | None = None
    webhook_attempts: int | None = Field(default=None, ge=1, le=10)
    webhook_retry_delay: float | None = Field(default=None, ge=0.0, le=10.0)
    qr_ttl_seconds: float | None = Field(default=None, gt=0.0)


class ScanBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phoneNumber: str = "5511999990000"
    name: str | None = "Fake Phone"


class DisconnectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = "connection_lost"


class InboundBody(BaseModel):
    """A customer's message: zapw's `data` fields (extra ones pass through), plus the media's bytes."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    sender: str = Field(default="5511988887777", alias="from")
    type: str = "text"
    messageId: str | None = None
    isGroup: bool = False
    media_base64: str | None = None
    media_type: str = "application/octet-stream"


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messageId: str
    eventType: Literal["message.sent", "message.delivered", "message.read"] = "message.delivered"
    to: str | None = None


class DeliverBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    envelope: Any
    event_type: str | None = None


class FakeZapwState:
    """Sessions, what was sent, media to serve, queued failures and where events go."""

    def __init__(
        self, *, api_key: str | None, webhook_url: str | None, attempts: int = 3, retry_delay: float = 1.0
    ) -> None:
        self._lock = threading.Lock()
        self.api_key = api_key
        self.webhook_url = webhook_url
        self.webhook_attempts = attempts
        self.webhook_retry_delay = retry_delay
        self.qr_ttl = 60.0
        self.started = time.monotonic()
        self.down = False
        self.sessions: dict[str, dict[str, Any]] = {}
        self.media: dict[tuple[str, str], tuple[bytes, str]] = {}
        self._sent: list[dict[str, Any]] = []
        self._failures: deque[FailRule] = deque()
        self._seq = itertools.count(1)

    def reset(self) -> None:
        with self._lock:
            self.sessions.clear()
            self.media.clear()
            self._sent.clear()
            self._failures.clear()
            self.down = False
            self.qr_ttl = 60.0

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._sent.append({"seq": next(self._seq), **entry, "received_at": time.time()})

    def sent(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._sent)

    def clear_sent(self) -> int:
        with self._lock:
            count = len(self._sent)
            self._sent.clear()
            return count

    def queue_failure(self, rule: FailRule) -> int:
        with self._lock:
            self._failures.extend([rule] * rule.times)
            return len(self._failures)

    def take_failure(self, kind: str, *, after: bool = False) -> FailRule | None:
        with self._lock:
            for rule in self._failures:
                if rule.on in (kind, "any") and rule.after is after:
                    self._failures.remove(rule)
                    return rule
            return None

    def clear_failures(self) -> int:
        with self._lock:
            count = len(self._failures)
            self._failures.clear()
            return count

    def new_qr(self, session: dict[str, Any]) -> None:
        session["qrCode"] = f"2@{secrets.token_urlsafe(48)},{secrets.token_urlsafe(16)}=="
        session["qrExpiresAt"] = _iso(time.time() + self.qr_ttl)
        session["_qr_expires"] = time.time() + self.qr_ttl


def fake_zapw_state(app: FastAPI) -> FakeZapwState:
    """The state of a fake created by `create_fake_zapw`, for in-process inspection."""
    state: FakeZapwState = app.state.fake_zapw
    return state


Answer = tuple[int, dict[str, Any]]


def zapw_error(status: int, error: str, message: str, code: str | None = None) -> Answer:
    """zapw's error envelope, with its HTTP status."""
    return status, {"error": error, "message": message} | ({"code": code} if code else {})


def _respond(answer: Answer) -> JSONResponse:
    return JSONResponse(answer[1], status_code=answer[0])


router = APIRouter()


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    """zapw's health check; no key needed."""
    uptime = time.monotonic() - fake_zapw_state(request.app).started
    return {"status": "ok", "timestamp": _iso(time.time()), "service": "zapw", "uptime": uptime}


@router.post("/sessions", status_code=201)
async def create_session(request: Request) -> JSONResponse:
    """A new session waiting for its QR to be scanned (`sessionId` optional)."""
    state = fake_zapw_state(request.app)
    if refused := await _guard(state, request, "sessions"):
        return _respond(refused)
    body = await _json(request)
    wanted = body.get("sessionId") if isinstance(body, dict) else None
    session_id = wanted if isinstance(wanted, str) and wanted else f"session-{secrets.token_hex(6)}"
    if session_id in state.sessions:
        return _respond(zapw_error(409, "Session Already Exists", f"Session {session_id} already exists"))
    session: dict[str, Any] = {"id": session_id, "status": "qr_waiting", "createdAt": _iso(time.time())}
    state.new_qr(session)
    state.sessions[session_id] = session
    if rule := state.take_failure("sessions", after=True):
        return _respond(await _failure(rule))
    return JSONResponse({"status": "success", "data": _view(session)}, status_code=201)


@router.get("/sessions")
async def list_sessions(request: Request) -> JSONResponse:
    """Every session."""
    state = fake_zapw_state(request.app)
    if refused := await _guard(state, request, "sessions"):
        return _respond(refused)
    return JSONResponse({"status": "success", "data": [_view(s) for s in state.sessions.values()]})


@router.get("/sessions/{session_id}")
async def get_session(session_id: str, request: Request) -> Response:
    """One session; a fresh QR when the last one expired while waiting."""
    state = fake_zapw_state(request.app)
    if refused := await _guard(state, request, "sessions"):
        return _respond(refused)
    session = state.sessions.get(session_id)
    if session is None:
        return _not_found(session_id)
    if session["status"] == "qr_waiting" and session["_qr_expires"] <= time.time():
        state.new_qr(session)
    return JSONResponse({"status": "success", "data": _view(session)})


@router.delete("/sessions/{session_id}")
async def delete_session(session_id: str, request: Request) -> Response:
    """End and forget a session."""
    state = fake_zapw_state(request.app)
    if refused := await _guard(state, request, "sessions"):
        return _respond(refused)
    if state.sessions.pop(session_id, None) is None:
        return _not_found(session_id)
    return Response(status_code=204)


@router.post("/sessions/{session_id}/messages")
async def send_message(session_id: str, request: Request) -> Response:
    """Send a message from a connected session; every attempt recorded with the time it arrived."""
    state = fake_zapw_state(request.app)
    body = await _json(request)
    status, answer = await _guard(state, request, "messages") or _send_answer(state, session_id, body)
    entry = {"session_id": session_id, "body": body, "http_status": status}
    state.record(entry | {"message_id": answer.get("messageId"), "api_key": _presented_key(request)})
    return JSONResponse(answer, status_code=status)


@router.get("/sessions/{session_id}/media/{message_id}")
async def get_media(session_id: str, message_id: str, request: Request) -> Response:
    """The file of a received message, with its content type."""
    state = fake_zapw_state(request.app)
    if refused := await _guard(state, request, "media"):
        return _respond(refused)
    stored = state.media.get((session_id, message_id))
    if stored is None:
        return _respond(zapw_error(404, "Media not found", f"No media for message '{message_id}'"))
    return Response(content=stored[0], media_type=stored[1])


@router.get("/_fake/messages")
async def list_sent(request: Request) -> dict[str, Any]:
    """Every send request received, in order."""
    return {"messages": fake_zapw_state(request.app).sent()}


@router.delete("/_fake/messages")
async def clear_sent(request: Request) -> dict[str, int]:
    """Forget the send requests received so far."""
    return {"cleared": fake_zapw_state(request.app).clear_sent()}


@router.post("/_fake/fail")
async def queue_failure(rule: FailRule, request: Request) -> dict[str, int]:
    """Make the next `times` calls of kind `on` fail."""
    return {"pending": fake_zapw_state(request.app).queue_failure(rule)}


@router.delete("/_fake/fail")
async def clear_failures(request: Request) -> dict[str, int]:
    """Drop the queued failures."""
    return {"cleared": fake_zapw_state(request.app).clear_failures()}


@router.post("/_fake/down")
async def go_down(request: Request) -> dict[str, bool]:
    """Every API call answers 500 until `/_fake/up`."""
    fake_zapw_state(request.app).down = True
    return {"down": True}


@router.post("/_fake/up")
async def come_up(request: Request) -> dict[str, bool]:
    """Answer normally again."""
    fake_zapw_state(request.app).down = False
    return {"down": False}


@router.post("/_fake/config")
async def configure(config: FakeConfig, request: Request) -> dict[str, Any]:
    """Change where events go, how often they are tried, or how long a QR lives."""
    state = fake_zapw_state(request.app)
    if config.webhook_url is not None:
        state.webhook_url = config.webhook_url
    if config.webhook_attempts is not None:
        state.webhook_attempts = config.webhook_attempts
    if config.webhook_retry_delay is not None:
        state.webhook_retry_delay = config.webhook_retry_delay
    if config.qr_ttl_seconds is not None:
        state.qr_ttl = config.qr_ttl_seconds
    return {"webhook_attempts": state.webhook_attempts, "qr_ttl_seconds": state.qr_ttl}


@router.post("/_fake/reset")
async def reset(request: Request) -> dict[str, bool]:
    """Forget sessions, messages, media, failures and the QR's life; up again (where events go stays)."""
    fake_zapw_state(request.app).reset()
    return {"reset": True}


@router.post("/_fake/sessions/{session_id}/scan")
async def scan(session_id: str, body: ScanBody, request: Request) -> Response:
    """The phone scanned the QR: connected, and `session.connected` posted."""
    state = fake_zapw_state(request.app)
    session = state.sessions.get(session_id)
    if session is None:
        return _not_found(session_id)
    for field in ("qrCode", "qrExpiresAt", "_qr_expires"):
        session.pop(field, None)
    session |= {"status": "connected", "phoneNumber": body.phoneNumber, "connectedAt": _iso(time.time())}
    session["name"] = body.name
    data = {"phoneNumber": body.phoneNumber, "name": body.name}
    return await _post_event(state, session_id, "session.connected", data)


@router.post("/_fake/sessions/{session_id}/disconnect")
async def disconnect(session_id: str, body: DisconnectBody, request: Request) -> Response:
    """The phone went away: disconnected, and `session.disconnected` posted."""
    state = fake_zapw_state(request.app)
    session = state.sessions.get(session_id)
    if session is None:
        return _not_found(session_id)
    session["status"] = "disconnected"
    data = {"reason": body.reason, "lastSeen": int(time.time() * 1000)}
    return await _post_event(state, session_id, "session.disconnected", data)


@router.post("/_fake/sessions/{session_id}/inbound")
async def inbound(session_id: str, body: InboundBody, request: Request) -> Response:
    """A customer wrote to the session's number: `message.received` posted (media kept to serve)."""
    state = fake_zapw_state(request.app)
    session = state.sessions.get(session_id)
    if session is None:
        return _not_found(session_id)
    message_id = body.messageId or f"3EB0{secrets.token_hex(8).upper()}"
    extra = {k: v for k, v in (body.model_extra or {}).items()}
    now_ms = int(time.time() * 1000)
    data: dict[str, Any] = {
        "from": body.sender,
        "to": session.get("phoneNumber"),
        "messageId": message_id,
        "type": body.type,
        "timestamp": now_ms,
        "isGroup": body.isGroup,
    }
    if body.media_base64 is not None:
        try:
            content = base64.b64decode(body.media_base64, validate=True)
        except (binascii.Error, ValueError):
            return _respond(zapw_error(400, "Validation failed", "media_base64 is not base64"))
        state.media[(session_id, message_id)] = (content, body.media_type)
    if body.media_base64 is not None or body.type in _MEDIA_TYPES:
        data["mediaUrl"] = f"/sessions/{session_id}/media/{message_id}"
    return await _post_event(state, session_id, "message.received", data | extra)


@router.post("/_fake/sessions/{session_id}/status")
async def status(session_id: str, body: StatusBody, request: Request) -> Response:
    """The recipient's phone got (or read) a message: `message.delivered|read|sent` posted."""
    state = fake_zapw_state(request.app)
    data = {"messageId": body.messageId} | ({"to": body.to} if body.to else {})
    return await _post_event(state, session_id, body.eventType, data)


@router.post("/_fake/deliver")
async def deliver(body: DeliverBody, request: Request) -> JSONResponse:
    """Post any envelope as it is (a redelivery, or input zapw should never send)."""
    state = fake_zapw_state(request.app)
    envelope = body.envelope
    event_type = body.event_type or (envelope.get("eventType") if isinstance(envelope, dict) else None)
    statuses = await _post_webhook(state, envelope, str(event_type or "unknown"))
    return JSONResponse({"envelope": envelope, "webhook_statuses": statuses})


def create_fake_zapw(
    *, api_key: str | None = None, webhook_url: str | None = None, webhook_attempts: int = 3
) -> FastAPI:
    """A new fake zapw app with no sessions; `api_key` None lets every call in (as zapw without one)."""
    app = FastAPI(title="Fake zapw", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.fake_zapw = FakeZapwState(api_key=api_key, webhook_url=webhook_url, attempts=webhook_attempts)
    app.include_router(router)
    return app


def run_fake_zapw(
    *, host: str = "127.0.0.1", port: int = 3000, api_key: str | None = None, webhook_url: str | None = None
) -> None:
    """Serve a fake zapw until interrupted (`frontdesk dev fake-zapw`)."""
    uvicorn.run(create_fake_zapw(api_key=api_key, webhook_url=webhook_url), host=host, port=port)


async def _guard(state: FakeZapwState, request: Request, kind: str) -> Answer | None:
    """The API key, `down` and a queued failure of this kind of call: the refusal, or None to go on."""
    if state.api_key is not None:
        key = _presented_key(request)
        if key is None:
            return zapw_error(401, "Unauthorized", "API key is required")
        if not secrets.compare_digest(key.encode(), state.api_key.encode()):
            return zapw_error(401, "Unauthorized", "Invalid API key")
    if state.down:
        return zapw_error(500, "Internal Server Error", "zapw is down (fake)")
    rule = state.take_failure(kind)
    return None if rule is None else await _failure(rule)


async def _failure(rule: FailRule) -> Answer:
    if rule.delay:
        await asyncio.sleep(rule.delay)
    return zapw_error(rule.status, rule.error, rule.message, rule.code)


def _send_answer(state: FakeZapwState, session_id: str, body: Any) -> Answer:
    session = state.sessions.get(session_id)
    if session is None:
        return _session_not_found(session_id)
    problem = _send_problem(body)
    if problem is not None:
        return zapw_error(400, "Validation failed", problem, "VALIDATION_ERROR")
    if session["status"] != "connected":
        message = f"Session '{session_id}' is not connected to WhatsApp"
        return zapw_error(400, "Session not ready", message, "SESSION_NOT_CONNECTED")
    message_id = f"3EB0{secrets.token_hex(10).upper()}"
    return 200, {"messageId": message_id, "status": "sent", "timestamp": _iso(time.time())}


def _send_problem(body: Any) -> str | None:
    """What zapw's validator would refuse in a send body, or None."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object"
    kind, to = body.get("type"), body.get("to")
    if not isinstance(to, str) or not to:
        return "Missing required field: to"
    if kind not in _SEND_TYPES:
        return f"Invalid message type: {kind}"
    if kind == "location":
        ok = all(isinstance(body.get(f), int | float) for f in ("latitude", "longitude"))
        return None if ok else "latitude and longitude are required"
    if kind == "contact":
        contact = body.get("contact")
        ok = isinstance(contact, dict) and isinstance(contact.get("phone"), str)
        return None if ok else "contact.name and contact.phone are required"
    if not isinstance(body.get(kind), str) or not body[kind]:
        return f"Missing required field: {kind}"
    if kind == "document" and not isinstance(body.get("filename"), str):
        return "Missing required field: filename"
    return None


async def _post_event(state: FakeZapwState, session_id: str, event_type: str, data: Any) -> JSONResponse:
    session = state.sessions.get(session_id, {})
    envelope = {
        "sessionId": session_id,
        "origin": session.get("phoneNumber"),
        "eventType": event_type,
        "timestamp": int(time.time() * 1000),
        "data": data,
    }
    statuses = await _post_webhook(state, envelope, event_type)
    return JSONResponse({"envelope": envelope, "webhook_statuses": statuses})


async def _post_webhook(state: FakeZapwState, envelope: Any, event_type: str) -> list[int | None]:
    """POST the event as zapw does (retried on any failure); each attempt's HTTP status (None: no answer)."""
    if not state.webhook_url:
        return []
    statuses: list[int | None] = []
    headers = {"X-Webhook-Event": event_type}
    async with httpx.AsyncClient(timeout=10.0) as http:
        for attempt in range(1, state.webhook_attempts + 1):
            try:
                response = await http.post(state.webhook_url, json=envelope, headers=headers)
                statuses.append(response.status_code)
                if response.is_success:
                    break
            except httpx.HTTPError:
                statuses.append(None)
            if attempt < state.webhook_attempts:
                await asyncio.sleep(state.webhook_retry_delay * attempt)
    return statuses


def _presented_key(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme == "Bearer" and token:
        return token
    return request.headers.get("x-api-key") or None


def _view(session: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in session.items() if not k.startswith("_") and v is not None}


def _not_found(session_id: str) -> JSONResponse:
    return _respond(_session_not_found(session_id))


def _session_not_found(session_id: str) -> Answer:
    message = f"Session with ID '{session_id}' does not exist"
    return zapw_error(404, "Session not found", message, "SESSION_NOT_FOUND")


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def _iso(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
