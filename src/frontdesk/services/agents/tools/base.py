"""The tool framework: what a tool is, what it receives, and what it returns.

A `Tool` has a name, a description for language models, a Pydantic model of its arguments (validated
and capped before the tool runs) and an async function `(ctx, args) -> ToolResult`. The tenant, the
contact and the conversation come from the `ToolContext` only: no tool takes them as arguments, and
`Tool.call` drops them if a model sends them anyway.

Tools with a `side_effect` (cancel, return, book, ...) act only when called with `confirmed=True`;
called without it they check everything, change nothing and answer `needs_confirmation` with a
question the brain can offer as buttons.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from frontdesk.domain import traces
from frontdesk.domain.business import BusinessData, MessageSearch
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.knowledge import SearchHit
from frontdesk.domain.language_model import ToolSpec
from frontdesk.domain.models import Contact, Conversation, Frozen, Tenant
from frontdesk.domain.outbound import Row
from frontdesk.domain.ports import Clock

MAX_TEXT = 200
SCOPE_KEYS = frozenset(
    {"tenant", "tenant_id", "contact", "contact_id", "conversation_id", "wa_id", "customer_id"}
)
"""Arguments a model may invent to reach other data; dropped before validation (the context decides)."""


def _clip(value: Any) -> Any:
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_clip), Field(min_length=1, max_length=MAX_TEXT)]
"""Free text from a customer or a model: stripped and cut to 200 characters."""
Ref = Annotated[str, Field(min_length=1, max_length=40)]
"""An identifier: an order number, a SKU, an appointment reference."""
Limit = Annotated[int, Field(ge=1, le=10)]


class ToolArgs(BaseModel):
    """Base of every tool's arguments: frozen, no unknown fields, strings at most 200 characters."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, str_max_length=MAX_TEXT)


class NoArgs(ToolArgs):
    pass


class KnowledgeSearch(Protocol):
    """The knowledge base's search, as `frontdesk.services.knowledge.KnowledgeService` offers it."""

    async def search(self, *, tenant: Tenant, query: str, k: int) -> list[SearchHit]: ...


@dataclass(frozen=True, kw_only=True)
class ToolContext:
    """Who is asking, where, and the ports the tools use. The only source of tenant and contact."""

    tenant: Tenant
    contact: Contact
    conversation: Conversation
    data: BusinessData
    knowledge: KnowledgeSearch
    messages: MessageSearch
    clock: Clock
    confirmed: bool = False
    """The customer confirmed this call (set by `Tool.call`, only for side-effect tools)."""

    def __post_init__(self) -> None:
        if self.contact.tenant_id != self.tenant.id or self.conversation.tenant_id != self.tenant.id:
            raise ValueError("tool context mixes tenants")
        if self.conversation.contact_id != self.contact.id:
            raise ValueError("tool context: the conversation is not the contact's")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tenant.timezone)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """Today in the business's time zone."""
        return self.clock.now().astimezone(self.tz).date()


class ToolError(StrEnum):
    NOT_FOUND = "not_found"
    """No such thing for this customer (another customer's looks exactly the same)."""
    NOT_ALLOWED = "not_allowed"
    """The policy or the state says no (e.g. a shipped order cannot be cancelled)."""
    INVALID_ARGUMENTS = "invalid_arguments"
    MISSING_INFO = "missing_info"
    """The tool needs one more answer from the customer; `facts["missing"]` names it."""
    CONFLICT = "conflict"
    """Things changed since the customer chose (the slot was taken)."""


class ToolResult(Frozen):
    """What a tool reports: facts (JSON-safe) for templates and models, and a plain-text summary."""

    ok: bool
    summary: str
    facts: dict[str, Any] = {}
    error: ToolError | None = None
    needs_confirmation: bool = False
    """Nothing was done yet: ask the customer `summary` and call again with `confirmed=True`."""
    handoff: bool = False
    """A person must finish this: hand the conversation to staff."""
    choices: tuple[Row, ...] = ()
    """Options to offer as a WhatsApp list (slots, products, orders), at most 10."""


def done(summary: str, *, choices: tuple[Row, ...] = (), handoff: bool = False, **facts: Any) -> ToolResult:
    return ToolResult(ok=True, summary=summary, facts=facts, choices=choices[:10], handoff=handoff)


def failed(error: ToolError, summary: str, *, choices: tuple[Row, ...] = (), **facts: Any) -> ToolResult:
    return ToolResult(ok=False, error=error, summary=summary, facts=facts, choices=choices[:10])


def ask_to_confirm(question: str, **facts: Any) -> ToolResult:
    return ToolResult(ok=True, summary=question, facts=facts, needs_confirmation=True)


A = TypeVar("A", bound=ToolArgs)


@dataclass(frozen=True)
class Tool(Generic[A]):
    name: str
    description: str
    args: type[A]
    run: Callable[[ToolContext, A], Awaitable[ToolResult]]
    side_effect: bool = False

    def spec(self) -> ToolSpec:
        """The tool as language models' tool calling describes it (JSON schema of the arguments)."""
        return ToolSpec(
            name=self.name, description=self.description, parameters=self.args.model_json_schema()
        )

    def parse(self, raw: Mapping[str, Any]) -> A:
        """Validate arguments from a model or a brain; scoping arguments are dropped, never used."""
        return self.args.model_validate({k: v for k, v in raw.items() if k not in SCOPE_KEYS})

    async def call(self, ctx: ToolContext, raw: Mapping[str, Any], *, confirmed: bool = False) -> ToolResult:
        """Validate `raw` and run the tool; bad arguments and lost races become failed results.

        In a span of its own, named by the tool (never its arguments: they hold what customers wrote)."""
        with traces.span(f"tool {self.name}", attributes={traces.TOOL: self.name}) as span:
            result = await self._call(ctx, raw, confirmed=confirmed)
            outcome = "ok" if result.ok else str(result.error or "failed")
            span.set_attributes(
                {traces.OUTCOME: outcome, "frontdesk.tool.confirmed": ctx.confirmed or confirmed}
            )
            return result

    async def _call(self, ctx: ToolContext, raw: Mapping[str, Any], *, confirmed: bool) -> ToolResult:
        try:
            args = self.parse(raw)
        except ValidationError as exc:
            return failed(ToolError.INVALID_ARGUMENTS, _explain(exc), errors=_errors(exc))
        ctx = replace(ctx, confirmed=confirmed and self.side_effect)
        try:
            return await self.run(ctx, args)
        except ConflictError as exc:
            return failed(ToolError.CONFLICT, f"That could not be done: {exc}.")
        except NotFoundError:
            return failed(ToolError.NOT_FOUND, "That was not found.")


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(map(str, e["loc"])) or "(arguments)", "problem": e["msg"]} for e in exc.errors()
    ]


def _explain(exc: ValidationError) -> str:
    parts = [f"{e['field']}: {e['problem']}" for e in _errors(exc)[:3]]
    return "Invalid arguments — " + "; ".join(parts)
