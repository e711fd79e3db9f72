"""XML from servers reader does not control, parsed with no DTD at all. No Textual here.

`parse_xml(data)` is `xml.etree.ElementTree.fromstring(data)` for documents without a DOCTYPE,
and refuses every document that has one: the feeds reader reads (arXiv's listings and API) never
declare one, and without a DTD no entity can be declared, so none is ever expanded (the
"billion laughs" bomb) and no external entity or DTD is ever fetched or read (XXE). The standard
library's expat is driven directly, with handlers that stop at a DOCTYPE, an entity declaration
or an external reference (the checks defusedxml makes, without the dependency); a reference to
an entity that was never declared (`&xxe;`) is expat's own error. Names come out as
ElementTree writes them (`{namespace}local`).
"""

from __future__ import annotations

import xml.parsers.expat as expat
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder

__all__ = ["XMLRefused", "parse_xml"]


class XMLRefused(ValueError):
    """A document that is not XML, or that declares a DTD: `message` says why, `line` where
    (1-based; None when not known). `str(error)` is the message."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Stop(Exception):
    """Raised from inside a handler: expat stops at once and `parse_xml` reports `why`."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _name(raw: str) -> str:
    """An expat name (`namespace}local` with the separator `}`) as ElementTree writes it."""
    return "{" + raw if "}" in raw else raw


def parse_xml(data: bytes | str, lines: dict[Element, int] | None = None) -> Element:
    """The root element of `data`. Raises XMLRefused for a DOCTYPE (and so any entity
    declaration), an external entity reference, or anything that is not well-formed XML.
    `lines`, when given, is filled with the 1-based line each element starts on."""
    builder = TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.ordered_attributes = False
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(
            _name(tag), {_name(key): value for key, value in attributes.items()}
        )
        if lines is not None:
            lines[element] = parser.CurrentLineNumber

    def end(tag: str) -> None:
        builder.end(_name(tag))

    def refuse(what: str) -> Callable[..., Any]:
        def handler(*_: object) -> Any:
            raise _Stop(what)

        return handler

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse("a DOCTYPE (feeds have none; it is not read)")
    parser.EntityDeclHandler = refuse("an entity declaration")
    parser.UnparsedEntityDeclHandler = refuse("an entity declaration")
    parser.NotationDeclHandler = refuse("a notation declaration")
    parser.ExternalEntityRefHandler = refuse("a reference to an external entity")
    try:
        parser.Parse(data, True)
    except _Stop as stop:
        raise XMLRefused(f"refused: {stop.why}", parser.CurrentLineNumber) from None
    except expat.ExpatError as error:
        message = expat.errors.messages.get(error.code, str(error)) if error.code else str(error)
        raise XMLRefused(f"not XML: {message}", error.lineno) from None
    except (ValueError, RecursionError) as error:
        raise XMLRefused(f"not XML: {error}") from None
    return builder.close()
