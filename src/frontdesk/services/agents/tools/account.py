"""Account tools: the customer's profile and preferences, marketing opt-in/out, data requests.

Export and deletion requests become staff tasks: a person completes them, so their results ask for a
handoff. A second request while one is open is not recorded twice.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from frontdesk.domain.business import ContactProfile, StaffTaskKind
from frontdesk.services.agents.tool_helpers.formatting import day, join
from frontdesk.services.agents.tools.base import (
    NoArgs,
    Text,
    Tool,
    ToolArgs,
    ToolContext,
    ToolError,
    ToolResult,
    ask_to_confirm,
    done,
    failed,
)

Key = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z][A-Za-z0-9 _-]*$")]


def profile_facts(p: ContactProfile) -> dict[str, Any]:
    return {
        "name": p.name,
        "email": p.email,
        "city": p.city,
        "language": p.language,
        "preferences": dict(p.preferences),
        "marketing_opt_in": p.marketing_opt_in,
        "opted_out": p.opted_out,
    }


def _missing() -> ToolResult:
    return failed(ToolError.NOT_FOUND, "There is no profile for this WhatsApp number.")


async def get_profile(ctx: ToolContext, args: NoArgs) -> ToolResult:
    p = await ctx.data.profile(ctx.tenant.id, ctx.contact.id)
    if p is None:
        return _missing()
    prefs = join(f"{k}: {v}" for k, v in p.preferences.items()) or "none"
    marketing = "yes" if p.marketing_opt_in and not p.opted_out else "no"
    lines = [
        f"Name: {p.name or '—'}",
        f"Email: {p.email or '—'}",
        f"City: {p.city or '—'}",
        f"Preferences (in the customer's own words): {prefs}",
        f"Marketing messages: {marketing}",
    ]
    return done("\n".join(lines), profile=profile_facts(p))


class UpdatePreferencesArgs(ToolArgs):
    preferences: Annotated[dict[Key, Text], Field(max_length=10)] = Field(
        default={}, description="Preferences to set, e.g. {'likes': 'audio', 'budget': 'mid'}."
    )
    remove: Annotated[list[Key], Field(max_length=10)] = Field(
        default=[], description="Preference names to drop."
    )
    city: Text | None = Field(None, description="The customer's city, if they gave a new one.")


MAX_PREFERENCES = 20
"""Preferences kept per customer. They are the customer's own words, so without a cap a customer (or a
script) could grow their profile without end, and every turn that reads it would carry the lot."""


async def update_preferences(ctx: ToolContext, args: UpdatePreferencesArgs) -> ToolResult:
    if not (args.preferences or args.remove or args.city):
        return failed(ToolError.MISSING_INFO, "What would you like to change?", missing="preferences")
    prefs = {k.strip().lower(): v for k, v in args.preferences.items()}
    remove = {k.strip().lower() for k in args.remove}
    current = await ctx.data.profile(ctx.tenant.id, ctx.contact.id)
    kept = {*(current.preferences if current else {}), *prefs} - remove
    if len(kept) > MAX_PREFERENCES:
        return failed(
            ToolError.NOT_ALLOWED,
            f"I can keep at most {MAX_PREFERENCES} preferences. Which ones shall I remove first?",
            limit=MAX_PREFERENCES,
        )
    p = await ctx.data.update_profile(
        ctx.tenant.id, ctx.contact.id, preferences=prefs, remove=remove, city=args.city
    )
    if p is None:
        return _missing()
    changed = [f"{k}: {v}" for k, v in prefs.items()] + [f"{k} removed" for k in sorted(remove)]
    changed += [f"city: {args.city}"] if args.city else []
    return done(f"Updated — {join(changed)}.", profile=profile_facts(p), changed=changed)


class MarketingArgs(ToolArgs):
    opt_in: bool = Field(description="True to receive marketing messages, False to stop them (STOP).")


async def set_marketing_opt_in(ctx: ToolContext, args: MarketingArgs) -> ToolResult:
    p = await ctx.data.set_marketing(ctx.tenant.id, ctx.contact.id, opt_in=args.opt_in, now=ctx.now())
    if p is None:
        return _missing()
    text = (
        "You will now receive our offers and news. Reply STOP at any time to opt out."
        if args.opt_in
        else "Done: you will not receive marketing messages any more. You can still write to us at any time."
    )
    return done(text, marketing_opt_in=p.marketing_opt_in, opted_out=p.opted_out)


async def _data_request(ctx: ToolContext, kind: StaffTaskKind, what: str) -> ToolResult:
    open_tasks = await ctx.data.staff_tasks_of(ctx.tenant.id, ctx.contact.id)
    earlier = next((t for t in open_tasks if t.kind is kind), None)
    if earlier is not None:
        since = day(earlier.created_at.astimezone(ctx.tz).date())
        text = f"Your request to {what} is already with our staff (since {since}); a person will confirm it."
        return done(text, handoff=True, task_id=earlier.id, kind=kind.value, already_requested=True)
    task = await ctx.data.add_staff_task(
        ctx.tenant.id,
        ctx.contact.id,
        kind=kind,
        details={"requested_via": "whatsapp"},
        conversation_id=ctx.conversation.id,
        now=ctx.now(),
    )
    text = f"Your request to {what} is recorded; a member of staff will confirm it with you."
    return done(text, handoff=True, task_id=task.id, kind=kind.value, already_requested=False)


async def request_data_export(ctx: ToolContext, args: NoArgs) -> ToolResult:
    return await _data_request(ctx, StaffTaskKind.DATA_EXPORT, "export your data")


async def request_data_deletion(ctx: ToolContext, args: NoArgs) -> ToolResult:
    if not ctx.confirmed:
        return ask_to_confirm(
            "Ask us to delete the data we hold about you (profile, orders history, conversations)?",
            kind=StaffTaskKind.DATA_DELETION.value,
        )
    return await _data_request(ctx, StaffTaskKind.DATA_DELETION, "delete your data")


TOOLS: tuple[Tool[Any], ...] = (
    Tool(
        "get_profile",
        "The customer's profile: name, email, city, preferences, marketing choice.",
        NoArgs,
        get_profile,
    ),
    Tool(
        "update_preferences",
        "Set or remove the customer's preferences (likes, budget, home, owns…) and their city.",
        UpdatePreferencesArgs,
        update_preferences,
    ),
    Tool(
        "set_marketing_opt_in",
        "Opt the customer in to or out of marketing messages (STOP opts out).",
        MarketingArgs,
        set_marketing_opt_in,
    ),
    Tool(
        "request_data_export",
        "Record the customer's request for a copy of their data; staff complete it (hand off).",
        NoArgs,
        request_data_export,
    ),
    Tool(
        "request_data_deletion",
        "Record the customer's request to delete their data; staff complete it (hand off).",
        NoArgs,
        request_data_deletion,
        side_effect=True,
    ),
)
