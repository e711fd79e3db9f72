"""reader.xmlsafe: XML with no DTD, so no entity is ever expanded and nothing external is read."""

from __future__ import annotations

import time
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.xmlsafe import XMLRefused, parse_xml
from tests.webdigest import digest_route, serve

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss><channel><item><title>&lol9;</title></item></channel></rss>
"""


def test_a_feed_parses_with_namespaces_as_elementtree_names_them() -> None:
    root = parse_xml(
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">'
        b"<channel><item><title>A &amp; B &#233;</title>"
        b"<dc:creator>Ada Lovelace</dc:creator></item></channel></rss>"
    )
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    assert root.findtext("channel/item/title") == "A & B \u00e9"
    assert root.findtext("channel/item/{http://purl.org/dc/elements/1.1/}creator") == "Ada Lovelace"


def test_the_billion_laughs_is_refused_at_its_doctype_before_any_expansion() -> None:
    began = time.process_time()
    with pytest.raises(XMLRefused) as refused:
        parse_xml(BOMB)
    assert "DOCTYPE" in refused.value.message
    assert refused.value.line == 2
    assert time.process_time() - began < 1.0  # nothing was expanded (10^9 "lol"s would be)


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret\n")
    document = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>'
    )
    with pytest.raises(XMLRefused) as refused:
        parse_xml(document)
    assert "the secret" not in str(refused.value)


def test_an_external_dtd_or_entity_on_a_server_is_never_requested() -> None:
    with serve() as server:
        server.routes["/evil.dtd"] = digest_route(b'<!ENTITY x "pwned">')
        dtd = server.url("/evil.dtd")
        for document in (
            f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{dtd}"><r>&x;</r>',
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{dtd}"> %p;]><r>&x;</r>',
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{dtd}">]><r>&x;</r>',
        ):
            with pytest.raises(XMLRefused):
                parse_xml(document)
        assert server.requests == []


@pytest.mark.parametrize(
    ("document", "line", "words"),
    [
        (b"<r>&xxe;</r>", 1, "undefined entity"),
        (b"<r>\n<a></r>", 2, "mismatched tag"),
        (b"", 1, "no element found"),
        (b"<html><body>Rate limited</body>", 1, "no element found"),
        (b"\xff\xfe<r/>", 1, "not XML"),
    ],
)
def test_what_is_not_xml_is_one_message_with_its_line(
    document: bytes, line: int, words: str
) -> None:
    with pytest.raises(XMLRefused) as refused:
        parse_xml(document)
    assert words in refused.value.message
    assert refused.value.line == line


@given(st.text())
def test_any_escaped_text_comes_back_as_written(text: str) -> None:
    allowed = "".join(  # the characters XML 1.0 can hold at all
        char
        for char in text
        if char in "\t\n" or ("\x20" <= char <= "\ud7ff") or ("\ue000" <= char <= "\ufffd")
        or char >= "\U00010000"
    )
    root = parse_xml(f"<r>{escape(allowed)}</r>".encode())
    assert (root.text or "") == allowed
