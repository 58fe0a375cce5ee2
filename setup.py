#!/usr/bin/env python
"""
Package metadata for openedx-distinguished.
"""
import os
import re

from setuptools import find_namespace_packages, setup

HERE = os.path.abspath(os.path.dirname(__file__))


def get_version(*file_paths):
    """
    Extract the version string from the file at the given relative path fragments.
    """
    filename = os.path.join(HERE, *file_paths)
    with open(filename, encoding="utf8") as version_file:
        version_match = re.search(r"^__version__ = ['\"]([^'\"]*)['\"]", version_file.read(), re.M)
    if version_match:
        return version_match.group(1)
    raise RuntimeError("Unable to find version string.")


def load_requirements(*requirements_paths):
    """
    Load the requirement specifiers of the given .in files.

    Constraint (-c) and include (-r) lines, blank lines and comments (whole-line
    or trailing) are dropped; pins belong in the compiled requirements/py3XX/*.txt
    files, not in install_requires.
    """
    requirements = []
    for path in requirements_paths:
        with open(os.path.join(HERE, path), encoding="utf8") as reqs:
            for line in reqs:
                line = re.sub(r"(^|\s)#.*$", "", line).strip()
                if not line or line.startswith(("-c", "-r", "--")):
                    continue
                if line not in requirements:
                    requirements.append(line)
    return requirements


def read_long_description():
    """
    Return the contents of README.rst, if it exists.
    """
    readme = os.path.join(HERE, "README.rst")
    if os.path.exists(readme):
        with open(readme, encoding="utf8") as readme_file:
            return readme_file.read()
    return ""


VERSION = get_version("openedx_distinguished", "__init__.py")

setup(
    name="openedx-distinguished",
    version=VERSION,
    description="Open edX LMS plugin for the Distinguished program",
    long_description=read_long_description(),
    long_description_content_type="text/x-rst",
    license="AGPL-3.0-or-later",
    # Namespace discovery so the data-only folders (templates/, static/,
    # program_data/) are packaged without "absent from packages" warnings.
    packages=find_namespace_packages(include=["openedx_distinguished", "openedx_distinguished.*"]),
    include_package_data=True,
    install_requires=load_requirements("requirements/base.in"),
    python_requires=">=3.11",
    zip_safe=False,
    entry_points={
        "lms.djangoapp": [
            "openedx_distinguished = openedx_distinguished.apps:DistinguishedConfig",
        ],
    },
    # The same addresses as catalog-info.yaml's links (tests/test_repository_metadata.py).
    project_urls={
        "Source": "https://github.com/openedx/openedx-distinguished",
        "Documentation": "https://github.com/openedx/openedx-distinguished/blob/main/docs/index.rst",
        "Changelog": "https://github.com/openedx/openedx-distinguished/blob/main/CHANGELOG.rst",
        "Issues": "https://github.com/openedx/openedx-distinguished/issues",
        "Security": "https://github.com/openedx/openedx-distinguished/blob/main/SECURITY.md",
    },
    keywords="Open edX, LMS plugin, recognition program, Open Badges, nominations",
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Environment :: Web Environment",
        "Framework :: Django",
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Intended Audience :: Developers",
        "Intended Audience :: Education",
        "Intended Audience :: System Administrators",
        "Natural Language :: English",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Topic :: Education",
    ],
)
