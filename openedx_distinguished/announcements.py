"""
Rules of the announcement kit (ADR 0021): what the program hands its website, blog, newsletter and
conference stage once a cycle's announcement is released, and what each member gets to share.

* ``newsletter``: the announcement as newsletter-ready HTML (inline styles, absolute links, PNG
  badges, as e-mail clients want them) or Markdown.
* ``slides_pdf``: a 16:9 PDF deck, rendered on the server: a title slide with the site's name and
  logo, one slide per track, one per new member with badge and citation.
* ``share_kits``: per valid credential of a member, a post ready for LinkedIn or Mastodon with the
  verification link, and the badge image and certificate to attach.

Everything is made from ``presence.announcement``, so that it follows the announcement page: nothing
exists before the release (``NotFound``), and only members who chose to be listed appear. Nothing is
stored: a member who stops appearing in public, or is retired, is gone from the next download. The
deck, the one costly part, is cached as the public lists' documents are (``freshness.presence_version``).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas

from openedx_distinguished import freshness
from openedx_distinguished.conf import get_setting, logo_url, site_name
from openedx_distinguished.credentials import badge_artwork, list_credentials
from openedx_distinguished.data import CredentialData, CredentialStatus, ShareKitData
from openedx_distinguished.models import Decision
from openedx_distinguished.presence import announcement
from openedx_distinguished.program import program_name

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user


# A 16:9 slide, in points: the size presentation programs give a widescreen slide (13.33 x 7.5 in).
SLIDE = (960.0, 540.0)
INK, ACCENT, GOLD, MUTED = HexColor("#1b1b1b"), HexColor("#00262b"), HexColor("#e35a00"), HexColor("#54595f")
# Mastodon's default limit; LinkedIn takes 3,000 characters, so a post that fits here fits there.
POST_LIMIT = 500


# Newsletter ----------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def _md(text: object) -> str:
    """Text as Markdown that shows it literally: every character Markdown could read as syntax escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _markdown(details: dict[str, Any]) -> str:
    """The announcement as Markdown: a heading, the date and count, then each track's members as a list."""
    heading = _md(_("New Distinguished Contributors — {name}").format(name=details["name"]))
    lines = [f"# {heading}", "",
             _md(ngettext("Announced on {day}: {count} new member.", "Announced on {day}: {count} new members.",
                          details["count"]).format(day=details["released_at"].date().isoformat(),
                                                   count=details["count"])), ""]
    for section in details["tracks"]:
        lines += [f"## {_md(section['name'])}", ""]
        for member in section["members"]:
            name = f"[{_md(member['name'])}](<{member['member_url']}>)" if member["member_url"] else _md(member["name"])
            badge = _md(_("{track} badge").format(track=section["name"]))
            entry = f"- ![{badge}](<{member['badge_png_url']}>) **{name}**"
            if member["citation"]:
                entry += f": {_md(member['citation'])}"
            if member["verify_url"]:
                verify = _md(_("verify the badge"))
                entry += f" ([{verify}](<{member['verify_url']}>))"
            lines.append(entry)
        lines.append("")
    on_the_web = _md(_("The announcement on the web"))
    lines.append(f"[{on_the_web}](<{details['url']}>)")
    return "\n".join(lines) + "\n"


def newsletter(*, cycle_year: int, fmt: str) -> str:
    """
    The released announcement of ``cycle_year`` for a newsletter or blog: ``fmt`` "html" (a fragment
    with inline styles) or "markdown".

    Raises:
        NotFound: no such cycle, or its announcement is not released.
    """
    details = announcement(cycle_year=cycle_year)
    if fmt == "markdown":
        return _markdown(details)
    return render_to_string("openedx_distinguished/announcement_newsletter.html", {
        "announcement": details, "program_name": program_name()})


# Slides --------------------------------------------------------------------------------------

def _local_image(address: str) -> ImageReader | None:
    """
    The image at ``address`` if this site serves it from its static files as PNG or JPEG (what a PDF
    takes); else None. Nothing is fetched over the network.
    """
    if not address:
        return None
    path = urlsplit(address).path
    prefix = urlsplit(settings.STATIC_URL or "/static/").path
    if urlsplit(address).netloc or not path.startswith(prefix):
        return None
    found = finders.find(path[len(prefix):])
    if not found:
        return None
    with open(found, "rb") as handle:
        content = handle.read()
    return ImageReader(BytesIO(content)) if content[:8] == b"\x89PNG\r\n\x1a\n" or content[:3] == b"\xff\xd8\xff" \
        else None


