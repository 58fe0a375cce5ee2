"""
What an Open edX maintainer looks for in the repository: its catalogue entry (OEP-55), the packages'
metadata saying the same things, and a way to report a vulnerability.
"""
import configparser
import re
import tomllib
from importlib.metadata import metadata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def catalogue_entry():
    return yaml.safe_load((ROOT / "catalog-info.yaml").read_text(encoding="utf-8"))


def project_urls(meta):
    return dict(entry.split(", ", 1) for entry in meta.get_all("Project-URL"))


def test_the_catalogue_entry_names_the_component_its_owner_and_its_lifecycle():
    entry = catalogue_entry()
    assert entry["apiVersion"] == "backstage.io/v1alpha1" and entry["kind"] == "Component"
    assert entry["metadata"]["name"] == metadata("openedx-distinguished")["Name"]
    spec = entry["spec"]
    assert spec["owner"].startswith("group:") and spec["type"] == "library"
    assert spec["lifecycle"] in {"experimental", "production", "deprecated"}
    assert entry["metadata"]["annotations"]["openedx.org/translations"] == "openedx_distinguished/conf/locale"
    assert (ROOT / entry["metadata"]["annotations"]["openedx.org/translations"] / "config.yaml").is_file()


def test_the_catalogue_links_are_the_packages_project_urls():
    links = {link["title"]: link["url"] for link in catalogue_entry()["metadata"]["links"]}
    urls = project_urls(metadata("openedx-distinguished"))
    assert links["Source"] == urls["Source"]
    assert links["Documentation"] == urls["Documentation"]
    assert links["Reporting a vulnerability"] == urls["Security"]
    tutor = tomllib.loads((ROOT / "tutor" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert tutor["urls"]["Security"] == urls["Security"] and tutor["urls"]["Issues"] == urls["Issues"]
    assert tutor["urls"]["Source"].startswith(urls["Source"] + "/")
    for url in urls.values():
        path = re.match(r"https://github\.com/[^/]+/[^/]+/blob/main/(.+)$", url)
        if path:  # a file of this repository: it exists
            assert (ROOT / path.group(1)).is_file(), url


def test_the_classifiers_say_what_the_test_matrix_runs():
    classifiers = metadata("openedx-distinguished").get_all("Classifier")
    pythons = {c.rsplit(" :: ", 1)[1] for c in classifiers if re.match(r"Programming Language :: Python :: 3\.\d+$", c)}
    djangos = {c.rsplit(" :: ", 1)[1] for c in classifiers if re.match(r"Framework :: Django :: \d", c)}
    tox = configparser.ConfigParser()
    tox.read(ROOT / "tox.ini")
    envs = tox["tox"]["envlist"].split()
    assert pythons == {f"3.{env[3:5]}" for env in envs if re.match(r"py3\d+-django", env)} == {"3.11", "3.12"}
    pinned = set()
    for python in ("py311", "py312"):
        pin = re.search(r"^django==(\d+\.\d+)", (ROOT / "requirements" / python / "test.txt").read_text(), re.M | re.I)
        pinned.add(pin.group(1))
    assert djangos == pinned


def test_a_vulnerability_has_a_private_way_to_be_reported():
    policy = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert "security@openedx.org" in policy
    assert "do not report a vulnerability in a public issue" in policy
    readme = (ROOT / "README.rst").read_text(encoding="utf-8")
    assert "SECURITY.md" in readme and "\nContributing\n" in readme
