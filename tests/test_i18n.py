"""
Translations the OEP-58 way (ADR 0024, docs/translations.rst).

The extracted catalogues hold every string the code marks, counted here without makemessages; the
pages and one e-mail of each kind, rendered in the eo pseudo-language, show no text that a
translator could not reach; and the package is laid out as the LMS's pull_plugin_translations and
compile_plugin_translations commands expect.
"""
import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test.utils import override_settings
from django.utils import translation

from openedx_distinguished import apps
from openedx_distinguished.settings import common
from scripts import translations

from . import i18n_fixtures as i18n
from .test_email_links import (  # noqa: F401  pylint: disable=unused-import
    SCENARIO,
    activity_messages,
    announcement_messages,
    committed,
    evaluation_messages,
    invitation_messages,
    letters,
    nomination_messages,
    renewal_messages,
    review_messages,
    site,
    the_letter,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def locale_dir(tmp_path_factory):
    """The English catalogues extracted from a copy of the package, with the eo and ar pseudo-languages."""
    return i18n.build_pseudo_locales(i18n.build_catalogues(tmp_path_factory.mktemp("i18n")))


def catalogue(locale_dir, language, domain):
    return polib.pofile(str(locale_dir / language / "LC_MESSAGES" / f"{domain}.po"))


# The catalogues -------------------------------------------------------------------------------------

def test_the_catalogue_holds_every_marked_string_and_nothing_else(locale_dir):
    extracted = {(entry.msgctxt or "", entry.msgid) for entry in catalogue(locale_dir, "en", "django") if entry.msgid}
    marked = i18n.marked_in_python() | i18n.marked_in_templates()
    assert len(extracted) > 900
    assert extracted == marked
    assert len(extracted) == len(marked)


def test_no_message_is_hidden_where_xgettext_cannot_see_it():
    """xgettext does not read the code inside f-strings: a gettext call there is never extracted."""
    hidden = [f"{path.name}:{call.lineno}" for path in i18n.python_sources()
              for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.JoinedStr)
              for call in i18n.gettext_calls(node)]
    assert not hidden


def test_the_widgets_messages_are_in_the_javascript_catalogue_under_their_ids(locale_dir):
    entries = [entry for entry in catalogue(locale_dir, "en", "djangojs") if entry.msgid]
    declared = [line for patch in translations.WIDGET_PATCHES for line in patch.read_text().splitlines()
                if "id: 'distinguished." in line]
    assert len(entries) == len(declared) == 22
    by_id = {entry.msgctxt: entry.msgid for entry in entries}
    assert by_id["distinguished.profile.heading"] == "Distinguished Contributor"
    assert by_id["distinguished.dashboard.progress"] == "{verified} of {needed} activities verified for renewal"
    assert all(entry.occurrences[0][0].startswith("tutor/tutordistinguished/patches/") for entry in entries)


def test_a_widget_message_written_another_way_stops_the_extraction(tmp_path):
    patch = tmp_path / "mfe-env-config-runtime-definitions-profile"
    patch.write_text("const messages = {\n  a: { id: 'distinguished.a', defaultMessage: 'A' },\n"
                     "  b: { defaultMessage: 'B', id: 'distinguished.b' },\n};\n")
    with pytest.raises(ValueError, match="2 message ids, 1 read"):
        translations.widget_messages([patch])


def test_the_pseudo_language_translates_every_message(locale_dir):
    pseudo = catalogue(locale_dir, "eo", "django")
    assert pseudo.percent_translated() == 100
    singular = [entry for entry in pseudo if entry.msgid and not entry.msgid_plural]
    assert all(entry.msgstr != entry.msgid and entry.msgstr.endswith("#") for entry in singular)


def test_every_template_marks_the_text_it_shows():
    """The static half of the pseudo-language test: nothing in a template is left unmarked."""
    assert not i18n.unmarked_in_templates()


# The package's layout and settings ------------------------------------------------------------------

def test_the_catalogues_live_where_openedx_translations_and_the_lms_look_for_them():
    # atlas pulls translations/*/<module>/conf/locale into conf/plugins-locale/plugins/<module>:
    # the module is the root of the LMS plugin entry point, the path is <module>/conf/locale.
    module = apps.DistinguishedConfig.name.split(".")[0]
    assert module == "openedx_distinguished" == i18n.PACKAGE.name
    assert (i18n.PACKAGE / "conf" / "locale" / "config.yaml").is_file()
    assert translations.LOCALE == "conf/locale"


