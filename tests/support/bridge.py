"""The fake zapw as a real server, driven through its `/_fake/` controls, and a Frontdesk wired to it.

`fake_zapw_server()` serves the fake; `bridge_frontdesk(database_url, graph_url, zapw)` runs Frontdesk with
it as the bridge and points the fake's events at Frontdesk's webhook; `add_bridge_number()` makes a bridge
number through the admin API and links it (`scan`); `zapw.inbound(session, text=...)` is a customer
writing; `zapw.sent()` what Frontdesk sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from frontdesk.devtools.fake_zapw import create_fake_zapw
from tests.support.harness import Running, running_frontdesk
from tests.support.servers import serve_app

ZAPW_API_KEY = "zapw-api-key-that-must-not-be-logged"
WEBHOOK_TOKEN = "bridge-webhook-token-0123456789abcdef-must-not-be-logged"
CUSTOMER = "5511988887777"
BUSINESS_PHONE = "5511999990000"


@dataclass
class FakeZapw:
    """A client of the fake zapw's control endpoints (`frontdesk.devtools.fake_zapw`)."""

    url: str
    http: httpx.Client

    def _post(self, path: str, body: Any = None) -> dict[str, Any]:
        response = self.http.post(f"{self.url}{path}", json=body if body is not None else {})
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def reset(self) -> None:
        self._post("/_fake/reset")

    def point_at(self, frontdesk_url: str, token: str | None = WEBHOOK_TOKEN) -> None:
        """Post events to Frontdesk's bridge webhook (with `token`, if any), one attempt each."""
        hook = f"{frontdesk_url}/webhooks/bridge" + (f"?token={token}" if token is not None else "")
        self._post("/_fake/config", {"webhook_url": hook, "webhook_attempts": 1})

    def scan(self, session: str, phone: str = BUSINESS_PHONE, name: str = "Shop phone") -> dict[str, Any]:
        return self._post(f"/_fake/sessions/{session}/scan", {"phoneNumber": phone, "name": name})

    def disconnect(self, session: str, reason: str = "connection_lost") -> dict[str, Any]:
        return self._post(f"/_fake/sessions/{session}/disconnect", {"reason": reason})

    def inbound(self, session: str, **data: Any) -> dict[str, Any]:
        """A customer's message (`from` defaults to CUSTOMER; `text` makes a text message)."""
        body = {"from": CUSTOMER, "type": "text", **data}
        return self._post(f"/_fake/sessions/{session}/inbound", body)

    def status(self, session: str, message_id: str, event: str = "message.delivered") -> dict[str, Any]:
        return self._post(f"/_fake/sessions/{session}/status", {"messageId": message_id, "eventType": event})

    def deliver(self, envelope: Any) -> dict[str, Any]:
        """Post `envelope` to the webhook as it is (a redelivery, or input zapw should never send)."""
        return self._post("/_fake/deliver", {"envelope": envelope})

    def fail(self, **rule: Any) -> None:
        self._post("/_fake/fail", rule)

    def down(self) -> None:
        self._post("/_fake/down")

    def up(self) -> None:
        self._post("/_fake/up")

    def requests(self) -> list[dict[str, Any]]:
        """Every send request the fake received, failed ones included, in order."""
        records: list[dict[str, Any]] = self.http.get(f"{self.url}/_fake/messages").json()["messages"]
        return records

    def sent(self) -> list[dict[str, Any]]:
        """The sends zapw accepted, in order."""
        return [r for r in self.requests() if r["http_status"] == 200]


@contextmanager
def fake_zapw_server(*, api_key: str | None = ZAPW_API_KEY) -> Iterator[FakeZapw]:
    """A fake zapw on a free loopback port, asking for `api_key`."""
    with serve_app(create_fake_zapw(api_key=api_key)) as url, httpx.Client(timeout=15) as http:
        yield FakeZapw(url=url, http=http)


@dataclass
class BridgeFrontdesk:
    """A running Frontdesk whose bridge is a fake zapw."""

    fd: Running
    zapw: FakeZapw

    def add_bridge_number(self, *, name: str = "Shop", groups: bool = False, scan: bool = True) -> str:
        """A bridge number of the demo tenant made through the admin API; its zapw session id, linked."""
        body = {"kind": "wa_bridge", "name": name, "groups": groups}
        response = self.fd.client.post(
            f"{self.fd.url}/api/v1/channels", json=body, headers=self.fd.staff_headers("admin")
        )
        assert response.status_code == 201, response.text
        session: str = response.json()["session_id"]
        if scan:
            self.zapw.scan(session)
        return session


@contextmanager
def bridge_frontdesk(
    database_url: str, graph_url: str, zapw: FakeZapw, **settings: Any
) -> Iterator[BridgeFrontdesk]:
    """Frontdesk (echo responder unless told otherwise) with the fake zapw as its bridge, and the fake
    posting its events to Frontdesk's webhook with the right token."""
    zapw.reset()
    values: dict[str, Any] = {
        "bridge_url": zapw.url,
        "bridge_api_key": ZAPW_API_KEY,
        "bridge_webhook_token": WEBHOOK_TOKEN,
        "bridge_send_interval_seconds": 0.0,
    }
    values.update(settings)
    with running_frontdesk(database_url, graph_url, **values) as fd:
        zapw.point_at(fd.url)
        yield BridgeFrontdesk(fd=fd, zapw=zapw)
