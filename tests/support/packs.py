"""Business packs for tests: the demo's, one with every optional field, and helpers to break them."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from decimal import Decimal

from frontdesk.adapters.business_pack import pack_files, read_folder
from frontdesk.adapters.db.demo_seed import DEMO_DIR
from frontdesk.domain.business import AppointmentStatus, OrderLine, OrderStatus
from frontdesk.domain.business_pack import (
    Pack,
    PackBusiness,
    PackContacts,
    PackWhatsApp,
)
from frontdesk.domain.business_records import (
    AppointmentRecord,
    CustomerRecord,
    OrderRecord,
    ProductRecord,
    ServiceRecord,
    TechnicianRecord,
)


def demo_pack() -> Pack:
    return read_folder(DEMO_DIR)


def full_pack(*, access_token: str | None = None) -> Pack:
    """A small pack that sets every optional field of every file (a hair salon in Berlin)."""
    nine_to_six = (time(9), time(18))
    return Pack(
        business=PackBusiness(
            name="Salon Süd",
            legal_name="Salon Süd GmbH",
            whatsapp=PackWhatsApp(
                phone_number_id="300000000000001",
                waba_id="300000000000002",
                display_phone_number="+49 30 1234567",
                access_token=access_token,
            ),
            timezone="Europe/Berlin",
            currency="EUR",
            languages=("de", "en"),
            locale="de-DE",
            website="https://salon-sued.example",
            support_email="hallo@salon-sued.example",
            opening_hours={"mon": None, "tue": nine_to_six, "sat": (time(10), time(14))},
            holidays=(date(2026, 12, 24), date(2026, 12, 25)),
            contacts=PackContacts(
                phone="+49 30 7654321", email="team@salon-sued.example", address="Südstr. 1, Berlin"
            ),
        ),
        products=(
            ProductRecord(
                sku="SS-SHAMPOO",
                name="Shampoo, 250 ml",
                category="care",
                price=Decimal("14.90"),
                stock=0,
                rating=Decimal("4.5"),
                tags=("hair", "care"),
                description='Mild, with "quotes", commas; and ümlauts',
                restock_eta=date(2026, 12, 1),
            ),
            ProductRecord(sku="SS-COMB", name="Comb", category="tools", price=Decimal("3"), stock=12),
        ),
        customers=(
            CustomerRecord(
                wa_id="4915100000001",
                name="Jana Richter",
                email="jana@example.com",
                city="Berlin",
                language="de",
                preferences={"stylist": "mia", "likes": "short cuts"},
                marketing_opt_in=True,
                vip=True,
            ),
            CustomerRecord(wa_id="4915100000002"),
        ),
        orders=(
            OrderRecord(
                ref="SS-1",
                customer="4915100000001",
                items=(OrderLine(sku="SS-SHAMPOO", qty=2), OrderLine(sku="SS-COMB", qty=1)),
                total=Decimal("32.80"),
                status=OrderStatus.SHIPPED,
                carrier="DHL",
                tracking="JJD000123",
                ordered_at=date(2026, 11, 18),
                shipped_at=date(2026, 11, 19),
                delivered_at=date(2026, 11, 21),
                eta=date(2026, 11, 22),
            ),
        ),
        services=(
            ServiceRecord(
                code="cut",
                name="Haircut",
                duration_min=45,
                price=Decimal("38.50"),
                remote=False,
                requires=("SS-COMB",),
                description="Wash, cut, dry.",
            ),
            ServiceRecord(
                code="consult", name="Video consultation", duration_min=15, price=Decimal("0"), remote=True
            ),
        ),
        technicians=(
            TechnicianRecord(
                code="mia",
                name="Mia Wolf",
                skills=("cut", "consult"),
                areas=("Berlin", "remote"),
                hours={"tue": ["09:00", "18:00"], "sat": ["10:00", "14:00"]},
            ),
        ),
        appointments=(
            AppointmentRecord(
                ref="A-1",
                service="cut",
                technician="mia",
                customer="4915100000001",
                start=datetime(2026, 11, 24, 10, 30),
                city="Berlin",
                status=AppointmentStatus.CANCELLED,
            ),
            AppointmentRecord(
                ref="A-2",
                service="consult",
                technician="mia",
                customer="4915100000002",
                start=datetime(2026, 11, 28, 11),
            ),
        ),
        travel_buffer_min=15,
        kb={"faq.md": b"# FAQ\n\nWe open at nine.\n"},
        team_yaml=None,
    )


def zipped(files: dict[str, bytes], *, folder: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(folder + name, data)
    return out.getvalue()


def files_of(pack: Pack, **replace: bytes) -> dict[str, bytes]:
    """The pack's files with some replaced (`**{"products.csv": b"..."}`)."""
    return pack_files(pack) | replace
