"""
The pages inside the LMS's look (ADR 0011): they extend main_django.html when the site has it, the
plugin's own base elsewhere, or the base DISTINGUISHED_BASE_TEMPLATE names; navigation follows who
is signed in.
"""
import copy
from pathlib import Path

import pytest

from openedx_distinguished.views.layout import base_template

from .review_fixtures import submitted_nomination

pytestmark = pytest.mark.django_db

LMS_TEMPLATES = str(Path(__file__).parent / "lms_templates")

PAGES = ["/distinguished/", "/distinguished/program/", "/distinguished/nominate/", "/distinguished/nominations/",
         "/distinguished/membership/", "/distinguished/review/"]


@pytest.fixture
def inside_the_lms(settings):
    """A site whose template loaders find an LMS-like main_django.html."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [LMS_TEMPLATES]
    settings.TEMPLATES = templates
    return settings


@pytest.mark.parametrize("path", PAGES)
def test_inside_the_lms_the_pages_take_its_frame(cycle, client, users, inside_the_lms, path):
    client.force_login(users["staff"])
    html = client.get(path).content.decode()
    assert base_template() == "main_django.html"
    assert 'data-test="lms-header"' in html and "staff menu" in html and 'data-test="lms-footer"' in html
    # The page fills the LMS's blocks: its title with the site name, its styles, its body class and
    # the main region the LMS's skip link points to; the plugin's own header is not there.
    assert "| Open edX</title>" in html and "LMS</title>" not in html
    assert 'class=" od-page lang_en"' in html
    assert html.index("</title>") < html.index(".od-root {") < html.index("</head>")
    assert html.count('<main id="main" class="od-root"') == 1
    assert 'class="od-header"' not in html and 'class="od-footer"' not in html


@pytest.mark.parametrize("path", PAGES)
def test_elsewhere_the_pages_use_their_own_frame(cycle, client, users, path):
    client.force_login(users["staff"])
    html = client.get(path).content.decode()
    assert base_template() == "openedx_distinguished/base.html"
    assert 'class="od-header"' in html and "Signed in as staff" in html and 'class="od-footer"' in html
    assert 'data-test="lms-header"' not in html
    assert html.count('<main id="main" class="od-root"') == 1


def test_a_configured_base_wins(cycle, client, inside_the_lms):
    inside_the_lms.DISTINGUISHED_BASE_TEMPLATE = "openedx_distinguished/base.html"
    html = client.get("/distinguished/program/").content.decode()
    assert 'class="od-header"' in html and 'data-test="lms-header"' not in html


def test_navigation_follows_the_person(cycle, client, users, panels):
    html = client.get("/distinguished/program/").content.decode()
    assert 'href="/distinguished/nominate/"' in html and "My nominations" not in html
    assert "/accounts/login/?next=/distinguished/program/" in html
    client.force_login(users["learner"])
    html = client.get("/distinguished/program/").content.decode()
    assert 'href="/distinguished/nominations/"' in html and 'href="/distinguished/membership/"' in html
    assert 'href="/distinguished/review/"' not in html
    client.force_login(panels["rev1"])
    assert 'href="/distinguished/review/"' in client.get("/distinguished/program/").content.decode()
    # The current section is marked for assistive technology.
    assert 'href="/distinguished/review/" aria-current="page"' in client.get("/distinguished/review/") \
        .content.decode()


def test_breadcrumbs_lead_back(cycle, client, users):
    nomination = submitted_nomination(users["nominator"], users["nominee"])
    client.force_login(users["nominator"])
    html = client.get(f"/distinguished/nominations/{nomination.id}/").content.decode()
    crumbs = html[html.index('aria-label="Breadcrumb"'):]
    crumbs = crumbs[:crumbs.index("</nav>")]
    assert crumbs.index('href="/distinguished/program/"') < crumbs.index('href="/distinguished/nominations/"')
    assert '<span aria-current="page">Nomination of Nominee</span>' in crumbs
