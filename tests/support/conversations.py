"""A customer's conversation for store-level tests, made before any message is stored.

In the product a conversation starts with the customer's first message (`Tx.store_inbound`). Tests of the
tools and of the outbox want one without that message (it would show in message searches and in the
counts they check), so this writes the two rows that path would: the contact through the same
`inbound.contact` (found, or created), the conversation as a bot conversation with nothing unread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from frontdesk.adapters.db import inbound
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import channels, conversations
from frontdesk.domain.models import Channel, Contact, Conversation, ConversationStatus, Tenant


@dataclass(frozen=True)
class Opened:
    tenant: Tenant
    channel: Channel
    contact: Contact
    conversation: Conversation


async def open_conversation(store: SqlStore, *, number: str, wa_id: str, now: datetime) -> Opened:
    """The conversation of `wa_id` on the WhatsApp number `number`, created if there is none."""
    async with store.begin() as conn:
        channel = (await conn.execute(select(channels).where(channels.c.phone_number_id == number))).one()
        who = await inbound.contact(conn, tenant_id=channel.tenant_id, wa_id=wa_id, name=None)
        key = {"channel_id": channel.id, "contact_id": who.id}
        found = (await conn.execute(select(conversations.c.id).filter_by(**key))).scalar()
        if found is None:
            created = await conn.execute(
                conversations.insert()
                .values(
                    **key,
                    tenant_id=channel.tenant_id,
                    status=ConversationStatus.BOT,
                    unread_count=0,
                    created_at=now,
                    updated_at=now,
                )
                .returning(conversations.c.id)
            )
            found = created.scalar_one()
    async with store.transaction() as tx:
        stored = await tx.channel_by_key(number)
        assert stored is not None
        return Opened(
            tenant=await tx.tenant(channel.tenant_id),
            channel=stored,
            contact=await tx.contact(who.id),
            conversation=await tx.conversation(found),
        )
