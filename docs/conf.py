"""
Sphinx configuration of the openedx-distinguished documentation site.

Build it with ``make docs`` (``sphinx-build -E -W --keep-going -b html docs docs/_build/html``). The
references (settings, REST API, events and filters, management commands) are generated from the
plugin itself by the extension in ``_ext/``, so Django is set up here with the test settings: the
build reads the code, it never touches a database.
"""
import os
import re
import sys

import django

DOCS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(DOCS_DIR)
sys.path.insert(0, REPO_ROOT)  # test_settings, test_urls
sys.path.insert(0, os.path.join(DOCS_DIR, "_ext"))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "test_settings")
django.setup()


def _version():
    with open(os.path.join(REPO_ROOT, "openedx_distinguished", "__init__.py"), encoding="utf-8") as handle:
        return re.search(r'^__version__ = ["\']([^"\']+)["\']', handle.read(), re.M).group(1)


# -- Project -------------------------------------------------------------------------------------

project = "openedx-distinguished"
author = "the openedx-distinguished contributors"
# The repository names no copyright holder (the code is AGPL-3.0-or-later): no copyright line.
copyright = ""  # pylint: disable=redefined-builtin
html_show_copyright = False
version = release = _version()

# -- General -------------------------------------------------------------------------------------

extensions = [
    "distinguished_docs",  # _ext/distinguished_docs.py: the generated references
]

root_doc = "index"
source_suffix = {".rst": "restructuredtext"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
# Straight quotes everywhere, so that text copied from a page (a command, a value) works as typed.
smartquotes = False
# Nothing is fetched at build time: no intersphinx, and remote images are only linked.
suppress_warnings = ["image.nonlocal_uri"]
nitpicky = False

# The generated references (see _ext/distinguished_docs.py).
# Links between .rst files that GitHub follows, and what they are on the site: a path relative to
# the repository root -> a page of this site. Links to .rst files inside docs/ are mapped by
# themselves; a link to any other .rst file must be listed here, or the build fails.
distinguished_rst_links = {
    "tutor/README.rst": "references/tutor-plugin",
}
# drf-spectacular's warnings fail the build, except the ones listed here (a substring of each),
# which are reported as information only. Remove an entry once the code no longer causes it.
distinguished_openapi_known_warnings: list[str] = []
# Section titles of the REST reference, per OpenAPI tag (the path's first segment); a tag not
# listed here gets its own name, capitalised.
distinguished_openapi_tag_titles = {
    "kpis": "KPIs",
    "me": "The caller (me)",
    "qualifying-runs": "Qualifying course runs",
    "funding-requests": "Funding requests",
}

# -- HTML ----------------------------------------------------------------------------------------

# The theme of Open edX documentation sites, set up the way Open edX repositories set it up. The
# logo and favicon are the Open edX ones, linked from the Open edX CDN: the browser loads them,
# the build does not.
html_theme = "sphinx_book_theme"
html_title = "openedx-distinguished"
html_logo = "https://logos.openedx.org/open-edx-logo-color.png"
html_favicon = "https://logos.openedx.org/open-edx-favicon.ico"
html_theme_options = {
    # The repository as catalog-info.yaml names it: the source, issues and edit buttons link there.
    "repository_url": "https://github.com/openedx/openedx-distinguished",
    "repository_branch": "main",
    "path_to_docs": "docs/",
    "use_repository_button": True,
    "use_issues_button": True,
    "use_edit_page_button": True,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": True,
    # False was the default of navigation_with_keys, and keys moving pages surprise readers.
    "navigation_with_keys": False,
}
html_static_path = ["_static"]
html_css_files = ["distinguished.css"]
html_js_files = ["distinguished.js"]
# No copies of the sources in the output: nobody reads them, and doc8 (make quality) would scan
# them under docs/_build.
html_copy_source = False
html_show_sourcelink = False