class _Deck:
    """A deck of 16:9 slides being drawn: every slide has the site's name and the page number at its foot."""

    def __init__(self, title: str) -> None:
        self.buffer = BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=SLIDE, pageCompression=1)
        self.pdf.setTitle(title)
        self.pdf.setAuthor(site_name())
        self.pdf.setSubject(program_name())
        self.number = 0
        self.badges: dict[str, ImageReader] = {}

    def badge(self, track_slug: str) -> ImageReader:
        """A track's badge artwork as an image the PDF embeds once, however many slides show it."""
        if track_slug not in self.badges:
            self.badges[track_slug] = ImageReader(BytesIO(badge_artwork(track_slug=track_slug, kind="png")))
        return self.badges[track_slug]

    def text(self, value: str, x: float, y: float, *, size: float, font: str = "Helvetica", color: Color = INK,
             width: float | None = None, leading: float | None = None, centred: bool = False) -> float:
        """Draw ``value`` wrapped to ``width``; returns the baseline below the last line."""
        self.pdf.setFont(font, size)
        self.pdf.setFillColor(color)
        for line in simpleSplit(str(value), font, size, width or SLIDE[0] - 2 * x):
            if centred:
                self.pdf.drawCentredString(SLIDE[0] / 2, y, line)
            else:
                self.pdf.drawString(x, y, line)
            y -= leading or size * 1.25
        return y

    def end_slide(self) -> None:
        """Finish the slide: the rule, the site's name and the page number at its foot."""
        self.number += 1
        width, _height = SLIDE
        self.pdf.setStrokeColor(GOLD)
        self.pdf.setLineWidth(4)
        self.pdf.line(48, 44, width - 48, 44)
        self.pdf.setFont("Helvetica", 12)
        self.pdf.setFillColor(MUTED)
        self.pdf.drawString(48, 24, site_name())
        self.pdf.drawRightString(width - 48, 24, str(self.number))
        self.pdf.showPage()

    def bytes(self) -> bytes:
        """The finished PDF."""
        self.pdf.save()
        return self.buffer.getvalue()


def _title_slide(deck: _Deck, details: dict[str, Any]) -> None:
    """The site's logo (or name), the title, the cycle, and how many joined when."""
    width, height = SLIDE
    logo = _local_image(logo_url())
    if logo is not None:
        logo_width, logo_height = logo.getSize()
        scale = min(240 / logo_width, 72 / logo_height)
        deck.pdf.drawImage(logo, (width - logo_width * scale) / 2, height - 130, logo_width * scale,
                           logo_height * scale, mask="auto")
    else:
        deck.text(site_name(), 48, height - 100, size=28, font="Helvetica-Bold", color=ACCENT, centred=True)
    y = deck.text(_("New Distinguished Contributors"), 48, height / 2 + 40, size=44, font="Helvetica-Bold",
                  color=ACCENT, centred=True)
    y = deck.text(details["name"], 48, y - 8, size=28, centred=True)
    deck.text(ngettext("{count} new member, announced on {day}", "{count} new members, announced on {day}",
                       details["count"]).format(count=details["count"],
                                                day=date_format(details["released_at"], "DATE_FORMAT")),
              48, y - 16, size=20, color=MUTED, centred=True)
    deck.end_slide()


def _track_slide(deck: _Deck, section: dict[str, Any]) -> None:
    """A track's badge, name and number of new members."""
    width, height = SLIDE
    deck.pdf.drawImage(deck.badge(section["slug"]), (width - 200) / 2, height - 300, 200, 200, mask="auto")
    y = deck.text(section["name"], 48, height - 360, size=40, font="Helvetica-Bold", color=ACCENT, centred=True)
    deck.text(ngettext("{count} new member", "{count} new members", len(section["members"])).format(
        count=len(section["members"])), 48, y - 8, size=24, color=MUTED, centred=True)
    deck.end_slide()


