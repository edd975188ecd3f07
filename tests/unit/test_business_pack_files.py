"""The business pack reader and writer (adapters/business_pack): every refusal names file, row, column."""

from __future__ import annotations

import io
import json
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from frontdesk.adapters.business_pack import (
    MAX_ENTRIES,
    pack_files,
    read_files,
    read_folder,
    read_path,
    read_table,
    read_zip,
    write_folder,
    write_table,
    write_zip,
)
from frontdesk.adapters.business_pack.business import schema
from frontdesk.domain.business_pack import PackError
from tests.support.packs import demo_pack, files_of, full_pack, zipped

PRODUCTS_HEADER = "sku,name,category,price,stock\n"


def problems(files: dict[str, bytes], **limits: int) -> list[str]:
    with pytest.raises(PackError) as caught:
        read_zip(zipped(files), **limits)
    return [str(p) for p in caught.value.problems]


def table_problems(table: str, text: str | bytes) -> list[str]:
    with pytest.raises(PackError) as caught:
        read_table(table, text.encode() if isinstance(text, str) else text)
    return [str(p) for p in caught.value.problems]


# -- what goes in comes out


def test_the_demo_folder_reads_and_writes_back_the_same(tmp_path: Path) -> None:
    pack = demo_pack()
    assert len(pack.products) == 22 and len(pack.orders) == 14 and len(pack.appointments) == 3
    assert pack.team_yaml and "faq.md" in pack.kb and pack.travel_buffer_min == 30
    write_folder(pack, tmp_path / "out")
    assert read_folder(tmp_path / "out") == pack
    assert read_zip(write_zip(pack)) == pack


def test_a_pack_with_every_optional_field_round_trips_through_a_zip() -> None:
    pack = full_pack()
    assert read_zip(write_zip(pack)) == pack


def test_the_access_token_is_never_written() -> None:
    pack = full_pack(access_token="EAAG-secret")
    assert b"EAAG-secret" not in write_zip(pack)
    assert b"EAAG-secret" not in pack_files(pack)["business.yaml"]


def test_a_zip_of_the_pack_folder_is_read_like_its_contents() -> None:
    # What zipping a folder gives: one top folder, perhaps macOS's resource forks and notes beside it.
    extras = {"README.md": b"# notes", ".DS_Store": b"\0"}
    data = zipped(pack_files(full_pack()) | extras, folder="salon/")
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("__MACOSX/salon/._business.yaml", b"")
    assert read_zip(out.getvalue()) == full_pack()


def test_single_files_need_no_business_yaml() -> None:
    pack = read_files({"products.csv": (PRODUCTS_HEADER + "A,Lamp,lighting,9.99,3\n").encode()})
    assert pack.business is None and [p.sku for p in pack.products] == ["A"]


def test_a_utf8_byte_order_mark_is_fine() -> None:
    rows = read_table("products", b"\xef\xbb\xbf" + (PRODUCTS_HEADER + "A,Lamp,lighting,9.99,3\n").encode())
    assert rows[0].sku == "A"


def test_read_path_takes_a_folder_or_a_zip(tmp_path: Path) -> None:
    write_folder(full_pack(), tmp_path / "salon")
    (tmp_path / "salon.zip").write_bytes(write_zip(full_pack()))
    assert read_path(tmp_path / "salon") == read_path(tmp_path / "salon.zip") == full_pack()
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(PackError, match=r"neither a pack folder nor a \.zip"):
        read_path(tmp_path / "notes.txt")
    with pytest.raises(PackError, match=r"missing\.zip: does not exist"):
        read_path(tmp_path / "missing.zip")


def test_write_table_writes_what_read_table_reads() -> None:
    for table in ("products", "customers", "orders"):
        rows = list(getattr(full_pack(), table))
        assert read_table(table, write_table(table, rows)) == rows
    with pytest.raises(ValueError, match="no CSV table"):
        read_table("services", b"")


# -- tables: each refusal names the file, the row and the column


