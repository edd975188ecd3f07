"""Extract text and structure from uploaded files: Markdown, plain text, HTML and PDF (text layer).

Everything here turns bytes into a `DocumentText` or raises `UnsupportedDocumentType` /
`UnreadableDocument`; nothing is stored.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from pathlib import PurePath

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag
from pypdf import PdfReader

from frontdesk.domain.knowledge import (
    Block,
    BlockKind,
    DocumentFormat,
    DocumentText,
    UnreadableDocument,
    UnsupportedDocumentType,
)

_EXTENSIONS = {
    ".md": DocumentFormat.MARKDOWN,
    ".markdown": DocumentFormat.MARKDOWN,
    ".txt": DocumentFormat.TEXT,
    ".text": DocumentFormat.TEXT,
    ".html": DocumentFormat.HTML,
    ".htm": DocumentFormat.HTML,
    ".pdf": DocumentFormat.PDF,
}
_CONTENT_TYPES = {
    "text/markdown": DocumentFormat.MARKDOWN,
    "text/x-markdown": DocumentFormat.MARKDOWN,
    "text/plain": DocumentFormat.TEXT,
    "text/html": DocumentFormat.HTML,
    "application/xhtml+xml": DocumentFormat.HTML,
    "application/pdf": DocumentFormat.PDF,
}
SUPPORTED_TYPES: tuple[str, ...] = (*_EXTENSIONS, *_CONTENT_TYPES)
"""File extensions and content types the reader accepts, for error messages and API docs."""

_PDF_MAGIC = b"%PDF-"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.01
_DROPPED_TAGS = ("script", "style", "nav", "noscript", "template", "svg", "head", "iframe", "object")
_HTML_BLOCK_NAMES = """
    p div section article main aside header footer blockquote pre table tr td th caption ul ol dl dt dd
    figure figcaption form fieldset address hr details summary"""
_HTML_BLOCKS = frozenset(_HTML_BLOCK_NAMES.split())
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_MD_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|(\d{1,9})[.)])\s+(.*)$")
_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MD_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_WS = re.compile(r"\s+")
_PDF_BULLET = re.compile(r"^\s*[•◦▪‣∙·\-–]\s+")


class DocumentExtractor:
    """The `DocumentReader` port over this module's functions."""

    def read(self, data: bytes, *, filename: str, content_type: str | None = None) -> DocumentText:
        """Extract a document from an uploaded file's bytes."""
        return extract_document(data, filename=filename, content_type=content_type)


def extract_document(data: bytes, *, filename: str, content_type: str | None = None) -> DocumentText:
    """Extract text and structure from a file; raise a typed error for unsupported or unusable files."""
    fmt = detect_format(filename=filename, content_type=content_type, data=data)
    if not data.strip():
        raise UnreadableDocument(filename, "the file is empty")
    if fmt is DocumentFormat.PDF:
        title, blocks = _read_pdf(data, filename)
    else:
        text = decode_text(data, filename=filename, charset=_charset(content_type))
        title, blocks = _read_html(text) if fmt is DocumentFormat.HTML else ("", _parse_text(text, fmt))
    blocks = tuple(b for b in blocks if b.text)
    if not blocks:
        raise UnreadableDocument(filename, "the file has no text")
    title = title or _first_heading(blocks) or _title_from_filename(filename)
    return DocumentText(title=title, filename=filename, format=fmt, blocks=blocks)


def detect_format(*, filename: str, content_type: str | None, data: bytes = b"") -> DocumentFormat:
    """The format from the file's content (PDF magic), its extension, then its content type."""
    if data.startswith(_PDF_MAGIC):
        return DocumentFormat.PDF
    suffix = PurePath(filename).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in _CONTENT_TYPES:
        return _CONTENT_TYPES[mime]
    raise UnsupportedDocumentType(suffix or mime or "unknown", SUPPORTED_TYPES)


def decode_text(data: bytes, *, filename: str, charset: str | None = None) -> str:
    """Decode text: BOM, then the declared charset, UTF-8 and cp1252; refuse binary data."""
    text = _decode(data, charset)
    if text is None or "\x00" in text or len(_CONTROL.findall(text)) > _MAX_CONTROL_RATIO * len(text):
        raise UnreadableDocument(
            filename, "the file is not text in a known encoding (UTF-8, UTF-16 or Windows-1252)"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, charset: str | None) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _try_decode(data, encoding)
    if b"\x00" in data:
        return None
    for candidate in (charset, "utf-8", "cp1252"):
        text = _try_decode(data, candidate) if candidate else None
        if text is not None:
            return text
    return None


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _charset(content_type: str | None) -> str | None:
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def _parse_text(text: str, fmt: DocumentFormat) -> tuple[Block, ...]:
    if fmt is DocumentFormat.MARKDOWN:
        return parse_markdown(text)
    return parse_plain(text)


def _first_heading(blocks: tuple[Block, ...]) -> str:
    return next((b.text for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), "")


def _title_from_filename(filename: str) -> str:
    stem = PurePath(filename).stem.replace("_", " ").replace("-", " ").strip()
    return stem[:1].upper() + stem[1:] if stem else filename


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


# --- plain text -------------------------------------------------------------------------------


def parse_plain(text: str) -> tuple[Block, ...]:
    """Paragraphs separated by blank lines; lines starting with a bullet or number are list items."""
    blocks: list[Block] = []
    for paragraph in re.split(r"\n\s*\n", text):
        blocks.extend(_paragraph_blocks(paragraph.splitlines()))
    return tuple(blocks)


