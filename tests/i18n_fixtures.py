"""
Catalogues and pseudo-languages for the translation tests (ADR 0024).

``make extract_translations`` runs ``scripts/translations.py``; the tests run the same functions on a
copy of the package, so that nothing is written into the working tree. The pseudo-languages are
i18n-tools' converters over the extracted English catalogues, compiled with msgfmt as the LMS
compiles plugins' catalogues: ``eo`` (accented, padded text) and ``ar`` (an Arabic-looking script,
right to left, a language Django knows as bidirectional).
"""
import ast
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from i18n.dummy import ArabicDummy, Dummy

from scripts import translations

PACKAGE = Path(translations.PACKAGE)
TEMPLATES = PACKAGE / "templates"

# What every string of the eo pseudo-language carries: the first letter of its padding.
EO_MARK = "Ⱡ"

# Words in the templates that are not language: formats and protocols the pages name as they are.
NOT_LANGUAGE = {"JSON-LD", "JWKS", "https://", "od-page"}


def build_catalogues(workdir):
    """
    Extract the English catalogues from a copy of the package in ``workdir``; return the copy's
    locale directory.
    """
    copy = Path(workdir) / "openedx_distinguished"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "LC_MESSAGES"))
    translations.extract(package=copy)
    return copy / translations.LOCALE


def build_pseudo_locales(locale_dir):
    """
    Compile the English catalogues under ``locale_dir`` into ``eo`` and ``ar`` pseudo-languages.
    """
    translations.dummy(locale_dir, "eo", Dummy())
    translations.dummy(locale_dir, "ar", ArabicDummy())
    translations.compile_catalogues(locale_dir)
    return locale_dir


def speak(settings, locale_dir, language):
    """
    Make ``language`` the site's language, its catalogue the one under ``locale_dir`` (Django drops
    its cached catalogues when these settings change).
    """
    settings.LOCALE_PATHS = [str(locale_dir)]
    settings.LANGUAGES = [("en", "English"), ("eo", "Esperanto"), ("ar", "Arabic")]
    settings.LANGUAGE_CODE = language


# The strings marked in the code, read independently of Django's makemessages --------------------

GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "gettext_noop"}
TRANS = re.compile(r"""\{%\s*(?:trans|translate)\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?[^%]*%\}""", re.S)
UNDERSCORE = re.compile(r"""\b_\((["'])(.*?)\1\)""")
BLOCK = re.compile(r"\{%\s*(?:blocktrans|blocktranslate)\b(.*?)%\}(.*?)\{%\s*end(?:blocktrans|blocktranslate)\s*%\}",
                   re.S)
BLOCK_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
PLURAL = re.compile(r"\{%\s*plural\s*%\}")
CONTEXT = re.compile(r"""\bcontext\s+(["'])(.*?)\1""")


def python_sources(package=PACKAGE):
    """The package's Python modules, migrations aside (they show nothing to people)."""
    return [path for path in sorted(Path(package).rglob("*.py")) if "migrations" not in path.parts]


def gettext_calls(tree):
    """The gettext calls of a module's syntax tree whose message is a literal string."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_CALLS):
            continue
        if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            yield node


def marked_in_python(package=PACKAGE):
    """(context, message) of every gettext call with a literal message in the package's Python."""
    return {("", call.args[0].value) for path in python_sources(package)
            for call in gettext_calls(ast.parse(path.read_text(encoding="utf-8")))}


def marked_in_templates(templates=TEMPLATES):
    """(context, message) of every {% trans %}, {% blocktrans %} and _("…") in the templates."""
    found = set()
    for path in sorted(p for p in Path(templates).rglob("*") if p.is_file()):
        source = path.read_text(encoding="utf-8")
        # A literal's "%" is doubled in its message id, as the trans tag looks it up.
        found |= {(m.group(4) or "", m.group(2).replace("%", "%%")) for m in TRANS.finditer(source)}
        found |= {("", m.group(2)) for m in UNDERSCORE.finditer(source)}
        for match in BLOCK.finditer(source):
            options, singular = match.group(1), PLURAL.split(match.group(2))[0]
            if re.search(r"\btrimmed\b", options):
                singular = re.sub(r"\s*\n\s*", " ", singular.strip())
            context = CONTEXT.search(options)
            message = BLOCK_VARIABLE.sub(lambda v: f"%({v.group(1)})s", singular.replace("%", "%%"))
            found.add((context.group(2) if context else "", message))
    return found


# What a page or an e-mail shows, and what in it no translator can reach ---------------------------

SHOWN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description"}
TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
TEMPLATE_COMMENT = re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}", re.S)
MARKED_BLOCK = re.compile(r"\{%\s*(?:blocktrans|blocktranslate)\b.*?\{%\s*end(?:blocktrans|blocktranslate)\s*%\}",
                          re.S)
CUT = "\x00"


class _Shown(HTMLParser):
    """The text of an HTML document and the attributes people are shown or read to, scripts and styles aside."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.found += [value for key, value in attrs if key in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.found.append(data)


def shown(html):
    """The pieces of text an HTML document shows, each with its whitespace collapsed."""
    parser = _Shown()
    parser.feed(html)
    parser.close()
    return [" ".join(piece.split()) for text in parser.found for piece in text.split(CUT) if piece.strip()]


def _is_words(text):
    return bool(re.search(r"[A-Za-z]{2,}", text)) and text not in NOT_LANGUAGE


def unmarked_in_templates(*directories):
    """
    The text the templates under ``directories`` show without marking it for translation: what
    is left of each once comments, marked blocks and template code are taken out.
    """
    found = set()
    for directory in directories or (TEMPLATES,):
        for path in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
            source = TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8"))
            source = TEMPLATE_CODE.sub(f" {CUT} ", MARKED_BLOCK.sub(f" {CUT} ", source))
            if path.suffix == ".html":
                pieces = shown(source)
            else:
                pieces = [" ".join(piece.split()) for piece in source.split(CUT)]
            found |= {piece for piece in pieces if _is_words(piece)}
    return found


SENTENCE = re.compile(r"^[A-Z][a-z]+(?: [A-Za-z’',;:()-]+){2,}[.!?:]?$")


def unmarked_sentences_in_python(package=PACKAGE):
    """
    Sentences written as plain strings in the package's Python (three words or more, capitalised),
    neither a message given to gettext nor a docstring: if a page shows one, nobody can translate it.
    """
    found = set()
    for path in python_sources(package):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        messages = {id(call.args[0]) for call in gettext_calls(tree)}
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        found |= {node.value for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in messages | docstrings and SENTENCE.match(node.value)}
    return found


def untranslated(pieces, unmarked):
    """The pieces of shown text that hold a string of the code nobody marked for translation."""
    return sorted({piece for piece in pieces for text in unmarked if text in piece})
