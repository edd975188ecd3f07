"""`frontdesk chat`: talk to the agent team from a terminal, through the whole product.

Each line typed becomes a signed WhatsApp webhook posted to a Frontdesk served by this process; once
the turn is done, the replies are read back from the built-in fake Graph API, with the agent that
answered and the tools it ran (from the database). Reply buttons and list rows are numbered: typing a
number taps that choice, as a customer would on the phone.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from sqlalchemy import text

from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.store import SqlStore
from frontdesk.devtools.webhooks import customer_message, from_customer, signed, tap, text_content
from frontdesk.domain.ports import turn_key

DEMO_NUMBER = "109876543210001"
"""The demo business's WhatsApp number (its `phone_number_id`)."""

TURN_TIMEOUT = 120.0
"""Seconds a turn may take before the chat gives up on it (the first one builds the team)."""

PENDING_WORK = """
select (select count(*) from jobs where key = :key and status in ('queued', 'running'))
     + (select count(*) from outbox where conversation_id = :id and status in ('pending', 'sending'))
"""


@dataclass(frozen=True)
class Choice:
    """A button or list row the customer can tap."""

    kind: str  # "button_reply" or "list_reply"
    id: str
    title: str
    context: str  # the wamid of the message that offered it


@dataclass(frozen=True)
class Reply:
    """One message the business sent, as the terminal shows it."""

    body: dict[str, Any]
    wamid: str
    agent: str | None = None
    tools: Sequence[str] = ()


@dataclass
class ChatSession:
    """One customer's conversation with a Frontdesk at `base_url` whose Graph API is the fake one."""

    http: httpx.AsyncClient
    store: SqlStore
    base_url: str
    graph_url: str
    app_secret: str
    phone_number_id: str
    wa_id: str
    name: str
    choices: list[Choice] = field(default_factory=list)
    _seen: int = 0

    async def say(self, line: str) -> list[Reply]:
        """Send what the customer typed (a number taps an offered choice); the business's replies."""
        await self._post(self._message(line.strip()))
        await self._wait_for_the_turn()
        replies = await self._new_replies()
        self.choices = [c for reply in replies for c in choices_of(reply)] or self.choices
        return replies

    def _message(self, line: str) -> dict[str, Any]:
        if line.isdigit() and 1 <= int(line) <= len(self.choices):
            c = self.choices[int(line) - 1]
            content = tap(
                kind=c.kind, id=c.id, title=c.title, quoting=c.context, business=self.phone_number_id
            )
            return customer_message(self.wa_id, content)
        return customer_message(self.wa_id, text_content(line))

    async def _post(self, message: dict[str, Any]) -> None:
        """Post the message as Meta would: in a webhook envelope, signed with the app secret."""
        body, headers = signed(from_customer(self.phone_number_id, self.name, message), self.app_secret)
        response = await self.http.post(f"{self.base_url}/webhooks/whatsapp", content=body, headers=headers)
        response.raise_for_status()

    async def _wait_for_the_turn(self) -> None:
        """Until the conversation has no turn to run and nothing left to send."""
        deadline = time.monotonic() + TURN_TIMEOUT
        while time.monotonic() < deadline:
            conversation = await self.conversation()
            if conversation is not None:
                async with self.store.read() as conn:
                    params = {"key": turn_key(conversation[0]), "id": conversation[0]}
                    if not (await conn.execute(text(PENDING_WORK), params)).scalar_one():
                        return
            await asyncio.sleep(0.05)
        raise TimeoutError("the turn did not finish within two minutes")

    async def conversation(self) -> tuple[int, str] | None:
        """The conversation's id and status (bot, human or closed), once it exists."""
        query = text(
            "select c.id, c.status from conversations c join contacts k on k.id = c.contact_id "
            "join channels ch on ch.id = c.channel_id where k.wa_id = :wa and ch.phone_number_id = :pn"
        )
        async with self.store.read() as conn:
            row = (await conn.execute(query, {"wa": self.wa_id, "pn": self.phone_number_id})).first()
        return (row[0], row[1]) if row else None

    async def _new_replies(self) -> list[Reply]:
        records = (await self.http.get(f"{self.graph_url}/_fake/messages")).json()["messages"]
        fresh, self._seen = records[self._seen :], len(records)
        sent = [r for r in fresh if r["wamid"] and r["body"].get("to") == self.wa_id]
        return [await self._described(r["body"], r["wamid"]) for r in sent]

    async def _described(self, body: dict[str, Any], wamid: str) -> Reply:
        query = text("select agent, tools from messages where channel_message_id = :w")
        async with self.store.read() as conn:
            row = (await conn.execute(query, {"w": wamid})).first()
        if row is None:
            return Reply(body=body, wamid=wamid)
        tools = row.tools if isinstance(row.tools, list) else json.loads(row.tools or "[]")
        return Reply(body=body, wamid=wamid, agent=row.agent, tools=[t.get("name", "?") for t in tools])


def choices_of(reply: Reply) -> list[Choice]:
    """The buttons or list rows a reply offers, in the order shown."""
    interactive = reply.body.get("interactive") or {}
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        return [
            Choice("button_reply", b["reply"]["id"], b["reply"]["title"], reply.wamid)
            for b in action.get("buttons", [])
        ]
    if interactive.get("type") == "list":
        return [
            Choice("list_reply", row["id"], row["title"], reply.wamid)
            for section in action.get("sections", [])
            for row in section.get("rows", [])
        ]
    return []


def render(reply: Reply, first_choice: int = 1) -> str:
    """A reply as the terminal prints it: who answered, the text, numbered choices."""
    body = reply.body
    kind = body.get("type")
    if kind == "text":
        content = body["text"]["body"]
    elif kind == "interactive":
        interactive = body["interactive"]
        content = interactive.get("body", {}).get("text", "")
        for n, choice in enumerate(choices_of(reply), start=first_choice):
            content += f"\n  [{n}] {choice.title}"
    elif kind == "template":
        content = f"(template {body['template']['name']})"
    else:
        content = f"({kind} message)"
    who = reply.agent or "bot"
    tools = f" · tools: {', '.join(reply.tools)}" if reply.tools else ""
    return f"[{who}{tools}]\n{content}"


async def run_chat(
    app: Any, sock: socket.socket, *, database_url: str, app_secret: str, wa_id: str, name: str
) -> None:
    """Serve `app` (Frontdesk with the fake Graph API at /_dev/graph) on `sock` and chat until EOF."""
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    host, port = sock.getsockname()[:2]
    base_url = f"http://{host}:{port}"
    store = SqlStore(make_engine(database_url))
    try:
        while not server.started:
            if serving.done():
                serving.result()  # startup failed: raise its error
                return
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(timeout=30) as http:
            session = ChatSession(
                http=http,
                store=store,
                base_url=base_url,
                graph_url=f"{base_url}/_dev/graph",
                app_secret=app_secret,
                phone_number_id=DEMO_NUMBER,
                wa_id=wa_id,
                name=name,
            )
            await _converse(session)
    finally:
        server.should_exit = True
        await serving
        await store.dispose()


async def _converse(session: ChatSession) -> None:
    print(
        f"Chatting as {session.name} ({session.wa_id}). Type a message; a number taps a choice; Ctrl-D ends."
    )
    while True:
        try:
            line = await asyncio.to_thread(input, "you> ")
        except EOFError:
            print()
            return
        if not line.strip():
            continue
        for reply in await session.say(line):
            print(render(reply))
        conversation = await session.conversation()
        if conversation is not None and conversation[1] != "bot":
            print(
                f"-- the conversation is {conversation[1]}: staff answer from here, the bot stays silent --"
            )