def test_the_plugin_settings_add_the_bundled_catalogues_once():
    class Settings:  # pylint: disable=too-few-public-methods
        LOCALE_PATHS = ["/edx/app/edxapp/edx-platform/conf/locale"]

    site_settings = Settings()
    common.plugin_settings(site_settings)
    common.plugin_settings(site_settings)
    bundled = str(i18n.PACKAGE / "conf" / "locale")
    assert site_settings.LOCALE_PATHS == ["/edx/app/edxapp/edx-platform/conf/locale", bundled]


def test_the_bundled_catalogues_translate_the_plugin(locale_dir, tmp_path):
    """A catalogue compiled into the package's own locale directory is what the pages speak."""
    package_locale = tmp_path / "conf" / "locale"
    shutil.copytree(locale_dir / "eo", package_locale / "eo")
    with override_settings(LOCALE_PATHS=[str(package_locale)], LANGUAGES=[("eo", "Esperanto")]):
        with translation.override("eo"):
            assert i18n.EO_MARK in translation.gettext("Nominate someone")


# Pages and e-mails in the pseudo-language --------------------------------------------------------

UNMARKED = None


def unmarked(*template_dirs):
    """What the code shows without marking it (templates and Python sentences), read once."""
    global UNMARKED  # pylint: disable=global-statement
    if template_dirs:
        return i18n.unmarked_in_templates(i18n.TEMPLATES, *template_dirs) | i18n.unmarked_sentences_in_python()
    if UNMARKED is None:
        UNMARKED = i18n.unmarked_in_templates() | i18n.unmarked_sentences_in_python()
    return UNMARKED


@pytest.fixture
def esperanto(settings, locale_dir):
    i18n.speak(settings, locale_dir, "eo")
    with translation.override("eo"):
        yield settings