@pytest.mark.parametrize(
    ("table", "text", "expected"),
    [
        (
            "products",
            PRODUCTS_HEADER + "A,Lamp,lighting,abc,3\n",
            'products.csv row 1: price "abc" is not a number',
        ),
        ("products", PRODUCTS_HEADER + "A,Lamp,lighting,1.234,3\n", 'price "1.234" has more than 2 decimals'),
        ("products", PRODUCTS_HEADER + "A,Lamp,lighting,-1,3\n", 'price "-1" is negative'),
        ("products", PRODUCTS_HEADER + "A,Lamp,lighting,1,2.5\n", 'stock "2.5" is not a whole number'),
        ("products", PRODUCTS_HEADER + "A,,lighting,1,2\n", "products.csv row 1: name is empty"),
        ("products", PRODUCTS_HEADER + " A,Lamp,lighting,1,2\n", 'sku " A" has spaces around it'),
        ("products", "sku,name,category,price,stock,colour\n", 'products.csv: unknown column "colour"'),
        ("products", "sku,name,category,stock\n", 'products.csv: required column "price" is missing'),
        ("products", "sku,name,category,price,stock,sku\n", 'column "sku" appears twice'),
        ("products", "sku,name,category,price,stock,rating\nA,L,c,1,1,7\n", 'rating "7" is not a rating'),
        ("products", "sku,name,category,price,stock,restock_eta\nA,L,c,1,1,2026-02-30\n", "is not a date"),
        (
            "products",
            PRODUCTS_HEADER + "A,Lamp,lighting,1,2,extra\n",
            "products.csv row 1: has 6 cells, the header 5",
        ),
        ("products", "", "products.csv: is empty"),
        ("customers", "wa_id,vip\n447700900101,yes\n", 'customers.csv row 1: vip "yes" is not true or false'),
        ("customers", "wa_id\n+44 7700 900101\n", "is not a WhatsApp number's digits"),
        (
            "customers",
            "wa_id,language\n447700900101,xx-zz\n",
            'language "xx-zz" is not a BCP 47 language tag',
        ),
        (
            "customers",
            "wa_id,preferences\n447700900101,just text\n",
            'preferences "just text" is not "key: value',
        ),
        (
            "orders",
            "order_id,wa_id,items,total,status,ordered_at\nO1,447700900101,A x1,1,lost,2026-11-01\n",
            'orders.csv row 1: status "lost" is not one of processing, backordered',
        ),
        (
            "orders",
            "order_id,wa_id,items,total,status,ordered_at\nO1,447700900101,A x0,1,shipped,2026-11-01\n",
            'item "A x0" is not "SKU x2"',
        ),
        (
            "orders",
            "order_id,wa_id,items,total,status,ordered_at\nO1,447700900101,A x1,1,shipped,1/11/2026\n",
            'ordered_at "1/11/2026" is not a date like 2026-11-21',
        ),
    ],
)
def test_a_bad_cell_is_named(table: str, text: str, expected: str) -> None:
    assert any(expected in p for p in table_problems(table, text)), table_problems(table, text)


def test_every_problem_is_listed_not_only_the_first() -> None:
    text = PRODUCTS_HEADER + "A,Lamp,lighting,abc,3\nB,Lamp,lighting,1,x\nA,Lamp,lighting,1,1\n"
    assert table_problems("products", text) == [
        'products.csv row 1: price "abc" is not a number',
        'products.csv row 2: stock "x" is not a whole number',
        'products.csv row 3: sku "A" is also on row 1',
    ]


def test_problems_of_several_files_come_together() -> None:
    files = files_of(
        demo_pack(),
        **{
            "products.csv": (PRODUCTS_HEADER + "A,Lamp,lighting,abc,3\n").encode(),
            "customers.csv": b"wa_id,vip\n447700900101,maybe\n",
        },
    )
    found = problems(files)
    assert 'products.csv row 1: price "abc" is not a number' in found
    assert 'customers.csv row 1: vip "maybe" is not true or false' in found


def test_a_file_that_is_not_utf8_is_refused() -> None:
    found = table_problems("products", (PRODUCTS_HEADER + "A,Lampe für dich,x,1,1\n").encode("latin-1"))
    assert found == ["products.csv: is not UTF-8 text (line 2, byte 40); save it as UTF-8"]


# -- the YAML files


def _business(text: str) -> list[str]:
    return problems({"business.yaml": text.encode()})