def _member_slide(deck: _Deck, section: dict[str, Any], member: dict[str, Any]) -> None:
    """One new member: the badge, the track, the name, the citation and the verification link."""
    _width, height = SLIDE
    deck.pdf.drawImage(deck.badge(section["slug"]), 64, height - 344, 240, 240, mask="auto")
    left, room = 352, SLIDE[0] - 352 - 56
    y = deck.text(section["name"], left, height - 120, size=20, color=GOLD, width=room)
    y = deck.text(member["name"], left, y - 20, size=40, font="Helvetica-Bold", color=ACCENT, width=room, leading=46)
    if member["citation"]:
        y = deck.text(f"“{member['citation']}”", left, y - 16, size=22, font="Helvetica-Oblique", width=room,
                      leading=30)
    if member["verify_url"]:
        deck.text(member["verify_url"], left, max(y - 24, 80), size=14, color=MUTED, width=room)
    deck.end_slide()


def _deck_key(cycle_year: int) -> str:
    """Where the deck is cached: the cycle, the language and the public lists' version."""
    return f"od:kit:{cycle_year}:{get_language() or settings.LANGUAGE_CODE}:{freshness.presence_version()}"


def slides_pdf(*, cycle_year: int) -> bytes:
    """
    The conference deck of the released announcement of ``cycle_year``: 16:9 pages, one title slide,
    then each track's slide followed by one slide per new member of the track. Kept in the cache
    until the public lists change, five minutes at most (what no signal tells: a profile made private).

    Raises:
        NotFound: no such cycle, or its announcement is not released.
    """
    details = announcement(cycle_year=cycle_year)
    key = _deck_key(cycle_year)
    content = cache.get(key)
    if content is None:
        deck = _Deck(_("New Distinguished Contributors — {name}").format(name=details["name"]))
        _title_slide(deck, details)
        for section in details["tracks"]:
            _track_slide(deck, section)
            for member in section["members"]:
                _member_slide(deck, section, member)
        content = deck.bytes()
        cache.set(key, content, timeout=freshness.PRESENCE_SECONDS)
    return content


# Share kits ----------------------------------------------------------------------------------

def _hashtags() -> str:
    """``DISTINGUISHED_SHARE_HASHTAGS`` as a post ends with them."""
    return " ".join(f"#{tag.lstrip('#')}" for tag in get_setting("DISTINGUISHED_SHARE_HASHTAGS"))


def share_post(*, badge_name: str, year: int, program: str, verify_url: str, citation: str = "",
               organization: str = "") -> str:
    """
    The text of a post about a badge, at most ``POST_LIMIT`` characters (the citation is shortened,
    never the link): who is recognised as what and when, the panel's citation, the link and hashtags.
    """
    if organization:
        opening = _("{organization} is recognised as {badge} ({year}) by the {program}.").format(
            organization=organization, badge=badge_name, year=year, program=program)
    else:
        opening = _("I am honoured to be recognised as {badge} ({year}) by the {program}.").format(
            badge=badge_name, year=year, program=program)
    closing = _("Verify the badge: {url}").format(url=verify_url) + (f"\n\n{_hashtags()}" if _hashtags() else "")
    if citation:
        room = POST_LIMIT - len(opening) - len(closing) - 6
        quoted = citation if len(citation) <= room else citation[:max(room - 1, 0)].rstrip() + "…"
        return f"{opening}\n\n“{quoted}”\n\n{closing}"
    return f"{opening}\n\n{closing}"


def share_kits(*, user: User | AnonymousUser | None,
               credentials: Iterable[CredentialData] | None = None) -> list[ShareKitData]:
    """
    What ``user`` can share of each valid credential of their terms (and their organizations'): the
    post, a LinkedIn share link, the badge image (Open Badges 3.0, baked) and the certificate.
    ``credentials``: the user's, when the caller has them already (``list_credentials``).
    """
    if credentials is None:
        credentials = list_credentials(holder=user)
    credentials = [c for c in credentials if c.status == CredentialStatus.VALID]
    if not credentials:
        return []
    citations = dict(Decision.objects.filter(
        nomination__term__pk__in=[c.term_id for c in credentials], released_at__isnull=False,
    ).values_list("nomination__term__pk", "citation"))
    program = program_name()
    kits = []
    for credential in credentials:
        verify_url = credential.links["verify"]
        organization = credential.holder_display_name if credential.holder_username is None else ""
        kits.append(ShareKitData(
            public_id=credential.public_id, track_name=credential.track_name,
            post=share_post(badge_name=credential.track_name, year=credential.valid_from.year,
                            program=program, verify_url=verify_url,
                            citation=citations.get(credential.term_id, ""), organization=organization),
            linkedin_share_url="https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": verify_url}),
            badge_image_url=credential.links["png_v3"], certificate_url=credential.links["certificate_pdf"],
            verify_url=verify_url,
        ))
    return kits
