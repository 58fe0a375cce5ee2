"""
Badge artwork staff upload: a PNG must be one, and an SVG may contain only what draws a picture.

An SVG is a document that browsers run: scripts, event attributes, embedded HTML, links and
references to other sites all work in it. Artwork is served from the LMS's origin, so an SVG is
accepted only when every element and attribute is on the allowlist below and no reference leaves
the file (ADR 0014). The same check guards what is served, for files uploaded before it existed.
"""
from __future__ import annotations

import re
from typing import NoReturn
from xml.parsers import expat

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Drawing programs (Inkscape, Illustrator's RDF metadata) add elements of their own that browsers
# neither render nor run; they are accepted, with the same attribute rules.
EDITOR_NAMESPACES = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://purl.org/dc/elements/1.1/",
}

ELEMENTS = frozenset("""
    svg g defs title desc symbol use path rect circle ellipse line polyline polygon text tspan
    linearGradient radialGradient stop clipPath mask pattern marker image style metadata
    filter feBlend feColorMatrix feComponentTransfer feComposite feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset
""".split())

ATTRIBUTES = frozenset("""
    id class style transform x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points viewBox
    preserveAspectRatio version baseProfile fill fill-opacity fill-rule stroke stroke-width stroke-opacity
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color
    display visibility overflow clip-path clip-rule mask filter font-family font-size font-weight font-style
    font-variant font-stretch letter-spacing word-spacing text-anchor dominant-baseline alignment-baseline
    baseline-shift text-decoration writing-mode dx dy rotate textLength lengthAdjust offset stop-color
    stop-opacity gradientUnits gradientTransform spreadMethod patternUnits patternContentUnits
    patternTransform clipPathUnits maskUnits maskContentUnits markerWidth markerHeight markerUnits refX refY
    orient marker-start marker-mid marker-end role aria-label aria-hidden aria-labelledby focusable lang
    href stdDeviation in in2 result mode operator k1 k2 k3 k4 values type tableValues slope intercept
    amplitude exponent flood-color flood-opacity filterUnits primitiveUnits radius
    color-interpolation color-interpolation-filters shape-rendering text-rendering image-rendering
    vector-effect paint-order mix-blend-mode isolation enable-background space
""".split())

# References may stay inside the file (#id) or be an embedded picture; nothing else.
_LOCAL_REFERENCE = re.compile(r"^(#[\w.:-]*|data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*)$")
_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)
_FORBIDDEN_TEXT = re.compile(r"javascript:|vbscript:|expression\(|@import|behavior:|-moz-binding|image-set\(|src\(",
                             re.IGNORECASE)
# CSS escapes (``\72``, ``\@``) would let "url(" or "@import" be written so that no pattern sees them.
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)


def _css_unescaped(value: str) -> str:
    """``value`` with CSS escapes resolved, as a browser reads it."""
    def resolve(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return match.group(2)
    return _CSS_ESCAPE.sub(resolve, value)


class ArtworkRefused(ValueError):
    """The upload is not artwork the program may serve; the message says why."""


def _local_name(name: str) -> tuple[str, str]:
    namespace, _, local = name.rpartition(" ")
    return namespace, local


def _check_value(element: str, attribute: str, value: str) -> None:
    """Refuse an attribute or style value that runs code or refers outside the file."""
    value = _css_unescaped(value)
    if _FORBIDDEN_TEXT.search(value):
        raise ArtworkRefused(f"<{element}> {attribute} runs code.")
    for target in _URL.findall(value):
        if not target.startswith("#"):
            raise ArtworkRefused(f"<{element}> {attribute} refers outside the file ({target[:60]}).")


def _check_attribute(element: str, namespace: str, attribute: str, value: str) -> None:
    """Refuse an event attribute, one of another vocabulary, or a value ``_check_value`` refuses."""
    attr_namespace, local = _local_name(attribute)
    if local.lower().startswith("on"):
        raise ArtworkRefused(f"<{element}> has an event attribute ({local}).")
    if attr_namespace == XLINK_NS and local != "href" or attr_namespace not in ("", XLINK_NS, XML_NS) \
            and attr_namespace not in EDITOR_NAMESPACES:
        raise ArtworkRefused(f"<{element}> has the attribute {local} of another vocabulary.")
    if namespace == SVG_NS and attr_namespace == "" and local not in ATTRIBUTES:
        raise ArtworkRefused(f"<{element}> has the attribute {local}, which artwork does not need.")
    if local == "href" and not _LOCAL_REFERENCE.match(value.strip()):
        raise ArtworkRefused(f"<{element}> links outside the file ({value.strip()[:60]}).")
    _check_value(element, local, value)


def check_svg(content: bytes) -> None:
    """
    Refuse an SVG that could run code or reach outside itself.

    Raises:
        ArtworkRefused: with what was found (not XML, a DOCTYPE or entities, an element or
            attribute outside the allowlist, an event attribute, an outside reference).
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    # Whole runs of text, not pieces cut at each character reference (``&#64;import``).
    parser.buffer_text = True
    stack: list[str] = []
    style_text: list[str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, local = _local_name(name)
        if namespace == SVG_NS:
            if local not in ELEMENTS:
                raise ArtworkRefused(f"<{local}> is not part of a picture.")
        elif namespace not in EDITOR_NAMESPACES:
            raise ArtworkRefused(f"<{local}> belongs to another vocabulary ({namespace or 'none'}).")
        if not stack and (namespace, local) != (SVG_NS, "svg"):
            raise ArtworkRefused("The file is not an SVG image (its root must be <svg>).")
        for attribute, value in attributes.items():
            _check_attribute(local, namespace, attribute, value)
        stack.append(local)

    def end(_name: str) -> None:
        if stack.pop() == "style":
            _check_value("style", "text", "".join(style_text))
            style_text.clear()

    def text(data: str) -> None:
        if stack and stack[-1] == "style":
            style_text.append(data)

    def refuse_declaration(*_args: object) -> NoReturn:
        raise ArtworkRefused("The file declares a DOCTYPE or entities.")

    def refuse_instruction(target: str, _data: str) -> NoReturn:
        raise ArtworkRefused(f"The file carries a processing instruction ({target}).")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse_declaration
    parser.EntityDeclHandler = refuse_declaration
    parser.ProcessingInstructionHandler = refuse_instruction
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        raise ArtworkRefused(f"The file is not well-formed XML ({exc}).") from exc


def check_png(content: bytes) -> None:
    """
    Refuse a file that does not start with the PNG signature.

    Raises:
        ArtworkRefused
    """
    if not content.startswith(PNG_SIGNATURE):
        raise ArtworkRefused("The file is not a PNG image.")


def check_artwork(*, kind: str, content: bytes) -> None:
    """Refuse artwork of ``kind`` (png or svg) that the program may not serve (ArtworkRefused)."""
    (check_png if kind == "png" else check_svg)(content)