def test_business_yaml_is_required_in_a_pack() -> None:
    assert problems({"products.csv": PRODUCTS_HEADER.encode()}) == [
        "business.yaml: is missing; a pack needs it (name, time zone)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: X\ntimezone: Europe/London\ncurrency: XYZ\n",
            'currency "XYZ" is not an ISO 4217 currency code',
        ),
        (
            "name: X\ntimezone: Mars/Olympus\ncurrency: EUR\n",
            'timezone "Mars/Olympus" is not an IANA time zone',
        ),
        (
            "name: X\ntimezone: UTC\ncurrency: EUR\nlanguages: [en, zz-99]\n",
            'languages[2] "zz-99" is not a BCP 47',
        ),
        ("name: X\ntimezone: UTC\ncurrency: EUR\nlocale: en_GB_bad\n", 'locale "en_GB_bad" is not a BCP 47'),
        (
            "name: X\ntimezone: UTC\ncurrency: EUR\nopening_hours: {mon: ['18:00', '09:00']}\n",
            "closes before it opens",
        ),
        (
            "name: X\ntimezone: UTC\ncurrency: EUR\nopening_hours: {monday: []}\n",
            "business.yaml: opening_hours",
        ),
        (
            "name: X\ntimezone: UTC\ncurrency: EUR\nholidays: ['2026-13-01']\n",
            'holidays[1] "2026-13-01" is not a date',
        ),
        ("name: X\ntimezone: UTC\ncurrency: EUR\ncolour: red\n", "'colour' was unexpected"),
        ("timezone: UTC\ncurrency: EUR\n", "'name' is a required property"),
        (
            "name: X\ntimezone: UTC\ncurrency: EUR\nwhatsapp: {waba_id: '1'}\n",
            "'phone_number_id' is a required",
        ),
        ("name: [unclosed\n", "business.yaml: is not valid YAML at line 2"),
        ("- a list\n", "business.yaml: is not a YAML mapping"),
    ],
)
def test_a_bad_business_yaml_is_named(text: str, expected: str) -> None:
    found = _business(text)
    assert any(expected in p for p in found), found


def test_unquoted_numbers_and_dates_in_yaml_are_read_as_written() -> None:
    text = (
        "name: X\ntimezone: UTC\ncurrency: eur\nwhatsapp: {phone_number_id: 1234}\nholidays: [2026-12-25]\n"
    )
    pack = read_zip(zipped({"business.yaml": text.encode()}))
    assert pack.business is not None
    assert pack.business.whatsapp is not None and pack.business.whatsapp.phone_number_id == "1234"
    assert pack.business.currency == "EUR" and str(pack.business.holidays[0]) == "2026-12-25"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "services: [{id: a, name: A, duration_min: 3, price: 1},"
            " {id: a, name: B, duration_min: 5, price: 1}]",
            'services[2].id "a" is also services[1]\'s id',
        ),
        (
            "services: [{id: a, name: A, duration_min: 30, price: abc}]",
            'services[1].price "abc" is not a number',
        ),
        (
            "services: [{id: a, name: A, duration_min: 0, price: 1}]",
            "services[1].duration_min 0 is less than",
        ),
        ("technicians: [{id: t, name: T, hours: {mon: ['9', '17']}}]", "technicians[1].hours.mon"),
        (
            "appointments: [{id: x, service: a, technician: t, wa_id: '447700900101', start: 'tomorrow'}]",
            'appointments[1].start "tomorrow" is not a date and time',
        ),
        ("travel_buffer_min: -5", "travel_buffer_min -5 is less than the minimum of 0"),
        ("staff: []", "'staff' was unexpected"),
    ],
)
def test_a_bad_services_yaml_is_named(text: str, expected: str) -> None:
    found = problems(files_of(full_pack(), **{"services.yaml": text.encode()}))
    assert any(expected in p and p.startswith("services.yaml: ") for p in found), found


# -- what could escape the pack or exhaust the server


def test_unknown_files_are_refused_by_name() -> None:
    found = problems(files_of(full_pack(), **{"product.csv": b"sku\n"}))
    assert found == [
        "product.csv: is not part of a pack (known: business.yaml, customers.csv, orders.csv, products.csv, "
        "services.yaml, team.yaml, kb/*)"
    ]


@pytest.mark.parametrize(
    "name", ["../business.yaml", "/etc/passwd", "kb/../../x.md", "C:/x.md", "..\\evil.csv"]
)
def test_a_zip_path_outside_the_pack_is_refused(name: str) -> None:
    found = problems(files_of(full_pack(), **{name: b"x"}))
    assert any(p.startswith(f"{name}: points outside the pack") for p in found), found


