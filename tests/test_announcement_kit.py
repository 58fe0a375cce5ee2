"""
The announcement kit (issue 19, item 4): the newsletter in HTML and Markdown, the 16:9 conference
deck (rendered with poppler's pdftoppm and read back with pdftotext), and each member's share kit;
nothing of it before the release; only listed members; query counts flat at 10, 100 and 1,000.
"""
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from openedx_distinguished import announcements, api, notifications
from openedx_distinguished.exceptions import NotFound
from openedx_distinguished.models import Credential, Cycle, Decision, Deliverable, MessageLog

from .announcement_fixtures import CITATIONS, decided, release  # noqa: F401  pylint: disable=unused-import
from .membership_fixtures import add_term, many_members

pytestmark = pytest.mark.django_db

KIT = "/distinguished/announcements/{}/kit.{}"
PAGE = "/distinguished/announcements/{}/"
POPPLER = ("pdftoppm", "pdftotext", "pdfinfo", "pdfimages")


@pytest.fixture(scope="module")
def poppler():
    """Poppler's tools, which CI installs (``make system-requirements``): the deck is read with them."""
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    assert not missing, f"poppler-utils is missing ({missing}): run `make system-requirements` as root"


def pdf_facts(content, tmp_path):
    """What poppler reads in a PDF: page count and size, each page's text, and the pages rendered to PNG."""
    path = tmp_path / "deck.pdf"
    path.write_bytes(content)
    info = dict(line.split(":", 1) for line in subprocess.run(
        ["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout.splitlines() if ":" in line)
    pages = int(info["Pages"])
    texts = [" ".join(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], check=True,
                                     capture_output=True, text=True).stdout.split()) for n in range(1, pages + 1)]
    subprocess.run(["pdftoppm", "-r", "24", "-png", str(path), str(tmp_path / "page")], check=True)
    return {"pages": pages, "size": info["Page size"].strip(), "texts": texts,
            "pngs": sorted(tmp_path.glob("page-*.png")), "path": path}


def images_in(path, *pages):
    """How many images (not their transparency masks) pdfimages lists in ``path``, or in its ``pages``."""
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    listing = subprocess.run(["pdfimages", "-list", *span, str(path)], check=True, capture_output=True,
                             text=True).stdout
    return sum(1 for line in listing.splitlines()[2:] if line.split()[2] == "image")


def png_size(path):
    header = Path(path).read_bytes()[16:24]
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")


class TestTheEmbargo:
    """Nothing of the kit exists before the release, for anyone."""

    @pytest.mark.parametrize("who", ["anonymous", "staff", "ada"])
    def test_no_download_before_the_release(self, client, decided, users, cycle, who):
        if who != "anonymous":
            client.force_login(users["staff"] if who == "staff" else decided["ada"])
        for fmt in ("html", "md", "pdf"):
            assert client.get(KIT.format(cycle.year, fmt)).status_code == 404
        for call in (lambda: api.announcement_newsletter(cycle_year=cycle.year, fmt="html"),
                     lambda: api.announcement_newsletter(cycle_year=cycle.year, fmt="markdown"),
                     lambda: api.announcement_slides(cycle_year=cycle.year)):
            with pytest.raises(NotFound):
                call()
        assert not api.share_kits(user=decided["ada"])

    def test_no_share_section_before_the_release(self, client, decided):
        client.force_login(decided["ada"])
        assert 'id="share"' not in client.get("/distinguished/membership/").content.decode()

    def test_an_unknown_format_is_not_found(self, client, decided, cycle):
        release(cycle, decided)
        assert client.get(KIT.format(cycle.year, "docx")).status_code == 404


class TestTheNewsletter:
    """HTML for e-mail and blogs, and Markdown, of the listed new members with their citations."""

    def test_html_with_absolute_links_png_badges_and_citations(self, client, decided, cycle):
        release(cycle, decided, listed=("ada", "bob"))
        response = client.get(KIT.format(cycle.year, "html"))
        assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="newsletter-{cycle.year}.html"'
        document = lxml_html.fragment_fromstring(response.content.decode())
        text = " ".join(document.text_content().split())
        assert f"Ada Lovelace {CITATIONS['ada']}" in text and CITATIONS["bob"] in text
        assert "Cy Lovelace" not in text and "Should not show" not in text
        assert "welcomed 2 new members" in text
        images = document.xpath("//img")
        assert images and all(img.get("src").startswith("https://lms.example.org/distinguished/badges/art/")
                              and ".png?" in img.get("src") and img.get("alt") for img in images)
        links = [a.get("href") for a in document.xpath("//a")]
        assert links and all(link.startswith("https://lms.example.org/") for link in links)
        assert f"https://lms.example.org{PAGE.format(cycle.year)}" in links
        assert not document.xpath("//style|//link|//script")  # inline styles only

    def test_markdown_reads_back_as_the_same_names_citations_and_links(self, client, decided, cycle):
        release(cycle, decided, listed=("ada", "bob"))
        response = client.get(KIT.format(cycle.year, "md"))
        assert response["Content-Type"] == "text/markdown; charset=utf-8"
        source = response.content.decode()
        rendered = lxml_html.fragment_fromstring(MarkdownIt("commonmark").render(source), create_parent="div")
        text = " ".join(rendered.text_content().split())
        # Escaped, every character shows as written: "&", "." and "-" are not read as syntax.
        assert CITATIONS["ada"] in text and CITATIONS["bob"] in text
        assert [h.text_content() for h in rendered.xpath("//h1|//h2")] == [
            f"New Distinguished Contributors — Cycle {cycle.year}", "Distinguished Engineer"]
        names = {a.text_content(): a.get("href") for a in rendered.xpath("//li//a")}
        assert names["Ada Lovelace"].startswith("https://lms.example.org/distinguished/members/")
        assert all(img.get("src").startswith("https://lms.example.org/") for img in rendered.xpath("//img"))

    def test_markdown_syntax_in_a_citation_stays_text(self, decided, cycle):
        nasty = "Wrote *all* the [docs](javascript:alert(1)) # and <b>more</b> 1. `code`"
        Decision.objects.filter(nomination__nominee_user=decided["ada"]).update(citation=nasty)
        release(cycle, decided, listed=("ada",))
        source = api.announcement_newsletter(cycle_year=cycle.year, fmt="markdown")
        rendered = lxml_html.fragment_fromstring(MarkdownIt("commonmark").render(source), create_parent="div")
        assert nasty in " ".join(rendered.text_content().split())
        assert not rendered.xpath("//em|//code|//b|//a[starts-with(@href, 'javascript')]")

    def test_a_member_who_leaves_public_view_leaves_the_next_download(self, client, decided, cycle):
        release(cycle, decided, listed=("ada", "bob"))
        first = client.get(KIT.format(cycle.year, "html"))
        assert client.get(KIT.format(cycle.year, "html"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        api.set_listing(user=decided["bob"], listed=False)
        again = client.get(KIT.format(cycle.year, "html"), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200 and b"Bob" not in again.content and b"Ada" in again.content


class TestTheSlides:
    """A 16:9 PDF rendered on the server: title, one slide a track, one a new member."""

    def test_the_deck_renders_with_a_slide_for_each_track_and_member(self, client, decided, cycle, tmp_path,
                                                                     poppler, settings):
        settings.DISTINGUISHED_SITE_NAME = "Example Learning"
        release(cycle, decided, listed=("ada", "bob"))
        response = client.get(KIT.format(cycle.year, "pdf"))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        facts = pdf_facts(response.content, tmp_path)
        assert facts["pages"] == 1 + 1 + 2  # title, the engineers' track, Ada and Bob
        width, height = (float(v) for v in facts["size"].split(" pts")[0].split(" x "))
        assert round(width / height, 3) == round(16 / 9, 3)
        assert len(facts["pngs"]) == 4 and all(
            round(w / h, 1) == round(16 / 9, 1) for w, h in map(png_size, facts["pngs"]))
        title, track, *members = facts["texts"]
        assert "Example Learning" in title and "New Distinguished Contributors" in title
        assert f"Cycle {cycle.year}" in title and "2 new members" in title
        assert "Distinguished Engineer" in track and "2 new members" in track
        assert "Ada Lovelace" in members[0] and CITATIONS["ada"][:30] in members[0]
        assert "Bob Lovelace" in members[1] and "/distinguished/verify/" in members[1]
        assert all(page.endswith(str(number)) for number, page in enumerate(facts["texts"], start=1))
        assert images_in(facts["path"], 1) == 0  # no logo set: the site's name instead
        assert images_in(facts["path"]) == 3  # the track's badge and each member's

    def test_the_title_slide_carries_the_sites_logo(self, decided, cycle, tmp_path, poppler, settings):
        settings.DISTINGUISHED_LOGO_URL = "/static/openedx_distinguished/badges/advocate.png"
        release(cycle, decided, listed=("ada",))
        path = tmp_path / "deck.pdf"
        path.write_bytes(api.announcement_slides(cycle_year=cycle.year))
        assert images_in(path, 1) == 1

    def test_a_remote_logo_is_not_fetched(self, settings):
        settings.DISTINGUISHED_LOGO_URL = "https://cdn.example.org/static/logo.png"
        assert announcements._local_image(announcements.logo_url()) is None  # pylint: disable=protected-access

    def test_the_deck_follows_the_listing(self, decided, cycle, tmp_path, poppler):
        release(cycle, decided, listed=("ada", "bob"))
        (tmp_path / "before").mkdir()
        (tmp_path / "after").mkdir()
        assert pdf_facts(api.announcement_slides(cycle_year=cycle.year), tmp_path / "before")["pages"] == 4
        api.set_listing(user=decided["bob"], listed=False)
        facts = pdf_facts(api.announcement_slides(cycle_year=cycle.year), tmp_path / "after")
        assert facts["pages"] == 3 and not any("Bob" in text for text in facts["texts"])


class TestShareKits:
    """On My membership: a post for LinkedIn or Mastodon with the verification link, badge and certificate."""

    def test_the_member_gets_a_post_with_the_citation_link_and_attachments(self, client, decided, cycle):
        release(cycle, decided, listed=())
        (kit,) = api.share_kits(user=decided["ada"])
        credential = api.list_credentials(holder=decided["ada"])[0]
        assert kit.verify_url == credential.links["verify"] and kit.verify_url in kit.post
        assert CITATIONS["ada"] in kit.post and "#OpenedX" in kit.post
        assert "Distinguished Engineer" in kit.post and f"({credential.valid_from.year})" in kit.post
        assert kit.badge_image_url == credential.links["png_v3"]
        assert kit.certificate_url == credential.links["certificate_pdf"]
        assert kit.linkedin_share_url.startswith("https://www.linkedin.com/sharing/share-offsite/?url=https%3A")
        client.force_login(decided["ada"])
        page = unescape(client.get("/distinguished/membership/").content.decode())
        section = page[page.index('id="share"'):page.index("</section>", page.index('id="share"'))]
        assert kit.post in section and kit.badge_image_url in section and kit.certificate_url in section

    def test_a_long_citation_is_shortened_to_fit_mastodon_but_the_link_never(self, settings):
        post = announcements.share_post(badge_name="Distinguished Engineer", year=2026,
                                        program="Distinguished Contributor Program",
                                        verify_url="https://lms.example.org/distinguished/verify/" + "a" * 36 + "/",
                                        citation="word " * 60)
        assert len(post) <= announcements.POST_LIMIT and "…" in post
        assert post.splitlines()[-3].endswith("/verify/" + "a" * 36 + "/")
        settings.DISTINGUISHED_SHARE_HASHTAGS = []
        assert "#" not in announcements.share_post(badge_name="X", year=2026, program="P", verify_url="u")

    @pytest.mark.parametrize("who", ["anonymous", "learner", "declined nominee", "other member"])
    def test_nobody_else_sees_a_members_kit(self, client, decided, cycle, users, who):
        release(cycle, decided, listed=())
        person = {"learner": users["learner"], "declined nominee": decided["cy"],
                  "other member": decided["bob"]}.get(who)
        if person is None:
            assert client.get("/distinguished/membership/").status_code == 302
            return
        client.force_login(person)
        page = client.get("/distinguished/membership/").content.decode()
        assert CITATIONS["ada"] not in page
        kits = api.share_kits(user=person)
        assert all(CITATIONS["ada"] not in kit.post for kit in kits)
        assert bool(kits) is (who == "other member")

    def test_a_revoked_credential_has_no_kit(self, decided, cycle, users):
        release(cycle, decided, listed=())
        public_id = api.list_credentials(holder=decided["ada"])[0].public_id
        api.revoke_credential(public_id=public_id, reason="Test.", actor=users["staff"])
        assert not api.share_kits(user=decided["ada"])

    def test_an_organizations_contact_shares_in_its_name(self, cycle, users, organization, settings):
        settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
        api.add_signing_key()
        term = add_term(organization, "advocate", cycle, "active")
        api.issue_credential(term_id=term.pk)
        (kit,) = api.share_kits(user=users["nominee"])
        assert kit.post.startswith("Acme Learning is recognised as Distinguished Advocate")


class TestQueriesDoNotGrow:
    """The announcement page and the newsletter read the same few queries at 10, 100 and 1,000 members."""

    def counted(self, client, path):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        return len(captured), response

    def test_page_and_newsletter_at_10_100_and_1000_members(self, client, cycle, settings):
        settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
        Cycle.objects.filter(pk=cycle.pk).update(announcement_released_at=timezone.now())
        counts, made = [], 0
        for size in (10, 100, 1000):
            many_members(cycle, size - made, prefix=f"m{size}-")
            made = size
            page_queries, page = self.counted(client, PAGE.format(cycle.year))
            kit_queries, kit = self.counted(client, KIT.format(cycle.year, "md"))
            assert page.content.decode().count('class="od-card"') == size
            assert kit.content.decode().count("\n- ") == size
            counts.append((page_queries, kit_queries))
        assert counts[0] == counts[1] == counts[2], counts
        assert Credential.objects.count() == 0  # members without credentials show no verify link


class TestTheAnnouncementEmail:
    """The accepted nominee's e-mail carries their citation, their share kit and what the program offers them."""

    def test_citation_share_kit_and_incentives(self, decided, cycle, mailoutbox, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            release(cycle, decided, listed=())
        accepted = next(mail for mail in mailoutbox if mail.to == [decided["ada"].email])
        assert f"The panel’s citation: “{CITATIONS['ada']}”" in accepted.body
        assert "Your share kit, with a post ready to copy: https://lms.example.org/distinguished/membership/#share" \
            in accepted.body
        owed = list(Deliverable.objects.filter(term__holder_user=decided["ada"]).exclude(status="cancelled")
                    .order_by("incentive__sort_order", "incentive_id").values_list("incentive__name", flat=True))
        assert owed and "\n".join(f"- {name}" for name in owed) in accepted.body
        assert "https://lms.example.org/distinguished/membership/#awards" in accepted.body
        html = accepted.alternatives[0][0]
        assert CITATIONS["ada"] in html and 'href="https://lms.example.org/distinguished/membership/#share"' in html
        declined = next(mail for mail in mailoutbox if mail.to == [decided["cy"].email])
        assert "Should not show" not in declined.body and "share kit" not in declined.body

    def test_offers_waiting_for_an_answer_are_pointed_out(self, decided, cycle, users):
        release(cycle, decided, listed=())
        offer = Deliverable.objects.get(term__holder_user=decided["ada"], incentive__slug="lead-sessions")
        api.update_deliverable(deliverable_id=offer.pk, actor=users["staff"], status="offered")
        MessageLog.objects.all().delete()
        decisions = list(Decision.objects.filter(nomination__nominee_user=decided["ada"]))
        notifications.announcement_released(cycle=cycle, decisions=decisions)
        context = MessageLog.objects.get(recipient=decided["ada"]).context
        assert context["awaiting"] == 1 and context["citation"] == CITATIONS["ada"]
        assert {"name": offer.incentive.name, "awaits_answer": True} in context["incentives"]
