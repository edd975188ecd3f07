"""The phone simulator's backend (dev only): the web app's phone panel chats with the bot through it.

The browser must never hold the app secret, so it cannot sign a webhook itself. Instead it posts what
the customer typed (or tapped) here; this builds the WhatsApp Cloud API webhook Meta would send, signs
it with the app secret and posts it to Frontdesk's own `POST /webhooks/whatsapp`, in process, so it
goes through the real pipeline (signature check, parsing, ingest, turn, outbox). The business's
replies are read from the built-in fake Graph API (`/_dev/graph`), and each one shown is acknowledged
with signed `delivered` and `read` status webhooks, as the customer's phone would.

`frontdesk serve --fake-graph` mounts it at `/_dev/simulator`; it exists only with FRONTDESK_ENV=dev.

- `POST /messages` `{"wa_id", "name"?, "text"}` or `{"wa_id", "name"?, "choice": {...}}`: the customer
  writes, or taps a button or list row the business offered.
- `GET /messages?wa_id=`: the customer's side of the chat, oldest first: what they sent and what the
  business sent them, with the choices each reply offers.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Annotated, Any, Literal

import httpx
from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp

from frontdesk.devtools.chat import DEMO_NUMBER, Reply, choices_of
from frontdesk.devtools.fake_graph import fake_graph_state
from frontdesk.devtools.webhooks import customer_message, envelope, from_customer, signed, tap, text_content

WaId = Annotated[str, Field(pattern=r"^\d{6,15}$", description="The customer's WhatsApp number.")]


class ChoiceOut(BaseModel):
    """A button or list row the customer can tap."""

    kind: Literal["button_reply", "list_reply"]
    id: str
    title: str
    context: str = Field(description="The wamid of the message that offered it.")


class SimulatedIn(BaseModel):
    """What the customer does: write `text`, or tap a `choice`."""

    model_config = ConfigDict(extra="forbid")

    wa_id: WaId
    name: str | None = Field(default=None, max_length=100)
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    choice: ChoiceOut | None = None


class PhoneMessageOut(BaseModel):
    """One bubble on the phone."""

    seq: int
    side: Literal["customer", "business"]
    wamid: str
    kind: str = Field(description="text, interactive, template, or another WhatsApp type.")
    text: str
    header: str | None = None
    footer: str | None = None
    list_button: str | None = Field(default=None, description="A list's button label.")
    choices: list[ChoiceOut] = []
    read: bool = Field(default=False, description="Customer messages: the business marked it read.")
    at: float = Field(description="Unix seconds.")


class PhoneOut(BaseModel):
    messages: list[PhoneMessageOut]


class SentOut(BaseModel):
    wamid: str
    http_status: int


class _Phones:
    """Every simulated customer's chat, fed by what they send and what the fake Graph API records."""

    def __init__(self, graph: FastAPI) -> None:
        self._graph = graph
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._seen_graph = 0
        self._chats: dict[str, list[PhoneMessageOut]] = {}
        self._read: set[str] = set()

    def add_customer(self, wa_id: str, wamid: str, text: str) -> None:
        with self._lock:
            self._chats.setdefault(wa_id, []).append(
                PhoneMessageOut(
                    seq=next(self._seq), side="customer", wamid=wamid, kind="text", text=text, at=time.time()
                )
            )

    def sync(self) -> list[tuple[str, str]]:
        """Take in the fake Graph API's new records; the (wa_id, wamid) of each new business message."""
        records = fake_graph_state(self._graph).received()
        new: list[tuple[str, str]] = []
        with self._lock:
            for record in records:
                if record["seq"] <= self._seen_graph:
                    continue
                self._seen_graph = record["seq"]
                body = record.get("body") or {}
                if body.get("status") == "read" and body.get("message_id"):
                    self._read.add(body["message_id"])
                elif record.get("wamid") and body.get("to"):
                    self._chats.setdefault(body["to"], []).append(self._bubble(body, record["wamid"]))
                    new.append((body["to"], record["wamid"]))
        return new

    def chat(self, wa_id: str) -> list[PhoneMessageOut]:
        with self._lock:
            return [m.model_copy(update={"read": m.wamid in self._read}) for m in self._chats.get(wa_id, [])]

    def _bubble(self, body: dict[str, Any], wamid: str) -> PhoneMessageOut:
        kind = str(body.get("type", "unknown"))
        interactive = body.get("interactive") or {}
        text = _text_of(body)
        choices = [ChoiceOut(**vars(c)) for c in choices_of(Reply(body=body, wamid=wamid))]
        return PhoneMessageOut(
            seq=next(self._seq),
            side="business",
            wamid=wamid,
            kind=kind,
            text=text,
            header=(interactive.get("header") or {}).get("text"),
            footer=(interactive.get("footer") or {}).get("text"),
            list_button=(interactive.get("action") or {}).get("button"),
            choices=choices,
            at=time.time(),
        )