def test_a_symlink_in_a_zip_is_refused() -> None:
    out = io.BytesIO(zipped(pack_files(full_pack())))
    with zipfile.ZipFile(out, "a") as archive:
        link = zipfile.ZipInfo("kb/passwd.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(PackError) as caught:
        read_zip(out.getvalue())
    assert [str(p) for p in caught.value.problems] == [
        "kb/passwd.md: is a symbolic link; zip the file itself"
    ]


def test_a_symlink_in_a_folder_is_refused(tmp_path: Path) -> None:
    write_folder(full_pack(), tmp_path / "pack")
    (tmp_path / "pack" / "kb" / "secret.md").symlink_to("/etc/hostname")
    with pytest.raises(PackError) as caught:
        read_folder(tmp_path / "pack")
    assert [str(p) for p in caught.value.problems] == [
        "kb/secret.md: is a symbolic link; copy the file itself in"
    ]


def test_a_pack_over_the_size_limit_is_refused_before_it_is_inflated() -> None:
    bomb = {"business.yaml": pack_files(full_pack())["business.yaml"], "kb/zeros.md": b"0" * 5_000_000}
    data = zipped(bomb)
    assert len(data) < 50_000  # it compresses to almost nothing
    total = sum(len(b) for b in bomb.values())
    assert problems(bomb, max_bytes=1_000_000) == [
        f"the pack: holds {total:,} bytes, over the limit of 1,000,000"
    ]


def test_a_zip_that_lies_about_its_sizes_is_stopped_while_inflating() -> None:
    data = bytearray(
        zipped({"business.yaml": pack_files(full_pack())["business.yaml"], "kb/z.md": b"0" * 3_000_000})
    )
    # Make both headers of kb/z.md declare 10 bytes: the declared total then passes the limit.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = (
            data.find(signature, data.find(signature) + 1)
            if signature == b"PK\x03\x04"
            else data.rfind(signature)
        )
        struct.pack_into("<I", data, at + offset, 10)
    found = problems_of_bytes(bytes(data), max_bytes=1_000_000)
    assert found in (
        ["kb/z.md: inflates past the size limit (its sizes are wrong)"],
        [f for f in found if f.startswith("kb/z.md: cannot be unzipped")],
    ), found


def problems_of_bytes(data: bytes, **limits: int) -> list[str]:
    with pytest.raises(PackError) as caught:
        read_zip(data, **limits)
    return [str(p) for p in caught.value.problems]


def test_a_zip_with_too_many_files_is_refused() -> None:
    files = {f"kb/{i}.md": b"x" for i in range(MAX_ENTRIES + 1)}
    assert problems(files) == [f"the zip: holds {MAX_ENTRIES + 1} files, over {MAX_ENTRIES}"]


def test_an_upload_that_is_not_a_zip_is_refused() -> None:
    assert problems_of_bytes(b"business.yaml\nname: x")[0].startswith("the upload: is not a zip file")


def test_the_docs_print_the_schemas_the_reader_uses() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "business-pack.md").read_text(encoding="utf-8")
    for name in ("business", "services"):
        shipped = json.dumps(schema(name), indent=2)
        printed = docs.split(f"### {name}.schema.json\n\n```json\n", 1)[1].split("\n```", 1)[0]
        assert json.loads(printed) == json.loads(shipped), f"docs/business-pack.md's {name} schema is stale"


def test_a_cell_a_spreadsheet_would_run_is_written_quoted_and_read_back_as_it_was() -> None:
    pack = full_pack()
    sneaky = pack.customers[0].model_copy(
        update={"name": '=HYPERLINK("http://evil.example","x")', "city": "'-quoted"}
    )
    written = write_table("customers", [sneaky])
    assert b"'=HYPERLINK" in written and b"''-quoted" in written
    assert read_table("customers", written) == [sneaky]
    by_hand = read_table("products", (PRODUCTS_HEADER + "A,'=1+1,x,1,1\n").encode())
    assert by_hand[0].name == "=1+1"  # a quoted formula typed in a spreadsheet is its text


def test_documents_in_folders_inside_kb_are_refused() -> None:
    found = problems(files_of(full_pack(), **{"kb/a/faq.md": b"# A", "kb/b/faq.md": b"# B"}))
    assert found == [
        "kb/a/faq.md: is in a folder inside kb/; put documents in kb/ itself",
        "kb/b/faq.md: is in a folder inside kb/; put documents in kb/ itself",
    ]


def test_a_zip_with_a_name_twice_or_only_kb_documents_is_read_as_it_is() -> None:
    business = pack_files(full_pack())["business.yaml"]
    assert problems({"business.yaml": business, "kb/faq.md": b"# A", "./kb/faq.md": b"# B"}) == [
        "./kb/faq.md: is in the zip twice"
    ]
    with pytest.raises(PackError) as caught:
        read_zip(zipped({"kb/faq.md": b"# FAQ"}))  # not mistaken for a zipped folder called kb
    assert [str(p) for p in caught.value.problems] == [
        "business.yaml: is missing; a pack needs it (name, time zone)"
    ]