def page_text(response):
    """The text a page in the pseudo-language shows; it must be the pseudo-language's."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert 'lang="eo"' in html
    assert i18n.EO_MARK in html  # the pseudo-language's catalogue is the one in use
    return i18n.shown(html)


PUBLIC_PAGES = ["/distinguished/", "/distinguished/program/", "/distinguished/verify/"]
SIGNED_IN_PAGES = ["/distinguished/nominate/", "/distinguished/nominations/", "/distinguished/membership/",
                   "/distinguished/review/"]


def test_the_public_and_signed_in_pages_show_only_translated_text(esperanto, cycle, users, client):
    # pylint: disable=unused-argument
    for path in PUBLIC_PAGES:
        assert not i18n.untranslated(page_text(client.get(path)), unmarked()), path
    client.force_login(users["staff"])
    for path in PUBLIC_PAGES + SIGNED_IN_PAGES:
        assert not i18n.untranslated(page_text(client.get(path)), unmarked()), path


def test_a_refused_form_speaks_the_language_too(esperanto, cycle, users, client):  # pylint: disable=unused-argument
    client.force_login(users["nominator"])
    response = client.post("/distinguished/nominate/", {"track": "no-such-track", "nominee": ""})
    text = page_text(response)
    assert not i18n.untranslated(text, unmarked())
    assert any(i18n.EO_MARK in piece for piece in text if "od-error" in piece or piece)


@pytest.mark.parametrize("name", sorted(SCENARIO))
def test_each_kind_of_email_and_the_pages_it_links_speak_the_language(name, esperanto, request, letters, client):
    # pylint: disable=redefined-outer-name
    expected = request.getfixturevalue(SCENARIO[name])[name]
    mail = the_letter(letters, name, expected.recipient)
    (html, _), = mail.alternatives
    assert i18n.EO_MARK in mail.subject and i18n.EO_MARK in mail.body and i18n.EO_MARK in html
    lines = [mail.subject] + [" ".join(line.split()) for line in mail.body.splitlines() if line.strip()]
    assert not i18n.untranslated(lines, unmarked()), name
    assert not i18n.untranslated(i18n.shown(html), unmarked()), name
    client.force_login(expected.recipient)
    assert not i18n.untranslated(page_text(client.get(expected.page.split("#")[0])), unmarked()), expected.page


def test_an_unmarked_template_string_is_caught(esperanto, cycle, users, client, settings, tmp_path):
    """
    The check itself: a copy of the navigation template with one string left unmarked, found first
    by the template loaders, makes the page fail the check.
    """
    # pylint: disable=unused-argument
    source = (i18n.TEMPLATES / "openedx_distinguished" / "_nav.html").read_text(encoding="utf-8")
    marked = next(match for match in i18n.TRANS.finditer(source) if len(match.group(2).split()) >= 2)
    override = tmp_path / "openedx_distinguished" / "_nav.html"
    override.parent.mkdir(parents=True)
    override.write_text(source.replace(marked.group(0), marked.group(2), 1), encoding="utf-8")
    templates = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    settings.TEMPLATES = templates
    client.force_login(users["staff"])
    caught = i18n.untranslated(page_text(client.get("/distinguished/program/")), unmarked(tmp_path))
    assert caught and all(marked.group(2) in piece for piece in caught)
    assert i18n.unmarked_in_templates(tmp_path) == {marked.group(2)}


# The MFE widgets' translations, served from the djangojs catalogue -------------------------------

def test_the_widgets_get_their_messages_in_the_apps_language(esperanto, users, client):
    ids = {entry.msgctxt for entry in polib.pofile(str(esperanto.LOCALE_PATHS[0] + "/en/LC_MESSAGES/djangojs.po"))
           if entry.msgid}
    for user in (None, users["learner"]):  # the profile of someone signed in, or a public page
        if user is not None:
            client.force_login(user)
        response = client.get("/api/distinguished/v1/widget-messages/eo/")
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=3600"
        body = response.json()
        assert body["language"] == "eo" and set(body["messages"]) == ids and len(ids) == 22
        assert body["messages"]["distinguished.profile.heading"].startswith("Dïstïngüïshéd Çöntrïßütör")
        # Placeholders stay as frontend-platform's formatMessage reads them.
        assert "{date}" in body["messages"]["distinguished.profile.until"]


def test_english_needs_no_messages_and_an_unknown_language_is_a_404(esperanto, client):
    assert client.get("/api/distinguished/v1/widget-messages/en/").json() == {"language": "en", "messages": {}}
    for language in ("xx", "fr", "..", "e" * 200):
        response = client.get(f"/api/distinguished/v1/widget-messages/{language}/")
        assert response.status_code == 404, language
        assert response.json() == {"language": ["This site does not offer that language."]}


def test_a_language_without_a_catalogue_gets_no_messages(esperanto, client, settings):
    settings.LANGUAGES = [*settings.LANGUAGES, ("fr", "French")]
    assert client.get("/api/distinguished/v1/widget-messages/fr/").json() == {"language": "fr", "messages": {}}


# make pull_translations: atlas, against a mirror of openedx-translations -----------------------------

def test_atlas_pulls_the_plugins_translations_from_where_the_makefile_says(tmp_path, monkeypatch):
    """
    The Makefile's ``atlas pull`` source, run by the real atlas against a local git repository laid
    out like openedx-translations (git's ``url.<base>.insteadOf`` stands in for github.com), then
    compiled: the plugin speaks French.
    """
    makefile = (i18n.PACKAGE.parent / "Makefile").read_text(encoding="utf-8")
    source = re.search(r"^ATLAS_SOURCE := (\S+)$", makefile, re.M).group(1)
    assert source == "translations/openedx-distinguished/openedx_distinguished/conf/locale"
    work = tmp_path / "openedx-translations"
    french = work / source / "fr" / "LC_MESSAGES" / "django.po"
    french.parent.mkdir(parents=True)
    french.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                      '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
                      'msgid "Nominate someone"\nmsgstr "Proposer quelqu’un"\n', encoding="utf-8")
    git = ["git", "-c", "user.email=ci@example.org", "-c", "user.name=ci", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-qm", "translations"], check=True)
    mirror = tmp_path / "github" / "openedx" / "openedx-translations.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(mirror)], check=True)
    subprocess.run(["git", "-C", str(mirror), "config", "uploadpack.allowFilter", "true"], check=True)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.file://{tmp_path / 'github'}/.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "https://github.com/")
    site = tmp_path / "site"
    site.mkdir()
    atlas = Path(sys.executable).parent / "atlas"
    subprocess.run([str(atlas), "pull", "--silent", f"{source}:locale"], cwd=site, check=True)
    assert (site / "locale" / "fr" / "LC_MESSAGES" / "django.po").is_file()
    translations.compile_catalogues(site / "locale")
    with override_settings(LOCALE_PATHS=[str(site / "locale")], LANGUAGES=[("fr", "French")]):
        with translation.override("fr"):
            assert translation.gettext("Nominate someone") == "Proposer quelqu’un"
