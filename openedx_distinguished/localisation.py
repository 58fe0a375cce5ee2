"""
The plugin's translations at run time, beyond what Django's gettext gives the pages.

The MFE widgets (the learner profile's badges, the learner dashboard's card) are frontend-platform
React components: their messages live in the ``djangojs`` catalogue, each under its message id as
the context (``make extract_translations``; ADR 0024). A widget asks for them in the app's language,
since the MFE's own translations know nothing of the plugin's ids.
"""
import functools

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import DjangoTranslation

# The separator gettext puts between a message's context and its text in a compiled catalogue.
CONTEXT_SEPARATOR = "\x04"

# The prefix of every widget message id (tutor/tutordistinguished/patches/mfe-env-config-*).
WIDGET_MESSAGE_PREFIX = "distinguished."


class UnknownLanguage(LookupError):
    """A language the site does not offer."""


def site_language(*, code: str) -> str:
    """
    The site's language for ``code`` (``fr-ca`` → ``fr-ca`` or ``fr``, ``pt_BR`` → ``pt-br``).

    Raises UnknownLanguage for a language the site does not offer (``LANGUAGES``).
    """
    try:
        return get_supported_language_variant(code.replace("_", "-").lower())
    except LookupError as error:
        raise UnknownLanguage(code) from error


def widget_messages(*, language: str) -> dict[str, str]:
    """
    The widgets' translated messages in ``language``: message id → translation. Messages without a
    translation are left out (the widget keeps its English), and so is everything in English, the
    language the messages are written in.
    """
    language = site_language(code=language)
    if language.split("-")[0] == "en":
        return {}
    return dict(_read_widget_messages(language, tuple(settings.LOCALE_PATHS)))


@functools.lru_cache(maxsize=64)
def _read_widget_messages(language: str, locale_paths: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The catalogues are read once per process (per language and LOCALE_PATHS, which tests change)."""
    del locale_paths  # part of the cache key only: DjangoTranslation reads settings.LOCALE_PATHS
    catalogue = DjangoTranslation(language, domain="djangojs")
    found = {}
    # gettext offers no public way to list a catalogue's messages; its _catalog mapping holds them.
    entries = catalogue._catalog  # type: ignore[attr-defined]  # pylint: disable=protected-access
    for key, text in entries.items():
        if not isinstance(key, str) or CONTEXT_SEPARATOR not in key:
            continue
        message_id, english = key.split(CONTEXT_SEPARATOR, 1)
        if message_id.startswith(WIDGET_MESSAGE_PREFIX) and text and text != english:
            found[message_id] = text
    return tuple(sorted(found.items()))
