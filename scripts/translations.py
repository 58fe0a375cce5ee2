"""
The plugin's translation catalogues, the OEP-58 way (docs/translations.rst, ADR 0024).

    python scripts/translations.py extract   # en/LC_MESSAGES/django.po and djangojs.po
    python scripts/translations.py dummy     # the eo pseudo-language from the English catalogues
    python scripts/translations.py compile   # every .po under the locale directory to its .mo

``extract`` runs Django's makemessages from inside the package, where it finds ``conf/locale`` and
writes there, as it does for the plugins openedx-translations collects from. The MFE widgets live
in the Tutor plugin's patches (JSX that frontend-platform's i18n translates by message id); their
messages go to ``djangojs.po``, each under its id as the message context, so a translator sees the
same id the widget asks the app's messages for.

It needs Django settings (``DJANGO_SETTINGS_MODULE``; ``make extract_translations`` uses the test
settings) and GNU gettext's xgettext and msgfmt.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "openedx_distinguished"
LOCALE = "conf/locale"
WIDGET_PATCHES = sorted((ROOT / "tutor" / "tutordistinguished" / "patches").glob("mfe-env-config-runtime-*"))

# What makemessages leaves alone inside the package: nothing there is shown to people.
IGNORED = ["migrations/*", "jsonld/*", "program_data/*", "static/*"]

# `{ id: 'x', defaultMessage: 'y' }` (description optional), as the widgets declare their messages.
WIDGET_MESSAGE = re.compile(
    r"""\{\s*id:\s*'(?P<id>[^']+)',\s*defaultMessage:\s*'(?P<text>(?:[^'\\]|\\.)*)'""", re.S
)


# The header of the source catalogues: English, with English plural rules (makemessages leaves
# placeholders that msgfmt refuses and Django cannot read once compiled).
HEADER = {
    "Project-Id-Version": "openedx-distinguished",
    "Language": "en",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}


def widget_messages(patches=None):
    """
    The (id, text, file name) of every message the MFE widgets declare, in file order.

    Raises ValueError when a patch names a message id the pattern did not read (a message written
    another way), so that no widget string goes missing from the catalogue unnoticed.
    """
    found = []
    for patch in patches or WIDGET_PATCHES:
        source = patch.read_text(encoding="utf-8")
        messages = [(m["id"], re.sub(r"\\(.)", r"\1", m["text"]), patch.name) for m in WIDGET_MESSAGE.finditer(source)]
        declared = re.findall(r"\bid:\s*'distinguished\.", source)
        if len(declared) != len(messages):
            raise ValueError(f"{patch.name}: {len(declared)} message ids, {len(messages)} read")
        found.extend(messages)
    return found


def write_widget_catalogue(path, patches=None):
    """
    Write the widgets' messages as a gettext catalogue: msgctxt is the message id, msgid its text.
    """
    import polib  # pylint: disable=import-outside-toplevel

    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = dict(HEADER)
    catalogue.header = "The MFE widgets' strings of openedx-distinguished to translate (make extract_translations)."
    for message_id, text, patch_name in widget_messages(patches):
        catalogue.append(polib.POEntry(
            msgctxt=message_id, msgid=text, msgstr="", occurrences=[(f"tutor/tutordistinguished/patches/{patch_name}", "")],
            comment="frontend-platform i18n message of an MFE widget; keep {placeholders} as they are",
        ))
    path.parent.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(path))
    return len(catalogue)


def extract(package=PACKAGE, patches=None):
    """
    Write ``<package>/conf/locale/en/LC_MESSAGES/django.po`` and ``djangojs.po``; return their paths.
    """
    import django  # pylint: disable=import-outside-toplevel
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel

    django.setup()
    messages_dir = Path(package) / LOCALE / "en" / "LC_MESSAGES"
    messages_dir.mkdir(parents=True, exist_ok=True)
    here = os.getcwd()
    try:
        os.chdir(package)  # makemessages writes to ./conf/locale when it exists
        call_command("makemessages", locale=["en"], domain="django", ignore_patterns=IGNORED, verbosity=0,
                     no_obsolete=True)
    finally:
        os.chdir(here)
    django_po = messages_dir / "django.po"
    _english_header(django_po)
    djangojs_po = messages_dir / "djangojs.po"
    write_widget_catalogue(djangojs_po, patches)
    return django_po, djangojs_po


def _english_header(path):
    import polib  # pylint: disable=import-outside-toplevel

    catalogue = polib.pofile(str(path), wrapwidth=0)
    catalogue.metadata = dict(HEADER)
    catalogue.header = "The strings of openedx-distinguished to translate (make extract_translations)."
    catalogue.save(str(path))


def dummy(locale_dir, locale="eo", converter=None):
    """
    A pseudo-translation of every English catalogue under ``locale_dir`` into ``locale``.

    The default converter is i18n-tools' eo (accented vowels, padded text); ArabicDummy gives a
    right-to-left script. Returns the catalogues written.
    """
    from i18n.dummy import Dummy, make_dummy  # pylint: disable=import-outside-toplevel

    written = []
    for source in sorted((Path(locale_dir) / "en" / "LC_MESSAGES").glob("*.po")):
        make_dummy(str(source), locale, converter or Dummy())
        written.append(Path(locale_dir) / locale / "LC_MESSAGES" / source.name)
    return written


def compile_catalogues(locale_dir):
    """
    msgfmt --check-format every .po under ``locale_dir``, as the LMS's compile_plugin_translations does.
    """
    compiled = []
    for po_file in sorted(Path(locale_dir).rglob("*.po")):
        mo_file = po_file.with_suffix(".mo")
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo_file), str(po_file)], check=True)
        compiled.append(mo_file)
    return compiled


def main(argv=None):
    """
    The command line of `make extract_translations`, `make dummy_translations`, `make compile_translations`.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("action", choices=["extract", "dummy", "compile"])
    args = parser.parse_args(argv)
    locale_dir = PACKAGE / LOCALE
    if args.action == "extract":
        for path in extract():
            print(f"{path.relative_to(ROOT)}: {count_messages(path)} messages")
    elif args.action == "dummy":
        for path in dummy(locale_dir):
            print(f"{path.relative_to(ROOT)}: {count_messages(path)} messages")
    else:
        if not shutil.which("msgfmt"):
            sys.exit("msgfmt not found: install GNU gettext (make system-requirements)")
        for path in compile_catalogues(locale_dir):
            print(path.relative_to(ROOT))


def count_messages(path):
    """
    How many messages a catalogue holds (the header entry aside).
    """
    import polib  # pylint: disable=import-outside-toplevel

    return len([entry for entry in polib.pofile(str(path)) if entry.msgid])


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "test_settings")
    main()
