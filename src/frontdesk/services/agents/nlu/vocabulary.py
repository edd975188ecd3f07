"""The names a business's customers may use (products, services, towns), from its business data."""

from __future__ import annotations

from collections.abc import Iterable

from frontdesk.domain.business import ON_SITE, REMOTE, BusinessData
from frontdesk.services.agents.nlu import Named, Vocabulary


async def load_vocabulary(
    data: BusinessData, tenant_id: int, *, cities: Iterable[str] = (), business: str = ""
) -> Vocabulary:
    """Products, services and the towns the technicians cover (plus `cities`), indexed for slot reading;
    `business` is the business's name (its words are weak in the names)."""
    products = await data.search_products(tenant_id)
    services = await data.services(tenant_id)
    technicians = await data.technicians(tenant_id)
    areas = sorted({area for tech in technicians for area in tech.areas if area not in (REMOTE, ON_SITE)})
    return Vocabulary.build(
        products=[Named(p.sku, p.name) for p in products],
        services=[Named(s.code, s.name, extra=(s.description,)) for s in services],
        cities=[*areas, *cities],
        business=business,
    )
