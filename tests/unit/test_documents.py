"""Text and structure extraction from Markdown, plain text, HTML and PDF, and refusing bad files."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from pypdf import PdfWriter

from frontdesk.adapters.documents import SUPPORTED_TYPES, DocumentExtractor, detect_format, extract_document
from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.knowledge import (
    BlockKind,
    DocumentFormat,
    DocumentReader,
    UnreadableDocument,
    UnsupportedDocumentType,
)
from tests.support.documents import blank_pdf, make_pdf


def kinds(text: str, filename: str) -> list[tuple[str, str]]:
    return [(b.kind.value, b.text) for b in extract_document(text.encode(), filename=filename).blocks]


# --- Markdown ----------------------------------------------------------------------------------

MARKDOWN = """# Returns guide

Intro paragraph that
spans two lines, with **bold**, *italic*, `code` and a [link](https://example.com).

## Before you start
- first item
  continues here
- second item
1. numbered one
2) numbered two

Setext section
--------------

```
# not a heading
```

***

### Deep ###
> quoted text
"""


def test_markdown_keeps_headings_paragraphs_and_list_items() -> None:
    doc = extract_document(MARKDOWN.encode(), filename="returns.md")
    assert doc.format is DocumentFormat.MARKDOWN
    assert doc.title == "Returns guide"
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        (BlockKind.HEADING, 1, "Returns guide"),
        (BlockKind.PARAGRAPH, 0, "Intro paragraph that spans two lines, with bold, italic, code and a link."),
        (BlockKind.HEADING, 2, "Before you start"),
        (BlockKind.LIST_ITEM, 0, "- first item continues here"),
        (BlockKind.LIST_ITEM, 0, "- second item"),
        (BlockKind.LIST_ITEM, 0, "1. numbered one"),
        (BlockKind.LIST_ITEM, 0, "2. numbered two"),
        (BlockKind.HEADING, 2, "Setext section"),
        (BlockKind.PARAGRAPH, 0, "# not a heading"),
        (BlockKind.HEADING, 3, "Deep"),
        (BlockKind.PARAGRAPH, 0, "quoted text"),
    ]


def test_text_joins_blocks_with_blank_lines() -> None:
    doc = extract_document(b"# T\n\nOne.\n\nTwo.", filename="t.md")
    assert doc.text == "T\n\nOne.\n\nTwo."


def test_demo_knowledge_base_reads() -> None:
    kb = Path(__file__).resolve().parents[2] / "src/frontdesk/demo_data/lumen/kb"
    docs = [extract_document(p.read_bytes(), filename=p.name) for p in sorted(kb.glob("*.md"))]
    assert len(docs) == 8
    assert all(d.title and d.blocks for d in docs)
    climate = next(d for d in docs if d.filename == "troubleshooting-climate.md")
    assert 'The thermostat shows "E3"' in [b.text for b in climate.blocks if b.kind is BlockKind.HEADING]


# --- plain text --------------------------------------------------------------------------------


def test_plain_text_paragraphs_and_bullets_title_from_filename() -> None:
    doc = extract_document(
        b"First line\nsecond line\n\n* a bullet\n- another\n", filename="opening_hours.txt"
    )
    assert doc.title == "Opening hours"
    assert kinds("First line\nsecond line\n\n* a bullet\n- another\n", "x.txt") == [
        ("paragraph", "First line second line"),
        ("list_item", "- a bullet"),
        ("list_item", "- another"),
    ]


def test_cp1252_text_is_decoded() -> None:
    data = "Caf\u00e9 \u201cquoted\u201d costs \u20ac5 \u2013 na\u00efve".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc = extract_document(data, filename="notes.txt")
    assert doc.blocks[0].text == "Café “quoted” costs €5 – naïve"


def test_utf8_bom_and_utf16_are_decoded() -> None:
    assert extract_document("\ufeffHéllo".encode(), filename="a.txt").blocks[0].text == "Héllo"
    assert extract_document("Grüße\r\nzusammen".encode("utf-16"), filename="a.txt").text == "Grüße zusammen"


def test_declared_charset_wins() -> None:
    data = "Price: \u20ac9".encode("iso-8859-15")
    doc = extract_document(data, filename="a.txt", content_type="text/plain; charset=ISO-8859-15")
    assert doc.text == "Price: €9"


@pytest.mark.parametrize("filename", ["junk.txt", "junk.md", "junk.html"])
def test_binary_junk_is_refused(filename: str) -> None:
    data = random.Random(7).randbytes(4000)
    with pytest.raises(UnreadableDocument, match="not text in a known encoding"):
        extract_document(data, filename=filename)


def test_control_characters_without_nul_are_refused() -> None:
    data = bytes(range(1, 9)) * 50 + b"some text"
    with pytest.raises(UnreadableDocument):
        extract_document(data, filename="x.txt")


@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(UnreadableDocument, match="empty"):
        extract_document(data, filename="empty.md")


# --- HTML --------------------------------------------------------------------------------------

HTML = """<!doctype html><html><head><title>Help centre</title><style>p { color: red }</style>
<script>var secret = "drop me";</script></head>
<body><nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav>
<h1>Heating help</h1><!-- a comment -->
<p>Your <b>thermostat</b> shows a code.<br>Read on.</p>
<h2>Codes</h2><ul><li>E3: no relay</li><li>E4: <i>low</i> battery</li></ul>
<div>Loose <span>text</span></div><noscript>enable js</noscript>
<script type="application/ld+json">{"x": 1}</script>
</body></html>"""


def test_html_keeps_text_and_headings_drops_scripts_styles_nav() -> None:
    doc = extract_document(HTML.encode(), filename="help.html")
    assert doc.format is DocumentFormat.HTML
    assert doc.title == "Help centre"
    assert [(b.kind.value, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Heating help"),
        ("paragraph", 0, "Your thermostat shows a code. Read on."),
        ("heading", 2, "Codes"),
        ("list_item", 0, "- E3: no relay"),
        ("list_item", 0, "- E4: low battery"),
        ("paragraph", 0, "Loose text"),
    ]
    for dropped in ("secret", "color", "Shop", "comment", "enable js", '"x"'):
        assert dropped not in doc.text


def test_html_without_title_uses_first_h1() -> None:
    doc = extract_document(b"<h1>Main</h1><p>Body</p>", filename="page.htm")
    assert doc.title == "Main"


def test_html_with_only_scripts_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument, match="no text"):
        extract_document(b"<script>alert(1)</script><style>a{}</style>", filename="x.html")


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_text_layer_is_extracted() -> None:
    data = make_pdf(["Warranty terms", "All devices have a 2-year warranty."], title="Lumen warranty")
    doc = extract_document(data, filename="warranty.pdf", content_type="application/pdf")
    assert doc.format is DocumentFormat.PDF
    assert doc.title == "Lumen warranty"
    assert "All devices have a 2-year warranty." in doc.text
    assert "Warranty terms" in doc.text


def test_pdf_without_metadata_title_uses_filename() -> None:
    doc = extract_document(make_pdf(["Hello there"]), filename="terms-and-conditions.pdf")
    assert doc.title == "Terms and conditions"


def test_image_only_pdf_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument, match="no text layer"):
        extract_document(blank_pdf(), filename="scan.pdf")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\nthis is not really a pdf at all",
        make_pdf(["Some text here"])[:120],
        b"%PDF-1.4\n" + random.Random(3).randbytes(3000),
    ],
    ids=["garbage", "truncated", "random"],
)
def test_corrupt_pdf_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableDocument) as info:
        extract_document(data, filename="broken.pdf")
    assert "broken.pdf" in str(info.value)


def test_password_protected_pdf_is_unreadable() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(["secret"])))
    writer.encrypt(user_password="hunter2", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UnreadableDocument, match="password"):
        extract_document(out.getvalue(), filename="locked.pdf")


# --- types -------------------------------------------------------------------------------------


def test_unsupported_type_lists_supported_ones() -> None:
    with pytest.raises(UnsupportedDocumentType) as info:
        extract_document(b"PK\x03\x04", filename="report.docx", content_type="application/msword")
    assert isinstance(info.value, InvalidInputError)
    assert info.value.given == ".docx"
    assert ".pdf" in info.value.supported
    assert info.value.supported == SUPPORTED_TYPES
    assert ".md" in str(info.value)


@pytest.mark.parametrize(
    ("filename", "content_type", "data", "expected"),
    [
        ("a.MD", None, b"x", DocumentFormat.MARKDOWN),
        ("upload", "text/markdown; charset=utf-8", b"x", DocumentFormat.MARKDOWN),
        ("upload.bin", "text/html", b"x", DocumentFormat.HTML),
        ("notes.txt", "application/octet-stream", b"x", DocumentFormat.TEXT),
        ("scan.txt", None, b"%PDF-1.4 ...", DocumentFormat.PDF),
    ],
)
def test_detect_format(
    filename: str, content_type: str | None, data: bytes, expected: DocumentFormat
) -> None:
    assert detect_format(filename=filename, content_type=content_type, data=data) is expected


def test_no_extension_and_no_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedDocumentType):
        detect_format(filename="LICENSE", content_type=None)


def test_extractor_is_a_document_reader() -> None:
    reader: DocumentReader = DocumentExtractor()
    assert reader.read(b"# Hi\n\nthere", filename="x.md").title == "Hi"


def test_pdf_with_only_whitespace_text_has_no_text_layer() -> None:
    with pytest.raises(UnreadableDocument, match="no text layer"):
        extract_document(make_pdf(["   ", " "]), filename="spaces.pdf")


def test_damaged_pdf_stream_is_unreadable() -> None:
    data = make_pdf(["Hello"]).replace(b"<< /Length", b"<< /Filter /FlateDecode /Length")
    with pytest.raises(UnreadableDocument):
        extract_document(data, filename="bad-stream.pdf")
