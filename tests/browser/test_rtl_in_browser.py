"""
A right-to-left language keeps the layout (ADR 0024): the nomination form and the program page in
a pseudo-Arabic catalogue (i18n-tools' converter over the extracted strings, compiled with msgfmt),
at 1280 and 390 px: the document runs right to left, headings and labels start at the right edge,
nothing scrolls sideways, and axe-core finds no serious violation.
"""
import pytest

from ..i18n_fixtures import build_catalogues, build_pseudo_locales, speak
from .conftest import WIDTHS, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def locale_dir(tmp_path_factory):
    return build_pseudo_locales(build_catalogues(tmp_path_factory.mktemp("rtl")))


# Where an element's box sits in its container, and which way its text runs.
GEOMETRY = """(selector) => {
    const element = document.querySelector(selector);
    const box = element.getBoundingClientRect();
    const main = document.querySelector('main').getBoundingClientRect();
    return {direction: getComputedStyle(element).direction, right: box.right, left: box.left,
            mainRight: main.right, mainLeft: main.left, text: element.textContent.trim()};
}"""

# The right edge of the text of an element: where its first line's text ends on screen.
TEXT_RIGHT = """(selector) => {
    const range = document.createRange();
    range.selectNodeContents(document.querySelector(selector));
    const rects = Array.from(range.getClientRects());
    return {right: Math.max(...rects.map(r => r.right)), left: Math.min(...rects.map(r => r.left))};
}"""


@pytest.mark.parametrize("path, heading", [("/distinguished/nominate/", "main h1"),
                                           ("/distinguished/program/", "main h1")])
def test_a_right_to_left_language_keeps_the_layout(path, heading, settings, locale_dir, cycle, users, page_as):
    # pylint: disable=unused-argument,too-many-arguments,too-many-positional-arguments
    speak(settings, locale_dir, "ar")
    for width in WIDTHS:
        page = page_as(users["nominator"], width=width)
        page.goto(path)
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("document.documentElement.lang") == "ar"
        title = page.evaluate(GEOMETRY, heading)
        assert title["direction"] == "rtl"
        assert any("\u0600" <= char <= "\u06ff" for char in title["text"]), title["text"]  # the catalogue is used
        # The heading's text hugs the right edge of the content, not the left.
        text = page.evaluate(TEXT_RIGHT, heading)
        assert title["mainRight"] - text["right"] < 48, (width, title, text)
        assert text["left"] - title["mainLeft"] >= 0
        check_page(page, f"rtl {path} {width}")
