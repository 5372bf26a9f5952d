"""HTML pages (via trafilatura) and HTML fragments from feeds, turned into plain paragraphs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.settings import Document

from parallax.errors import InputError
from parallax.ingest.assemble import Draft, finish
from parallax.model import Article

__all__ = ["fragment_to_text", "read_html"]

LOGGER = logging.getLogger(__name__)

_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre section article header footer figure "
    "figcaption table tr hr dd dt".split()
)
# Below this trafilatura has only found navigation or a caption, not an article body.
_MIN_WORDS = 10
_WRAP = re.compile(r"\s*\n\s*")
_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "svg", "form")


def read_html(html: str, *, source: str) -> Iterator[Article | InputError]:
    """One article from an HTML page: body, title, date, author and site name as trafilatura finds them."""
    document = _extract(html, source=source)
    if isinstance(document, InputError):
        yield document
        return
    text = _drop_repeated_title(document.text or "", document.title)
    yield finish(
        Draft(
            text=text,
            title=document.title,
            outlet=document.sitename,
            date=document.date,
            url=document.url or (f"https://{document.hostname}/" if document.hostname else None),
            byline=document.author,
        ),
        source=source,
    )


def _extract(html: str, *, source: str) -> Document | InputError:
    try:
        document = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False, include_images=False
        )
    except (ValueError, lxml.etree.LxmlError) as error:
        return InputError(source, f"cannot be parsed as HTML ({error})", "check that it is an HTML page")
    if document is None or isinstance(document, dict):
        return InputError(
            source, "has no article text that could be extracted", "check it is an article page"
        )
    words = len((document.text or "").split())
    if words < _MIN_WORDS:
        return InputError(
            source,
            f"has no article text that could be extracted (only {words} words)",
            "check it is an article page",
        )
    return document


def _drop_repeated_title(text: str, title: str | None) -> str:
    # trafilatura keeps the page's <h1> as the first line; it is the title, not body prose.
    first, _, rest = text.partition("\n")
    if title and rest and " ".join(first.split()) == " ".join(title.split()):
        return rest
    return text


def fragment_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block element."""
    if "<" not in fragment:
        return fragment
    try:
        root = _parse_fragment(fragment)
    except (ValueError, lxml.etree.LxmlError):
        LOGGER.debug("fragment is not parseable HTML; keeping it as text")
        return fragment
    for element in list(root.iter(*_DROP)):
        element.drop_tree()
    parts: list[str] = []
    _walk(root, parts)
    return "".join(parts)


def _parse_fragment(fragment: str) -> lxml.html.HtmlElement:
    """The fragment under one ``<div>``, however many ``<body>`` elements it makes."""
    try:
        return lxml.html.fragment_fromstring(fragment, create_parent="div")
    except AssertionError:
        # lxml asserts its parse made one <body>; "</body><body>" in a fragment makes two. Every body's
        # content goes under one div instead.
        document = lxml.html.document_fromstring(f"<html><body>{fragment}</body></html>")
        root = lxml.html.Element("div")
        for body in document.iterchildren("body"):
            root.append(body)
            body.tag = "div"
        return root


def _walk(element: lxml.html.HtmlElement, parts: list[str]) -> None:
    block = isinstance(element.tag, str) and element.tag.lower() in _BLOCKS
    if block:
        parts.append("\n")
    if element.text:
        parts.append(_inline(element.text))
    for child in element:
        if isinstance(child.tag, str):
            _walk(child, parts)
        if child.tail:
            parts.append(_inline(child.tail))
    if block:
        parts.append("\n")


def _inline(text: str) -> str:
    # Line breaks inside HTML text are source wrapping; only block elements end a paragraph.
    return _WRAP.sub(" ", text)
