"""Reading MTOM/XOP packages off the wire, for the MTOM suites (test_mtom.py, test_jaxws_mtom.py).

`Package.read(content_type, body)` splits a `multipart/related; type="application/xop+xml"`
body with requests-toolbelt's MultipartDecoder (zeep's own reader): the root part is the one
`start` names, or the first; every other part is an attachment by its Content-ID (angle
brackets removed). `Package.resolve()` is the root envelope with each `xop:Include` replaced by
the base64 of the part its `cid:` names (RFC 2392, percent-decoded), as XOP 1.0 §3.2 defines
the infoset; `validate` checks such an envelope against xsd/ (tests/schemas/all.xsd, the
strict envelope schemas the Rust suites give xmllint), with lxml. `random_png` makes the
images the suites send.
"""

import base64
import os
import struct
import zlib
from dataclasses import dataclass
from email.message import Message
from functools import lru_cache
from urllib.parse import unquote

from lxml import etree
from requests_toolbelt.multipart.decoder import MultipartDecoder

from conftest import REPO_ROOT

XOP_NS = "http://www.w3.org/2004/08/xop/include"
XOP_INCLUDE = f"{{{XOP_NS}}}Include"
SCHEMA = REPO_ROOT / "tests" / "schemas" / "all.xsd"


PNG_WIDTH = 1024


def random_png(size: int) -> bytes:
    """A valid PNG of random RGB pixels, of at least `size` bytes (stored, not compressed, so
    the file is as random as its pixels). Its ends are fixed by the format (the signature
    first, the IEND chunk last), and this matters to zeep: it strips CR and LF bytes from both
    ends of every binary attachment it reads (zeep/wsdl/attachments.py), so content that may
    begin or end with them can come back shorter."""
    row = 1 + 3 * PNG_WIDTH  # the filter byte (0, none) and the pixels
    height = -(-size // row)
    raw = bytearray(os.urandom(row * height))
    raw[::row] = bytes(height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", PNG_WIDTH, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 0))
            + chunk(b"IEND", b""))


def media(header: str) -> Message:
    """A Content-Type header value as an email Message: `get_content_type()` and `get_param()`
    (quoted parameters unquoted, RFC 2045)."""
    message = Message()
    message["Content-Type"] = header
    return message


def content_id(value: str) -> str:
    return value.strip().removeprefix("<").removesuffix(">")


@dataclass(frozen=True)
class Package:
    content_type: Message  # the package's
    root_type: Message  # the root part's
    root: bytes  # the envelope, with its xop:Include elements
    attachments: dict  # Content-ID -> bytes

    @classmethod
    def read(cls, content_type: str, body: bytes) -> "Package":
        outer = media(content_type)
        assert outer.get_content_type() == "multipart/related", content_type
        assert outer.get_param("type") == "application/xop+xml", content_type
        parts = MultipartDecoder(body, content_type).parts
        ids = [content_id(p.headers.get(b"Content-ID", b"").decode()) for p in parts]
        assert len(set(ids)) == len(ids), f"Content-IDs not unique: {ids}"
        start = outer.get_param("start")
        index = ids.index(content_id(start)) if start else 0
        root = parts[index]
        attachments = {i: p.content for n, (i, p) in enumerate(zip(ids, parts)) if n != index}
        return cls(outer, media(root.headers[b"Content-Type"].decode()), root.content,
                   attachments)

    def includes(self) -> list:
        """The `(element, Content-ID)` of each xop:Include of the envelope, in document order;
        `element` is the Clark name of the element holding it."""
        found = []
        for include in etree.fromstring(self.root).iter(XOP_INCLUDE):
            href = include.get("href", "")
            assert href.startswith("cid:"), href
            found.append((include.getparent().tag, unquote(href[4:])))
        return found

    def resolve(self) -> etree._Element:
        """The envelope with every xop:Include replaced by its part's content in base64; an
        Include whose part is missing, or a part no Include names, fails."""
        document = etree.fromstring(self.root)
        used = set()
        for include in list(document.iter(XOP_INCLUDE)):
            cid = unquote(include.get("href", "").removeprefix("cid:"))
            assert cid in self.attachments, f"no part {cid!r} in {sorted(self.attachments)}"
            assert cid not in used, f"part {cid!r} included twice"
            used.add(cid)
            parent = include.getparent()
            assert parent.text is None and len(parent) == 1, "xop:Include beside other content"
            parent.remove(include)
            parent.text = base64.b64encode(self.attachments[cid]).decode("ascii")
        assert used == set(self.attachments), f"parts no xop:Include names: {set(self.attachments) - used}"
        return document


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def validate(envelope: etree._Element) -> None:
    """Fails unless `envelope` is valid against the envelope schemas and xsd/."""
    schema = _schema()
    assert schema.validate(envelope), "\n".join(str(e) for e in schema.error_log)


def response_envelope(content_type: str, body: bytes) -> etree._Element:
    """A response's envelope after XOP resolution: of its package, or the plain document."""
    if media(content_type).get_content_type() == "multipart/related":
        return Package.read(content_type, body).resolve()
    return etree.fromstring(body)
