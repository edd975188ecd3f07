"""A second tenant (with its own WhatsApp number) made straight in the database, for isolation tests."""

from __future__ import annotations

from tests.support.harness import Running


def add_tenant(fd: Running, slug: str = "other", *, timezone: str = "UTC") -> int:
    """Insert tenant `slug`; its id."""
    fd.execute(
        "insert into tenants (slug, name, timezone, currency, profile, created_at) "
        "values (:s, :n, :tz, 'EUR', '{}', CURRENT_TIMESTAMP)",
        s=slug,
        n=f"Tenant {slug}",
        tz=timezone,
    )
    return int(fd.query("select id from tenants where slug = :s", s=slug)[0][0])


def add_channel(fd: Running, tenant_id: int, phone_number_id: str, *, token: str | None = None) -> int:
    """Insert a WhatsApp number for the tenant; its id."""
    fd.execute(
        "insert into channels (tenant_id, kind, phone_number_id, access_token, enabled, created_at) "
        "values (:t, 'whatsapp_cloud', :p, :tok, :on, CURRENT_TIMESTAMP)",
        t=tenant_id,
        p=phone_number_id,
        tok=token,
        on=True,
    )
    return int(fd.query("select id from channels where phone_number_id = :p", p=phone_number_id)[0][0])