def _text_of(body: dict[str, Any]) -> str:
    kind = body.get("type")
    if kind == "text":
        return str((body.get("text") or {}).get("body", ""))
    if kind == "interactive":
        return str(((body.get("interactive") or {}).get("body") or {}).get("text", ""))
    if kind == "template":
        return f"(template {(body.get('template') or {}).get('name', '?')})"
    return f"({kind} message)"


def create_simulator(
    *, target: ASGIApp, graph: FastAPI, app_secret: str, phone_number_id: str = DEMO_NUMBER
) -> FastAPI:
    """The simulator app: posts signed webhooks to `target` (Frontdesk), reads replies from `graph`."""
    app = FastAPI(title="Frontdesk phone simulator (dev)", version="1", docs_url=None, redoc_url=None)
    phones = _Phones(graph)
    transport = httpx.ASGITransport(app=target)

    async def post_webhook(payload: dict[str, Any]) -> int:
        body, headers = signed(payload, app_secret)
        async with httpx.AsyncClient(transport=transport, base_url="http://frontdesk.internal") as http:
            response = await http.post("/webhooks/whatsapp", content=body, headers=headers)
        return response.status_code

    async def acknowledge(new: list[tuple[str, str]]) -> None:
        """The phone received and showed the business's new messages: `delivered`, then `read`."""
        if not new:
            return
        now = str(int(time.time()))
        statuses = [
            {"id": wamid, "status": status, "timestamp": now, "recipient_id": wa_id}
            for status in ("delivered", "read")
            for wa_id, wamid in new
        ]
        await post_webhook(envelope(phone_number_id, {"statuses": statuses}))

    @app.post("/messages", operation_id="simulator_send")
    async def send(message: SimulatedIn) -> SentOut:
        """The customer writes `text` or taps a `choice`: a signed webhook into the real pipeline."""
        if (message.text is None) == (message.choice is None):
            raise HTTPException(422, "send either text or choice")
        await acknowledge(phones.sync())
        if message.choice is not None:
            c = message.choice
            content = tap(kind=c.kind, id=c.id, title=c.title, quoting=c.context, business=phone_number_id)
            shown = c.title
        else:
            content, shown = text_content(message.text or ""), message.text or ""
        inbound = customer_message(message.wa_id, content)
        status = await post_webhook(from_customer(phone_number_id, message.name, inbound))
        wamid = inbound["id"]
        if status == 200:
            phones.add_customer(message.wa_id, wamid, shown)
        return SentOut(wamid=wamid, http_status=status)

    @app.get("/messages", operation_id="simulator_chat")
    async def chat(wa_id: Annotated[str, Query(pattern=r"^\d{6,15}$")]) -> PhoneOut:
        """The customer's side of the chat, oldest first."""
        await acknowledge(phones.sync())
        return PhoneOut(messages=phones.chat(wa_id))

    return app