def _paragraph_blocks(lines: list[str]) -> Iterator[Block]:
    """Split a run of lines into list items (one per bullet line plus continuations) and paragraphs."""
    current: list[str] = []
    kind = BlockKind.PARAGRAPH
    for line in lines:
        item = _MD_ITEM.match(line) or _PDF_BULLET.match(line)
        if item:
            if current:
                yield Block(kind=kind, text=_clean(" ".join(current)))
            kind, current = BlockKind.LIST_ITEM, [_item_text(line)]
        else:
            current.append(line)
    if current:
        yield Block(kind=kind, text=_clean(" ".join(current)))


def _item_text(line: str) -> str:
    """A list item's text with the bullet normalised to "- " (numbered items keep their number)."""
    match = _MD_ITEM.match(line)
    if match and match.group(1):
        return f"{match.group(1)}. {match.group(2)}"
    body = match.group(2) if match else _PDF_BULLET.sub("", line)
    return f"- {body}"


# --- Markdown ---------------------------------------------------------------------------------


def parse_markdown(text: str) -> tuple[Block, ...]:
    """ATX and setext headings, paragraphs and list items; inline markup reduced to its text."""
    return tuple(_strip_inline(block) for block in _markdown_blocks(text.splitlines()))


def _markdown_blocks(lines: list[str]) -> Iterator[Block]:
    pending: list[str] = []
    in_fence = False
    for raw in lines:
        if _MD_FENCE.match(raw):
            in_fence = not in_fence
            continue
        line = raw if in_fence else _MD_QUOTE.sub("", raw)
        setext = None if in_fence else _setext_heading(line, pending)
        if setext:
            yield setext
            pending = []
        elif in_fence or (line.strip() and not _MD_HEADING.match(line) and not _MD_RULE.match(line)):
            pending.append(line)
        else:
            yield from _paragraph_blocks(pending)
            pending = []
            if heading := _MD_HEADING.match(line):
                yield _heading(len(heading.group(1)), heading.group(2))
    yield from _paragraph_blocks(pending)


def _setext_heading(line: str, pending: list[str]) -> Block | None:
    """A one-line paragraph underlined with === or --- is a heading of level 1 or 2."""
    match = _MD_SETEXT.match(line)
    if not match or len(pending) != 1 or _MD_ITEM.match(pending[0]):
        return None
    return _heading(1 if match.group(1)[0] == "=" else 2, pending[0])


def _heading(level: int, text: str) -> Block:
    return Block(kind=BlockKind.HEADING, level=level, text=_clean(text))


def _strip_inline(block: Block) -> Block:
    text = _MD_LINK.sub(r"\1", block.text)
    for _ in range(2):  # twice, for nested emphasis such as ***bold italic***
        text = _MD_EMPHASIS.sub(r"\2", text)
    return block.model_copy(update={"text": text})


# --- HTML -------------------------------------------------------------------------------------


def _read_html(text: str) -> tuple[str, tuple[Block, ...]]:
    """The title and the visible text as blocks: h1-h6 become headings, li list items; scripts, styles,
    nav dropped."""
    soup = BeautifulSoup(text, "html.parser")
    title = _clean(soup.title.get_text()) if soup.title else ""
    for tag in soup.find_all(list(_DROPPED_TAGS)):
        tag.decompose()
    builder = _HtmlBlocks()
    builder.walk(soup)
    builder.flush()
    return title, tuple(builder.blocks)


class _HtmlBlocks:
    """Walks the tree, gathering inline text into the current block until a block element ends it."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._kind = BlockKind.PARAGRAPH

    def walk(self, node: Tag) -> None:
        """Visit a node's children: text joins the current block, elements may start new ones."""
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, doctype, CDATA
                    self._parts.append(str(child))
            elif isinstance(child, Tag):
                self._element(child)

    def _element(self, tag: Tag) -> None:
        if tag.name in _HEADINGS:
            self.flush()
            self.blocks.append(_heading(_HEADINGS[tag.name], tag.get_text(" ")))
        elif tag.name == "br":
            self._parts.append(" ")
        elif tag.name == "li":
            self.flush()
            self._kind = BlockKind.LIST_ITEM
            self.walk(tag)
            self.flush()
        elif tag.name in _HTML_BLOCKS:
            self.flush()
            self.walk(tag)
            self.flush()
        else:
            self.walk(tag)

    def flush(self) -> None:
        """End the current block (if it has text) and start a paragraph."""
        text = _clean("".join(self._parts))
        if text:
            is_item = self._kind is BlockKind.LIST_ITEM
            self.blocks.append(Block(kind=self._kind, text=f"- {text}" if is_item else text))
        self._parts = []
        self._kind = BlockKind.PARAGRAPH


# --- PDF --------------------------------------------------------------------------------------


def _read_pdf(data: bytes, filename: str) -> tuple[str, tuple[Block, ...]]:
    title, pages = _pdf_pages(data, filename)
    blocks = tuple(block for page in pages for block in parse_plain(page) if block.text)
    if not blocks:
        raise UnreadableDocument(
            filename, "the PDF has no text layer (is it scanned or image-only? run OCR on it first)"
        )
    return title, blocks


def _pdf_pages(data: bytes, filename: str) -> tuple[str, list[str]]:
    """The PDF's metadata title and the text of each page; pypdf's many failure types become one."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument(filename, "the PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = _clean(reader.metadata.title or "") if reader.metadata else ""
    except UnreadableDocument:
        raise
    except Exception as exc:  # a damaged PDF can make pypdf raise almost anything (zlib, struct, ...)
        raise UnreadableDocument(filename, f"the PDF is corrupt or truncated ({type(exc).__name__})") from exc
    return title, pages
