"""
Baking: embedding an Open Badges assertion or credential into the badge image, and reading it back.

PNG: one uncompressed ``iTXt`` chunk before ``IEND``, keyword ``openbadges`` (2.0) or
``openbadgecredential`` (3.0). SVG: an ``openbadges:assertion`` (2.0) or ``openbadges:credential``
(3.0) element right inside the root ``svg`` element, the payload in its ``verify`` attribute (a
compact JWS, or the hosted assertion's URL) or its body (JSON). Baking again replaces the earlier payload, so
an image never carries two. Pure Python; no image library needed.
"""
import re
import struct
import zlib
from collections.abc import Iterator

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORDS = {2: b"openbadges", 3: b"openbadgecredential"}
SVG_NAMESPACES = {2: "http://openbadges.org", 3: "https://purl.imsglobal.org/ob/v3p0"}
SVG_ELEMENTS = {2: "assertion", 3: "credential"}


class BakingError(ValueError):
    """The image is not a PNG or SVG this module can bake."""


def _chunks(data: bytes) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(type, body, raw bytes) of each chunk of a PNG."""
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("Not a PNG image.")
    position = len(PNG_SIGNATURE)
    while position < len(data):
        if position + 8 > len(data):
            raise BakingError("Truncated PNG chunk.")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        end = position + 12 + length
        if end > len(data):
            raise BakingError("Truncated PNG chunk.")
        yield kind, data[position + 8:position + 8 + length], data[position:end]
        position = end


def _itxt_keyword(body: bytes) -> bytes:
    return body.split(b"\x00", 1)[0]


def bake_png(image: bytes, payload: str, version: int) -> bytes:
    """Return ``image`` with ``payload`` in one uncompressed iTXt chunk (replacing any earlier one)."""
    keyword = PNG_KEYWORDS[version]
    # keyword \0 compression flag (0: uncompressed) compression method \0 language \0 translated keyword \0 text
    body = keyword + b"\x00\x00\x00" + b"\x00" + b"\x00" + payload.encode("utf-8")
    crc = struct.pack(">I", zlib.crc32(b"iTXt" + body) & 0xFFFFFFFF)
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body + crc
    out = [PNG_SIGNATURE]
    for kind, chunk_body, raw in _chunks(image):
        if kind == b"iTXt" and _itxt_keyword(chunk_body) == keyword:
            continue
        if kind == b"IEND":
            out.append(chunk)
        out.append(raw)
    return b"".join(out)


def unbake_png(image: bytes, version: int) -> str | None:
    """The payload baked into a PNG for ``version``, or None."""
    keyword = PNG_KEYWORDS[version]
    for kind, body, _ in _chunks(image):
        if kind == b"iTXt" and _itxt_keyword(body) == keyword:
            rest = body[len(keyword) + 1:]
            compressed, _method = rest[0], rest[1]
            language_end = rest.index(b"\x00", 2)
            translated_end = rest.index(b"\x00", language_end + 1)
            text = rest[translated_end + 1:]
            return (zlib.decompress(text) if compressed else text).decode("utf-8")
    return None


def _svg_pattern(version: int) -> re.Pattern:
    """What an earlier baking left in an SVG: its ``openbadges`` element of ``version``."""
    element = SVG_ELEMENTS[version]
    return re.compile(rf"<openbadges:{element}\b[^>]*?(?:/>|>.*?</openbadges:{element}>)\s*", re.S)


def _attribute(value: str) -> str:
    """``value`` escaped for an XML attribute in double quotes."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def bake_svg(image: str, payload: str, version: int, in_verify: bool = False) -> str:
    """
    Return the SVG with the payload in its Open Badges element (replacing any earlier one): in the
    element's ``verify`` attribute, leaving it empty, when ``in_verify`` (a compact JWS for 3.0, the
    hosted assertion's URL for 2.0), else as its CDATA body (a JSON credential or assertion).
    """
    match = re.search(r"<svg\b[^>]*>", image)
    if match is None:
        raise BakingError("Not an SVG image.")
    if not in_verify and "]]>" in payload:
        raise BakingError("The payload cannot be embedded in CDATA.")
    image = _svg_pattern(version).sub("", image)
    match = re.search(r"<svg\b[^>]*>", image)
    if match is None:  # the pattern removed only whole elements inside it: never, but say so
        raise BakingError("Not an SVG image.")
    opening = match.group(0)
    namespace = f'xmlns:openbadges="{SVG_NAMESPACES[version]}"'
    if "xmlns:openbadges=" in opening:
        opening = re.sub(r'xmlns:openbadges="[^"]*"', namespace, opening)
    else:
        opening = opening[:-1].rstrip("/") + f" {namespace}>"
    element = SVG_ELEMENTS[version]
    if in_verify:
        baked = f'\n  <openbadges:{element} verify="{_attribute(payload)}"></openbadges:{element}>'
    else:
        baked = f"\n  <openbadges:{element}><![CDATA[{payload}]]></openbadges:{element}>"
    return image[:match.start()] + opening + baked + image[match.end():]


def unbake_svg(image: str, version: int) -> str | None:
    """The payload baked into an SVG for ``version`` (its ``verify`` attribute, else its body), or None."""
    element = SVG_ELEMENTS[version]
    match = re.search(rf"<openbadges:{element}\b([^>]*?)(?:/>|>(.*?)</openbadges:{element}>)", image, re.S)
    if match is None:
        return None
    verify = re.search(r'\bverify="([^"]*)"', match.group(1))
    if verify:
        return (verify.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&"))
    body = (match.group(2) or "").strip()
    cdata = re.fullmatch(r"<!\[CDATA\[(.*)\]\]>", body, re.S)
    return cdata.group(1) if cdata else (body or None)
